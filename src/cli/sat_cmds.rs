//! Commands on the SAT encoding of a tree.

use super::args::{RequestArgs, RuleArgs, TreeArgs};
use std::path::Path;

/// `kconfig-sat dimacs`: writes the tree's CNF (atomically) or prints it.
pub fn dimacs(args: &TreeArgs, output: Option<&Path>) -> i32 {
    let arch = &args.arch;
    let (tree, loaded) = match super::make::load_for_command("dimacs", args, false) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let enc = crate::sat::encode::Encoding::new(&loaded.kconfig);
    let header = format!(
        "kconfig-sat CNF of Linux {} for ARCH={arch}\n{} variables, {} clauses; see docs/semantics.md",
        crate::tree::kernel_version(&tree).unwrap_or_default(),
        enc.variables(),
        enc.clauses()
    );
    let text = crate::sat::dimacs::to_dimacs(&enc, &header);
    match output {
        Some(path) => match super::fsutil::write_atomic(path, text.as_bytes()) {
            Ok(()) => {
                eprintln!(
                    "wrote {} ({} variables, {} clauses)",
                    path.display(),
                    enc.variables(),
                    enc.clauses()
                );
                0
            }
            Err(e) => {
                eprintln!("kconfig-sat dimacs: {}: {e}", path.display());
                1
            }
        },
        None => {
            use std::io::Write;
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            if lock.write_all(text.as_bytes()).is_err() {
                return 1;
            }
            0
        }
    }
}

/// The constraints of the rule packs named, under the facts given; the
/// requests' y values count as the user's answers.
pub(crate) struct Rules {
    pub packs: Vec<crate::nixos::rules::Pack>,
    pub facts: crate::nixos::rules::Facts,
    pub constraints: Vec<crate::sat::constraint::Constraint>,
}

fn rule_constraints(
    command: &str,
    k: &crate::model::Kconfig,
    rules: &RuleArgs,
    requests: &[crate::sat::request::Request],
) -> Result<Rules, i32> {
    let packs = rules.load(command)?;
    let facts = rules.facts(
        Vec::new(),
        requests
            .iter()
            .filter(|r| r.wanted.text() == "y")
            .map(|r| k.sym(r.sym).name.clone())
            .collect(),
    );
    let constraints = packs
        .iter()
        .flat_map(|p| crate::nixos::rules::constraints(p, &facts))
        .collect();
    Ok(Rules {
        packs,
        facts,
        constraints,
    })
}

impl Rules {
    /// The rules whose `explicit` groups apply to `ev`'s configuration and
    /// that the requests leave unanswered.
    fn unanswered(&self, ev: &mut crate::eval::Evaluator) -> Vec<(String, Vec<Vec<String>>)> {
        self.packs
            .iter()
            .flat_map(|p| crate::nixos::rules::unanswered(p, ev, &self.facts))
            .collect()
    }
}

/// What check, solve and explain start from: the tree (loaded with its
/// menu structure, for explanations), the requests, the base configuration
/// as conf writes it, and the rules as constraints.
pub(crate) struct Session {
    pub loaded: crate::tree::Loaded,
    pub input: RequestInput,
    pub base: String,
    pub rules: Rules,
}

/// Builds a [`Session`]; `base` is "defconfig" (the arch's) or a `.config`
/// path. On failure the message has been printed and the exit status is
/// returned.
pub(crate) fn start_session(
    command: &str,
    tree: &TreeArgs,
    requests: &RequestArgs,
    base: &str,
    rules: &RuleArgs,
) -> Result<Session, i32> {
    let (root, loaded) = super::make::load_for_command(command, tree, true)?;
    let k = &loaded.kconfig;
    let input = read_requests(k, &requests.files, &requests.set)?;
    let base = base_config(k, &root, &tree.arch, base)?;
    let rules = rule_constraints(command, k, rules, &input.requests)?;
    Ok(Session {
        loaded,
        input,
        base,
        rules,
    })
}

/// `kconfig-sat check`: can the requested values hold together (and with
/// the rules)? `--base`: "defconfig" (the arch's) or a `.config` path.
pub fn check(
    tree: &TreeArgs,
    requests: &RequestArgs,
    rules: &RuleArgs,
    fixes: usize,
    json: bool,
) -> i32 {
    use crate::sat::check::check_with_rules as run_check;
    let Session {
        loaded,
        input,
        base,
        rules,
    } = match start_session("check", tree, requests, &requests.base, rules) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let k = &loaded.kconfig;
    let constraints = &rules.constraints;
    let mut report = run_check(
        k,
        &input.requests,
        input.bad.clone(),
        Some(&base),
        constraints,
    );
    crate::sat::check::explain_rejections(
        k,
        &mut report,
        &input.requests,
        &base,
        fixes,
        constraints,
    );
    // Rules about the answers themselves, judged on conf's result.
    if !rules.packs.is_empty() {
        let lines: Vec<_> = input
            .requests
            .iter()
            .map(|r| (r.sym, r.wanted.text()))
            .collect();
        let mut ev = crate::sat::solve::evaluate(k, &base, &lines);
        for (id, groups) in rules.unanswered(&mut ev) {
            report.rules.push(crate::sat::check::RuleResult {
                id,
                text: groups
                    .iter()
                    .map(|g| format!("one of {} answered y", g.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; "),
                status: crate::sat::check::RuleStatus::NotAnswered,
                conflicts_with: Vec::new(),
                explanation: Vec::new(),
            });
        }
    }
    if json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        crate::out!("{}", human_report(&report, &input));
    }
    report.exit_code()
}

fn human_report(report: &crate::sat::check::CheckReport, input: &RequestInput) -> String {
    use super::explain::{conflict_diagnostic, render_fixes, render_steps};
    let mut out = String::new();
    for b in &report.bad_lines {
        let mut line = format!(
            "{}:{}:{}: {}: {}",
            b.file, b.line, b.column, b.text, b.problem
        );
        if !b.suggestions.is_empty() {
            line.push_str(&format!(" (did you mean {}?)", b.suggestions.join(", ")));
        }
        out.push_str(&super::explain::wrap(&line, "", "    "));
    }
    let mut shown_conflicts: Vec<Vec<usize>> = Vec::new();
    for (i, r) in report.results.iter().enumerate() {
        if r.achieved && r.needs_other_changes {
            out.push_str(&super::explain::wrap(
                &format!(
                    "{}:{}: {}: possible, but not as written: conf gives {} other lines are needed (see the fixes)",
                    r.file,
                    r.line,
                    r.text,
                    r.explanation
                        .first()
                        .map(|s| format!("{};", s.value))
                        .unwrap_or_else(|| "another value;".to_string())
                ),
                "",
                "    ",
            ));
            out.push_str(&render_steps(&r.explanation, 4));
            continue;
        }
        if r.achieved {
            out.push_str(&super::explain::wrap(
                &format!("{}:{}: {}: ok", r.file, r.line, r.text),
                "",
                "    ",
            ));
            continue;
        }
        let why = r.category.map(|c| c.describe()).unwrap_or("rejected");
        out.push_str(&super::explain::wrap(
            &format!("{}:{}: {}: rejected, {why}", r.file, r.line, r.text),
            "",
            "    ",
        ));
        out.push_str(&render_steps(&r.explanation, 4));
        if !r.conflicts_with_rules.is_empty() {
            out.push_str(&super::explain::wrap(
                &format!("forbidden by rule {}", r.conflicts_with_rules.join(", ")),
                "    ",
                "      ",
            ));
        }
        if !r.conflicts_with.is_empty() {
            // One diagnostic per conflicting set, at its first member.
            let mut members: Vec<usize> = vec![i];
            members.extend(report.results.iter().enumerate().filter_map(|(j, o)| {
                (o.file == r.file && r.conflicts_with.contains(&o.line)).then_some(j)
            }));
            members.sort_unstable();
            if !shown_conflicts.contains(&members) {
                out.push_str(&conflict_diagnostic(&members, input));
                shown_conflicts.push(members);
            }
        }
    }
    for rule in &report.rules {
        use crate::sat::check::RuleStatus;
        let lines = |ls: &[usize]| {
            ls.iter()
                .map(|l| format!("line {l}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let verdict = match rule.status {
            RuleStatus::Holds => "holds".to_string(),
            RuleStatus::NeedsChanges => {
                "broken by conf's result, but other changes can meet it (kconfig-sat solve --rules finds the fewest)".to_string()
            }
            RuleStatus::ConflictsWithRequests => {
                format!("cannot hold together with {}", lines(&rule.conflicts_with))
            }
            RuleStatus::Impossible => "no configuration of this tree meets it".to_string(),
            RuleStatus::NotAnswered => {
                "not answered explicitly (kconfig-sat solve --rules adds the lines)".to_string()
            }
        };
        out.push_str(&super::explain::wrap(
            &format!("rule {} ({}): {verdict}", rule.id, rule.text),
            "",
            "    ",
        ));
        out.push_str(&render_steps(&rule.explanation, 4));
    }
    out.push_str(&render_fixes(&report.fixes, &input.requests));
    let held = report.results.iter().filter(|r| r.achieved).count();
    let not_as_written = report
        .results
        .iter()
        .filter(|r| r.needs_other_changes)
        .count();
    out.push_str(&format!(
        "{held} of {} requests hold together{}{}.\n",
        report.results.len()
            + report
                .bad_lines
                .iter()
                .filter(|b| !b.is_input_error)
                .count(),
        if not_as_written > 0 {
            format!(" ({not_as_written} only with other lines)")
        } else {
            String::new()
        },
        if report.bad_lines.iter().any(|b| b.is_input_error) {
            "; fix the malformed lines"
        } else {
            ""
        }
    ));
    if !report.rules.is_empty() {
        out.push_str(&format!(
            "{} of {} rules hold.\n",
            report.rules.iter().filter(|r| r.holds()).count(),
            report.rules.len()
        ));
    }
    out
}

/// One arch's figures for `kconfig-sat bench`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchRow {
    pub arch: String,
    pub symbols: usize,
    pub parse_ms: f64,
    pub evaluate_ms: f64,
    pub encode_ms: f64,
    pub solve_ms: f64,
    pub variables: usize,
    pub clauses: usize,
    pub satisfiable: bool,
}

/// `kconfig-sat bench`: parse (with probes per `probes`), evaluate the
/// arch's defconfig, encode, and solve once, per arch.
pub fn bench(tree: &Path, arches: &[String], probes: &str, json: bool) -> i32 {
    use std::io::IsTerminal;
    use std::time::Instant;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let progress = std::io::stderr().is_terminal();
    let mut rows = Vec::new();
    for (i, arch) in arches.iter().enumerate() {
        if progress {
            eprint!("\r\x1b[K[{}/{}] {arch}", i + 1, arches.len());
        }
        let t = Instant::now();
        let args = TreeArgs::plain(tree.to_path_buf(), arch, probes);
        let (tree, loaded) = match super::make::load_for_command("bench", &args, false) {
            Ok(l) => l,
            Err(code) => return code,
        };
        let parse = t.elapsed();
        let k = &loaded.kconfig;
        let t = Instant::now();
        let mut ev = crate::eval::Evaluator::new(k);
        let prefix = crate::eval::config::Prefix::default();
        if let Some(text) = crate::tree::default_defconfig(arch)
            .and_then(|f| std::fs::read_to_string(tree.join(f)).ok())
        {
            ev.read_config(&text, &prefix, false);
        }
        let _config = ev.write_config(&prefix);
        let evaluate = t.elapsed();
        let t = Instant::now();
        let enc = crate::sat::encode::Encoding::new(k);
        let encode = t.elapsed();
        let t = Instant::now();
        let mut solver = varisat::Solver::new();
        solver.add_formula(&enc.b.cnf);
        let satisfiable = solver.solve().unwrap_or(false);
        let solve = t.elapsed();
        rows.push(BenchRow {
            arch: arch.clone(),
            symbols: k.config_symbols().count(),
            parse_ms: ms(parse),
            evaluate_ms: ms(evaluate),
            encode_ms: ms(encode),
            solve_ms: ms(solve),
            variables: enc.variables(),
            clauses: enc.clauses(),
            satisfiable,
        });
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    if json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
    } else {
        crate::outln!("| arch | symbols | parse ms | evaluate ms | encode ms | solve ms | variables | clauses | SAT |");
        crate::outln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for r in &rows {
            crate::outln!(
                "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
                r.arch,
                r.symbols,
                r.parse_ms,
                r.evaluate_ms,
                r.encode_ms,
                r.solve_ms,
                r.variables,
                r.clauses,
                if r.satisfiable { "yes" } else { "NO" }
            );
        }
        crate::outln!("(ConfigFix, x86 Linux 6.17: 75,888 variables, 308,209 clauses, unsatisfiable from 6.16 on.)");
    }
    if rows.iter().all(|r| r.satisfiable) {
        0
    } else {
        1
    }
}

/// The requests of a command, with the text of every file they came from.
pub(crate) struct RequestInput {
    pub requests: Vec<crate::sat::request::Request>,
    pub bad: Vec<crate::sat::request::BadRequest>,
    /// (name, text) of each request file, `<command line>` for `--set`.
    pub sources: Vec<(String, String)>,
}

/// Requests from files and `--set` lines. Malformed lines are shown at once
/// as diagnostics pointing into their file (stderr).
pub(crate) fn read_requests(
    k: &crate::model::Kconfig,
    files: &[std::path::PathBuf],
    set: &[String],
) -> Result<RequestInput, i32> {
    use crate::sat::request::parse_requests;
    let mut sources: Vec<(String, String)> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| {
            eprintln!("kconfig-sat: {}: {e}", f.display());
            2
        })?;
        sources.push((f.display().to_string(), text));
    }
    if !set.is_empty() {
        sources.push(("<command line>".to_string(), set.join("\n")));
    }
    let mut requests = Vec::new();
    let mut bad = Vec::new();
    for (name, text) in &sources {
        let (r, b) = parse_requests(k, name, text);
        for problem in &b {
            eprintln!(
                "{:?}",
                miette::Report::new(request_diagnostic(problem, text))
            );
        }
        requests.extend(r);
        bad.extend(b);
    }
    Ok(RequestInput {
        requests,
        bad,
        sources,
    })
}

/// A bad request line as a located diagnostic over its file's text.
fn request_diagnostic(
    b: &crate::sat::request::BadRequest,
    text: &str,
) -> crate::frontend::diag::KconfigError {
    let (offset, len) = b.span;
    let mut d = crate::frontend::diag::KconfigError {
        location: format!("{}:{}:{}", b.file, b.line, b.column),
        file_line: format!("{}:{}", b.file, b.line),
        message: b.problem.clone(),
        source_code: Some(miette::NamedSource::new(b.file.clone(), text.to_string())),
        span: Some(miette::SourceSpan::new(
            offset.min(text.len()).into(),
            len.min(text.len().saturating_sub(offset)),
        )),
        help: None,
    };
    if !b.suggestions.is_empty() {
        d = d.with_help(format!("did you mean {}?", b.suggestions.join(", ")));
    }
    d
}

/// The base configuration as conf writes it: "defconfig" (the arch's) or a file.
pub(crate) fn base_config(
    k: &crate::model::Kconfig,
    tree: &Path,
    arch: &str,
    base: &str,
) -> Result<String, i32> {
    let text = if base == "defconfig" {
        let Some(file) = crate::tree::default_defconfig(arch) else {
            eprintln!("kconfig-sat: no defconfig known for {arch}; give --base FILE");
            return Err(2);
        };
        std::fs::read_to_string(tree.join(file)).map_err(|e| {
            eprintln!("kconfig-sat: {file}: {e}");
            2
        })?
    } else {
        std::fs::read_to_string(base).map_err(|e| {
            eprintln!("kconfig-sat: --base {base}: {e}");
            2
        })?
    };
    let mut ev = crate::eval::Evaluator::new(k);
    let prefix = crate::eval::config::Prefix::default();
    ev.read_config(&text, &prefix, false);
    Ok(ev.write_config(&prefix))
}

/// `kconfig-sat solve`: a full configuration with the requested values, few
/// changes from the base, written atomically, and its fragment.
pub fn solve(
    tree: &TreeArgs,
    request_args: &RequestArgs,
    rule_args: &RuleArgs,
    output: &Path,
    fragment_out: Option<&Path>,
) -> i32 {
    use crate::sat::solve::{config_line, nixos_line, solve_with_rules, How};
    let Session {
        loaded,
        input: RequestInput { requests, bad, .. },
        base,
        rules,
    } = match start_session("solve", tree, request_args, &request_args.base, rule_args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let k = &loaded.kconfig;
    let constraints = &rules.constraints;
    if !bad.is_empty() {
        let report = crate::sat::check::check(k, &requests, bad.clone(), None);
        let input = RequestInput {
            requests: requests.clone(),
            bad,
            sources: Vec::new(),
        };
        crate::out!("{}", human_report(&report, &input));
        eprintln!("nothing written");
        return report.exit_code().max(1);
    }
    let Some(mut solution) = solve_with_rules(k, &requests, &base, constraints) else {
        let mut report =
            crate::sat::check::check_with_rules(k, &requests, Vec::new(), Some(&base), constraints);
        crate::sat::check::explain_rejections(k, &mut report, &requests, &base, 3, constraints);
        let input = RequestInput {
            requests: requests.clone(),
            bad: Vec::new(),
            sources: Vec::new(),
        };
        crate::out!("{}", human_report(&report, &input));
        eprintln!("the requests cannot hold together; nothing written");
        return 1;
    };
    // Rules that ask for explicit answers get them: the member the solution
    // has at y, as a line of its own (the configuration does not change).
    if !rules.packs.is_empty() {
        let mut solved = crate::eval::Evaluator::new(k);
        solved.read_config(
            &solution.config,
            &crate::eval::config::Prefix::default(),
            false,
        );
        for (_, groups) in rules.unanswered(&mut solved) {
            for group in groups {
                let chosen = group
                    .iter()
                    .filter_map(|n| k.lookup(n))
                    .find(|&s| solved.string_value(s) == "y");
                if let Some(s) = chosen {
                    if !solution.fragment.iter().any(|(f, _)| *f == s) {
                        solution.fragment.push((s, "y".to_string()));
                    }
                }
            }
        }
    }
    if let Err(e) = super::fsutil::write_atomic(output, solution.config.as_bytes()) {
        eprintln!("kconfig-sat solve: {}: {e}", output.display());
        return 1;
    }
    let config_fragment: String = solution
        .fragment
        .iter()
        .map(|(s, v)| config_line(k, *s, v) + "\n")
        .collect();
    if let Some(path) = fragment_out {
        if let Err(e) = super::fsutil::write_atomic(path, config_fragment.as_bytes()) {
            eprintln!("kconfig-sat solve: {}: {e}", path.display());
            return 1;
        }
    }
    let how = match solution.how {
        How::ConfFromBase => "conf reaches the requests from the base".to_string(),
        How::Optimal { changes } => {
            format!("solver: {changes} changes, proven the fewest possible")
        }
        How::BestFound {
            changes,
            lower_bound,
        } => format!(
            "solver: best found within the budget, {changes} changes; at least {lower_bound} are needed"
        ),
    };
    crate::outln!(
        "wrote {} ({how}; {} user-settable symbols differ from the base)",
        output.display(),
        solution.changed.len()
    );
    crate::outln!("fragment (.config form):");
    crate::out!("{config_fragment}");
    crate::outln!("fragment (NixOS form):");
    for (s, v) in &solution.fragment {
        crate::outln!("{}", nixos_line(k, *s, v));
    }
    0
}
