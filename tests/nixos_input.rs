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
        flat(&String::from_utf8_lossy(&out.stdout)),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Output with line wrapping undone (where lines wrap depends on the length
/// of the paths printed), one line per message kept.
fn flat(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start();
            if l.starts_with("    ")
                && !t.starts_with("- ")
                && !t.starts_with("at ")
                && !t.starts_with("write:")
            {
                format!(" {t}")
            } else {
                format!("\n{l}")
            }
        })
        .collect::<String>()
        + "\n"
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
    assert!(out.trim().is_empty(), "nothing checked: {out}");

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

fn nixos_with(args: &[&str], file: &std::path::Path) -> (i32, String) {
    let out = Command::new(ours())
        .args(["nixos", "--arch", "x86_64", "--tree"])
        .arg(tree())
        .args(args)
        .arg(file)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        flat(&String::from_utf8_lossy(&out.stdout)) + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Rule packs: facts switch rules on and off; the shipped packs load and
/// judge the final configuration.
#[test]
fn rule_packs_and_facts() {
    let pack = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rules/facts.toml");
    let pack = pack.to_string_lossy().to_string();
    let dir = workdir("nixos-rules");
    let answers = dir.join("plain.answers");
    std::fs::write(&answers, "HZ_300 y\n").expect("write");
    // Defaults: KEXEC and PROC_KCORE are y in the x86_64 defconfig.
    let (code, out) = nixos_with(&["--rules", &pack], &answers);
    assert_eq!(code, 1, "an error rule is broken\n{out}");
    assert!(
        out.contains("error [no-kexec-when-building-locally]"),
        "{out}"
    );
    assert!(
        out.contains("warning [no-kcore-unless-kptr-restricted]"),
        "{out}"
    );
    assert!(
        !out.contains("[explicit-timer]"),
        "HZ_300 is answered\n{out}"
    );
    assert!(
        out.contains("KEXEC [=y]: set to y in the configuration"),
        "{out}"
    );
    // Deployed from elsewhere: the first rule does not apply.
    let (code, out) = nixos_with(&["--rules", &pack, "--no-local-builds"], &answers);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("[no-kexec-when-building-locally]"), "{out}");
    // The hardened .nix sets kernel.kptr_restrict = 2 and KEXEC = no.
    let (_, out) = nixos_with(&["--rules", &pack], &example("hardened-configuration.nix"));
    assert!(!out.contains("[no-kcore-unless-kptr-restricted]"), "{out}");
    assert!(!out.contains("[no-kexec-when-building-locally]"), "{out}");
    assert!(out.contains("warning [explicit-timer]"), "{out}");
    // Shipped packs: NixOS's own requirements are checked on the result.
    let (_, out) = nixos_with(
        &["--rules", "nixos", "--rules", "grsecurity"],
        &example("hardened-configuration.nix"),
    );
    assert!(out.contains("error [nixos-systemd-crypto]"), "{out}");
    assert!(
        out.contains("not in this tree: GRKERNSEC_CONFIG_AUTO"),
        "{out}"
    );
    // A pack that does not parse is bad input.
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[pack]\nname = \"x\"\ndescription = \"y\"\n[[rule]]\nid = \"r\"\nseverity = \"error\"\nrequire = \"A &&\"\nrationale = \"z\"\n").expect("write");
    let (code, out) = nixos_with(&["--rules", &broken.to_string_lossy()], &answers);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("rule r"), "{out}");
}

/// The seed's feature table for the hardened example: kernel options,
/// sysctls from the .nix, and userspace rows said plainly.
#[test]
fn feature_report() {
    let out = Command::new(ours())
        .args(["report", "--arch", "x86_64", "--format", "json", "--tree"])
        .arg(tree())
        .arg(example("hardened-configuration.nix"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 40, "the seed's table has 40 rows");
    let state = |f: &str| {
        rows.iter()
            .find(|r| r["feature"] == f)
            .and_then(|r| r["state"].as_str())
            .unwrap_or("missing")
            .to_string()
    };
    assert_eq!(state("Kernel Read-only data sections"), "on");
    assert_eq!(state("Module RO/NX"), "on");
    assert_eq!(
        state("Kernel Address Display Restriction"),
        "on",
        "kptr_restrict = 2 in the .nix"
    );
    assert_eq!(state("ptrace scope"), "on", "YAMA and ptrace_scope = 1");
    assert_eq!(state("Block kexec"), "on");
    assert_eq!(
        state("Symlink restrictions"),
        "sysctl",
        "not set in the .nix"
    );
    assert_eq!(state("Built with RELRO"), "userspace");
    assert_eq!(state("AppArmor"), "off");
}
