//! Fuzz the slash-command parser: any comment text must parse without a
//! panic, and every line it reports must be a line of the comment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sprintbot::commands::parse::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for line in parse(text) {
        assert!(text.contains(line.text.as_str()));
        assert!(line.number >= 1);
    }
});
