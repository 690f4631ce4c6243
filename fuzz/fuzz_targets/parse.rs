//! Lexer, preprocessor, parser, finalize and evaluation on arbitrary text.
//! No file is read (`source` can only reach a second in-memory file) and no
//! shell command runs.
#![no_main]

use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::frontend::parser::{parse_with, FileResolver, ParseOptions};
use kconfig_sat::frontend::preprocess::Preprocessor;
use kconfig_sat::frontend::shell::ShellPolicy;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A second file, so `source "inc"` is exercised too.
    let (top, inc) = match text.split_once("\u{0}") {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (text.to_string(), String::from("config INC\n\tbool \"inc\"\n")),
    };
    let resolver = FileResolver { search_dirs: Vec::new(), overlays: vec![("Kconfig".into(), top), ("inc".into(), inc)], ..Default::default() };
    let mut env = HashMap::new();
    env.insert("ARCH".to_string(), "x86".to_string());
    let mut pp = Preprocessor::new(env, ShellPolicy::Deny);
    // Half the inputs with 3.x syntax accepted (`--old-syntax`).
    let options = ParseOptions { old_syntax: data.first().is_some_and(|b| b & 1 == 1), ..Default::default() };
    if let Ok((k, _)) = parse_with("Kconfig", &resolver, &mut pp, options) {
        let mut ev = Evaluator::new(&k);
        let prefix = Prefix::default();
        let written = ev.write_config(&prefix);
        // What we write must read back to the same configuration.
        ev.read_config(&written, &prefix, false);
        assert_eq!(ev.write_config(&prefix), written);
        let _ = ev.write_defconfig(&prefix);
    }
});
