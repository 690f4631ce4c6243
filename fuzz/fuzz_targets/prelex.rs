//! Tokens found ahead on the prefetch thread against lexing on the spot:
//! the same tokens, places and warnings for any text.
#![no_main]

use kconfig_sat::frontend::lexer::token_trace;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    assert_eq!(token_trace(&text, true), token_trace(&text, false));
});
