//! Explanations on the conflict corpus (tests/data/conflicts/: 220 generated
//! with fixed seeds on x86_64 and arm64, plus hand-written real cases):
//! every explanation step names a real Kconfig location, every minimal
//! conflict is minimal, every conflict gets a fix, and every fix shown holds
//! under the exact evaluator (a sample also under the kernel's conf).

mod common;
use common::*;
use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::model::Kconfig;
use kconfig_sat::sat::check::{check, explain_rejections};
use kconfig_sat::sat::explain::StepKind;
use kconfig_sat::sat::request::{parse_requests, Request};
use kconfig_sat::sat::solve::config_line;

/// The cases of a corpus file: (name, request text).
fn corpus(file: &str) -> Vec<(String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conflicts")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("corpus file");
    let mut cases: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## case ") {
            cases.push((format!("{file}: {name}"), String::new()));
        } else if let Some((_, body)) = cases.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    cases
}

fn base_config(k: &Kconfig, arch: &str) -> String {
    let tree = tree();
    let defconfig = std::fs::read_to_string(tree.join(arch_defconfig(arch))).expect("defconfig");
    let mut ev = Evaluator::new(k);
    ev.read_config(&defconfig, &Prefix::default(), false);
    ev.write_config(&Prefix::default())
}

fn subset(requests: &[Request], members: &[usize]) -> Vec<Request> {
    members.iter().map(|&i| requests[i].clone()).collect()
}

/// The Kconfig line a step points at says what the step says.
fn assert_location_matches(
    tree: &std::path::Path,
    case: &str,
    step: &kconfig_sat::sat::explain::Step,
) {
    let Some(loc) = &step.location else { return };
    let (file, line) = loc.rsplit_once(':').expect("file:line");
    let line: usize = line.parse().expect("line number");
    let text = std::fs::read_to_string(tree.join(file)).unwrap_or_else(|e| panic!("{loc}: {e}"));
    let at = text
        .lines()
        .nth(line - 1)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let sym = &step.symbol;
    let ok = match step.kind {
        StepKind::Prompt => {
            let prompt = step.fact.split('"').nth(1).unwrap_or("");
            at.contains(&prompt.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        StepKind::SelectedBy => at.starts_with(&format!("select {sym}")),
        StepKind::ImpliedBy => at.starts_with(&format!("imply {sym}")),
        StepKind::Default => {
            at.starts_with("default")
                || at.starts_with("def_bool")
                || at.starts_with("def_tristate")
        }
        StepKind::Range => at.starts_with("range"),
        StepKind::Choice => at.starts_with("choice"),
        StepKind::Fixed if at.starts_with("depends on") => at.contains("$("),
        StepKind::Definition | StepKind::UserValue | StepKind::Fixed => {
            at == format!("config {sym}") || at == format!("menuconfig {sym}")
        }
    };
    assert!(
        ok,
        "{case}: step {:?} of {sym} points at {loc}: {at:?}",
        step.kind
    );
}

struct Tally {
    cases: usize,
    with_fix: usize,
    fixes: usize,
    verified: usize,
    conflicts: usize,
    steps: usize,
}

fn run_corpus(arch: &str, files: &[&str], c_sample: usize) -> Tally {
    let tree = tree();
    let k = load_tree_with(arch, true);
    let base = base_config(&k, arch);
    let mut tally = Tally {
        cases: 0,
        with_fix: 0,
        fixes: 0,
        verified: 0,
        conflicts: 0,
        steps: 0,
    };
    let mut c_checks: Vec<(String, Vec<String>)> = Vec::new();
    for file in files {
        for (case, text) in corpus(file) {
            let (requests, bad) = parse_requests(&k, &case, &text);
            assert!(
                bad.iter().all(|b| !b.is_input_error),
                "{case}: well-formed lines: {bad:?}"
            );
            let mut report = check(&k, &requests, bad.clone(), Some(&base));
            assert!(
                !report.satisfiable || !bad.is_empty(),
                "{case}: the corpus holds conflicts only"
            );
            explain_rejections(&k, &mut report, &requests, &base, 3, &[]);
            tally.cases += 1;
            // Minimal conflicts: the set cannot hold, each smaller one can.
            let mut groups: Vec<Vec<usize>> = Vec::new();
            for (i, r) in report.results.iter().enumerate() {
                if r.achieved {
                    continue;
                }
                assert!(!r.explanation.is_empty(), "{case}: {} is explained", r.text);
                for step in &r.explanation {
                    assert_location_matches(&tree, &case, step);
                    tally.steps += 1;
                }
                if r.conflicts_with.is_empty() {
                    // Impossible on its own.
                    let alone = check(&k, &subset(&requests, &[i]), Vec::new(), Some(&base));
                    assert!(!alone.satisfiable, "{case}: {} cannot hold alone", r.text);
                    continue;
                }
                let mut group: Vec<usize> = vec![i];
                group.extend(
                    requests
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| r.conflicts_with.contains(&q.line))
                        .map(|(j, _)| j),
                );
                group.sort_unstable();
                if !groups.contains(&group) {
                    groups.push(group);
                }
            }
            for group in &groups {
                tally.conflicts += 1;
                let whole = check(&k, &subset(&requests, group), Vec::new(), Some(&base));
                assert!(!whole.satisfiable, "{case}: {group:?} cannot hold together");
                for skip in 0..group.len() {
                    let rest: Vec<usize> = group
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != skip)
                        .map(|(_, &g)| g)
                        .collect();
                    let smaller = check(&k, &subset(&requests, &rest), Vec::new(), Some(&base));
                    assert!(
                        smaller.satisfiable,
                        "{case}: {group:?} is minimal: without one member the rest holds"
                    );
                }
            }
            // Fixes: each one, applied to the base, holds.
            if !report.fixes.is_empty() {
                tally.with_fix += 1;
            }
            for fix in &report.fixes {
                tally.fixes += 1;
                let lines = fix.lines(&requests);
                if kconfig_sat::sat::fix::all_hold(&k, &base, &lines) {
                    tally.verified += 1;
                }
                if c_checks.len() < c_sample {
                    c_checks.push((
                        case.clone(),
                        lines.iter().map(|(s, v)| config_line(&k, *s, v)).collect(),
                    ));
                }
            }
        }
    }
    // A sample of fixes through the kernel's own conf: base + lines.
    let env = make_env(&tree, arch);
    let c_base = c_defconfig(arch, &format!("explain-{arch}/base"));
    for (n, (case, lines)) in c_checks.iter().enumerate() {
        let mut input = c_base.clone();
        for l in lines {
            input.extend(l.as_bytes());
            input.push(b'\n');
        }
        let r = run_in(
            &workdir(&format!("explain-{arch}/{n}")),
            &tree.join("scripts/kconfig/conf"),
            &[],
            &["--olddefconfig", "Kconfig"],
            &env,
            Some(&input),
        );
        let out = String::from_utf8_lossy(&r.file(".config").expect("C wrote .config")).to_string();
        let mut ev = Evaluator::new(&k);
        ev.read_config(&out, &Prefix::default(), false);
        let (wanted, _) = parse_requests(&k, "fix", &lines.join("\n"));
        for w in wanted {
            assert_eq!(
                ev.string_value(w.sym),
                w.wanted.text(),
                "{case}: the C tool keeps {} of the fix",
                w.text
            );
        }
    }
    eprintln!(
        "{arch}: {} cases, {} minimal conflicts, {} steps checked; {} with a fix; {} of {} fixes verify",
        tally.cases, tally.conflicts, tally.steps, tally.with_fix, tally.verified, tally.fixes
    );
    tally
}

fn assert_tally(t: &Tally) {
    assert_eq!(t.with_fix, t.cases, "every conflict gets a fix");
    assert_eq!(t.verified, t.fixes, "every fix shown verifies");
}

#[test]
fn x86_64_corpus() {
    let t = run_corpus("x86_64", &["x86_64.txt", "handwritten.txt"], 12);
    assert!(t.cases >= 120);
    assert_tally(&t);
}

#[test]
fn arm64_corpus() {
    let t = run_corpus("arm64", &["arm64.txt"], 12);
    assert!(t.cases >= 110);
    assert_tally(&t);
}

/// The command's human output fits an 80-column terminal, and names the
/// fix's lines in both forms.
#[test]
fn explain_output_fits_80_columns() {
    let tree = tree();
    let out = std::process::Command::new(ours())
        .args(["explain", "--tree"])
        .arg(&tree)
        .args(["X86_VSYSCALL_EMULATION=n"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "the value does not hold yet");
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    assert!(text.contains("EXPERT [=n]"), "{text}");
    // check's report too, on the hand-written conflicts.
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conflicts/handwritten.txt");
    let checked = std::process::Command::new(ours())
        .args(["check", "--tree"])
        .arg(&tree)
        .arg(&corpus)
        .output()
        .expect("runs");
    for line in String::from_utf8_lossy(&checked.stdout).lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    assert!(text.contains("CONFIG_EXPERT=y"), "{text}");
    assert!(text.contains("NixOS: EXPERT y"), "{text}");
}
