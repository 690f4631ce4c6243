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
}

impl TreeArgs {
    /// The tree to read: the one given, or the one fetch-linux.sh makes.
    pub fn path(&self) -> PathBuf {
        self.tree
            .clone()
            .unwrap_or_else(|| PathBuf::from("kconfig-data/linux-6.12"))
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
