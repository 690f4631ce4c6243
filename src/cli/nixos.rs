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

/// The model has no defconfig: every option starts at its default.
fn model_defaults(k: &crate::model::Kconfig) -> String {
    let prefix = crate::eval::config::Prefix::default();
    let mut ev = crate::eval::Evaluator::new(k);
    ev.set_all_new_symbols(crate::eval::modes::NewSymbolPolicy::Default);
    ev.write_config(&prefix)
}

/// A located problem in an input file, shown with its source line.
fn diagnostic(file: &str, text: &str, span: (usize, usize), message: &str) -> String {
    let (offset, len) = span;
    let offset = offset.min(text.len());
    let line = text[..offset].matches('\n').count() + 1;
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    let d = crate::frontend::diag::KconfigError {
        location: format!("{file}:{line}:{col}"),
        file_line: format!("{file}:{line}"),
        message: message.to_string(),
        source_code: Some(miette::NamedSource::new(file, text.to_string())),
        span: Some(miette::SourceSpan::new(
            offset.into(),
            len.min(text.len() - offset),
        )),
        help: None,
    };
    format!("{:?}", miette::Report::new(d))
}

/// What the input files say.
struct Inputs {
    /// The answers text nixpkgs would build.
    text: String,
    /// `file:line` of each line of `text`.
    origins: Vec<String>,
    /// Some .nix construct could not be read without evaluating Nix.
    unreadable: bool,
    /// `boot.kernel.sysctl` settings.
    sysctls: Vec<(String, String)>,
}

/// The answers text of all inputs (nixpkgs concatenates them) and, for each
/// of its lines, `file:line` of where it was written. `.nix` files are read
/// with a Nix parser; others are answers files.
fn read_inputs(files: &[PathBuf], version: &str) -> Result<Inputs, i32> {
    let mut unreadable = false;
    let mut sysctls = Vec::new();
    let mut text = String::new();
    let mut origins = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let content = std::fs::read_to_string(f).map_err(|e| {
            eprintln!("kconfig-sat nixos: {name}: {e}");
            2
        })?;
        if name.ends_with(".nix") {
            match crate::nixos::nixfile::extract(&content, version) {
                Err(problems) => {
                    // The first error; the parser's recovery makes the rest noise.
                    if let Some(p) = problems.first() {
                        eprintln!("{}", diagnostic(&name, &content, p.span, &p.message));
                    }
                    eprintln!("kconfig-sat nixos: {name}: not valid Nix; nothing checked");
                    return Err(2);
                }
                Ok(x) => {
                    unreadable |= !x.unsupported.is_empty();
                    sysctls.extend(x.sysctls.iter().cloned());
                    for p in &x.unsupported {
                        eprintln!("{}", diagnostic(&name, &content, p.span, &p.message));
                    }
                    for o in &x.lines {
                        let line = content[..o.span.0.min(content.len())].matches('\n').count() + 1;
                        text.push_str(&o.line);
                        text.push('\n');
                        origins.push(format!("{name}:{line}"));
                    }
                }
            }
        } else {
            for (i, l) in content.lines().enumerate() {
                text.push_str(l);
                text.push('\n');
                origins.push(format!("{name}:{}", i + 1));
            }
        }
    }
    Ok(Inputs {
        text,
        origins,
        unreadable,
        sysctls,
    })
}

/// Exit status: 0 nixpkgs accepts the options, 1 the build would fail
/// (error findings, repeated question, conflicting answers), 2 bad input
/// (invalid answers line, Nix that cannot be read).
pub fn nixos(
    tree: &TreeArgs,
    files: &[PathBuf],
    options: Options,
    checks: &super::args::RuleArgs,
    json: bool,
) -> i32 {
    // Without --tree: the embedded grsecurity model, so that the seed's
    // configuration can be checked on a fresh machine.
    let embedded = tree.tree.is_none();
    if embedded && tree.is_modified() {
        eprintln!(
            "kconfig-sat nixos: --patch and --overlay change a kernel tree: give one with --tree"
        );
        return 2;
    }
    let (root, loaded) = if embedded {
        eprintln!(
            "kconfig-sat nixos: no --tree given: checking against the embedded grsecurity model ({})",
            crate::tree::GRSECURITY_MODEL
        );
        let options = crate::frontend::parser::ParseOptions {
            menu_structure: true,
            ..Default::default()
        };
        match crate::tree::load_grsecurity_model(options) {
            Ok(l) => (PathBuf::new(), l),
            Err(errors) => {
                for e in errors.errors {
                    eprintln!("{:?}", miette::Report::new(e));
                }
                return 1;
            }
        }
    } else {
        match super::make::load_for_command("nixos", tree, true) {
            Ok(l) => l,
            Err(code) => return code,
        }
    };
    let k = &loaded.kconfig;
    // The model is of grsecurity for Linux 3.11.
    let version = if embedded {
        "3.11.9".to_string()
    } else {
        crate::tree::kernel_version(&root).unwrap_or_default()
    };
    let Inputs {
        text,
        origins,
        unreadable,
        sysctls,
    } = match read_inputs(files, &version) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let packs = match checks.load("nixos") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let defconfig = match if embedded {
        Ok(model_defaults(k))
    } else {
        arch_defconfig(k, &root, &tree.arch)
    } {
        Ok(d) => d,
        Err(e) => {
            eprintln!("kconfig-sat nixos: {e}");
            return 2;
        }
    };
    let verdict = run(k, &defconfig, &text, options);
    let answers = crate::nixos::answers::parse(&text).unwrap_or_default();
    let facts = checks.facts(
        sysctls,
        answers
            .iter()
            .filter(|a| a.value == "y")
            .map(|a| a.name.clone())
            .collect(),
    );
    let final_config = if verdict.config.is_empty() {
        defconfig.clone()
    } else {
        verdict.config.clone()
    };
    let mut final_ev = crate::eval::Evaluator::new(k);
    final_ev.read_config(
        &final_config,
        &crate::eval::config::Prefix::default(),
        false,
    );
    let violations: Vec<crate::nixos::rules::Violation> = packs
        .iter()
        .flat_map(|p| crate::nixos::rules::check(p, &mut final_ev, &facts))
        .collect();
    let rule_errors = violations
        .iter()
        .any(|v| v.severity == crate::nixos::rules::Severity::Error);
    let lints = crate::nixos::lint::lint(k, &answers);
    let answers_lines: std::collections::HashMap<String, usize> =
        answers.iter().map(|a| (a.name.clone(), a.line)).collect();
    if json {
        let report = serde_json::json!({
            "schema": 1,
            "verdict": verdict,
            "exit_code": verdict.exit_code(),
            "lints": lints,
            "rules": violations,
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
            // final_ev already holds this configuration.
            let ev = &mut final_ev;
            for f in &verdict.findings {
                let Some(s) = k.lookup(&f.name).filter(|&s| {
                    !k.sym(s).is_const && k.sym(s).ty != crate::model::SymType::Unknown
                }) else {
                    continue; // the lints below name the right option
                };
                let at = answers_lines
                    .get(&f.name)
                    .and_then(|&line| origins.get(line.wrapping_sub(1)))
                    .cloned()
                    .unwrap_or_default();
                crate::outln!("\n{} (written at {at}): why", f.name);
                let steps = crate::sat::explain::why(ev, s, Some(&f.wanted));
                crate::out!("{}", super::explain::render_steps(&steps, 2));
            }
        }
        if !lints.is_empty() {
            crate::outln!("\nWhat nixpkgs does not check:");
            for l in &lints {
                let at = origins
                    .get(l.line.wrapping_sub(1))
                    .cloned()
                    .unwrap_or_default();
                crate::out!(
                    "{}",
                    super::explain::wrap(&format!("{at}: {}: {}", l.name, l.message), "  ", "    ")
                );
                if let Some(s) = &l.suggestion {
                    crate::outln!("    write: {s}");
                }
            }
        }
    }
    if !json {
        for p in &packs {
            crate::out!("{}", render_pack(k, p, &violations, &mut final_ev));
        }
    }
    match (&verdict.fatal, verdict.exit_code()) {
        _ if rule_errors && verdict.fatal.is_none() && !unreadable => 1,
        (Some(crate::nixos::generate::Fatal::InvalidConfigLine { .. }), _) => 2,
        _ if unreadable => 2,
        (_, 0) => 0,
        _ => 1,
    }
}

/// One pack's verdict: its broken rules, each explained.
fn render_pack(
    k: &crate::model::Kconfig,
    pack: &crate::nixos::rules::Pack,
    violations: &[crate::nixos::rules::Violation],
    ev: &mut crate::eval::Evaluator,
) -> String {
    use super::explain::{render_steps, wrap};
    let mut out = format!(
        "\nRule pack {}: {}\n",
        pack.pack.name, pack.pack.description
    );
    // Symbols the pack's conditions name that this tree lacks.
    let mut missing: Vec<String> = Vec::new();
    for r in &pack.rules {
        for e in r.when.iter() {
            for word in e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if !word.is_empty()
                    && word.chars().any(|c| c.is_ascii_alphabetic())
                    && k.lookup(word)
                        .is_none_or(|s| k.sym(s).ty == crate::model::SymType::Unknown)
                    && !missing.iter().any(|m| m == word)
                {
                    missing.push(word.to_string());
                }
            }
        }
    }
    if !missing.is_empty() {
        out.push_str(&wrap(
            &format!(
                "not in this tree: {} (rules that need them do not apply; a grsecurity tree or overlay has them)",
                missing.join(", ")
            ),
            "  ",
            "    ",
        ));
    }
    let mine: Vec<_> = violations
        .iter()
        .filter(|v| v.pack == pack.pack.name)
        .collect();
    if mine.is_empty() {
        out.push_str("  every rule that applies holds\n");
    }
    for v in mine {
        let level = match v.severity {
            crate::nixos::rules::Severity::Error => "error",
            crate::nixos::rules::Severity::Warning => "warning",
            crate::nixos::rules::Severity::Info => "info",
        };
        out.push_str(&wrap(
            &format!("{level} [{}]: {}", v.id, v.message),
            "  ",
            "    ",
        ));
        out.push_str(&wrap(
            &format!("why it matters: {}", v.rationale),
            "    ",
            "      ",
        ));
        if !v.source.is_empty() {
            out.push_str(&wrap(&format!("source: {}", v.source), "    ", "      "));
        }
        // Each symbol once, towards the first value that would satisfy.
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &v.wanted {
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name);
            let Some(s) = k
                .lookup(name)
                .filter(|&s| k.sym(s).ty != crate::model::SymType::Unknown)
            else {
                continue;
            };
            let current = ev.string_value(s);
            if v.wanted.iter().any(|(n, w)| n == name && *w == current) {
                continue;
            }
            out.push_str(&render_steps(
                &crate::sat::explain::why(ev, s, Some(value)),
                4,
            ));
        }
    }
    out
}

/// `kconfig-sat report`: the seed's feature table for the configuration
/// nixpkgs builds from FILES (answers or .nix), or for `--config FILE`.
pub fn report(
    tree: &TreeArgs,
    files: &[PathBuf],
    config: Option<&std::path::Path>,
    json: bool,
) -> i32 {
    let (root, loaded) = match super::make::load_for_command("report", tree, true) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let k = &loaded.kconfig;
    let version = crate::tree::kernel_version(&root).unwrap_or_default();
    let Inputs {
        text,
        sysctls,
        unreadable,
        ..
    } = match read_inputs(files, &version) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let final_config = match config {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("kconfig-sat report: {}: {e}", path.display());
                return 2;
            }
        },
        None => {
            let defconfig = match arch_defconfig(k, &root, &tree.arch) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("kconfig-sat report: {e}");
                    return 2;
                }
            };
            let verdict = run(k, &defconfig, &text, Options::default());
            if let Some(f) = &verdict.fatal {
                eprintln!("kconfig-sat report: nixpkgs would stop: {}", f.message());
                return 1;
            }
            verdict.config
        }
    };
    let mut ev = crate::eval::Evaluator::new(k);
    ev.read_config(
        &final_config,
        &crate::eval::config::Prefix::default(),
        false,
    );
    let rows = crate::nixos::report::report(&mut ev, &sysctls);
    if json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
    } else {
        for r in &rows {
            let head = format!("{:<35} {:<9} ", r.feature, r.state);
            crate::out!(
                "{}",
                super::explain::wrap(&r.provided_by, &head, &" ".repeat(46))
            );
        }
    }
    if unreadable {
        2
    } else {
        0
    }
}
