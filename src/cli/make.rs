//! `kconfig-sat make TARGET`: what `make ARCH=<arch> TARGET` does for the
//! configuration targets, without make: the same environment is built from
//! the tree (kernel version, arch, compiler) and conf's logic runs on it.

use super::conf::{run_with_env, ConfArgs, Mode};
use crate::frontend::shell::{ProbeProfile, ShellPolicy};
use std::path::{Path, PathBuf};

pub struct MakeArgs {
    pub target: String,
    pub tree: PathBuf,
    pub arch: String,
    pub out: PathBuf,
    pub probes: String,
    pub silent: bool,
}

/// The conf mode of a make target; `None` for targets that are not about configuration.
pub fn mode_for_target(target: &str, arch: &str) -> Option<Mode> {
    Some(match target {
        "config" => Mode::OldAskConfig,
        "oldconfig" => Mode::OldConfig,
        "olddefconfig" => Mode::OldDefConfig,
        "syncconfig" => Mode::SyncConfig,
        "allnoconfig" => Mode::AllNoConfig,
        "allyesconfig" => Mode::AllYesConfig,
        "allmodconfig" => Mode::AllModConfig,
        "alldefconfig" => Mode::AllDefConfig,
        "randconfig" => Mode::RandConfig,
        "listnewconfig" => Mode::ListNewConfig,
        "helpnewconfig" => Mode::HelpNewConfig,
        "savedefconfig" => Mode::SaveDefConfig("defconfig".into()),
        "defconfig" => Mode::DefConfig(crate::tree::default_defconfig(arch)?.to_string()),
        t if t.ends_with("_defconfig") => {
            Mode::DefConfig(format!("arch/{}/configs/{t}", crate::tree::srcarch(arch)))
        }
        _ => return None,
    })
}

/// Parses `--probes` values shared by the commands: run, deny, replay:FILE, record:FILE.
pub fn probe_policy(spec: &str) -> Result<(ShellPolicy, Option<PathBuf>), String> {
    match spec.split_once(':') {
        None if spec == "run" => Ok((ShellPolicy::Run, None)),
        None if spec == "deny" => Ok((ShellPolicy::Deny, None)),
        Some(("replay", f)) => Ok((ShellPolicy::Replay(ProbeProfile::load(Path::new(f))?), None)),
        Some(("record", f)) => Ok((
            ShellPolicy::Record(ProbeProfile::default()),
            Some(PathBuf::from(f)),
        )),
        _ => Err(format!(
            "--probes takes run, deny, replay:FILE or record:FILE, not '{spec}'"
        )),
    }
}

/// Loads a tree the way the high-level commands do: `make`'s environment for
/// the arch, shell probes per `--probes`, patches and overlays applied in
/// memory; a tarball is read through the cache. Explanations show
/// dependencies the way menuconfig does, which needs the menu structure
/// (`menu_structure`). On failure the message has been printed and the exit
/// status is returned.
pub fn load_for_command(
    command: &str,
    args: &super::args::TreeArgs,
    menu_structure: bool,
) -> Result<(PathBuf, crate::tree::Loaded), i32> {
    let tree = resolve_tree(command, &args.path())?;
    let (policy, _) = probe_policy(&args.probes).map_err(|e| {
        eprintln!("kconfig-sat {command}: {e}");
        2
    })?;
    let print = |errors: crate::frontend::diag::KconfigErrors| {
        for e in errors.errors {
            eprintln!("{:?}", miette::Report::new(e));
        }
    };
    let modified =
        crate::tree::modifications(&tree, &args.patches, &args.overlays).map_err(|errors| {
            print(errors);
            2
        })?;
    let env =
        crate::tree::make_environment(&tree, &args.arch, &crate::tree::host_cc_version_text());
    let options = crate::frontend::parser::ParseOptions {
        menu_structure,
        old_syntax: args.old_syntax,
        ..Default::default()
    };
    match crate::tree::load_modified(&tree, "Kconfig", env, policy, &[], options, modified) {
        Ok(loaded) => Ok((tree, loaded)),
        Err(errors) => {
            print(errors);
            Err(1)
        }
    }
}

/// A tree directory, or the cached tree of a tarball, made absolute.
pub fn resolve_tree(command: &str, tree: &Path) -> Result<PathBuf, i32> {
    if crate::tree::tarball::is_tarball(tree) && tree.is_file() {
        return crate::tree::tarball::tree_from_tarball(tree).map_err(|e| {
            eprintln!("kconfig-sat {command}: {e}");
            2
        });
    }
    tree.canonicalize().map_err(|e| {
        eprintln!(
            "kconfig-sat {command}: {}: {e} (kconfig-data/fetch-linux.sh fetches a tree)",
            tree.display()
        );
        2
    })
}

pub fn run(args: MakeArgs) -> i32 {
    let Some(mode) = mode_for_target(&args.target, &args.arch) else {
        eprintln!(
            "kconfig-sat make: '{}' is not a configuration target",
            args.target
        );
        return 2;
    };
    let tree = match resolve_tree("make", &args.tree) {
        Ok(t) if t.join("Kconfig").is_file() => t,
        _ => {
            eprintln!(
                "kconfig-sat make: no kernel tree at {} (kconfig-data/fetch-linux.sh fetches one)",
                args.tree.display()
            );
            return 2;
        }
    };
    // Probe profiles are named relative to where the command was started.
    let (probes, record_to) = match probe_policy(&args.probes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kconfig-sat make: {e}");
            return 2;
        }
    };
    let record_to = record_to.map(|p| std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p));
    if let Err(e) =
        std::fs::create_dir_all(&args.out).and_then(|_| std::env::set_current_dir(&args.out))
    {
        eprintln!("kconfig-sat make: {}: {e}", args.out.display());
        return 2;
    }
    let env =
        crate::tree::make_environment(&tree, &args.arch, &crate::tree::host_cc_version_text());
    let conf = ConfArgs {
        mode,
        silent: args.silent,
        kconfig: "Kconfig".into(),
        probes,
        record_to,
    };
    run_with_env(conf, env)
}

/// `kconfig-sat probe record`: runs every `$(shell,...)` of a tree once and
/// stores what each printed, so later runs can replay them without running
/// anything from the tree.
pub fn record_probes(tree: &Path, arch: &str, output: &Path) -> i32 {
    // Record mode; the profile is written below, so the spec needs no path.
    let args = super::args::TreeArgs::plain(tree.to_path_buf(), arch, "record:-");
    let (tree, loaded) = match load_for_command("probe record", &args, false) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let Some(mut profile) = loaded.shell.into_profile() else {
        return 1;
    };
    let version = crate::tree::kernel_version(&tree).unwrap_or_default();
    profile.note = format!(
        "Linux {version}, ARCH={arch}, {}",
        crate::tree::host_cc_version_text()
    );
    let n = profile.commands.len();
    if let Err(e) = super::fsutil::write_atomic(output, profile.to_json().as_bytes()) {
        eprintln!("cannot write {}: {e}", output.display());
        return 1;
    }
    crate::outln!("recorded {n} shell commands to {}", output.display());
    0
}
