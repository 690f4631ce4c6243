//! The `kconfig-sat` command.

use clap::{Parser, Subcommand};

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
    /// Drop-in for scripts/kconfig/conf (non-interactive modes): same options and environment.
    #[command(disable_help_flag = true)]
    Conf {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Conf { args } => match kconfig_sat::cli::conf::parse_args(&args) {
            Ok(a) => kconfig_sat::cli::conf::run(a),
            Err(msg) => {
                eprintln!("{msg}");
                1
            }
        },
    };
    std::process::exit(code);
}
