//! A kernel tree and the environment `make` gives Kconfig: which arch, which
//! compiler, which kernel version. `load` parses a tree under a shell policy.

pub mod patch;
pub mod tarball;

use crate::frontend::diag::{KconfigError, KconfigErrors};
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

/// Kconfig text that replaces or adds to a tree's files, in memory: the
/// tree on disk is never written.
#[derive(Debug, Clone, Default)]
pub struct Modifications {
    /// (name as `source` spells it, text); read before the tree's files.
    pub files: Vec<(String, String)>,
}

/// Builds the in-memory changes to `tree`: the Kconfig hunks of each patch
/// in turn, then each overlay. An overlay is `FILE` (sourced at the end of
/// the top Kconfig, under the name given) or `FILE=PATH` (present in the
/// tree as PATH, for other files to `source`).
pub fn modifications(
    tree: &Path,
    patches: &[PathBuf],
    overlays: &[String],
) -> Result<Modifications, KconfigErrors> {
    let one = |e: KconfigError| KconfigErrors { errors: vec![e] };
    let mut files: Vec<(String, String)> = Vec::new();
    let current = |files: &[(String, String)], name: &str| -> Option<String> {
        files
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .or_else(|| std::fs::read_to_string(tree.join(name)).ok())
    };
    for patch_path in patches {
        let name = patch_path.display().to_string();
        let text = std::fs::read_to_string(patch_path).map_err(|e| {
            one(KconfigError::plain(
                &name,
                format!("cannot read the patch: {e}"),
            ))
        })?;
        let applied = patch::apply(&text, &|n| current(&files, n))
            .map_err(|e| one(KconfigError::at_line(&name, &text, e.line, e.message)))?;
        for f in applied.files {
            files.retain(|(n, _)| *n != f.name);
            files.push((f.name, f.text));
        }
    }
    let mut sourced_from_top = Vec::new();
    for spec in overlays {
        let (file, name) = match spec.split_once('=') {
            Some((file, path)) => (file, Some(path)),
            None => (spec.as_str(), None),
        };
        let text = std::fs::read_to_string(file).map_err(|e| {
            one(KconfigError::plain(
                file,
                format!("cannot read the overlay: {e}"),
            ))
        })?;
        let in_tree = name.unwrap_or(file).to_string();
        if in_tree.contains(['"', '$', '\n']) {
            return Err(one(KconfigError::plain(
                spec,
                "an overlay's name cannot hold `\"`, `$` or a newline (Kconfig's `source` would read them)",
            )));
        }
        if name.is_none() {
            sourced_from_top.push(in_tree.clone());
        }
        files.retain(|(n, _)| *n != in_tree);
        files.push((in_tree, text));
    }
    if !sourced_from_top.is_empty() {
        let mut top = current(&files, "Kconfig").ok_or_else(|| {
            one(KconfigError::plain(
                tree.join("Kconfig").display().to_string(),
                "no top Kconfig to source the overlays from",
            ))
        })?;
        if !top.ends_with('\n') {
            top.push('\n');
        }
        top.push_str("\n# added by kconfig-sat --overlay\n");
        for name in sourced_from_top {
            top.push_str(&format!("source \"{name}\"\n"));
        }
        files.retain(|(n, _)| n != "Kconfig");
        files.push(("Kconfig".to_string(), top));
    }
    Ok(Modifications { files })
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
    load_modified(
        tree,
        top,
        env,
        shell,
        extra_dirs,
        options,
        Modifications::default(),
    )
}

/// [`load_with`] on a tree with in-memory [`Modifications`].
pub fn load_modified(
    tree: &Path,
    top: &str,
    env: HashMap<String, String>,
    shell: ShellPolicy,
    extra_dirs: &[PathBuf],
    options: ParseOptions,
    modified: Modifications,
) -> Result<Loaded, KconfigErrors> {
    let mut resolver = FileResolver {
        search_dirs: extra_dirs.to_vec(),
        overlays: modified.files,
        ..Default::default()
    };
    resolver.search_dirs.push(tree.to_path_buf());
    resolver.prefetch = Some(crate::frontend::prefetch::Prefetch::start(
        top,
        resolver.search_dirs.clone(),
        env.clone(),
    ));
    load_from(top, &resolver, env, shell, options)
}

/// Parses `top` as `resolver` finds files.
fn load_from(
    top: &str,
    resolver: &FileResolver,
    env: HashMap<String, String>,
    shell: ShellPolicy,
    options: ParseOptions,
) -> Result<Loaded, KconfigErrors> {
    let mut pp = Preprocessor::new(env, shell);
    let parsed = parse_with(top, resolver, &mut pp, options);
    if let Some(p) = &resolver.prefetch {
        p.stop();
    }
    let (kconfig, report) = parsed?;
    Ok(Loaded {
        kconfig,
        report,
        shell: pp.shell,
    })
}

/// Where the embedded grsecurity model lives in the repository (and the
/// name its locations carry): the top file, with the mainline options the
/// model needs, and the grsecurity options it sources.
pub const GRSECURITY_MODEL: &str = "kconfig-data/grsecurity/model.Kconfig";
pub const GRSECURITY_OPTIONS: &str = "kconfig-data/grsecurity/Kconfig";

/// The project's grsecurity model, built into the binary: a small tree that
/// needs no kernel download and runs no shell commands.
pub fn load_grsecurity_model(
    options: crate::frontend::parser::ParseOptions,
) -> Result<Loaded, KconfigErrors> {
    let resolver = crate::frontend::parser::FileResolver {
        search_dirs: Vec::new(),
        overlays: vec![
            (
                GRSECURITY_MODEL.to_string(),
                include_str!("../../kconfig-data/grsecurity/model.Kconfig").to_string(),
            ),
            (
                GRSECURITY_OPTIONS.to_string(),
                include_str!("../../kconfig-data/grsecurity/Kconfig").to_string(),
            ),
        ],
        ..Default::default()
    };
    load_from(
        GRSECURITY_MODEL,
        &resolver,
        HashMap::new(),
        ShellPolicy::Deny,
        options,
    )
}
