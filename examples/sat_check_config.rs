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
    let mut ev = Evaluator::new(k);
    ev.read_config(&config, &Prefix::default(), false);
    let extra = Encoding::config_values(&mut ev);
    let t = std::time::Instant::now();
    let enc = Encoding::with_values(k, &extra);
    println!(
        "encode: {:?}, {} variables, {} clauses, {} free comparisons",
        t.elapsed(),
        enc.variables(),
        enc.clauses(),
        enc.free_comparisons
    );
    let assumptions = enc.assumptions_for(&mut ev);
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    solver.assume(&assumptions);
    let sat = solver.solve().expect("solves");
    println!("config is a model: {sat}");
    // Soundness probe: a free model must be a fixpoint of the evaluator.
    let mut free = Solver::new();
    let t = std::time::Instant::now();
    free.add_formula(&enc.b.cnf);
    let t_add = t.elapsed();
    assert!(free.solve().expect("solves"), "encoding unsatisfiable");
    let t_first = t.elapsed();
    free.assume(&[enc.y_var[k.lookup("KEXEC").expect("KEXEC").0 as usize]
        .expect("var")
        .negative()]);
    assert!(free.solve().expect("solves"));
    println!(
        "add_formula {t_add:?}, first solve at {t_first:?}, second solve at {:?}",
        t.elapsed()
    );
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
    for s in k.config_symbols() {
        for (d, l) in &enc.domain[s.0 as usize] {
            let holds = match l {
                kconfig_sat::sat::tri::L::Const(b) => *b,
                kconfig_sat::sat::tri::L::Lit(x) => model.contains(x),
            };
            if holds {
                let v = if k.sym(s).ty == kconfig_sat::model::SymType::String {
                    kconfig_sat::eval::config::escape_string(d)
                } else {
                    d.clone()
                };
                text.push_str(&format!("CONFIG_{}={v}\n", k.sym(s).name));
            }
        }
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
    for s in k.config_symbols() {
        for (d, l) in &enc.domain[s.0 as usize] {
            let holds = match l {
                kconfig_sat::sat::tri::L::Const(b) => *b,
                kconfig_sat::sat::tri::L::Lit(x) => model.contains(x),
            };
            if holds && ev2.string_value(s) != *d {
                bad.push(format!(
                    "{}: model {d}, conf {}",
                    k.sym(s).name,
                    ev2.string_value(s)
                ));
            }
        }
    }
    if let Some(s) = k.lookup("NR_CPUS") {
        let holds = |l: &kconfig_sat::sat::tri::L| match l {
            kconfig_sat::sat::tri::L::Const(b) => *b,
            kconfig_sat::sat::tri::L::Lit(x) => model.contains(x),
        };
        let d: Vec<String> = enc.domain[s.0 as usize]
            .iter()
            .map(|(v, l)| format!("{v}:{}", holds(l)))
            .collect();
        println!(
            "NR_CPUS domain {:?}; conf visible {:?} value {}",
            d,
            ev2.visibility(s),
            ev2.string_value(s)
        );
        for n in [
            "SMP",
            "MAXSMP",
            "NR_CPUS_RANGE_BEGIN",
            "NR_CPUS_RANGE_END",
            "NR_CPUS_DEFAULT",
        ] {
            if let Some(t) = k.lookup(n) {
                let dm: Vec<String> = enc.domain[t.0 as usize]
                    .iter()
                    .map(|(v, l)| format!("{v}:{}", holds(l)))
                    .collect();
                println!(
                    "  {n} = {} (vis {:?}) model domain {:?}",
                    ev2.string_value(t),
                    ev2.visibility(t),
                    dm
                );
            }
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
