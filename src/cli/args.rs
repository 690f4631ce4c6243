//! Arguments shared by the commands that read a tree and requests.

use clap::Args;
use std::path::PathBuf;

/// Which tree, for which arch, and what to do with its shell commands.
#[derive(Args, Debug, Clone)]
pub struct TreeArgs {
    /// The kernel tree [default: kconfig-data/linux-6.12; for `nixos`, the
    /// embedded grsecurity model].
    #[arg(long)]
    pub tree: Option<PathBuf>,
    /// ARCH as make takes it (x86_64, arm64, riscv, ...).
    #[arg(long, default_value = "x86_64")]
    pub arch: String,
    /// Shell commands from the tree: run, deny, replay:FILE.
    #[arg(long, default_value = "run")]
    pub probes: String,
    /// Apply the Kconfig hunks of a kernel patch in memory (repeatable, in
    /// order), as NixOS kernelPatches would; a hunk that does not apply is an error.
    #[arg(long = "patch", value_name = "FILE")]
    pub patches: Vec<PathBuf>,
    /// Extra Kconfig text (repeatable): FILE is sourced at the end of the top
    /// Kconfig; FILE=PATH only puts it in the tree as PATH, for `source` lines.
    #[arg(long = "overlay", value_name = "FILE[=PATH]")]
    pub overlays: Vec<String>,
    /// Accept Linux 3.x/4.x syntax that 6.x rejects (unquoted `source` names),
    /// e.g. for the real grsecurity Kconfig text.
    #[arg(long)]
    pub old_syntax: bool,
}

impl TreeArgs {
    /// A plain tree: no patches, overlays or old syntax.
    pub fn plain(tree: PathBuf, arch: &str, probes: &str) -> Self {
        TreeArgs {
            tree: Some(tree),
            arch: arch.to_string(),
            probes: probes.to_string(),
            patches: Vec::new(),
            overlays: Vec::new(),
            old_syntax: false,
        }
    }

    /// The tree to read: the one given, or the one fetch-linux.sh makes.
    /// A tarball is read into the cache first (see `tree::tarball`).
    pub fn path(&self) -> PathBuf {
        self.tree
            .clone()
            .unwrap_or_else(|| PathBuf::from("kconfig-data/linux-6.12"))
    }

    /// Whether the tree is changed in memory.
    pub fn is_modified(&self) -> bool {
        !self.patches.is_empty() || !self.overlays.is_empty()
    }
}

/// Requested values and the configuration they apply to.
#[derive(Args, Debug, Clone)]
pub struct RequestArgs {
    /// Files of requests: .config lines or NixOS answers (`X y`, `X? n`).
    pub files: Vec<PathBuf>,
    /// A request given inline (repeatable), e.g. --set CONFIG_KEXEC=n or --set 'KEXEC n'.
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// The configuration to start from: "defconfig" (the arch's) or a .config file.
    #[arg(long, default_value = "defconfig")]
    pub base: String,
}

/// Rule packs and the facts about the system they are judged with.
#[derive(Args, Debug, Clone, Default)]
pub struct RuleArgs {
    /// Rule packs (repeatable): grsecurity, kspp, nixos, or a TOML file (docs/rules.md).
    #[arg(long = "rules", value_name = "PACK")]
    pub packs: Vec<String>,
    /// Nix does not build software on this machine (it is deployed from elsewhere).
    #[arg(long)]
    pub no_local_builds: bool,
    /// A further fact for the rules (repeatable), e.g. sysctl:kernel.kptr_restrict=2.
    #[arg(long = "fact")]
    pub facts: Vec<String>,
}

impl RuleArgs {
    /// The packs named; on failure the message is printed and the exit
    /// status (2) returned.
    pub fn load(&self, command: &str) -> Result<Vec<crate::nixos::rules::Pack>, i32> {
        self.packs
            .iter()
            .map(|name| {
                crate::nixos::rules::load(name).map_err(|e| {
                    eprintln!("kconfig-sat {command}: rules {e}");
                    2
                })
            })
            .collect()
    }

    /// The facts: `--fact` flags and `sysctl:KEY=VALUE`s, the sysctls the
    /// inputs set, "Nix builds on this host" unless `--no-local-builds`, and
    /// the names the user's answers set to y.
    pub fn facts(
        &self,
        mut sysctls: Vec<(String, String)>,
        answered_y: Vec<String>,
    ) -> crate::nixos::rules::Facts {
        let mut flags = Vec::new();
        for f in &self.facts {
            match f.strip_prefix("sysctl:").and_then(|kv| kv.split_once('=')) {
                Some((k, v)) => sysctls.push((k.to_string(), v.to_string())),
                None => flags.push(f.clone()),
            }
        }
        if !self.no_local_builds {
            flags.push("nix-builds-on-host".to_string());
        }
        crate::nixos::rules::Facts {
            flags,
            sysctls,
            answered_y,
        }
    }
}
