//! Malformed Kconfig input: the same exit status as the kernel's conf, an
//! error naming the same file and line, no panic, and no .config written.

mod common;
use common::*;
use std::collections::HashMap;

const CASES: &[(&str, &str)] = &[
    ("help_at_eof", "config A\n\tbool \"a\"\n\thelp"),
    (
        "unterminated_paren",
        "config A\n\tbool \"a\"\n\tdepends on (B && \n",
    ),
    ("missing_operand", "config A\n\tbool \"a\"\n\tdepends on\n"),
    ("unbalanced_if", "if A\nconfig B\n\tbool \"b\"\n"),
    ("stray_endif", "config B\n\tbool \"b\"\nendif\n"),
    (
        "endmenu_closes_if",
        "if A\nconfig B\n\tbool \"b\"\nendmenu\n",
    ),
    ("unbalanced_menu", "menu \"m\"\nconfig B\n\tbool \"b\"\n"),
    (
        "missing_source",
        "config A\n\tbool \"a\"\nsource \"nope/Kconfig\"\n",
    ),
    (
        "recursive_source",
        "config A\n\tbool \"a\"\nsource \"Kconfig\"\n",
    ),
    ("macro_recursion", "X = $(X)\nconfig A\n\tbool \"$(X)\"\n"),
    ("unterminated_macro", "config A\n\tbool \"$(foo\"\n"),
    ("error_if", "$(error-if,y,stop here)\n"),
    ("unknown_statement", "config A\n\tbool \"a\"\nfoo bar\n"),
    (
        "select_a_string",
        "config A\n\tbool \"a\"\n\tselect \"B\"\n",
    ),
    (
        "choice_member_not_bool",
        "choice\n\tprompt \"c\"\nconfig A\n\ttristate \"a\"\nendchoice\n",
    ),
    (
        "recursive_dependency",
        "config A\n\tbool \"a\"\n\tdepends on B\nconfig B\n\tbool \"b\"\n\tdepends on A\n",
    ),
    ("no_newline_at_end", "config A\n\tbool \"a\""),
];

fn first_location(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|l| {
        let (file, rest) = l.split_once(':')?;
        let line: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        (!line.is_empty()).then(|| format!("{file}:{line}"))
    })
}

#[test]
fn malformed_input_fails_like_conf() {
    let tree = tree();
    let conf = tree.join("scripts/kconfig/conf");
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    for (name, text) in CASES {
        let c_dir = workdir(&format!("malformed/{name}/c"));
        let o_dir = workdir(&format!("malformed/{name}/ours"));
        for d in [&c_dir, &o_dir] {
            std::fs::write(d.join("Kconfig"), text).expect("write Kconfig");
        }
        let c = run_in(
            &c_dir,
            &conf,
            &[],
            &["--olddefconfig", "Kconfig"],
            &env,
            None,
        );
        let o = run_in(
            &o_dir,
            &ours(),
            &["conf"],
            &["--olddefconfig", "Kconfig"],
            &env,
            None,
        );
        assert_eq!(
            c.code(),
            Some(1),
            "{name}: the case must be an error for the C tool too:\n{}",
            c.stderr()
        );
        assert_eq!(
            o.code(),
            c.code(),
            "{name}: exit status differs\nC: {}\nours: {}",
            c.stderr(),
            o.stderr()
        );
        assert!(
            !o.stderr().contains("panicked"),
            "{name}: panic\n{}",
            o.stderr()
        );
        assert!(
            o.file(".config").is_none(),
            "{name}: nothing may be written on error"
        );
        if let Some(loc) = first_location(&c.stderr()) {
            assert!(
                o.stderr().contains(&loc),
                "{name}: C reports {loc}, we say:\n{}",
                o.stderr()
            );
        }
    }
}

/// The library's own diagnostics carry file:line:col and the source line.
#[test]
fn library_errors_point_into_the_file() {
    use kconfig_sat::frontend::parser::{parse, FileResolver};
    use kconfig_sat::frontend::preprocess::Preprocessor;
    use kconfig_sat::frontend::shell::ShellPolicy;
    let resolver = FileResolver {
        search_dirs: Vec::new(),
        overlays: vec![(
            "Kconfig".into(),
            "config A\n\tbool \"a\"\n\tdepends on B &&\n".into(),
        )],
        ..Default::default()
    };
    let mut pp = Preprocessor::new(HashMap::new(), ShellPolicy::Deny);
    let err = parse("Kconfig", &resolver, &mut pp).expect_err("bad expression");
    let first = &err.errors[0];
    assert_eq!(first.location, "Kconfig:3:17");
    let rendered = format!("{:?}", miette::Report::new(err));
    assert!(
        rendered.contains("depends on B &&"),
        "the diagnostic quotes the line:\n{rendered}"
    );
}

/// `--old-syntax`: 3.x's unquoted `source dir/Kconfig` is read (and a last
/// line without its newline ends); without the option it is the syntax
/// error 6.x's parser reports.
#[test]
fn old_syntax_reads_unquoted_source() {
    use kconfig_sat::frontend::parser::{parse_with, FileResolver, ParseOptions};
    use kconfig_sat::frontend::preprocess::Preprocessor;
    use kconfig_sat::frontend::shell::ShellPolicy;
    let load = |top: &str, old_syntax: bool| {
        let resolver = FileResolver {
            overlays: vec![
                ("Kconfig".into(), top.into()),
                (
                    "grsecurity/Kconfig".into(),
                    "config GRKERNSEC\n\tbool \"g\"\n".into(),
                ),
            ],
            ..Default::default()
        };
        let mut pp = Preprocessor::new(HashMap::new(), ShellPolicy::Deny);
        let options = ParseOptions {
            old_syntax,
            ..Default::default()
        };
        parse_with("Kconfig", &resolver, &mut pp, options)
            .map(|(k, _)| k.lookup("GRKERNSEC").is_some())
    };
    assert_eq!(load("source grsecurity/Kconfig\n", true).ok(), Some(true));
    // Without the final newline it ends as the quoted form does in 6.x.
    assert_eq!(
        load("source grsecurity/Kconfig", true).is_ok(),
        load("source \"grsecurity/Kconfig\"", false).is_ok()
    );
    assert_eq!(
        load("source grsecurity/Kconfig extra\n", true).ok(),
        Some(true)
    );
    let err = load("source grsecurity/Kconfig\n", false).expect_err("6.x syntax");
    assert!(
        err.errors[0].message.contains("expected a quoted string"),
        "{err}"
    );
}
