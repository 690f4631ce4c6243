//! `kconfig-sat nixos` on Nix files: the seed's configuration.nix and a
//! modern hardened one (examples/nixos/), and bad Nix input.

mod common;
use common::*;
use std::process::Command;

fn nixos(file: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(ours())
        .args(["nixos", "--arch", "x86_64", "--tree"])
        .arg(tree())
        .arg(file)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn example(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/nixos")
        .join(name)
}

#[test]
fn the_seeds_configuration_nix() {
    let (code, out, err) = nixos(&example("seed-configuration.nix"));
    assert_eq!(
        code, 1,
        "grsecurity options are not in mainline: the build fails\n{out}{err}"
    );
    assert!(out.contains("warning: unused option: DEVKMEM\n"), "{out}");
    assert!(
        out.contains("error: unused option: GRKERNSEC_SYSCTL\n"),
        "{out}"
    );
    // XEN n and HIBERNATION n hold on mainline x86_64: no finding.
    assert!(
        !out.contains("option: XEN") && !out.contains(": HIBERNATION"),
        "{out}"
    );
    // Lints point at the line inside the Nix string.
    assert!(
        out.contains("seed-configuration.nix:16: DEVKMEM: no such option"),
        "{out}"
    );
}

#[test]
fn a_hardened_configuration_nix() {
    let (code, out, err) = nixos(&example("hardened-configuration.nix"));
    assert_eq!(code, 1, "{out}{err}");
    // From extraConfig, explained down to the select that pins it.
    assert!(
        out.contains("error: option not set correctly: KCMP (wanted 'n', got 'y')"),
        "{out}"
    );
    assert!(out.contains("has \"select KCMP\""), "{out}");
    assert!(out.contains("drivers/gpu/drm/Kconfig:21"), "{out}");
    // `option no` is optional: a warning.
    assert!(
        out.contains("warning: option not set correctly: IO_URING"),
        "{out}"
    );
    // A version gate that does not hold for 6.12 drops the setting.
    assert!(!out.contains("DEVKMEM"), "{out}");
    // mkForce no on HIBERNATION holds: no finding.
    assert!(!out.contains("HIBERNATION"), "{out}");
}

#[test]
fn bad_nix_is_pointed_at() {
    let dir = workdir("nixos-bad");
    let bad = dir.join("bad.nix");
    std::fs::write(
        &bad,
        "{ boot.kernelPatches = [ { patch = null; extraConfig = \"KEXEC n\" ; ] }\n",
    )
    .expect("write");
    let (code, out, err) = nixos(&bad);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("bad.nix:1:68"), "{err}");
    assert!(err.contains("Nix syntax error"), "{err}");
    assert!(out.is_empty(), "nothing checked: {out}");

    let unsupported = dir.join("unsupported.nix");
    std::fs::write(
        &unsupported,
        "{ lib, ... }: {\n  boot.kernelPatches = [ {\n    patch = null;\n    extraConfig = \"KEXEC ${lib.x}\";\n    structuredExtraConfig = { A = lib.kernel.maybe; };\n  } ];\n}\n",
    )
    .expect("write");
    let (code, _, err) = nixos(&unsupported);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unsupported.nix:4:19"), "{err}");
    assert!(err.contains("this kernel"), "{err}");
    assert!(err.contains("unsupported.nix:5:35"), "{err}");
    assert!(err.contains("`maybe` is"), "{err}");
}
