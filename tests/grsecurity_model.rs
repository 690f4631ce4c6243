//! The project's grsecurity model (kconfig-data/grsecurity/Kconfig) against
//! the real grsecurity Kconfig text of 3.11.9, the seed's era
//! (../shared/data/grsecurity/3.11.9): same names and types, dependencies
//! that the real definitions state, the same choice groups, the mainline
//! gates. Also: the model loads, and the seed's configuration passes the
//! grsecurity pack on it, as the seed's authors meant.

use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/grsecurity/3.11.9");
    assert!(
        dir.is_dir(),
        "the real grsecurity text is needed at {}",
        dir.display()
    );
    dir
}

/// `config NAME` blocks of a Kconfig text: name -> (type, block text).
fn blocks(text: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut current: Option<(String, String, String)> = None;
    for line in text.lines() {
        let t = line.trim_start_matches(['+', ' ', '\t']).trim();
        let starts = [
            "config ",
            "menuconfig ",
            "choice",
            "endchoice",
            "menu ",
            "endmenu",
            "if ",
            "endif",
            "source ",
            "comment ",
        ]
        .iter()
        .any(|k| t.starts_with(k));
        if starts {
            if let Some(b) = current.take() {
                out.push(b);
            }
            if let Some(name) = t
                .strip_prefix("config ")
                .or_else(|| t.strip_prefix("menuconfig "))
            {
                current = Some((name.trim().to_string(), String::new(), String::new()));
            }
            continue;
        }
        if let Some((_, ty, body)) = current.as_mut() {
            for kw in ["bool", "tristate", "int", "hex", "string", "def_bool"] {
                if ty.is_empty() && (t == kw || t.starts_with(&format!("{kw} "))) {
                    *ty = kw.trim_start_matches("def_").to_string();
                }
            }
            body.push_str(t);
            body.push('\n');
        }
    }
    out.extend(current);
    out
}

/// The members of each `choice` block, in order.
fn choices(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in text.lines() {
        let t = line.trim();
        if t == "choice" {
            current = Some(Vec::new());
        } else if t == "endchoice" {
            out.extend(current.take());
        } else if let (Some(c), Some(name)) = (current.as_mut(), t.strip_prefix("config ")) {
            c.push(name.trim().to_string());
        }
    }
    out
}

/// The embedded model: its top file (mainline options) and the grsecurity
/// options it sources.
fn model_text() -> String {
    ["model.Kconfig", "Kconfig"]
        .iter()
        .map(|f| {
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("kconfig-data/grsecurity")
                    .join(f),
            )
            .expect("model")
        })
        .collect()
}

#[test]
fn model_matches_the_real_3_11_9_text() {
    let dir = shared();
    let real = std::fs::read_to_string(dir.join("grsecurity-Kconfig")).expect("real")
        + &std::fs::read_to_string(dir.join("security-Kconfig-grsecurity-menu")).expect("real");
    let real_blocks = blocks(&real);
    let model = model_text();
    let mut compared = 0;
    for (name, ty, body) in blocks(&model) {
        if !(name.starts_with("GRKERNSEC") || name.starts_with("PAX")) {
            continue;
        }
        let defs: Vec<&(String, String, String)> =
            real_blocks.iter().filter(|(n, _, _)| *n == name).collect();
        assert!(
            !defs.is_empty(),
            "{name} is a real grsecurity 3.11.9 option"
        );
        assert!(
            defs.iter().any(|(_, t, _)| *t == ty),
            "{name} is a {ty} there too"
        );
        // Every symbol the model's dependencies name is in the real
        // definition (PAX and GRKERNSEC also come from enclosing menus).
        for dep in body.lines().filter_map(|l| l.strip_prefix("depends on ")) {
            for word in dep.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if word.is_empty() || ["PAX", "GRKERNSEC", "PROC_FS"].contains(&word) {
                    continue;
                }
                assert!(
                    defs.iter()
                        .any(|(_, _, real_body)| real_body.contains(word)),
                    "{name}: the real definition names {word}"
                );
            }
        }
        compared += 1;
    }
    assert!(compared >= 25, "{compared} options compared");
    // GRKERNSEC_PROC_GID is defined twice, as in the real text.
    assert_eq!(
        blocks(&model)
            .iter()
            .filter(|(n, _, _)| n == "GRKERNSEC_PROC_GID")
            .count(),
        2
    );
    assert_eq!(
        real_blocks
            .iter()
            .filter(|(n, _, _)| n == "GRKERNSEC_PROC_GID")
            .count(),
        2
    );
    // The same six choice groups of the automatic configuration.
    let real_choices = choices(&real);
    for group in choices(&model) {
        assert!(
            real_choices.contains(&group)
                || real_choices
                    .iter()
                    .any(|c| group.iter().all(|g| c.contains(g))),
            "choice {group:?} is a real grsecurity choice"
        );
    }
    // The mainline gates the model keeps.
    let gates = std::fs::read_to_string(dir.join("mainline-gates.tsv")).expect("gates");
    assert!(gates.contains("DEVKMEM\tdepends on !GRKERNSEC_KMEM"));
    for sym in ["PAX_KERNEXEC", "PAX_MEMORY_UDEREF"] {
        assert!(
            real_blocks
                .iter()
                .any(|(n, _, b)| n == sym && b.contains("!XEN")),
            "{sym} needs !XEN"
        );
    }
    assert!(real_blocks
        .iter()
        .any(|(n, _, b)| n == "PAX_MEMORY_SANITIZE" && b.contains("!HIBERNATION")));
}

#[test]
fn the_seed_passes_the_grsecurity_pack_on_the_model() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kconfig-sat"))
        .args(["nixos", "--rules", "grsecurity"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nixos/seed-configuration.nix"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // DEVKMEM? n is unused because GRKERNSEC_KMEM hides DEVKMEM: a warning.
    assert!(text.contains("warning: unused option: DEVKMEM"), "{text}");
    assert!(text.contains("depends on !GRKERNSEC_KMEM [=y]"), "{text}");
    assert!(text.contains("every rule that applies holds"), "{text}");
    // Without its two "You must" lines, both rules fire.
    let dir = std::env::temp_dir().join(format!("kconfig-sat-grsec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let answers = dir.join("seed-without-musts.answers");
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nixpkgs/seed-grsecurity.answers"),
    )
    .expect("seed");
    let without: String = seed
        .lines()
        .filter(|l| !l.starts_with("GRKERNSEC_CHROOT_CHMOD") && !l.starts_with("GRKERNSEC_SYSCTL"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&answers, without).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kconfig-sat"))
        .args(["nixos", "--rules", "grsecurity"])
        .arg(&answers)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error [grsec-chroot-chmod-off]"), "{text}");
    assert!(text.contains("error [grsec-sysctl-locked]"), "{text}");
    // Locking the sysctls satisfies the seed's SYSCTL rule instead.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kconfig-sat"))
        .args([
            "nixos",
            "--rules",
            "grsecurity",
            "--fact",
            "sysctl:kernel.grsecurity.grsec_lock=1",
        ])
        .arg(&answers)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("[grsec-sysctl-locked]"), "{text}");
    assert!(text.contains("error [grsec-chroot-chmod-off]"), "{text}");
}
