//! The `kconfig-sat` command.

use clap::{Parser, Subcommand};
use kconfig_sat::cli::args::{RequestArgs, RuleArgs, TreeArgs};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kconfig-sat",
    version,
    about = "Reads Linux Kconfig exactly as the kernel does and answers configuration questions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Drop-in for scripts/kconfig/conf: same options, environment, files and exit status.
    #[command(disable_help_flag = true)]
    Conf {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// What `make ARCH=<arch> TARGET` does for configuration targets, without make.
    Make {
        /// defconfig, NAME_defconfig, olddefconfig, oldconfig, config, savedefconfig,
        /// all{no,yes,mod,def}config, randconfig, listnewconfig, helpnewconfig, syncconfig
        target: String,
        /// The kernel tree.
        #[arg(long, default_value = "kconfig-data/linux-6.12")]
        tree: PathBuf,
        /// ARCH as make takes it (x86_64, arm64, riscv, ...).
        #[arg(long, default_value = "x86_64")]
        arch: String,
        /// Object directory: where .config and include/ are written.
        #[arg(short = 'O', long = "output", default_value = ".")]
        out: PathBuf,
        /// Shell commands from the tree: run, deny, replay:FILE or record:FILE.
        #[arg(long, default_value = "run")]
        probes: String,
        /// No "configuration written" messages.
        #[arg(short = 's')]
        silent: bool,
    },
    /// Can these values hold together? Requests are .config lines or NixOS answers (`X y`, `X? n`).
    Check {
        #[command(flatten)]
        requests: RequestArgs,
        #[command(flatten)]
        tree: TreeArgs,
        #[command(flatten)]
        rules: RuleArgs,
        /// How many fixes to show when something is rejected.
        #[arg(long, default_value_t = 3)]
        fixes: usize,
        /// human or json (schema: docs/check-json.md).
        #[arg(long, default_value = "human")]
        format: String,
    },
    /// A full configuration with the requested values and the fewest changes from the base.
    Solve {
        #[command(flatten)]
        requests: RequestArgs,
        #[command(flatten)]
        tree: TreeArgs,
        #[command(flatten)]
        rules: RuleArgs,
        /// Where to write the solved .config.
        #[arg(short = 'o', long, default_value = ".config")]
        output: PathBuf,
        /// Also write the fragment (.config lines) that reproduces it from the base.
        #[arg(long)]
        fragment: Option<PathBuf>,
    },
    /// Why a symbol has its value, or why it cannot take VALUE, with verified fixes.
    Explain {
        /// SYMBOL or SYMBOL=VALUE (also CONFIG_SYMBOL=VALUE).
        target: String,
        /// The requests make up the configuration explained, on top of the base.
        #[command(flatten)]
        requests: RequestArgs,
        #[command(flatten)]
        tree: TreeArgs,
        #[command(flatten)]
        rules: RuleArgs,
        /// Explain this .config instead of the base.
        #[arg(long)]
        config: Option<PathBuf>,
        /// How many fixes to show.
        #[arg(long, default_value_t = 3)]
        fixes: usize,
        /// human or json.
        #[arg(long, default_value = "human")]
        format: String,
    },
    /// nixpkgs' verdict on an answers file (`NAME VALUE`, `NAME? VALUE`), word for
    /// word, with the reason for each finding.
    Nixos {
        /// Answers files (concatenated, as nixpkgs does).
        files: Vec<PathBuf>,
        #[command(flatten)]
        tree: TreeArgs,
        /// autoModules: unanswered questions that offer m get m.
        #[arg(long)]
        auto_modules: bool,
        /// preferBuiltin: ... unless their default is y.
        #[arg(long)]
        prefer_builtin: bool,
        /// ignoreConfigErrors: every finding is a warning.
        #[arg(long)]
        ignore_config_errors: bool,
        #[command(flatten)]
        rules: RuleArgs,
        /// human or json.
        #[arg(long, default_value = "human")]
        format: String,
    },
    /// The seed's table of security features for a configuration: state and
    /// what provides each (Kconfig, sysctl, or userspace).
    Report {
        /// Answers or .nix files (the configuration nixpkgs builds from them).
        files: Vec<PathBuf>,
        #[command(flatten)]
        tree: TreeArgs,
        /// Report on this .config instead.
        #[arg(long)]
        config: Option<PathBuf>,
        /// human or json.
        #[arg(long, default_value = "human")]
        format: String,
    },
    /// Parse, evaluate, encode and solve times and model sizes, per arch.
    Bench {
        #[arg(long, default_value = "kconfig-data/linux-6.12")]
        tree: PathBuf,
        /// An arch, or "all" for every arch of the tree.
        #[arg(long, default_value = "x86_64")]
        arch: String,
        /// Shell commands from the tree: run, deny, replay:FILE (one profile fits one arch).
        #[arg(long, default_value = "run")]
        probes: String,
        /// table or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// The tree's SAT encoding as DIMACS CNF, with a `c` line naming each variable.
    Dimacs {
        #[command(flatten)]
        tree: TreeArgs,
        /// Where to write the CNF (default: standard output).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Toolchain profiles: what the tree's $(shell,...) probes print.
    Probe {
        #[command(subcommand)]
        command: ProbeCommand,
    },
}

#[derive(Subcommand)]
enum ProbeCommand {
    /// Run every shell command of the tree once and store command -> output.
    Record {
        #[arg(long, default_value = "kconfig-data/linux-6.12")]
        tree: PathBuf,
        #[arg(long, default_value = "x86_64")]
        arch: String,
        /// Where to write the profile (JSON).
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
}

fn main() {
    kconfig_sat::cli::heap::prefer_huge_pages();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Conf { args } => match kconfig_sat::cli::conf::parse_args(&args) {
            Ok(a) => kconfig_sat::cli::conf::run(a),
            Err(msg) => {
                eprintln!("{msg}");
                1
            }
        },
        Command::Make {
            target,
            tree,
            arch,
            out,
            probes,
            silent,
        } => kconfig_sat::cli::make::run(kconfig_sat::cli::make::MakeArgs {
            target,
            tree,
            arch,
            out,
            probes,
            silent,
        }),
        Command::Explain {
            target,
            requests,
            tree,
            rules,
            config,
            fixes,
            format,
        } => kconfig_sat::cli::explain::explain(
            &tree,
            &requests,
            &rules,
            &target,
            config.as_deref(),
            fixes,
            format == "json",
        ),
        Command::Nixos {
            files,
            tree,
            auto_modules,
            prefer_builtin,
            ignore_config_errors,
            rules,
            format,
        } => kconfig_sat::cli::nixos::nixos(
            &tree,
            &files,
            kconfig_sat::nixos::generate::Options {
                auto_modules,
                prefer_builtin,
                ignore_config_errors,
            },
            &rules,
            format == "json",
        ),
        Command::Report {
            files,
            tree,
            config,
            format,
        } => kconfig_sat::cli::nixos::report(&tree, &files, config.as_deref(), format == "json"),
        Command::Check {
            requests,
            tree,
            rules,
            fixes,
            format,
        } => kconfig_sat::cli::sat_cmds::check(&tree, &requests, &rules, fixes, format == "json"),
        Command::Solve {
            requests,
            tree,
            rules,
            output,
            fragment,
        } => kconfig_sat::cli::sat_cmds::solve(
            &tree,
            &requests,
            &rules,
            &output,
            fragment.as_deref(),
        ),
        Command::Bench {
            tree,
            arch,
            probes,
            format,
        } => {
            let arches: Vec<String> = if arch == "all" {
                kconfig_sat::tree::ARCHES
                    .iter()
                    .map(|a| a.to_string())
                    .collect()
            } else {
                vec![arch]
            };
            kconfig_sat::cli::sat_cmds::bench(&tree, &arches, &probes, format == "json")
        }
        Command::Dimacs { tree, output } => {
            kconfig_sat::cli::sat_cmds::dimacs(&tree, output.as_deref())
        }
        Command::Probe {
            command: ProbeCommand::Record { tree, arch, output },
        } => kconfig_sat::cli::make::record_probes(&tree, &arch, &output),
    };
    std::process::exit(code);
}
