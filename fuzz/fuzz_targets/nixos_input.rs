//! The NixOS inputs: answers text (grammar, lints, requests) and .nix text
//! (extraction with rnix), against the embedded grsecurity model.
#![no_main]

use kconfig_sat::frontend::parser::ParseOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(loaded) = kconfig_sat::tree::load_grsecurity_model(ParseOptions { menu_structure: false, ..Default::default() }) else {
        panic!("the model loads")
    };
    let k = &loaded.kconfig;
    if let Ok(answers) = kconfig_sat::nixos::answers::parse(&text) {
        let _ = kconfig_sat::nixos::lint::lint(k, &answers);
    }
    let _ = kconfig_sat::sat::request::parse_requests(k, "fuzz", &text);
    if let Ok(x) = kconfig_sat::nixos::nixfile::extract(&text, "6.12") {
        let _ = kconfig_sat::nixos::answers::parse(&x.answers_text());
    }
});
