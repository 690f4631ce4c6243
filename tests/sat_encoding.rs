//! The SAT encoding against the kernel's conf: every configuration the C tool
//! produces must be a model of the CNF (completeness), and every arch's
//! encoding must be satisfiable.

mod common;
use common::*;
use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::frontend::parser::ParseOptions;
use kconfig_sat::frontend::shell::ShellPolicy;
use kconfig_sat::model::Kconfig;
use kconfig_sat::sat::encode::Encoding;
use varisat::Solver;

fn load(arch: &str) -> Kconfig {
    let tree = tree();
    let env = make_env(&tree, arch);
    kconfig_sat::tree::load_with(
        &tree,
        "Kconfig",
        env,
        ShellPolicy::Run,
        &[],
        ParseOptions {
            menu_structure: false,
        },
    )
    .unwrap_or_else(|e| panic!("{arch} loads: {e}"))
    .kconfig
}

/// Asserts that `config` (a C-produced .config) satisfies the encoding.
fn assert_model(label: &str, k: &Kconfig, enc: &Encoding, config: &[u8]) {
    let mut ev = Evaluator::new(k);
    ev.read_config(&String::from_utf8_lossy(config), &Prefix::default(), false);
    let assumptions = enc.assumptions_for(&mut |s| ev.tri_value(s));
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    solver.assume(&assumptions);
    if !solver.solve().expect("solver runs") {
        let core: Vec<String> = solver
            .failed_core()
            .unwrap_or(&[])
            .iter()
            .take(12)
            .map(|l| {
                format!(
                    "{}{}",
                    if l.is_positive() { "" } else { "!" },
                    enc.b.names[l.var().index()]
                )
            })
            .collect();
        panic!("{label}: the C tool's configuration is not a model; conflicting values: {core:?}");
    }
}

#[test]
fn every_arch_defconfig_is_a_model_and_every_encoding_is_satisfiable() {
    let tree = tree();
    for arch in ALL_ARCHES {
        let env = make_env(&tree, arch);
        let dir = workdir(&format!("sat-defconfig-{arch}"));
        let arg = format!("--defconfig={}", arch_defconfig(arch));
        let r = run_in(
            &dir,
            &tree.join("scripts/kconfig/conf"),
            &[],
            &[&arg, "Kconfig"],
            &env,
            None,
        );
        let config = r.file(".config").expect("C defconfig output");
        let k = load(arch);
        let enc = Encoding::new(&k);
        assert!(
            enc.variables() > 1000,
            "{arch}: the encoding covers the tree"
        );
        assert_model(&format!("defconfig-{arch}"), &k, &enc, &config);
        let mut solver = Solver::new();
        solver.add_formula(&enc.b.cnf);
        assert!(
            solver.solve().expect("solver runs"),
            "{arch}: the encoding is satisfiable"
        );
    }
}

#[test]
fn all_configs_and_random_olddefconfigs_are_models() {
    let tree = tree();
    for arch in ["x86_64", "arm64"] {
        let env = make_env(&tree, arch);
        let k = load(arch);
        let enc = Encoding::new(&k);
        for mode in [
            "allnoconfig",
            "allyesconfig",
            "allmodconfig",
            "alldefconfig",
        ] {
            let dir = workdir(&format!("sat-{mode}-{arch}"));
            let r = run_in(
                &dir,
                &tree.join("scripts/kconfig/conf"),
                &[],
                &[&format!("--{mode}"), "Kconfig"],
                &env,
                None,
            );
            assert_model(
                &format!("{mode}-{arch}"),
                &k,
                &enc,
                &r.file(".config").expect("output"),
            );
        }
        for seed in 1..=20 {
            let random = c_randconfig(arch, seed);
            let dir = workdir(&format!("sat-old-{arch}-{seed}"));
            let r = run_in(
                &dir,
                &tree.join("scripts/kconfig/conf"),
                &[],
                &["--olddefconfig", "Kconfig"],
                &env,
                Some(&random),
            );
            assert_model(
                &format!("olddefconfig-{arch}-seed{seed}"),
                &k,
                &enc,
                &r.file(".config").expect("output"),
            );
        }
    }
}

/// A configuration that breaks a rule is not a model: flipping a symbol that
/// a select forces, in an otherwise valid configuration, makes it unsatisfiable.
#[test]
fn a_forced_symbol_cannot_be_flipped() {
    let tree = tree();
    let env = make_env(&tree, "x86_64");
    let dir = workdir("sat-flip");
    let r = run_in(
        &dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        &["--defconfig=arch/x86/configs/x86_64_defconfig", "Kconfig"],
        &env,
        None,
    );
    let config = r.file(".config").expect("output");
    let k = load("x86_64");
    let enc = Encoding::new(&k);
    let mut ev = Evaluator::new(&k);
    ev.read_config(&String::from_utf8_lossy(&config), &Prefix::default(), false);
    // X86_64 is y and nothing lets it be n on this arch.
    let x86_64 = k.lookup("X86_64").expect("X86_64 exists");
    let mut assumptions = enc.assumptions_for(&mut |s| ev.tri_value(s));
    let y = enc.y_var[x86_64.0 as usize].expect("bool variable");
    for a in assumptions.iter_mut() {
        if a.var() == y {
            *a = y.negative();
        }
    }
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    solver.assume(&assumptions);
    assert!(
        !solver.solve().expect("solver runs"),
        "X86_64=n is not a valid x86_64 configuration"
    );
}
