//! The conflict corpus (tests/data/conflicts/) timed: for each case, check
//! the requests, explain every rejection and find up to three verified
//! fixes, on a tree loaded once (x86_64 and arm64, Linux 6.12, defconfig
//! base). Prints the share of cases with a fix, the share of fixes that
//! verify, and the median and p95 time per case.
//!
//!   cargo bench --bench explain_corpus

use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::frontend::parser::ParseOptions;
use kconfig_sat::frontend::shell::ShellPolicy;
use kconfig_sat::sat::check::{check, explain_rejections};
use kconfig_sat::sat::request::parse_requests;
use std::path::PathBuf;
use std::time::Instant;

fn cases(file: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conflicts")
        .join(file);
    let text = std::fs::read_to_string(path).expect("corpus");
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("## case ") {
            out.push(String::new());
        } else if let Some(body) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

fn main() {
    let tree = std::env::var_os("KCONFIG_SAT_TREE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("kconfig-data/linux-6.12")
        })
        .canonicalize()
        .expect("run kconfig-data/fetch-linux.sh first");
    let mut times: Vec<f64> = Vec::new();
    let (mut total, mut with_fix, mut fixes, mut verified) = (0, 0, 0, 0);
    for (arch, files) in [
        ("x86_64", &["x86_64.txt", "handwritten.txt"][..]),
        ("arm64", &["arm64.txt"][..]),
    ] {
        let env = kconfig_sat::tree::make_environment(
            &tree,
            arch,
            &kconfig_sat::tree::host_cc_version_text(),
        );
        let k = kconfig_sat::tree::load_with(
            &tree,
            "Kconfig",
            env,
            ShellPolicy::Run,
            &[],
            ParseOptions {
                menu_structure: true,
                ..Default::default()
            },
        )
        .expect("tree loads")
        .kconfig;
        let defconfig = std::fs::read_to_string(
            tree.join(kconfig_sat::tree::default_defconfig(arch).expect("arch")),
        )
        .expect("defconfig");
        let mut ev = Evaluator::new(&k);
        ev.read_config(&defconfig, &Prefix::default(), false);
        let base = ev.write_config(&Prefix::default());
        for file in files {
            for text in cases(file) {
                let started = Instant::now();
                let (requests, bad) = parse_requests(&k, "case", &text);
                let mut report = check(&k, &requests, bad, Some(&base));
                explain_rejections(&k, &mut report, &requests, &base, 3, &[]);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                total += 1;
                if !report.fixes.is_empty() {
                    with_fix += 1;
                }
                for fix in &report.fixes {
                    fixes += 1;
                    let lines = fix.lines(&requests);
                    if kconfig_sat::sat::fix::all_hold(&k, &base, &lines) {
                        verified += 1;
                    }
                }
            }
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!("| cases | with a fix | fixes shown | fixes that verify | median | p95 | max |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {total} | {with_fix} ({:.0}%) | {fixes} | {verified} ({:.0}%) | {:.0} ms | {:.0} ms | {:.0} ms |",
        100.0 * with_fix as f64 / total as f64,
        100.0 * verified as f64 / fixes.max(1) as f64,
        at(0.5),
        at(0.95),
        at(1.0)
    );
}
