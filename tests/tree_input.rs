//! Trees as NixOS users get them: patched in memory (`--patch`), with extra
//! Kconfig laid over them (`--overlay`, incl. the real grsecurity 3.11.9 text
//! with `--old-syntax`), read from a tarball through the cache; and rule
//! packs as constraints inside check, solve and explain.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn grsec_3_11() -> PathBuf {
    let dir = repo("../shared/data/grsecurity/3.11.9");
    assert!(
        dir.is_dir(),
        "the real grsecurity text is needed at {}",
        dir.display()
    );
    dir
}

/// Runs ours on the fetched tree (its compiler probes run, as in `make`).
fn run(args: &[&str]) -> (i32, String, String) {
    let tree = tree();
    let out = Command::new(ours())
        .args(args)
        .arg("--tree")
        .arg(&tree)
        .args(["--probes", "run"])
        .output()
        .expect("run kconfig-sat");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The result of rule `id` in a check report.
fn rule<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("rule {id} applies: {report}"))
}

#[test]
fn patch_and_overlay_gate_mainline_options_in_memory() {
    let yama = tree().join("security/yama/Kconfig");
    let before = std::fs::read(&yama).expect("yama Kconfig");
    let patch = repo("kconfig-data/grsecurity/linux-6.12-gates.patch");
    let overlay = repo("kconfig-data/grsecurity/Kconfig");
    let (p, o) = (patch.to_string_lossy(), overlay.to_string_lossy());
    let (code, out, err) = run(&[
        "check",
        "--patch",
        &p,
        "--overlay",
        &o,
        "--format",
        "json",
        "--set",
        "GRKERNSEC y",
        "--set",
        "SECURITY_YAMA y",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let report = json(&out);
    let results = report["results"].as_array().expect("results");
    assert!(results.iter().all(|r| r["achieved"] == false), "{out}");
    // The explanation reaches the gate the patch added, at its patched line.
    let steps = results[1]["explanation"].to_string();
    assert!(steps.contains("security/yama/Kconfig"), "{steps}");
    assert!(steps.contains("GRKERNSEC"), "{steps}");
    // Without the patch nothing stops them.
    let (code, out, err) = run(&[
        "check",
        "--overlay",
        &o,
        "--set",
        "GRKERNSEC y",
        "--set",
        "SECURITY_YAMA y",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // The tree on disk is untouched.
    assert_eq!(std::fs::read(&yama).expect("yama Kconfig"), before);
}

#[test]
fn a_patch_that_does_not_apply_names_the_hunk() {
    let diff = grsec_3_11().join("kconfig-hunks.diff");
    let (code, out, err) = run(&[
        "check",
        "--patch",
        &diff.to_string_lossy(),
        "--set",
        "KEXEC n",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    // miette wraps long messages: compare without the wrapping.
    let flat = |t: &str| t.replace(['│', ' ', '\n'], "");
    assert!(flat(&err).contains("kconfig-hunks.diff:5:1"), "{err}");
    assert!(
        flat(&err).contains(&flat("hunk #1 of security/Kconfig does not apply")),
        "{err}"
    );
    assert!(out.is_empty(), "{out}");
}

#[test]
fn the_real_grsecurity_text_overlays_with_old_syntax() {
    let dir = grsec_3_11();
    let menu = dir.join("security-Kconfig-grsecurity-menu");
    let options = format!(
        "{}=grsecurity/Kconfig",
        dir.join("grsecurity-Kconfig").display()
    );
    let menu = menu.to_string_lossy();
    let base = ["check", "--overlay", &menu, "--overlay", &options];
    // 6.x syntax rejects the unquoted `source grsecurity/Kconfig`.
    let (code, _, err) = run(&[&base[..], &["--set", "GRKERNSEC y"]].concat());
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("security-Kconfig-grsecurity-menu:949"),
        "{err}"
    );
    // With --old-syntax the whole 3.11.9 menu loads; its own dependencies
    // (PAX_KERNEXEC needs !XEN) and the seed's rules both act.
    let (code, out, err) = run(&[
        &base[..],
        &[
            "--old-syntax",
            "--rules",
            "grsecurity",
            "--format",
            "json",
            "--set",
            "GRKERNSEC y",
            "--set",
            "PAX_KERNEXEC y",
            "--set",
            "XEN y",
            "--set",
            "GRKERNSEC_CHROOT_CHMOD y",
        ],
    ]
    .concat());
    assert_eq!(code, 1, "{out}{err}");
    let report = json(&out);
    let results = report["results"].as_array().expect("results");
    assert_eq!(results[0]["achieved"], true, "{out}");
    assert_eq!(
        results[1]["category"], "conflicts_with_other_requests",
        "{out}"
    );
    assert_eq!(results[3]["category"], "conflicts_with_rules", "{out}");
    assert_eq!(
        results[3]["conflicts_with_rules"][0],
        "grsecurity/grsec-chroot-chmod-off"
    );
    let chmod = rule(&report, "grsecurity/grsec-chroot-chmod-off");
    assert_eq!(chmod["status"], "conflicts_with_requests");
    // A machine where Nix does not build: that rule does not apply.
    let (code, out, err) = run(&[
        &base[..],
        &[
            "--old-syntax",
            "--rules",
            "grsecurity",
            "--no-local-builds",
            "--set",
            "GRKERNSEC y",
            "--set",
            "GRKERNSEC_CHROOT y",
            "--set",
            "GRKERNSEC_CHROOT_CHMOD y",
            "--format",
            "json",
        ],
    ]
    .concat());
    let report = json(&out);
    assert!(
        report["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|r| r["achieved"] == true),
        "{code} {out}{err}"
    );
}

#[test]
fn solve_meets_the_rules_and_explain_names_them() {
    let overlay = repo("kconfig-data/grsecurity/Kconfig");
    let o = overlay.to_string_lossy();
    let dir = workdir("solve-rules");
    let solved = dir.join("solved.config");
    let (code, out, err) = run(&[
        "solve",
        "--overlay",
        &o,
        "--rules",
        "grsecurity",
        "--set",
        "GRKERNSEC y",
        "--set",
        "GRKERNSEC_CHROOT y",
        "-o",
        &solved.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let config = std::fs::read_to_string(&solved).expect("solved config");
    // The x86_64 defconfig has HIBERNATION=y; the rule turns it off, and the
    // chroot rule keeps CHROOT_CHMOD off although CHROOT is on.
    assert!(config.contains("CONFIG_GRKERNSEC=y\n"), "{config}");
    assert!(config.contains("CONFIG_GRKERNSEC_CHROOT=y\n"), "{config}");
    assert!(
        config.contains("# CONFIG_HIBERNATION is not set\n"),
        "{config}"
    );
    assert!(
        !config.contains("CONFIG_GRKERNSEC_CHROOT_CHMOD=y"),
        "{config}"
    );
    assert!(!config.contains("CONFIG_XEN=y"), "{config}");
    // The same requests, checked: the configuration conf makes breaks the
    // hibernation rule, which other changes can meet.
    let (code, out, _) = run(&[
        "check",
        "--overlay",
        &o,
        "--rules",
        "grsecurity",
        "--format",
        "json",
        "--set",
        "GRKERNSEC y",
    ]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    let hibernation = rule(&report, "grsecurity/grsec-hibernation-off");
    assert_eq!(hibernation["status"], "needs_changes", "{out}");
    assert!(hibernation["explanation"]
        .to_string()
        .contains("kernel/power/Kconfig"));
    // explain: the rule forbids XEN=y with GRKERNSEC.
    let (code, out, err) = run(&[
        "explain",
        "XEN=y",
        "--overlay",
        &o,
        "--rules",
        "grsecurity",
        "--set",
        "GRKERNSEC y",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("grsecurity/grsec-xen-off"), "{out}");
}

#[test]
fn a_tarball_is_a_tree_through_the_cache() {
    let tarball = Path::new("/usr/src/linux-source-6.12.tar.xz");
    assert!(
        tarball.is_file(),
        "{} is installed by kconfig-data/fetch-linux.sh (Debian's linux-source-6.12)",
        tarball.display()
    );
    let cache = workdir("tarball-cache");
    let make = |out: &Path, tree: &Path| {
        Command::new(ours())
            .args(["make", "defconfig", "-s", "--tree"])
            .arg(tree)
            .arg("-O")
            .arg(out)
            .env("KCONFIG_SAT_CACHE", &cache)
            .output()
            .expect("run kconfig-sat")
    };
    let from_dir = workdir("tarball-dir");
    let from_tar = workdir("tarball-tar");
    let again = workdir("tarball-again");
    let a = make(&from_dir, &tree());
    let b = make(&from_tar, tarball);
    assert!(
        a.status.success() && b.status.success(),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    assert!(String::from_utf8_lossy(&b.stderr).contains("into the cache"));
    let config = |d: &Path| std::fs::read(d.join(".config")).expect(".config");
    assert_eq!(config(&from_dir), config(&from_tar));
    // The second run reads the cache, not the tarball.
    let c = make(&again, tarball);
    assert!(c.status.success());
    assert!(!String::from_utf8_lossy(&c.stderr).contains("into the cache"));
    assert_eq!(config(&from_dir), config(&again));
    let _ = std::fs::remove_dir_all(&cache);
}

/// The seed's "answer the automatic-configuration choices explicitly" rule:
/// check reports it unanswered, solve's fragment answers it.
#[test]
fn explicit_answers_are_asked_for_and_given() {
    let overlay = repo("kconfig-data/grsecurity/Kconfig");
    let o = overlay.to_string_lossy();
    let requests = [
        "--set",
        "GRKERNSEC y",
        "--set",
        "GRKERNSEC_CONFIG_AUTO y",
        "--set",
        "GRKERNSEC_CONFIG_SERVER y",
    ];
    let (code, out, err) = run(&[
        &[
            "check",
            "--overlay",
            &o,
            "--rules",
            "grsecurity",
            "--format",
            "json",
        ][..],
        &requests,
    ]
    .concat());
    assert_eq!(code, 1, "{out}{err}");
    let report = json(&out);
    let explicit = rule(&report, "grsecurity/grsec-config-auto-explicit");
    assert_eq!(explicit["status"], "not_answered", "{out}");
    // SERVER was answered: only the other two groups are asked for.
    let text = explicit["text"].as_str().expect("text");
    assert!(
        text.contains("GRKERNSEC_CONFIG_VIRT_NONE") && !text.contains("SERVER"),
        "{text}"
    );
    let dir = workdir("solve-explicit");
    let fragment = dir.join("fragment.config");
    let (code, out, err) = run(&[
        &["solve", "--overlay", &o, "--rules", "grsecurity", "-o"][..],
        &[
            &dir.join("solved.config").to_string_lossy(),
            "--fragment",
            &fragment.to_string_lossy(),
        ],
        &requests,
    ]
    .concat());
    assert_eq!(code, 0, "{out}{err}");
    let fragment = std::fs::read_to_string(&fragment).expect("fragment");
    let answered = |names: &[&str]| {
        names
            .iter()
            .any(|n| fragment.contains(&format!("CONFIG_{n}=y\n")))
    };
    assert!(
        answered(&[
            "GRKERNSEC_CONFIG_VIRT_NONE",
            "GRKERNSEC_CONFIG_VIRT_GUEST",
            "GRKERNSEC_CONFIG_VIRT_HOST"
        ]),
        "{fragment}"
    );
    assert!(
        answered(&[
            "GRKERNSEC_CONFIG_PRIORITY_PERF",
            "GRKERNSEC_CONFIG_PRIORITY_SECURITY"
        ]),
        "{fragment}"
    );
}
