//! `kconfig-sat nixos`: nixpkgs' verdict on kernel options, word for word,
//! then what nixpkgs does not say: why each finding happens.

use super::args::TreeArgs;
use crate::nixos::generate::{run, Options};
use std::path::PathBuf;

/// The .config `make defconfig` writes for the loaded tree's arch.
pub(crate) fn arch_defconfig(
    k: &crate::model::Kconfig,
    root: &std::path::Path,
    arch: &str,
) -> Result<String, String> {
    let file = crate::tree::default_defconfig(arch)
        .ok_or_else(|| format!("no defconfig known for {arch}"))?;
    let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let prefix = crate::eval::config::Prefix::default();
    let mut ev = crate::eval::Evaluator::new(k);
    ev.read_config(&text, &prefix, false);
    ev.set_all_new_symbols(crate::eval::modes::NewSymbolPolicy::Default);
    Ok(ev.write_config(&prefix))
}

pub fn nixos(tree: &TreeArgs, files: &[PathBuf], options: Options, json: bool) -> i32 {
    let (root, loaded) =
        match super::make::load_for_command("nixos", &tree.tree, &tree.arch, &tree.probes, true) {
            Ok(l) => l,
            Err(code) => return code,
        };
    let k = &loaded.kconfig;
    // nixpkgs concatenates the answers texts into one file.
    let mut text = String::new();
    for f in files {
        match std::fs::read_to_string(f) {
            Ok(t) => {
                text.push_str(&t);
                if !t.ends_with('\n') {
                    text.push('\n');
                }
            }
            Err(e) => {
                eprintln!("kconfig-sat nixos: {}: {e}", f.display());
                return 2;
            }
        }
    }
    let defconfig = match arch_defconfig(k, &root, &tree.arch) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("kconfig-sat nixos: {e}");
            return 2;
        }
    };
    let verdict = run(k, &defconfig, &text, options);
    let lints = match crate::nixos::answers::parse(&text) {
        Ok(answers) => crate::nixos::lint::lint(k, &answers),
        Err(_) => Vec::new(),
    };
    if json {
        let report = serde_json::json!({
            "schema": 1,
            "verdict": verdict,
            "exit_code": verdict.exit_code(),
            "lints": lints,
        });
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for line in verdict.log() {
            crate::outln!("{line}");
        }
        if !verdict.config.is_empty() {
            let prefix = crate::eval::config::Prefix::default();
            let mut ev = crate::eval::Evaluator::new(k);
            ev.read_config(&verdict.config, &prefix, false);
            for f in &verdict.findings {
                let Some(s) = k.lookup(&f.name).filter(|&s| {
                    !k.sym(s).is_const && k.sym(s).ty != crate::model::SymType::Unknown
                }) else {
                    continue; // the lints below name the right option
                };
                crate::outln!("\n{}: why", f.name);
                let steps = crate::sat::explain::why(&mut ev, s, Some(&f.wanted));
                crate::out!("{}", super::explain::render_steps(&steps, 2));
            }
        }
        if !lints.is_empty() {
            crate::outln!("\nWhat nixpkgs does not check:");
            for l in &lints {
                crate::out!(
                    "{}",
                    super::explain::wrap(
                        &format!("line {}: {}: {}", l.line, l.name, l.message),
                        "  ",
                        "    "
                    )
                );
                if let Some(s) = &l.suggestion {
                    crate::outln!("    write: {s}");
                }
            }
        }
    }
    match (&verdict.fatal, verdict.exit_code()) {
        (Some(crate::nixos::generate::Fatal::InvalidConfigLine { .. }), _) => 2,
        (_, 0) => 0,
        _ => 1,
    }
}
