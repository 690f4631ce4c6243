//! A kernel tree and the environment `make` gives Kconfig: which arch, which
//! compiler, which kernel version. `load` parses a tree under a shell policy.

use crate::frontend::diag::KconfigErrors;
use crate::frontend::parser::{parse_with, FileResolver, ParseOptions, ParseReport};
use crate::frontend::preprocess::Preprocessor;
use crate::frontend::shell::ShellPolicy;
use crate::model::Kconfig;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every architecture of Linux 6.x (`ARCH` names whose SRCARCH differs are mapped).
pub const ARCHES: &[&str] = &[
    "alpha",
    "arc",
    "arm",
    "arm64",
    "csky",
    "hexagon",
    "loongarch",
    "m68k",
    "microblaze",
    "mips",
    "nios2",
    "openrisc",
    "parisc",
    "powerpc",
    "riscv",
    "s390",
    "sh",
    "sparc",
    "um",
    "x86_64",
    "xtensa",
];

/// The defconfig file `make ARCH=<arch> defconfig` reads, relative to the
/// tree. Where the arch's KBUILD_DEFCONFIG names a make target that merges
/// fragments (mips, powerpc), a real file of the same arch stands in.
pub fn default_defconfig(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "alpha" => "arch/alpha/configs/defconfig",
        "arc" => "arch/arc/configs/haps_hs_smp_defconfig",
        "arm" => "arch/arm/configs/multi_v7_defconfig",
        "arm64" => "arch/arm64/configs/defconfig",
        "csky" => "arch/csky/configs/defconfig",
        "hexagon" => "arch/hexagon/configs/comet_defconfig",
        "loongarch" => "arch/loongarch/configs/loongson3_defconfig",
        "m68k" => "arch/m68k/configs/multi_defconfig",
        "microblaze" => "arch/microblaze/configs/mmu_defconfig",
        "mips" => "arch/mips/configs/generic_defconfig",
        "nios2" => "arch/nios2/configs/3c120_defconfig",
        "openrisc" => "arch/openrisc/configs/or1ksim_defconfig",
        "parisc" | "parisc64" => "arch/parisc/configs/generic-64bit_defconfig",
        "powerpc" => "arch/powerpc/configs/ppc64_defconfig",
        "riscv" => "arch/riscv/configs/defconfig",
        "s390" => "arch/s390/configs/defconfig",
        "sh" => "arch/sh/configs/shx3_defconfig",
        "sparc" | "sparc64" => "arch/sparc/configs/sparc64_defconfig",
        "sparc32" => "arch/sparc/configs/sparc32_defconfig",
        "um" => "arch/um/configs/x86_64_defconfig",
        "x86_64" | "x86" => "arch/x86/configs/x86_64_defconfig",
        "i386" => "arch/x86/configs/i386_defconfig",
        "xtensa" => "arch/xtensa/configs/iss_defconfig",
        _ => return None,
    })
}

/// `ARCH` -> `SRCARCH`, as the top Makefile maps them.
pub fn srcarch(arch: &str) -> &str {
    match arch {
        "x86_64" | "i386" | "x86" => "x86",
        "sparc32" | "sparc64" => "sparc",
        "parisc64" => "parisc",
        "sh64" => "sh",
        other => other,
    }
}

/// The kernel version from the tree's Makefile (`make kernelversion`).
pub fn kernel_version(tree: &Path) -> Option<String> {
    let text = std::fs::read_to_string(tree.join("Makefile")).ok()?;
    let field = |name: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(name)
                .and_then(|r| r.trim_start().strip_prefix('='))
                .map(|v| v.trim().to_string())
        })
    };
    let (v, p, s) = (
        field("VERSION")?,
        field("PATCHLEVEL")?,
        field("SUBLEVEL").unwrap_or_default(),
    );
    let extra = field("EXTRAVERSION").unwrap_or_default();
    let mut out = format!("{v}.{p}");
    if !s.is_empty() && s != "0" {
        out.push('.');
        out.push_str(&s);
    }
    out.push_str(&extra);
    Some(out)
}

/// The environment `make ARCH=<arch> ...config` exports to Kconfig, built
/// without running make. `CC_VERSION_TEXT` is the one value that needs the
/// compiler; it is taken from `cc_version_text`.
pub fn make_environment(tree: &Path, arch: &str, cc_version_text: &str) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = HashMap::new();
    let src = srcarch(arch);
    let mut set = |k: &str, v: &str| {
        env.insert(k.to_string(), v.to_string());
    };
    set("srctree", &tree.to_string_lossy());
    set("ARCH", arch);
    set("SRCARCH", src);
    set("SUBARCH", "x86");
    set("CC", "gcc");
    set("LD", "ld");
    set("HOSTCC", "gcc");
    set("AR", "ar");
    set("NM", "nm");
    set("OBJCOPY", "objcopy");
    set("CC_VERSION_TEXT", cc_version_text);
    set("RUSTC", "rustc");
    set("BINDGEN", "bindgen");
    set("PAHOLE", "pahole");
    set("HOSTPKG_CONFIG", "pkg-config");
    set("KCONFIG_DEFCONFIG_LIST", "");
    if arch == "um" {
        set("HEADER_ARCH", "x86");
    }
    if let Some(v) = kernel_version(tree) {
        set("KERNELVERSION", &v);
    }
    // The shell probes need PATH and friends.
    for key in ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"] {
        if let Ok(v) = std::env::var(key) {
            env.entry(key.to_string()).or_insert(v);
        }
    }
    env
}

/// `gcc --version | head -n1` in the C locale, as the kernel Makefile computes it.
pub fn host_cc_version_text() -> String {
    std::process::Command::new("gcc")
        .arg("--version")
        .env("LC_ALL", "C")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_default()
}

pub struct Loaded {
    pub kconfig: Kconfig,
    pub report: ParseReport,
    pub shell: ShellPolicy,
}

/// Parses `top` (normally `Kconfig`) in `tree` with the given environment.
pub fn load_with(
    tree: &Path,
    top: &str,
    env: HashMap<String, String>,
    shell: ShellPolicy,
    extra_dirs: &[PathBuf],
    options: ParseOptions,
) -> Result<Loaded, KconfigErrors> {
    let mut resolver = FileResolver {
        search_dirs: extra_dirs.to_vec(),
        overlays: Vec::new(),
    };
    resolver.search_dirs.push(tree.to_path_buf());
    let mut pp = Preprocessor::new(env, shell);
    let (kconfig, report) = parse_with(top, &resolver, &mut pp, options)?;
    Ok(Loaded {
        kconfig,
        report,
        shell: pp.shell,
    })
}

/// Where the embedded grsecurity model lives in the repository (and the
/// name its locations carry).
pub const GRSECURITY_MODEL: &str = "kconfig-data/grsecurity/Kconfig";

/// The project's grsecurity model (kconfig-data/grsecurity/Kconfig), built
/// into the binary: a small tree that needs no kernel download and runs no
/// shell commands.
pub fn load_grsecurity_model(
    options: crate::frontend::parser::ParseOptions,
) -> Result<Loaded, KconfigErrors> {
    let resolver = crate::frontend::parser::FileResolver {
        search_dirs: Vec::new(),
        overlays: vec![(
            GRSECURITY_MODEL.to_string(),
            include_str!("../kconfig-data/grsecurity/Kconfig").to_string(),
        )],
    };
    let mut pp = Preprocessor::new(HashMap::new(), ShellPolicy::Deny);
    let (kconfig, report) = parse_with(GRSECURITY_MODEL, &resolver, &mut pp, options)?;
    Ok(Loaded {
        kconfig,
        report,
        shell: pp.shell,
    })
}
