//! Link settings of the `sprintbot` binary, and nothing else.
//!
//! A position-independent executable carries one relocation entry per
//! pointer in its read-only data, 24 bytes each, which the dynamic loader
//! reads at every start; the pages holding them then count in the process's
//! resident memory for as long as it runs. Packed (`DT_RELR`, glibc 2.36
//! and later, GNU ld 2.38 and later) they take a few kilobytes instead of
//! most of a megabyte. Only glibc Linux builds (the container image, a
//! local build) are packed; the release binaries, static musl builds linked
//! by zig, are left as they are.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
