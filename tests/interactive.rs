//! The question-and-answer modes against the kernel's conf: every prompt,
//! help screen and restart printed must be identical, since programs such as
//! nixpkgs' generate-config.pl parse that output.

mod common;
use common::*;

fn oldaskconfig_case(arch: &str, seed: u64) {
    let tree = tree();
    let env = make_env(&tree, arch);
    let start = std::fs::read(tree.join(arch_defconfig(arch))).expect("defconfig file");
    let answers = random_answers(seed, 30_000);
    let label = format!("oldaskconfig-{arch}-{seed}");
    let (c, o) = both_with_input(
        &label,
        &["--oldaskconfig", "Kconfig"],
        &env,
        Some(&start),
        &answers,
    );
    assert_same(&label, &c, &o, &[".config"]);
    assert!(
        c.stdout().lines().count() > 10_000,
        "{label}: the session should be long"
    );
    assert!(
        c.output.stdout == o.output.stdout,
        "{label}: stdout differs: {}",
        first_difference(&c.output.stdout, &o.output.stdout)
    );
    assert_eq!(c.stderr(), o.stderr(), "{label}: stderr differs");
}

#[test]
fn oldaskconfig_random_answers_x86_64() {
    oldaskconfig_case("x86_64", 7);
}

#[test]
fn oldaskconfig_random_answers_arm64() {
    oldaskconfig_case("arm64", 11);
}

/// `make config` with every answer left to its default (end of input at once).
#[test]
fn oldaskconfig_all_defaults_x86_64() {
    let tree = tree();
    let env = make_env(&tree, "x86_64");
    let start = std::fs::read(tree.join(arch_defconfig("x86_64"))).expect("defconfig file");
    let (c, o) = both_with_input(
        "oldaskconfig-defaults",
        &["--oldaskconfig", "Kconfig"],
        &env,
        Some(&start),
        b"",
    );
    assert_same("oldaskconfig-defaults", &c, &o, &[".config"]);
    assert_eq!(c.stdout(), o.stdout());
    assert_eq!(c.stderr(), o.stderr());
}

/// oldconfig on a truncated random config asks only what is new.
#[test]
fn oldconfig_partial_config_x86_64() {
    let tree = tree();
    let env = make_env(&tree, "x86_64");
    let full = c_randconfig("x86_64", 9);
    let partial = &full[..full.len() / 3];
    let answers = random_answers(3, 5_000);
    let (c, o) = both_with_input(
        "oldconfig-partial",
        &["--oldconfig", "Kconfig"],
        &env,
        Some(partial),
        &answers,
    );
    assert_same("oldconfig-partial", &c, &o, &[".config"]);
    assert_eq!(c.stdout(), o.stdout());
}

#[test]
fn helpnewconfig_x86_64_and_arm64() {
    let tree = tree();
    for arch in ["x86_64", "arm64"] {
        let env = make_env(&tree, arch);
        let minimal = std::fs::read(tree.join(arch_defconfig(arch))).expect("defconfig file");
        let label = format!("helpnewconfig-{arch}");
        let (c, o) = both(
            &label,
            &["--helpnewconfig", "Kconfig"],
            &env,
            Some(&minimal),
        );
        assert_eq!(c.code(), o.code());
        assert!(
            c.output.stdout == o.output.stdout,
            "{label}: {}",
            first_difference(&c.output.stdout, &o.output.stdout)
        );
        let screens = c.stdout().matches("\nSymbol: ").count();
        assert!(
            screens > 1000,
            "{label}: a help screen per new symbol, got {screens}"
        );
        assert!(
            c.stdout().contains("Selected by [n]:"),
            "{label}: help screens show reverse dependencies"
        );
    }
}
