//! Probes the SAT encoding of a tree against a .config: is the config a model
//! (completeness), and is a free model a fixpoint of the exact evaluator
//! (soundness)? Prints timings.
//!
//! `cargo run --release --example sat_check_config TREE ARCH CONFIG`
use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::frontend::parser::ParseOptions;
use kconfig_sat::frontend::shell::ShellPolicy;
use kconfig_sat::sat::encode::Encoding;
use varisat::Solver;

fn main() {
    let mut args = std::env::args().skip(1);
    let tree = std::path::PathBuf::from(args.next().expect("tree"))
        .canonicalize()
        .expect("tree");
    let arch = args.next().expect("arch");
    let config = std::fs::read_to_string(args.next().expect("config")).expect("config");
    let env = kconfig_sat::tree::make_environment(
        &tree,
        &arch,
        &kconfig_sat::tree::host_cc_version_text(),
    );
    let options = ParseOptions {
        menu_structure: false,
        ..Default::default()
    };
    let loaded =
        kconfig_sat::tree::load_with(&tree, "Kconfig", env, ShellPolicy::Run, &[], options)
            .expect("loads");
    let k = &loaded.kconfig;
    let prefix = Prefix::default();

    let mut ev = Evaluator::new(k);
    ev.read_config(&config, &prefix, false);
    let extra = Encoding::config_values(&mut ev);
    let t = std::time::Instant::now();
    let enc = Encoding::with_values(k, &extra);
    println!(
        "encode {:?}: {} variables, {} clauses",
        t.elapsed(),
        enc.variables(),
        enc.clauses()
    );

    let mut solver = Solver::new();
    let t = std::time::Instant::now();
    solver.add_formula(&enc.b.cnf);
    let loaded_at = t.elapsed();
    solver.assume(&enc.assumptions_for(&mut ev));
    let is_model = solver.solve().expect("solves");
    println!(
        "load into solver {loaded_at:?}; the config is a model: {is_model} ({:?})",
        t.elapsed()
    );

    let t = std::time::Instant::now();
    solver.assume(&[]);
    assert!(solver.solve().expect("solves"), "encoding unsatisfiable");
    println!("free solve {:?}", t.elapsed());
    let model: std::collections::HashSet<varisat::Lit> =
        solver.model().expect("model").into_iter().collect();
    let written = kconfig_sat::sat::solve::model_config(k, &enc, &model);
    // conf's values for the written model must be the model's own values.
    let mut again = Evaluator::new(k);
    again.read_config(&written, &prefix, false);
    let differing = enc
        .assumptions_for(&mut again)
        .iter()
        .filter(|l| !model.contains(l))
        .count();
    println!(
        "free model is a fixpoint of olddefconfig: {} ({differing} literals differ)",
        differing == 0
    );
}
