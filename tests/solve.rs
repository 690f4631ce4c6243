//! `kconfig-sat solve` verified with the kernel's conf: the solved .config
//! survives olddefconfig byte for byte, keeps the requests, and the fragment
//! applied to the base through conf reproduces it.

mod common;
use common::*;
use std::process::Command;

fn solve_case(label: &str, sets: &[&str]) {
    let lines: Vec<String> = sets
        .iter()
        .map(|s| match s.strip_suffix("=n") {
            Some(name) => format!("# {name} is not set"),
            None => s.to_string(),
        })
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    solve_case_lines(label, &lines);
}

/// Whether a `.config` line holds in `config`: present as written, or for
/// `# CONFIG_X is not set`, also when X is not written at all (n).
fn holds_in(config: &str, line: &str) -> bool {
    if config.lines().any(|l| l == line) {
        return true;
    }
    match line
        .strip_prefix("# ")
        .and_then(|r| r.strip_suffix(" is not set"))
    {
        Some(name) => !config.lines().any(|l| l.starts_with(&format!("{name}="))),
        None => false,
    }
}

/// Solves `lines` (.config lines, each given with --set) and verifies.
fn solve_case_lines(label: &str, sets: &[&str]) {
    let tree = tree();
    let env = make_env(&tree, "x86_64");
    let dir = workdir(label);
    let out = dir.join("solved.config");
    let frag = dir.join("fragment.config");
    let mut cmd = Command::new(ours());
    cmd.args(["solve", "--arch", "x86_64", "--tree"])
        .arg(&tree)
        .arg("-o")
        .arg(&out)
        .arg("--fragment")
        .arg(&frag);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let res = cmd.output().expect("runs");
    assert!(
        res.status.success(),
        "{label}: {}\n{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
    let solved = std::fs::read(&out).expect("solved .config written");
    let solved_text = String::from_utf8_lossy(&solved).to_string();
    for line in sets {
        assert!(
            holds_in(&solved_text, line),
            "{label}: {line} missing from the solution"
        );
    }
    // The solution is a fixpoint of the C tool.
    let c = run_in(
        &workdir(&format!("{label}/old")),
        &tree.join("scripts/kconfig/conf"),
        &[],
        &["--olddefconfig", "Kconfig"],
        &env,
        Some(&solved),
    );
    let after = c.file(".config").expect("C wrote .config");
    assert!(
        after == solved,
        "{label}: C olddefconfig changed the solution: {}",
        first_difference(&solved, &after)
    );
    // The fragment on top of the base (the C tool's defconfig) gives the solution.
    let base_dir = workdir(&format!("{label}/base"));
    let base = run_in(
        &base_dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        &["--defconfig=arch/x86/configs/x86_64_defconfig", "Kconfig"],
        &env,
        None,
    );
    let mut combined = base.file(".config").expect("base");
    combined.extend(std::fs::read(&frag).expect("fragment written"));
    let c = run_in(
        &workdir(&format!("{label}/replay")),
        &tree.join("scripts/kconfig/conf"),
        &[],
        &["--olddefconfig", "Kconfig"],
        &env,
        Some(&combined),
    );
    let replayed = c.file(".config").expect("C wrote .config");
    assert!(
        replayed == solved,
        "{label}: base + fragment differs from the solution: {}",
        first_difference(&solved, &replayed)
    );
}

#[test]
fn requests_conf_reaches_directly() {
    solve_case(
        "solve-direct",
        &[
            "CONFIG_KEXEC=n",
            "CONFIG_HIBERNATION=n",
            "CONFIG_MODULES=n",
            "CONFIG_EXT4_FS=y",
        ],
    );
}

#[test]
fn requests_that_need_dependencies_changed() {
    solve_case(
        "solve-deps",
        &[
            "CONFIG_KVM_AMD=y",
            "CONFIG_BTRFS_FS=m",
            "CONFIG_SECURITY_LOCKDOWN_LSM=y",
        ],
    );
}

#[test]
fn impossible_requests_write_nothing() {
    let tree = tree();
    let dir = workdir("solve-impossible");
    let out = dir.join("solved.config");
    let res = Command::new(ours())
        .args([
            "solve",
            "--arch",
            "x86_64",
            "--set",
            "CONFIG_HZ_100=y",
            "--set",
            "CONFIG_HZ_1000=y",
            "--tree",
        ])
        .arg(&tree)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(res.status.code(), Some(1));
    assert!(!out.exists(), "nothing is written");
    assert!(String::from_utf8_lossy(&res.stdout).contains("choice"));
}

/// Soundness of `solve` on random requests (1-8 values of user-settable
/// bool/tristate symbols, fixed seeds): every solution survives the C tool's
/// olddefconfig byte for byte, keeps the requests, and its fragment applied
/// to the base through the C tool reproduces it.
fn random_solutions_verify_with_conf(arch: &str, count: usize, seed: u64) {
    use kconfig_sat::sat::solve::{config_line, solve};
    let tree = tree();
    let env = make_env(&tree, arch);
    let k = load_tree(arch);
    let base = c_defconfig(arch, &format!("random-solve-{arch}/base"));
    let base_text = String::from_utf8_lossy(&base).to_string();
    let settable: Vec<_> = k
        .config_symbols()
        .filter(|&s| {
            k.sym(s).ty.is_boolish() && k.sym(s).props.iter().any(|&p| k.prop(p).text.is_some())
        })
        .collect();
    let mut state = seed;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let mut cases = Vec::new();
    for r in 0..count {
        let mut text = String::new();
        for _ in 0..1 + next(8) {
            let s = settable[next(settable.len())];
            let tristate = k.sym(s).ty == kconfig_sat::model::SymType::Tristate;
            let v = ["n", "y", "m"][next(if tristate { 3 } else { 2 })];
            text.push_str(&config_line(&k, s, v));
            text.push('\n');
        }
        let (requests, bad) = kconfig_sat::sat::request::parse_requests(&k, "random", &text);
        assert!(
            bad.is_empty(),
            "generated requests are well-formed: {bad:?}"
        );
        let Some(solution) = solve(&k, &requests, &base_text) else {
            continue;
        };
        let fragment: String = solution
            .fragment
            .iter()
            .map(|(s, v)| config_line(&k, *s, v) + "\n")
            .collect();
        cases.push((r, text, solution.config, fragment));
    }
    assert!(
        cases.len() > count / 2,
        "{arch}: most random requests are solvable ({} of {count})",
        cases.len()
    );
    let conf = tree.join("scripts/kconfig/conf");
    std::thread::scope(|scope| {
        for half in 0..2 {
            let (cases, env, conf, base) = (&cases, &env, &conf, &base);
            scope.spawn(move || {
                for (r, request, solved, fragment) in cases.iter().skip(half).step_by(2) {
                    let label = format!("random-solve-{arch}/{r}");
                    let c = run_in(
                        &workdir(&format!("{label}/old")),
                        conf,
                        &[],
                        &["--olddefconfig", "Kconfig"],
                        env,
                        Some(solved.as_bytes()),
                    );
                    let after = c.file(".config").expect("C wrote .config");
                    assert!(
                        after == solved.as_bytes(),
                        "{label} ({request}): C olddefconfig changed the solution: {}",
                        first_difference(solved.as_bytes(), &after)
                    );
                    for line in request.lines() {
                        assert!(
                            holds_in(solved, line),
                            "{label}: {line} missing from the solution"
                        );
                    }
                    let mut combined = base.clone();
                    combined.extend(fragment.as_bytes());
                    let c = run_in(
                        &workdir(&format!("{label}/replay")),
                        conf,
                        &[],
                        &["--olddefconfig", "Kconfig"],
                        env,
                        Some(&combined),
                    );
                    let replayed = c.file(".config").expect("C wrote .config");
                    assert!(
                        replayed == solved.as_bytes(),
                        "{label} ({request}): base + fragment differs from the solution: {}",
                        first_difference(solved.as_bytes(), &replayed)
                    );
                }
            });
        }
    });
}

#[test]
fn random_solutions_verify_with_conf_x86_64() {
    random_solutions_verify_with_conf("x86_64", 30, 11);
}

#[test]
fn random_solutions_verify_with_conf_arm64() {
    random_solutions_verify_with_conf("arm64", 30, 12);
}

/// The 100-line hardening request of the benchmarks solves, and verifies.
#[test]
fn kspp_hardening_request() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("benches/data/kspp-x86_64-solve.config"),
    )
    .expect("bench data");
    let sets: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("CONFIG_") || l.starts_with("# CONFIG_"))
        .collect();
    solve_case_lines("solve-kspp", &sets);
}
