//! nixpkgs mode against the kernel: for each answers file of the corpus
//! (tests/data/nixpkgs/ plus files generated with fixed seeds), the verdict
//! the kernel's conf gives when driven the way generate-config.pl drives it
//! (defconfig, then `make config` twice with nixpkgs' "###" patch, answered
//! from the file; then the post-check) is the verdict of `nixos::generate`.

mod common;
use common::*;
use kconfig_sat::model::{Kconfig, SymType};
use kconfig_sat::nixos::answers;
use kconfig_sat::nixos::generate::{post_check, run, Driver, Fatal, Options};
use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// One `make config` with the kernel's conf (nixpkgs-patched), answered by
/// the driver. Returns false when the driver stopped the build.
fn c_make_config(
    dir: &std::path::Path,
    env: &std::collections::HashMap<String, String>,
    driver: &mut Driver,
) -> bool {
    let tree = tree();
    let mut child = Command::new(tree.join("scripts/kconfig/conf-nixpkgs"))
        .args(["--oldaskconfig", "Kconfig"])
        .envs(env)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("conf-nixpkgs runs (kconfig-data/fetch-linux.sh builds it)");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    driver.restart();
    let mut pending = String::new();
    let mut buf = [0u8; 65536];
    let mut alive = true;
    loop {
        let n = stdout.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        pending.push_str(&String::from_utf8_lossy(&buf[..n]));
        // conf flushes only when it waits, right after "###".
        while let Some(at) = pending.find("###") {
            let before: String = pending.drain(..at + 3).collect();
            driver.output(&before[..before.len() - 3]);
            match driver.prompt() {
                Some(answer) if stdin.write_all(answer.as_bytes()).is_err() => alive = false,
                Some(_) => {}
                None if driver.fatal.is_some() => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return false;
                }
                None => {}
            }
        }
        if !alive {
            break;
        }
    }
    driver.output(&pending);
    drop(stdin);
    let _ = child.wait();
    true
}

/// The kernel's verdict: defconfig, two answered `make config` runs, post-check.
fn c_verdict(arch: &str, label: &str, text: &str, options: Options) -> Vec<String> {
    let answers = match answers::parse(text) {
        Ok(a) => a,
        Err(bad) => return vec![format!("invalid config line: {}", bad.text)],
    };
    let dir = workdir(label);
    let tree = tree();
    let env = make_env(&tree, arch);
    let defconfig = c_defconfig(arch, &format!("{label}/defconfig"));
    std::fs::write(dir.join(".config"), &defconfig).expect("write .config");
    let mut driver = Driver::new(&answers, options);
    for _ in 0..2 {
        if !c_make_config(&dir, &env, &mut driver) {
            let fatal: Fatal = driver.fatal.clone().expect("fatal");
            return vec![fatal.message()];
        }
    }
    let config = std::fs::read_to_string(dir.join(".config")).expect("conf wrote .config");
    post_check(&config, &answers, options)
        .iter()
        .map(|f| f.message())
        .collect()
}

/// An answers file drawn from the tree's symbols: y/n/m answers (some
/// optional), values for int/hex/string symbols (some out of range or
/// without 0x), unknown names, comments, repeated names.
fn generated(k: &Kconfig, seed: u64, lines: usize) -> String {
    let mut rng = kconfig_sat::rng::Lcg(seed);
    let symbols: Vec<_> = k
        .config_symbols()
        .filter(|&s| k.sym(s).ty != SymType::Unknown)
        .collect();
    let mut out = format!("# generated, seed {seed}\n");
    for _ in 0..lines {
        let s = symbols[rng.below(symbols.len())];
        let sym = k.sym(s);
        let optional = if rng.below(4) == 0 { "?" } else { "" };
        let value = match sym.ty {
            SymType::Bool => ["y", "n", "m", "y"][rng.below(4)].to_string(),
            SymType::Tristate => ["y", "n", "m"][rng.below(3)].to_string(),
            SymType::Int => ["0", "1", "64", "100000", "-1"][rng.below(5)].to_string(),
            SymType::Hex => ["0x1000", "1000", "0x0"][rng.below(3)].to_string(),
            _ => ["foo", "\"bar\"", "a b"][rng.below(3)].to_string(),
        };
        match rng.below(12) {
            0 => out.push_str(&format!("NO_SUCH_OPTION_{} y\n", rng.below(100))),
            1 => out.push_str(&format!("{}{optional} {value} # a comment\n", sym.name)),
            2 => out.push('\n'),
            _ => out.push_str(&format!("{}{optional} {value}\n", sym.name)),
        }
    }
    out
}

fn corpus_files() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nixpkgs");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/data/nixpkgs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "answers"))
        .map(|p| {
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string(),
                std::fs::read_to_string(&p).expect("read answers"),
            )
        })
        .collect();
    files.sort();
    files
}

fn compare(arch: &str, cases: Vec<(String, String, Options)>) {
    let k = load_tree_with(arch, true);
    let defconfig =
        String::from_utf8(c_defconfig(arch, &format!("nixpkgs-{arch}/base"))).expect("utf-8");
    // The kernel's verdicts, two at a time.
    let c_verdicts: Vec<Vec<String>> = std::thread::scope(|scope| {
        let cases = &cases;
        let halves: Vec<_> = (0..2)
            .map(|half| {
                scope.spawn(move || {
                    cases
                        .iter()
                        .enumerate()
                        .skip(half)
                        .step_by(2)
                        .map(|(i, (name, text, options))| {
                            let label = format!("nixpkgs-{arch}/{i}");
                            let t = std::time::Instant::now();
                            let verdict = c_verdict(arch, &label, text, *options);
                            if std::env::var_os("NIXPKGS_TIMING").is_some() {
                                eprintln!("C {name}: {:?}", t.elapsed());
                            }
                            (i, verdict)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, Vec<String>)> = halves
            .into_iter()
            .flat_map(|h| h.join().expect("C side"))
            .collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, v)| v).collect()
    });
    let results: Vec<(String, Vec<String>, Vec<String>)> = cases
        .iter()
        .zip(c_verdicts)
        .map(|((name, text, options), c)| {
            let t = std::time::Instant::now();
            let ours = run(&k, &defconfig, text, *options).log();
            if std::env::var_os("NIXPKGS_TIMING").is_some() {
                eprintln!("ours {name}: {:?}", t.elapsed());
            }
            (name.clone(), c, ours)
        })
        .collect();
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for (name, c, ours) in &results {
        assert_eq!(
            ours, c,
            "{arch} {name}: our verdict differs from the kernel's conf driven like nixpkgs"
        );
        let kind = match c.first().map(String::as_str) {
            None => "clean",
            Some(l) if l.starts_with("invalid config line") => "invalid config line",
            Some(l) if l.starts_with("repeated question") => "repeated question",
            Some("conflicting answers!") => "conflicting answers",
            Some(_) => "findings",
        };
        *kinds.entry(kind).or_default() += 1;
    }
    eprintln!("{arch}: {} answers files agree: {kinds:?}", results.len());
}

/// Generated answers files, one per seed, with nixpkgs options varied.
fn generated_cases(
    k: &Kconfig,
    seeds: std::ops::RangeInclusive<u64>,
) -> Vec<(String, String, Options)> {
    seeds
        .map(|seed| {
            let options = Options {
                auto_modules: seed % 3 == 0,
                prefer_builtin: seed % 6 == 0,
                ignore_config_errors: seed % 5 == 0,
            };
            (
                format!("generated-{seed}"),
                generated(k, seed, 5 + (seed as usize % 30)),
                options,
            )
        })
        .collect()
}

#[test]
fn corpus_matches_the_kernel_x86_64() {
    let k = load_tree("x86_64");
    let mut cases: Vec<(String, String, Options)> = corpus_files()
        .into_iter()
        .map(|(n, t)| (n, t, Options::default()))
        .collect();
    // The same files with autoModules (and preferBuiltin), as on PCs.
    let auto = Options {
        auto_modules: true,
        prefer_builtin: false,
        ignore_config_errors: false,
    };
    for (n, t) in corpus_files().into_iter().take(6) {
        cases.push((format!("{n} (autoModules)"), t, auto));
    }
    cases.extend(generated_cases(&k, 1..=40));
    assert!(cases.len() >= 60, "{} answers files", cases.len());
    compare("x86_64", cases);
}

/// The same verdicts on arm64, whose defconfig starts from other choices
/// (and has no x86 options, so the hand-written files meet unused options).
#[test]
fn corpus_matches_the_kernel_arm64() {
    let k = load_tree("arm64");
    let mut cases: Vec<(String, String, Options)> = corpus_files()
        .into_iter()
        .map(|(n, t)| (n, t, Options::default()))
        .collect();
    cases.extend(generated_cases(&k, 101..=112));
    compare("arm64", cases);
}
