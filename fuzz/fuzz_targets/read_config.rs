//! Reading arbitrary `.config` text against a small fixed tree.
#![no_main]

use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::frontend::parser::{parse, FileResolver};
use kconfig_sat::frontend::preprocess::Preprocessor;
use kconfig_sat::frontend::shell::ShellPolicy;
use libfuzzer_sys::fuzz_target;

const TREE: &str = "config MODULES\n\tbool \"m\"\n\tmodules\n\tdefault y\nconfig A\n\ttristate \"a\"\nconfig B\n\tbool \"b\"\n\tselect A\nconfig N\n\tint \"n\"\n\trange 1 10\nconfig H\n\thex \"h\"\nconfig S\n\tstring \"s\"\nchoice\n\tprompt \"c\"\nconfig C1\n\tbool \"c1\"\nconfig C2\n\tbool \"c2\"\nendchoice\n";

fuzz_target!(|data: &[u8]| {
    let resolver = FileResolver { search_dirs: Vec::new(), overlays: vec![("Kconfig".into(), TREE.into())], ..Default::default() };
    let mut pp = Preprocessor::new(Default::default(), ShellPolicy::Deny);
    let Ok((k, _)) = parse("Kconfig", &resolver, &mut pp) else { panic!("fixed tree parses") };
    let mut ev = Evaluator::new(&k);
    let prefix = Prefix::default();
    ev.read_config(&String::from_utf8_lossy(data), &prefix, true);
    let written = ev.write_config(&prefix);
    ev.read_config(&written, &prefix, false);
    assert_eq!(ev.write_config(&prefix), written);
});
