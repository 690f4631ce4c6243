//! Differential tests against the kernel's own `scripts/kconfig/conf`
//! (Linux 6.12, built by kconfig-data/fetch-linux.sh): same input, same
//! environment, byte-identical output files and the same exit status.

mod common;
use common::*;

fn defconfig_case(arch: &str) {
    let tree = tree();
    let env = make_env(&tree, arch);
    let arg = format!("--defconfig={}", arch_defconfig(arch));
    let label = format!("defconfig-{arch}");
    let (c, o) = both(&label, &[&arg, "Kconfig"], &env, None);
    assert_same(&label, &c, &o, CONFIG_FILES);
    // include/config/ holds one empty file per symbol that changed.
    let list = |r: &Run| {
        let mut v: Vec<_> = std::fs::read_dir(r.dir.join("include/config"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(
        list(&c),
        list(&o),
        "{label}: include/config/ touch files differ"
    );
}

macro_rules! defconfig_tests {
    ($($name:ident => $arch:expr),* $(,)?) => {
        $(#[test] fn $name() { defconfig_case($arch); })*
    };
}

defconfig_tests! {
    defconfig_alpha => "alpha", defconfig_arc => "arc", defconfig_arm => "arm", defconfig_arm64 => "arm64",
    defconfig_csky => "csky", defconfig_hexagon => "hexagon", defconfig_loongarch => "loongarch",
    defconfig_m68k => "m68k", defconfig_microblaze => "microblaze", defconfig_mips => "mips",
    defconfig_nios2 => "nios2", defconfig_openrisc => "openrisc", defconfig_parisc => "parisc",
    defconfig_powerpc => "powerpc", defconfig_riscv => "riscv", defconfig_s390 => "s390", defconfig_sh => "sh",
    defconfig_sparc => "sparc", defconfig_um => "um", defconfig_x86_64 => "x86_64", defconfig_xtensa => "xtensa",
}

#[test]
fn every_arch_is_covered() {
    assert_eq!(ALL_ARCHES.len(), 21);
    let tree = tree();
    for arch in ALL_ARCHES {
        assert!(
            tree.join("arch").join(srcarch(arch)).is_dir(),
            "{arch} is not in the tree"
        );
    }
}

fn all_config_case(arch: &str, mode: &str) {
    let tree = tree();
    let env = make_env(&tree, arch);
    let label = format!("{mode}-{arch}");
    let (c, o) = both(&label, &[&format!("--{mode}"), "Kconfig"], &env, None);
    assert_same(&label, &c, &o, &[".config"]);
}

macro_rules! all_config_tests {
    ($($name:ident => ($arch:expr, $mode:expr)),* $(,)?) => {
        $(#[test] fn $name() { all_config_case($arch, $mode); })*
    };
}

all_config_tests! {
    allnoconfig_x86_64 => ("x86_64", "allnoconfig"), allyesconfig_x86_64 => ("x86_64", "allyesconfig"),
    allmodconfig_x86_64 => ("x86_64", "allmodconfig"), alldefconfig_x86_64 => ("x86_64", "alldefconfig"),
    allnoconfig_arm64 => ("arm64", "allnoconfig"), allyesconfig_arm64 => ("arm64", "allyesconfig"),
    allmodconfig_arm64 => ("arm64", "allmodconfig"), alldefconfig_arm64 => ("arm64", "alldefconfig"),
    allnoconfig_riscv => ("riscv", "allnoconfig"), allyesconfig_riscv => ("riscv", "allyesconfig"),
    allmodconfig_riscv => ("riscv", "allmodconfig"), alldefconfig_riscv => ("riscv", "alldefconfig"),
}

/// `--olddefconfig` on random configurations made by the C tool (seeds 1..20).
fn olddefconfig_on_randconfigs(arch: &str) {
    let tree = tree();
    let env = make_env(&tree, arch);
    for seed in 1..=20 {
        let random = c_randconfig(arch, seed);
        let label = format!("olddefconfig-{arch}-seed{seed}");
        let (c, o) = both(&label, &["--olddefconfig", "Kconfig"], &env, Some(&random));
        assert_same(&label, &c, &o, &[".config"]);
    }
}

#[test]
fn olddefconfig_randconfigs_x86_64() {
    olddefconfig_on_randconfigs("x86_64");
}

#[test]
fn olddefconfig_randconfigs_arm64() {
    olddefconfig_on_randconfigs("arm64");
}

fn savedefconfig_case(arch: &str) {
    let tree = tree();
    let env = make_env(&tree, arch);
    // The full config is the C tool's own defconfig result.
    let gen_dir = workdir(&format!("savedef-src-{arch}"));
    let arg = format!("--defconfig={}", arch_defconfig(arch));
    let full = run_in(
        &gen_dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        &[&arg, "Kconfig"],
        &env,
        None,
    );
    let full = full.file(".config").expect("defconfig wrote .config");
    let label = format!("savedefconfig-{arch}");
    let (c, o) = both(
        &label,
        &["--savedefconfig=defconfig", "Kconfig"],
        &env,
        Some(&full),
    );
    assert_same(&label, &c, &o, &["defconfig"]);
}

#[test]
fn savedefconfig_x86_64() {
    savedefconfig_case("x86_64");
}

#[test]
fn savedefconfig_arm64() {
    savedefconfig_case("arm64");
}

#[test]
fn listnewconfig_and_syncconfig_x86_64() {
    let tree = tree();
    let env = make_env(&tree, "x86_64");
    let minimal = std::fs::read(tree.join(arch_defconfig("x86_64"))).expect("defconfig file");
    let (c, o) = both(
        "listnewconfig-x86_64",
        &["--listnewconfig", "Kconfig"],
        &env,
        Some(&minimal),
    );
    assert_eq!(c.code(), o.code());
    assert_eq!(c.stdout(), o.stdout(), "listnewconfig output differs");
    assert!(
        c.stdout().lines().count() > 1000,
        "the minimal config leaves many new symbols"
    );
    let (c, o) = both(
        "syncconfig-x86_64",
        &["--syncconfig", "Kconfig"],
        &env,
        Some(&minimal),
    );
    assert_same("syncconfig-x86_64", &c, &o, CONFIG_FILES);
}

/// The prefetch thread lexes files ahead of the parser; whether a file's
/// tokens come from there depends on timing. Both ways must give the same
/// tokens, places and warnings, on every Kconfig file of two arches' trees.
#[test]
fn tokens_found_ahead_agree_on_every_file() {
    use kconfig_sat::frontend::lexer::token_trace;
    for arch in ["x86_64", "arm64"] {
        let k = load_tree(arch);
        let mut files = 0;
        for (_, file) in k.sources.files() {
            let ahead = token_trace(&file.text, true);
            assert_eq!(
                ahead,
                token_trace(&file.text, false),
                "{arch}: {}",
                file.name
            );
            assert!(ahead.len() > 1 || file.text.is_empty(), "{}", file.name);
            files += 1;
        }
        assert!(files > 1000, "{arch}: only {files} files");
    }
}
