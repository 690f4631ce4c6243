//! The kernel's own Kconfig unit tests (scripts/kconfig/tests, run by pytest)
//! with kconfig-sat standing in for scripts/kconfig/conf.

mod common;
use common::*;
use std::process::Command;

#[test]
fn kernel_kconfig_selftests_pass_with_our_conf() {
    let tree = tree();
    let tests = tree.join("scripts/kconfig/tests");
    // conftest.py runs `scripts/kconfig/conf` relative to the working directory.
    let dir = workdir("kernel-selftests");
    let conf = dir.join("scripts/kconfig/conf");
    std::fs::create_dir_all(conf.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &conf,
        format!("#!/bin/sh\nexec '{}' conf \"$@\"\n", ours().display()),
    )
    .expect("wrapper");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let out = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(&tests)
        .current_dir(&dir)
        .output()
        .expect("python3 runs (pytest is installed by kconfig-data/fetch-linux.sh)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "kernel Kconfig tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let passed = stdout
        .lines()
        .rev()
        .find_map(|l| {
            l.split(" passed")
                .next()
                .and_then(|n| n.trim().rsplit(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(0);
    assert_eq!(
        passed, 16,
        "every kernel Kconfig test should run and pass:\n{stdout}"
    );
}
