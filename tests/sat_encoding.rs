//! The SAT encoding against the kernel's conf: every configuration the C tool
//! produces must be a model of the CNF (completeness), and every arch's
//! encoding must be satisfiable.

mod common;
use common::*;
use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::model::{Kconfig, SymId};
use kconfig_sat::sat::encode::Encoding;
use varisat::Solver;

/// Asserts that `config` (a C-produced .config) satisfies the encoding (with
/// the config's int/hex/string values added to their domains).
fn assert_model(label: &str, k: &Kconfig, config: &[u8]) {
    let mut ev = Evaluator::new(k);
    ev.read_config(&String::from_utf8_lossy(config), &Prefix::default(), false);
    let extra = Encoding::config_values(&mut ev);
    let enc = Encoding::with_values(k, &extra);
    let assumptions = enc.assumptions_for(&mut ev);
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
        let k = load_tree(arch);
        let enc = Encoding::new(&k);
        assert!(
            enc.variables() > 1000,
            "{arch}: the encoding covers the tree"
        );
        assert_model(&format!("defconfig-{arch}"), &k, &config);
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
        let k = load_tree(arch);
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
    let k = load_tree("x86_64");
    let enc = Encoding::new(&k);
    let mut ev = Evaluator::new(&k);
    ev.read_config(&String::from_utf8_lossy(&config), &Prefix::default(), false);
    // X86_64 is y and nothing lets it be n on this arch.
    let x86_64 = k.lookup("X86_64").expect("X86_64 exists");
    let mut assumptions = enc.assumptions_for(&mut ev);
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

/// Soundness: solutions under random requests, written as .config, survive
/// the C tool's olddefconfig byte for byte and keep the requested values.
/// Requests are 1-8 assignments to user-settable symbols, from fixed seeds;
/// the C runs are spread over two threads.
fn random_requests_survive_conf(arch: &str, requests: usize, seed: u64) {
    let tree = tree();
    let env = make_env(&tree, arch);
    let k = load_tree(arch);
    let enc = Encoding::new(&k);
    // User-settable bool/tristate symbols: those with a prompt.
    let settable: Vec<_> = k
        .config_symbols()
        .filter(|&s| {
            enc.y_var[s.0 as usize].is_some()
                && k.sym(s).props.iter().any(|&p| k.prop(p).text.is_some())
        })
        .collect();
    let solved = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for half in 0..2u64 {
            let (k, enc, settable, env, tree, solved) = (&k, &enc, &settable, &env, &tree, &solved);
            scope.spawn(move || {
                let mut state = seed.wrapping_mul(1000).wrapping_add(half);
                let mut next = |n: usize| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 33) as usize) % n
                };
                let mut solver = Solver::new();
                solver.add_formula(&enc.b.cnf);
                for r in (half as usize..requests).step_by(2) {
                    let mut assumptions = Vec::new();
                    let mut wanted = Vec::new();
                    for _ in 0..1 + next(8) {
                        let s = settable[next(settable.len())];
                        let y = enc.y_var[s.0 as usize].expect("var");
                        let m = enc.m_var[s.0 as usize];
                        match (next(if m.is_some() { 3 } else { 2 }), m) {
                            (0, _) => {
                                assumptions.push(y.negative());
                                assumptions.extend(m.map(|m| m.negative()));
                                wanted.push((s, "n"));
                            }
                            (1, _) => {
                                assumptions.push(y.positive());
                                wanted.push((s, "y"));
                            }
                            (_, Some(m)) => {
                                assumptions.push(m.positive());
                                wanted.push((s, "m"));
                            }
                            _ => {}
                        }
                    }
                    solver.assume(&assumptions);
                    let satisfiable = solver.solve().expect("solver runs");
                    cone_agrees(arch, r, k, &wanted, satisfiable);
                    if !satisfiable {
                        continue;
                    }
                    solved.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let model: std::collections::HashSet<varisat::Lit> =
                        solver.model().expect("model").into_iter().collect();
                    check_solution(arch, r, k, enc, env, tree, &model, &wanted);
                }
            });
        }
    });
    let solved = solved.into_inner();
    assert!(
        solved > requests / 2,
        "{arch}: most random requests are satisfiable ({solved} of {requests})"
    );
}

/// The cone-of-influence encoding of the requested symbols gives the whole
/// tree's verdict, and its models, extended by the evaluator, keep the
/// requested values.
fn cone_agrees(arch: &str, r: usize, k: &Kconfig, wanted: &[(SymId, &str)], satisfiable: bool) {
    let roots: Vec<SymId> = wanted.iter().map(|(s, _)| *s).collect();
    let cone = Encoding::for_cone(k, &Default::default(), &roots);
    let mut assumptions = Vec::new();
    for (s, v) in wanted {
        assumptions.extend(cone.literals_for(*s, v).expect("bool/tristate value"));
    }
    let mut solver = Solver::new();
    solver.add_formula(&cone.b.cnf);
    solver.assume(&assumptions);
    let cone_sat = solver.solve().expect("solver runs");
    assert_eq!(
        cone_sat, satisfiable,
        "{arch} request {r} {wanted:?}: cone and whole tree disagree"
    );
    if !cone_sat {
        return;
    }
    let model: std::collections::HashSet<varisat::Lit> =
        solver.model().expect("model").into_iter().collect();
    let text = kconfig_sat::sat::solve::model_config(k, &cone, &model);
    let mut ev = Evaluator::new(k);
    ev.read_config(&text, &Prefix::default(), false);
    for (s, v) in wanted {
        assert_eq!(
            ev.string_value(*s),
            *v,
            "{arch} request {r}: the cone's model extended by conf loses {}",
            k.sym(*s).name
        );
    }
}

/// Writes a model as .config and checks it against the evaluator and the C tool.
#[allow(clippy::too_many_arguments)]
fn check_solution(
    arch: &str,
    r: usize,
    k: &Kconfig,
    enc: &Encoding,
    env: &std::collections::HashMap<String, String>,
    tree: &std::path::Path,
    model: &std::collections::HashSet<varisat::Lit>,
    wanted: &[(kconfig_sat::model::SymId, &str)],
) {
    let prefix = Prefix::default();
    let ours = kconfig_sat::sat::solve::model_config(k, enc, model);
    let mut ev = Evaluator::new(k);
    ev.read_config(&ours, &prefix, false);
    for (s, v) in wanted {
        assert_eq!(
            ev.string_value(*s),
            *v,
            "{arch} request {r}: {} not kept",
            k.sym(*s).name
        );
    }
    let label = format!("sat-request-{arch}-{r}");
    let dir = workdir(&label);
    let c = run_in(
        &dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        &["--olddefconfig", "Kconfig"],
        env,
        Some(ours.as_bytes()),
    );
    let after = c.file(".config").expect("C conf wrote .config");
    assert!(
        after == ours.as_bytes(),
        "{label}: C conf changed the solution: {}",
        first_difference(ours.as_bytes(), &after)
    );
}

#[test]
fn random_requests_survive_conf_x86_64() {
    random_requests_survive_conf("x86_64", 150, 1);
}

#[test]
fn random_requests_survive_conf_arm64() {
    random_requests_survive_conf("arm64", 150, 2);
}

/// `kconfig-sat dimacs` writes a satisfiable CNF that other tools can read,
/// with `c` lines naming the variables.
#[test]
fn dimacs_output_is_satisfiable_and_named() {
    let tree = tree();
    let out = workdir("dimacs").join("x86_64.cnf");
    let status = std::process::Command::new(ours())
        .args(["dimacs", "--arch", "x86_64", "--tree"])
        .arg(&tree)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("runs");
    assert!(status.success());
    let text = std::fs::read_to_string(&out).expect("CNF written");
    assert!(
        text.lines()
            .any(|l| l.starts_with("c ") && l.ends_with(" X86_64=y")),
        "variables are named"
    );
    let header = text
        .lines()
        .find(|l| l.starts_with("p cnf "))
        .expect("problem line");
    let clauses: usize = header
        .split_whitespace()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .expect("clause count");
    assert_eq!(text.lines().filter(|l| l.ends_with(" 0")).count(), clauses);
    let mut solver = Solver::new();
    solver
        .add_dimacs_cnf(text.as_bytes())
        .expect("valid DIMACS");
    assert!(solver.solve().expect("solver runs"));
}

/// `kconfig-sat bench` reports times and model size, and the model is satisfiable.
#[test]
fn bench_reports_sizes_and_satisfiability() {
    let tree = tree();
    let out = std::process::Command::new(ours())
        .args(["bench", "--arch", "riscv", "--format", "json", "--tree"])
        .arg(&tree)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let row = &rows[0];
    assert_eq!(row["arch"], "riscv");
    assert_eq!(row["satisfiable"], true);
    assert!(row["variables"].as_u64().unwrap_or(0) > 100_000);
    assert!(row["clauses"].as_u64().unwrap_or(0) > row["variables"].as_u64().unwrap_or(0));
    for field in ["parse_ms", "evaluate_ms", "encode_ms", "solve_ms"] {
        assert!(
            row[field].as_f64().is_some_and(|v| v > 0.0),
            "{field} measured"
        );
    }
}
