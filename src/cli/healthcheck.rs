//! `sprintbot healthcheck`: GET /healthz on the running server and exit 0 when
//! it answers 200. Docker's HEALTHCHECK runs it, so it needs no shell or curl.
//! Where to probe: `--addr`, else `SPRINTBOT_LISTEN` (its port on
//! 127.0.0.1 when it listens on every interface), so a container started with
//! another port stays healthy without a rebuilt image; else the configured
//! listen address.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::common::load_config;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Environment:
  SPRINTBOT_LISTEN  the server's listen address, when --addr is not given
  SPRINTBOT_CONFIG  the deployment config (as --config), for its listen address otherwise")]
pub struct Args {
    /// Address of the server (default: $SPRINTBOT_LISTEN, else the
    /// configured listen address; 0.0.0.0 is read as 127.0.0.1).
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<String>,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    let listen_env = std::env::var("SPRINTBOT_LISTEN").ok();
    let addr = match target(args.addr, listen_env, || {
        load_config(&config).map(|c| c.server.listen)
    }) {
        Ok(addr) => addr,
        Err(Failure::Config(code)) => return code,
        Err(Failure::BadAddress(message)) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    match probe(addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("unhealthy: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Why no address could be worked out.
#[derive(Debug)]
enum Failure {
    /// The deployment config is invalid; its diagnostics are already printed.
    Config(ExitCode),
    /// An address that does not parse, with a message naming where it came from.
    BadAddress(String),
}

/// The address to probe. The config is only loaded when neither `--addr`
/// nor `SPRINTBOT_LISTEN` says where the server is: a healthcheck should not
/// fail because a config file it does not need is being edited.
fn target(
    addr_arg: Option<String>,
    listen_env: Option<String>,
    configured: impl FnOnce() -> Result<String, ExitCode>,
) -> Result<SocketAddr, Failure> {
    if let Some(a) = addr_arg {
        return parse(&a, "--addr").map(local);
    }
    // Empty counts as unset, as it does for the server (config::deploy::apply_env).
    if let Some(listen) = listen_env.filter(|v| !v.is_empty()) {
        return parse(&listen, "SPRINTBOT_LISTEN").map(local);
    }
    let listen = configured().map_err(Failure::Config)?;
    parse(&listen, "the configured listen address").map(local)
}

fn parse(text: &str, source: &str) -> Result<SocketAddr, Failure> {
    text.parse().map_err(|_| {
        Failure::BadAddress(format!(
            "{source} `{text}` is not an address like 127.0.0.1:3000"
        ))
    })
}

/// 0.0.0.0 (or ::) cannot be connected to. A server listening on every
/// interface (the container's `0.0.0.0:PORT`) is reachable on loopback, where
/// the probe runs; a server bound to one address is probed there, since it
/// does not answer on 127.0.0.1.
fn local(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    }
}

fn probe(addr: SocketAddr) -> std::io::Result<()> {
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(
        format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    if &head[..9] == b"HTTP/1.1 " && &head[9..12] == b"200" {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "/healthz answered {}",
            String::from_utf8_lossy(&head)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_config() -> Result<String, ExitCode> {
        panic!("the config must not be loaded when the address is known")
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn addr_flag_wins_over_the_environment() {
        let a = target(
            Some("10.1.2.3:9000".into()),
            Some("0.0.0.0:8080".into()),
            no_config,
        );
        assert_eq!(a.unwrap(), addr("10.1.2.3:9000"));
    }

    #[test]
    fn addr_flag_on_every_interface_is_probed_on_loopback() {
        let a = target(Some("0.0.0.0:3000".into()), None, no_config);
        assert_eq!(a.unwrap(), addr("127.0.0.1:3000"));
    }

    #[test]
    fn without_addr_the_port_of_sprintbot_listen_is_probed_on_loopback() {
        let a = target(None, Some("0.0.0.0:8080".into()), no_config);
        assert_eq!(a.unwrap(), addr("127.0.0.1:8080"));
        let a = target(None, Some("[::]:8081".into()), no_config);
        assert_eq!(a.unwrap(), addr("127.0.0.1:8081"));
    }

    #[test]
    fn a_sprintbot_listen_bound_to_one_address_is_probed_there() {
        let a = target(None, Some("[::1]:8082".into()), no_config);
        assert_eq!(a.unwrap(), addr("[::1]:8082"));
    }

    #[test]
    fn an_empty_sprintbot_listen_falls_back_to_the_config() {
        let a = target(None, Some(String::new()), || Ok("0.0.0.0:3000".into()));
        assert_eq!(a.unwrap(), addr("127.0.0.1:3000"));
    }

    #[test]
    fn without_either_the_configured_address_is_used() {
        let a = target(None, None, || Ok("127.0.0.2:4000".into()));
        assert_eq!(a.unwrap(), addr("127.0.0.2:4000"));
    }

    #[test]
    fn a_bad_sprintbot_listen_names_the_variable() {
        let Err(Failure::BadAddress(m)) = target(None, Some("3000".into()), no_config) else {
            panic!("expected a bad address");
        };
        assert!(m.contains("SPRINTBOT_LISTEN `3000`"), "{m}");
    }

    #[test]
    fn a_bad_addr_flag_names_the_flag() {
        let Err(Failure::BadAddress(m)) = target(Some("nowhere".into()), None, no_config) else {
            panic!("expected a bad address");
        };
        assert!(m.contains("--addr `nowhere`"), "{m}");
    }

    #[test]
    fn an_invalid_config_is_reported_as_a_config_failure() {
        let r = target(None, None, || Err(ExitCode::from(2)));
        assert!(matches!(r, Err(Failure::Config(_))));
    }

    #[test]
    fn probe_accepts_200_and_refuses_anything_else() {
        for (status, healthy) in [("200 OK", true), ("503 Service Unavailable", false)] {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let at = listener.local_addr().unwrap();
            let server = std::thread::spawn(move || {
                let (mut s, _) = listener.accept().unwrap();
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf).unwrap();
                s.write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n").as_bytes())
                    .unwrap();
            });
            assert_eq!(probe(at).is_ok(), healthy, "{status}");
            server.join().unwrap();
        }
    }

    #[test]
    fn probe_reports_a_server_that_is_not_there() {
        // Bind then drop: the port is free, so the connection is refused.
        let at = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        assert!(probe(at).is_err());
    }
}
