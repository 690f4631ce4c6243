//! `kconfig-sat conf`: a drop-in for `scripts/kconfig/conf` in its
//! non-interactive modes. Same options, same environment variables, same
//! files written, same exit status.

use super::fsutil::{make_parent_dir, temp_path, write_atomic};
use crate::eval::config::Prefix;
use crate::eval::modes::NewSymbolPolicy;
use crate::eval::Evaluator;
use crate::frontend::shell::ShellPolicy;
use crate::model::Kconfig;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    OldDefConfig,
    AllDefConfig,
    AllNoConfig,
    AllYesConfig,
    AllModConfig,
    RandConfig,
    DefConfig(String),
    SaveDefConfig(String),
    ListNewConfig,
    HelpNewConfig,
    SyncConfig,
    OldAskConfig,
    OldConfig,
}

pub struct ConfArgs {
    pub mode: Mode,
    pub silent: bool,
    pub kconfig: String,
    pub probes: ShellPolicy,
    pub record_to: Option<PathBuf>,
}

const USAGE: &str = "Usage: kconfig-sat conf [-s] [--probes=run|deny|replay:FILE|record:FILE] [option] <kconfig-file>
[option] is _one_ of the following:
  --oldaskconfig          Start a new configuration using a line-oriented program
  --oldconfig             Update a configuration using a provided .config as base
  --olddefconfig          Same as oldconfig but sets new symbols to their default value
  --defconfig <file>      New config with default defined in <file>
  --savedefconfig <file>  Save the minimal current configuration to <file>
  --allnoconfig           New config where all options are answered with no
  --allyesconfig          New config where all options are answered with yes
  --allmodconfig          New config where all options are answered with mod
  --alldefconfig          New config with all symbols set to default
  --randconfig            New config with random answer to all options
  --listnewconfig         List new options
  --helpnewconfig         List new options and help text
  --syncconfig            Similar to oldconfig but generates configuration in
                          include/{generated/,config/}";

/// Parses conf's command line (getopt_long style: `--opt=value` or `--opt value`).
pub fn parse_args(args: &[String]) -> Result<ConfArgs, String> {
    let mut mode = None;
    let mut silent = false;
    let mut positional = Vec::new();
    let mut probes = ShellPolicy::Run;
    let mut record_to = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let value = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("option '{name}' requires an argument\n{USAGE}"))
        };
        match name.as_str() {
            "-s" => silent = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            "--olddefconfig" => mode = Some(Mode::OldDefConfig),
            "--alldefconfig" => mode = Some(Mode::AllDefConfig),
            "--allnoconfig" => mode = Some(Mode::AllNoConfig),
            "--allyesconfig" => mode = Some(Mode::AllYesConfig),
            "--allmodconfig" => mode = Some(Mode::AllModConfig),
            "--randconfig" => mode = Some(Mode::RandConfig),
            "--listnewconfig" => mode = Some(Mode::ListNewConfig),
            "--helpnewconfig" => mode = Some(Mode::HelpNewConfig),
            "--syncconfig" => mode = Some(Mode::SyncConfig),
            "--defconfig" => mode = Some(Mode::DefConfig(value(&mut i)?)),
            "--savedefconfig" => mode = Some(Mode::SaveDefConfig(value(&mut i)?)),
            "--probes" => {
                let (policy, record) = super::make::probe_policy(&value(&mut i)?)?;
                probes = policy;
                record_to = record;
            }
            "--oldaskconfig" => mode = Some(Mode::OldAskConfig),
            "--oldconfig" => mode = Some(Mode::OldConfig),
            "--yes2modconfig" | "--mod2yesconfig" | "--mod2noconfig" => {
                return Err(format!(
                    "{name}: the tristate rewrite modes are not supported by kconfig-sat conf"
                ));
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unrecognized option '{s}'\n{USAGE}"))
            }
            _ => positional.push(a.clone()),
        }
        i += 1;
    }
    let Some(kconfig) = positional.first().cloned() else {
        return Err(format!("conf: Kconfig file missing\n{USAGE}"));
    };
    Ok(ConfArgs {
        mode: mode.unwrap_or(Mode::OldAskConfig),
        silent,
        kconfig,
        probes,
        record_to,
    })
}

/// Runs conf with the process environment; returns the exit status.
pub fn run(args: ConfArgs) -> i32 {
    let env: HashMap<String, String> = std::env::vars().collect();
    run_with_env(args, env)
}

/// Runs conf with the given environment (what `make` would export), in the
/// current directory (the object tree).
pub fn run_with_env(args: ConfArgs, env: HashMap<String, String>) -> i32 {
    let srctree = env.get("srctree").map(PathBuf::from);
    let mut dirs = vec![PathBuf::from(".")];
    if let Some(t) = &srctree {
        dirs.push(t.clone());
    }
    let tree = dirs.pop().unwrap_or_else(|| PathBuf::from("."));
    // Menu walks that skip hidden entries need the full menu structure; the
    // modes that only compute and write values do not.
    let menu_structure = matches!(
        args.mode,
        Mode::OldAskConfig
            | Mode::OldConfig
            | Mode::SyncConfig
            | Mode::ListNewConfig
            | Mode::HelpNewConfig
    );
    // The whole-model checks (recursive dependencies, ~15% of a load) run on
    // the second core while the input configuration is read and evaluated;
    // nothing is shown or written until they pass. Recording probes writes a
    // file before evaluation, so it keeps them in line.
    let defer_final_checks = args.record_to.is_none();
    let options = crate::frontend::parser::ParseOptions {
        menu_structure,
        defer_final_checks,
        ..Default::default()
    };
    let loaded = match crate::tree::load_with(
        &tree,
        &args.kconfig,
        env.clone(),
        args.probes,
        &dirs,
        options,
    ) {
        Ok(l) => l,
        Err(errors) => {
            for e in &errors.errors {
                eprintln!("{}", e.c_style());
            }
            return 1;
        }
    };
    for out in &loaded.report.macro_output {
        match out {
            crate::frontend::preprocess::MacroOutput::Info(s) => crate::outln!("{s}"),
            crate::frontend::preprocess::MacroOutput::Warning(s) => eprintln!("{s}"),
        }
    }
    for w in &loaded.report.warnings {
        eprintln!("{w}");
    }
    if let (Some(path), Some(profile)) = (&args.record_to, loaded.shell.into_profile()) {
        if let Err(e) = write_atomic(path, profile.to_json().as_bytes()) {
            eprintln!("cannot write probe profile {}: {e}", path.display());
            return 1;
        }
    }
    let k = &loaded.kconfig;
    let ctx = Context {
        env: &env,
        search: search_dirs(&env),
        silent: args.silent || args.mode == Mode::SyncConfig,
    };
    let code = std::thread::scope(|scope| {
        let mut checks =
            defer_final_checks.then(|| scope.spawn(|| crate::frontend::parser::final_checks(k)));
        let mut checks_pass = || -> bool {
            let errors = match checks.take().map(|h| h.join()) {
                None => Vec::new(),
                Some(Ok(errors)) => errors,
                Some(Err(_)) => vec![crate::frontend::diag::KconfigError::plain(
                    "",
                    "internal error while checking the model",
                )],
            };
            for e in &errors {
                eprintln!("{}", e.c_style());
            }
            errors.is_empty()
        };
        match execute(k, &args.mode, &ctx, &mut checks_pass) {
            Ok(code) => code,
            // conf would have stopped at the model's errors before this one.
            Err(_) if !checks_pass() => 1,
            Err(msg) => {
                eprintln!("{msg}");
                1
            }
        }
    });
    // The process ends here: freeing the model would only cost time.
    std::mem::forget(loaded.kconfig);
    code
}

struct Context<'a> {
    env: &'a HashMap<String, String>,
    search: Vec<PathBuf>,
    silent: bool,
}

impl Context<'_> {
    fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(|s| s.as_str())
    }

    fn message(&self, msg: &str) {
        if let Some(text) = self.message_text(msg) {
            crate::outln!("{text}");
        }
    }

    /// A message as conf frames it, or `None` when silent.
    fn message_text(&self, msg: &str) -> Option<String> {
        (!self.silent).then(|| format!("#\n# {msg}\n#"))
    }

    /// Opens a file the way conf does: as given, then under `$srctree`.
    fn read(&self, name: &str) -> Option<String> {
        let p = Path::new(name);
        if p.is_absolute() {
            return std::fs::read(p)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
        }
        self.search
            .iter()
            .find_map(|d| std::fs::read(d.join(name)).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

fn search_dirs(env: &HashMap<String, String>) -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(".")];
    if let Some(t) = env.get("srctree") {
        v.push(PathBuf::from(t));
    }
    v
}

/// Runs a conf mode. Reading and evaluating the input configuration is
/// silent; `checks_pass` is asked before anything is shown or written
/// (false: the model is unusable, exit 1).
fn execute(
    k: &Kconfig,
    mode: &Mode,
    ctx: &Context,
    checks_pass: &mut dyn FnMut() -> bool,
) -> Result<i32, String> {
    let prefix = Prefix(ctx.var("CONFIG_").unwrap_or("CONFIG_").to_string());
    let warn_unknown = ctx.var("KCONFIG_WARN_UNKNOWN_SYMBOLS").is_some();
    let config_name = ctx.var("KCONFIG_CONFIG").unwrap_or(".config").to_string();
    let mut ev = Evaluator::new(k);
    // What reading the inputs has to say, shown once the checks pass.
    let input_messages: std::cell::RefCell<Vec<(bool, String)>> = Default::default();
    let mut conf_warnings = 0usize;
    let mut report_warnings = |name: &str, r: &crate::eval::config::ReadReport| {
        for w in &r.warnings {
            input_messages
                .borrow_mut()
                .push((true, format!("{name}:{}:warning: {}", w.line, w.message)));
        }
        conf_warnings += r.warnings.len();
    };
    let stdout_message = |m: String| input_messages.borrow_mut().push((false, m));

    match mode {
        Mode::DefConfig(file) => {
            let Some(text) = ctx.read(file) else {
                return Err(format!(
                    "***\n*** Can't find default configuration \"{file}\"!\n***"
                ));
            };
            let r = ev.read_config(&text, &prefix, warn_unknown);
            report_warnings(file, &r);
            ev.calc_all();
        }
        Mode::SaveDefConfig(_)
        | Mode::SyncConfig
        | Mode::ListNewConfig
        | Mode::HelpNewConfig
        | Mode::OldDefConfig
        | Mode::OldAskConfig
        | Mode::OldConfig => {
            if let Some(text) = ctx.read(&config_name) {
                let r = ev.read_config(&text, &prefix, warn_unknown);
                report_warnings(&config_name, &r);
                ev.calc_all();
            } else if let Some(list) = ctx.var("KCONFIG_DEFCONFIG_LIST") {
                for name in list.split_whitespace() {
                    if let Some(text) = ctx.read(name) {
                        if let Some(text) =
                            ctx.message_text(&format!("using defaults found in {name}"))
                        {
                            stdout_message(text);
                        }
                        let r = ev.read_config(&text, &prefix, warn_unknown);
                        report_warnings(name, &r);
                        ev.calc_all();
                        break;
                    }
                }
            }
        }
        Mode::AllNoConfig
        | Mode::AllYesConfig
        | Mode::AllModConfig
        | Mode::AllDefConfig
        | Mode::RandConfig => {
            if let Some(name) = ctx.var("KCONFIG_ALLCONFIG") {
                if !name.is_empty() && name != "1" {
                    let Some(text) = ctx.read(name) else {
                        return Err(format!("*** Can't read seed configuration \"{name}\"!"));
                    };
                    let r = ev.read_config(&text, &prefix, warn_unknown);
                    report_warnings(name, &r);
                } else {
                    let specific = match mode {
                        Mode::AllNoConfig => "allno.config",
                        Mode::AllYesConfig => "allyes.config",
                        Mode::AllModConfig => "allmod.config",
                        Mode::AllDefConfig => "alldef.config",
                        _ => "allrandom.config",
                    };
                    let found = ctx
                        .read(specific)
                        .map(|t| (specific, t))
                        .or_else(|| ctx.read("all.config").map(|t| ("all.config", t)));
                    let Some((name, text)) = found else {
                        return Err(format!("*** KCONFIG_ALLCONFIG set, but no \"{specific}\" or \"all.config\" file found"));
                    };
                    let r = ev.read_config(&text, &prefix, warn_unknown);
                    report_warnings(name, &r);
                }
            }
        }
    }
    if !checks_pass() {
        return Ok(1);
    }
    for (to_stderr, m) in input_messages.take() {
        if to_stderr {
            eprintln!("{m}");
        } else {
            crate::outln!("{m}");
        }
    }
    if conf_warnings > 0 && ctx.var("KCONFIG_WERROR").is_some() {
        return Ok(1);
    }

    match mode {
        Mode::AllNoConfig => ev.set_all_new_symbols(NewSymbolPolicy::No),
        Mode::AllYesConfig => ev.set_all_new_symbols(NewSymbolPolicy::Yes),
        Mode::AllModConfig => ev.set_all_new_symbols(NewSymbolPolicy::Mod),
        Mode::AllDefConfig | Mode::DefConfig(_) => ev.set_all_new_symbols(NewSymbolPolicy::Default),
        Mode::RandConfig => {
            let seed = ctx
                .var("KCONFIG_SEED")
                .and_then(parse_c_long)
                .unwrap_or_else(|| {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_micros() as u64)
                        .unwrap_or(1)
                });
            crate::outln!("KCONFIG_SEED=0x{:X}", seed as u32);
            ev.set_all_random(seed, 50, 33, 33);
        }
        Mode::ListNewConfig => {
            list_new(&mut ev, k.root, &prefix, false);
        }
        Mode::HelpNewConfig => {
            list_new(&mut ev, k.root, &prefix, true);
        }
        Mode::OldAskConfig | Mode::OldConfig | Mode::SyncConfig => {
            use crate::eval::questions::{AskMode, LineReader, QuestionError, Questionnaire};
            use std::io::IsTerminal;
            let ask = match mode {
                Mode::OldAskConfig => AskMode::AskAll,
                Mode::OldConfig => AskMode::NewOnly,
                _ => AskMode::Sync,
            };
            let echo = !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal());
            let stdin = std::io::stdin();
            let mut input = LineReader(stdin.lock());
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let mut q = Questionnaire::new(&mut ev, ask, &mut input, &mut out, echo, &prefix.0);
            let result = q.run();
            let read_errors = q.read_errors;
            drop(q);
            drop(out);
            for _ in 0..read_errors {
                eprint!("\nError in reading or end of file.\n");
            }
            match result {
                Ok(()) => {}
                Err(QuestionError::NoValue(name)) => {
                    return Err(format!(
                        "\nerror: no value for new symbol '{name}' at end of input"
                    ));
                }
                Err(QuestionError::Io(e)) => return Err(format!("conf: {e}")),
            }
        }
        _ => {}
    }

    // Calculating values reports `select`s that override unmet dependencies.
    for s in ev.config_symbol_ids() {
        ev.calc(s);
    }
    for &s in &ev.unmet_warnings.clone() {
        eprint!(
            "{}",
            crate::model::display::unmet_dependency_warning(&mut ev, s)
        );
    }
    if !ev.unmet_warnings.is_empty() && ctx.var("KCONFIG_WERROR").is_some() {
        return Ok(1);
    }

    match mode {
        Mode::SaveDefConfig(file) => {
            let text = ev.write_defconfig(&prefix);
            if let Err(e) = write_atomic(Path::new(file), text.as_bytes()) {
                return Err(format!(
                    "n*** Error while saving defconfig to: {file}: {e}\n"
                ));
            }
            Ok(0)
        }
        Mode::ListNewConfig | Mode::HelpNewConfig => Ok(0),
        _ => {
            let text = ev.write_config(&prefix);
            write_dot_config(&config_name, &text, ctx)?;
            write_autoconf(&mut ev, k, &prefix, ctx, *mode == Mode::SyncConfig)?;
            Ok(0)
        }
    }
}

/// `.config`: kept as is when unchanged, otherwise the old one becomes `.config.old`.
fn write_dot_config(name: &str, text: &str, ctx: &Context) -> Result<(), String> {
    if name.is_empty() {
        return Err("config name is empty".into());
    }
    let path = Path::new(name);
    if path.is_dir() {
        return Err(format!("{name}: Is a directory"));
    }
    make_parent_dir(path).map_err(|e| format!("{name}: {e}"))?;
    if ctx
        .var("KCONFIG_OVERWRITECONFIG")
        .is_some_and(|v| !v.is_empty())
    {
        std::fs::write(path, text).map_err(|e| format!("{name}: {e}"))?;
    } else {
        if std::fs::read(path).ok().as_deref() == Some(text.as_bytes()) {
            ctx.message(&format!("No change to {name}"));
            return Ok(());
        }
        let tmp = temp_path(path);
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut old = path.as_os_str().to_os_string();
        old.push(".old");
        let _ = std::fs::rename(path, &old);
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("{name}: {e}")
        })?;
    }
    ctx.message(&format!("configuration written to {name}"));
    Ok(())
}

/// include/config/auto.conf and friends: always for syncconfig, otherwise
/// only when auto.conf does not exist yet (as conf does).
fn write_autoconf(
    ev: &mut Evaluator,
    k: &Kconfig,
    prefix: &Prefix,
    ctx: &Context,
    overwrite: bool,
) -> Result<(), String> {
    let auto_conf = ctx
        .var("KCONFIG_AUTOCONFIG")
        .unwrap_or("include/config/auto.conf")
        .to_string();
    let header = ctx
        .var("KCONFIG_AUTOHEADER")
        .unwrap_or("include/generated/autoconf.h")
        .to_string();
    let rustc = ctx
        .var("KCONFIG_RUSTCCFG")
        .unwrap_or("include/generated/rustc_cfg")
        .to_string();
    if !overwrite && Path::new(&auto_conf).exists() {
        return Ok(());
    }
    let fail = |what: &str, e: std::io::Error| {
        format!("\n*** Error during sync of the configuration ({what}: {e}).\n")
    };
    let mut cmd = format!("autoconfig := {auto_conf}\n\ndeps_config := \\\n");
    let mut seen = std::collections::HashSet::new();
    for f in &k.files_read {
        if seen.insert(f.as_str()) {
            cmd.push_str(&format!("\t{f} \\\n"));
        }
    }
    cmd.push_str("\n$(autoconfig): $(deps_config)\n$(deps_config): ;\n");
    for (name, value) in &k.env_used {
        cmd.push_str(&format!(
            "\nifneq \"$({name})\" \"{value}\"\n$(autoconfig): FORCE\nendif\n"
        ));
    }
    write_atomic(Path::new(&format!("{auto_conf}.cmd")), cmd.as_bytes())
        .map_err(|e| fail("auto.conf.cmd", e))?;

    let old = std::fs::read_to_string(&auto_conf).ok();
    let dep_dir = Path::new(&auto_conf)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for name in ev.changed_since(old.as_deref(), prefix) {
        let p = dep_dir.join(&name);
        make_parent_dir(&p).map_err(|e| fail(&name, e))?;
        std::fs::write(&p, b"").map_err(|e| fail(&name, e))?;
    }
    let texts = ev.autoconf_texts(prefix);
    write_atomic(Path::new(&header), texts.header.as_bytes()).map_err(|e| fail(&header, e))?;
    write_atomic(Path::new(&rustc), texts.rustc.as_bytes()).map_err(|e| fail(&rustc, e))?;
    write_atomic(Path::new(&auto_conf), texts.auto_conf.as_bytes())
        .map_err(|e| fail(&auto_conf, e))?;
    Ok(())
}

/// listnewconfig / helpnewconfig: visible, changeable symbols without a value.
fn list_new(ev: &mut Evaluator, m: crate::model::MenuId, prefix: &Prefix, help: bool) {
    let k = ev.k;
    if m != k.root && !ev.menu_is_visible(m) {
        return;
    }
    if let Some(s) = k.menu(m).sym {
        if !ev.has_user_value(s) && ev.is_changeable(s) && !k.sym(s).is_choice {
            if help {
                crate::outln!("-----");
                crate::outln!("\n{}", crate::model::display::help_screen(ev, m, &prefix.0));
                crate::outln!("-----");
            } else {
                let v = ev.string_value(s);
                let v = if k.sym(s).ty == crate::model::SymType::String {
                    crate::eval::config::escape_string(&v)
                } else {
                    v
                };
                crate::outln!("{}{}={}", prefix.0, k.sym(s).name, v);
            }
        }
    }
    let children: Vec<_> = k.children(m).collect();
    for c in children {
        list_new(ev, c, prefix, help);
    }
}

/// `strtol(s, &end, 0)` accepting the whole string.
fn parse_c_long(s: &str) -> Option<u64> {
    let p = crate::eval::cnum::strtoll(s, 0);
    (p.consumed == s.len() && p.consumed > 0).then_some(p.value as u64)
}
