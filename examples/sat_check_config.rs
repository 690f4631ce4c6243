//! Checks that a .config satisfies the CNF of a tree (a completeness probe):
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
    let loaded = kconfig_sat::tree::load_with(
        &tree,
        "Kconfig",
        env,
        ShellPolicy::Run,
        &[],
        ParseOptions {
            menu_structure: false,
        },
    )
    .expect("loads");
    let k = &loaded.kconfig;
    let t = std::time::Instant::now();
    let enc = Encoding::new(k);
    println!(
        "encode: {:?}, {} variables, {} clauses, {} free comparisons",
        t.elapsed(),
        enc.variables(),
        enc.clauses(),
        enc.free_comparisons
    );
    let mut ev = Evaluator::new(k);
    ev.read_config(&config, &Prefix::default(), false);
    let assumptions = enc.assumptions_for(&mut |s| ev.tri_value(s));
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    solver.assume(&assumptions);
    let sat = solver.solve().expect("solves");
    println!("config is a model: {sat}");
    // Soundness probe: a free model must be a fixpoint of the evaluator.
    let mut free = Solver::new();
    free.add_formula(&enc.b.cnf);
    assert!(free.solve().expect("solves"), "encoding unsatisfiable");
    let model: std::collections::HashSet<varisat::Lit> =
        free.model().expect("model").into_iter().collect();
    let mut text = String::new();
    for s in k.config_symbols() {
        let Some(y) = enc.y_var[s.0 as usize] else {
            continue;
        };
        let name = &k.sym(s).name;
        let is_y = model.contains(&y.positive());
        let is_m = enc.m_var[s.0 as usize].is_some_and(|m| model.contains(&m.positive()));
        text.push_str(&if is_y {
            format!("CONFIG_{name}=y\n")
        } else if is_m {
            format!("CONFIG_{name}=m\n")
        } else {
            format!("# CONFIG_{name} is not set\n")
        });
    }
    let mut ev2 = Evaluator::new(k);
    ev2.read_config(&text, &Prefix::default(), false);
    let mut bad = Vec::new();
    for s in k.config_symbols() {
        let Some(y) = enc.y_var[s.0 as usize] else {
            continue;
        };
        let want = if model.contains(&y.positive()) {
            "y"
        } else if enc.m_var[s.0 as usize].is_some_and(|m| model.contains(&m.positive())) {
            "m"
        } else {
            "n"
        };
        let got = ev2.string_value(s);
        if got != want {
            bad.push(format!("{}: model {want}, conf {got}", k.sym(s).name));
        }
    }
    println!(
        "free model: {} symbols differ after olddefconfig; first: {:?}",
        bad.len(),
        &bad[..bad.len().min(8)]
    );
    if !sat {
        let core: Vec<String> = solver
            .failed_core()
            .unwrap_or(&[])
            .iter()
            .map(|l| {
                format!(
                    "{}{}",
                    if l.is_positive() { "" } else { "!" },
                    enc.b.names[l.var().index()]
                )
            })
            .collect();
        println!(
            "failed core ({}): {:?}",
            core.len(),
            &core[..core.len().min(20)]
        );
    }
}
