//! `kconfig-sat solve` verified with the kernel's conf: the solved .config
//! survives olddefconfig byte for byte, keeps the requests, and the fragment
//! applied to the base through conf reproduces it.

mod common;
use common::*;
use std::process::Command;

fn solve_case(label: &str, sets: &[&str]) {
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
    for s in sets {
        let line = if let Some(name) = s.strip_suffix("=n") {
            format!("# {name} is not set")
        } else {
            s.to_string()
        };
        assert!(
            solved_text.lines().any(|l| l == line),
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
