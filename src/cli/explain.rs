//! `kconfig-sat explain`, and the explanations `check` prints: why-chains,
//! conflicts pointing into the user's file, and verified fixes, laid out for
//! an 80-column terminal.

use crate::model::Kconfig;
use crate::sat::explain::Step;
use crate::sat::fix::Fix;
use crate::sat::request::Request;
use std::path::Path;

/// Width the human output is wrapped to.
const WIDTH: usize = 80;

/// Wraps `text` to `WIDTH` columns; the first line starts with `first`, the
/// others with `rest` (both counted).
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// A why-chain as an indented list.
pub fn render_steps(steps: &[Step], indent: usize) -> String {
    let mut out = String::new();
    for s in steps {
        let pad = " ".repeat(indent + 2 * s.depth);
        let head = format!("{pad}- ");
        let cont = format!("{pad}  ");
        let mut text = format!("{} [={}]: {}", s.symbol, s.value, s.fact);
        if s.changeable {
            text.push_str(" (you can change this)");
        }
        out.push_str(&wrap(&text, &head, &cont));
        if let Some(loc) = &s.location {
            out.push_str(&format!("{cont}at {loc}\n"));
        }
    }
    out
}

/// Fixes as numbered blocks of lines to paste.
pub fn render_fixes(fixes: &[Fix], requests: &[Request]) -> String {
    let mut out = String::new();
    if fixes.is_empty() {
        return out;
    }
    out.push_str("Fixes (each verified with the exact evaluator; fewest changes first):\n");
    for (n, f) in fixes.iter().enumerate() {
        if f.changes == 0 {
            out.push_str(&format!(
                "  {}. no further change: conf reaches it from the lines as they are\n",
                n + 1
            ));
            continue;
        }
        out.push_str(&format!(
            "  {}. {} change{}{}, {} symbols differ from the base\n",
            n + 1,
            f.changes,
            if f.changes == 1 { "" } else { "s" },
            if f.proven_fewest {
                " (proven fewest)"
            } else {
                ""
            },
            f.distance
        ));
        for &i in &f.drop {
            if let Some(r) = requests.get(i) {
                out.push_str(&wrap(
                    &format!("drop {}:{}: {}", r.file, r.line, r.text),
                    "       ",
                    "         ",
                ));
            }
        }
        for (c, x) in f.set_config.iter().zip(&f.set_nixos) {
            let line = format!("       {c:<40} # NixOS: {x}");
            if line.chars().count() <= WIDTH {
                out.push_str(&line);
                out.push('\n');
            } else {
                out.push_str(&format!("       {c}\n         # NixOS: {x}\n"));
            }
        }
    }
    out
}

/// Requests that cannot hold together, as one diagnostic with a label on
/// each line (coloured on a terminal, plain when piped).
#[derive(Debug, miette::Diagnostic, thiserror::Error)]
#[error("these requests cannot hold together")]
#[diagnostic(code(kconfig::conflict))]
struct ConflictDiagnostic {
    #[source_code]
    source_code: miette::NamedSource<String>,
    #[label(collection)]
    labels: Vec<miette::LabeledSpan>,
    #[help]
    help: Option<String>,
}

/// The conflicting `members` (indices into the requests) pointed out in
/// their file; members from other files are named in the help line.
pub(crate) fn conflict_diagnostic(
    members: &[usize],
    input: &super::sat_cmds::RequestInput,
) -> String {
    use std::io::IsTerminal;
    let requests: Vec<&Request> = members
        .iter()
        .filter_map(|&i| input.requests.get(i))
        .collect();
    let Some(first) = requests.first() else {
        return String::new();
    };
    let Some((name, text)) = input.sources.iter().find(|(n, _)| *n == first.file) else {
        return String::new();
    };
    let labels = requests
        .iter()
        .filter(|r| r.file == *name)
        .map(|r| {
            let (offset, len) = r.span;
            miette::LabeledSpan::new(None, offset.min(text.len()), len)
        })
        .collect();
    let elsewhere: Vec<String> = requests
        .iter()
        .filter(|r| r.file != *name)
        .map(|r| format!("{}:{} ({})", r.file, r.line, r.text))
        .collect();
    let diagnostic = ConflictDiagnostic {
        source_code: miette::NamedSource::new(name.clone(), text.clone()),
        labels,
        help: (!elsewhere.is_empty()).then(|| format!("together with {}", elsewhere.join(", "))),
    };
    let theme = if std::io::stdout().is_terminal() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(WIDTH);
    if handler.render_report(&mut out, &diagnostic).is_err() {
        return String::new();
    }
    out
}

#[derive(serde::Serialize)]
struct ExplainReport<'a> {
    schema: u32,
    symbol: &'a str,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    wanted: Option<String>,
    holds: bool,
    /// Whether some configuration of the tree has the wanted value.
    #[serde(skip_serializing_if = "Option::is_none")]
    possible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<crate::sat::check::Category>,
    /// `file:line` of requests that, with this one, cannot hold together.
    conflicts_with: Vec<String>,
    /// Rules (from `--rules`) that forbid the value, with those requests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    conflicts_with_rules: Vec<String>,
    steps: Vec<Step>,
    fixes: Vec<Fix>,
}

/// `kconfig-sat explain SYMBOL[=VALUE]`.
pub fn explain(
    tree: &super::args::TreeArgs,
    request_args: &super::args::RequestArgs,
    rule_args: &super::args::RuleArgs,
    target: &str,
    config: Option<&Path>,
    fix_count: usize,
    json: bool,
) -> i32 {
    let base_spec = match config {
        Some(path) => path.display().to_string(),
        None => request_args.base.clone(),
    };
    let super::sat_cmds::Session {
        loaded,
        input: super::sat_cmds::RequestInput {
            mut requests, bad, ..
        },
        base,
        rules,
    } = match super::sat_cmds::start_session("explain", tree, request_args, &base_spec, rule_args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let k = &loaded.kconfig;
    let constraints = &rules.constraints;
    if bad.iter().any(|b| b.is_input_error) {
        eprintln!("kconfig-sat explain: fix the malformed request lines first");
        return 2;
    }
    let Some((sym, wanted)) = parse_target(k, target) else {
        let suggestions = crate::sat::request::closest_names(k, target);
        eprintln!(
            "kconfig-sat explain: '{target}' is not a symbol of this tree{}",
            if suggestions.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", suggestions.join(", "))
            }
        );
        return 2;
    };
    // The configuration explained: conf's result for the base and requests.
    let context: Vec<_> = requests.iter().map(|r| (r.sym, r.wanted.text())).collect();
    let (_, mut ev) = crate::sat::solve::apply(k, &base, &context);
    let value = ev.string_value(sym);
    let steps = crate::sat::explain::why(&mut ev, sym, wanted.as_deref());
    let holds = wanted.as_ref().is_none_or(|w| *w == value);
    let mut report = ExplainReport {
        schema: 1,
        symbol: &k.sym(sym).name,
        value: value.clone(),
        wanted: wanted.clone(),
        holds,
        possible: None,
        category: None,
        conflicts_with: Vec::new(),
        conflicts_with_rules: Vec::new(),
        steps,
        fixes: Vec::new(),
    };
    let judged_by_rules = !constraints.is_empty();
    if let (Some(w), true) = (&wanted, !holds || judged_by_rules) {
        let line = crate::sat::solve::config_line(k, sym, w);
        let (target_requests, target_bad) =
            crate::sat::request::parse_requests(k, "<target>", &line);
        if let Some(bad) = target_bad.first() {
            eprintln!("kconfig-sat explain: {target}: {}", bad.problem);
            return 2;
        }
        requests.retain(|r| r.sym != sym);
        let index = requests.len();
        requests.extend(target_requests);
        let checked =
            crate::sat::check::check_with_rules(k, &requests, Vec::new(), Some(&base), constraints);
        if let Some(r) = checked.results.get(index) {
            report.conflicts_with_rules = r.conflicts_with_rules.clone();
            report.category = r.category;
            report.possible = Some(!matches!(
                r.category,
                Some(c) if c.impossible_alone()
            ));
            report.conflicts_with = r
                .conflicts_with
                .iter()
                .filter_map(|&line| {
                    requests
                        .iter()
                        .find(|q| q.line == line && q.file != "<target>")
                })
                .map(|q| format!("{}:{}", q.file, q.line))
                .collect();
        }
        if !holds || !report.conflicts_with_rules.is_empty() {
            let fixes = crate::sat::fix::fixes(k, &requests, &[index], &base, fix_count);
            report.fixes = if constraints.is_empty() {
                fixes
            } else {
                // The requests that, with the target, break a rule.
                let blocked: Vec<usize> = checked
                    .results
                    .get(index)
                    .map(|r| {
                        requests
                            .iter()
                            .enumerate()
                            .filter(|(i, q)| *i != index && r.conflicts_with.contains(&q.line))
                            .map(|(i, _)| i)
                            .collect()
                    })
                    .unwrap_or_default();
                crate::sat::fix::meeting_constraints(
                    k,
                    &requests,
                    &base,
                    fixes,
                    constraints,
                    &blocked,
                )
            };
        }
    }
    let allowed = report.conflicts_with_rules.is_empty();
    if json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        crate::out!("{}", human(&report, &requests));
    }
    i32::from(!holds || !allowed)
}

fn human(r: &ExplainReport, requests: &[Request]) -> String {
    let mut out = match &r.wanted {
        Some(w) if r.holds => format!("{} is {w}, as asked.\n", r.symbol),
        Some(w) => format!("{} is {}, not {w}.\n", r.symbol, r.value),
        None => format!("{} is {}.\n", r.symbol, r.value),
    };
    out.push_str("Why:\n");
    out.push_str(&render_steps(&r.steps, 2));
    if let Some(c) = r.category {
        let verdict = if r.possible == Some(false) {
            format!(
                "no configuration of this tree can have it: {}",
                c.describe()
            )
        } else {
            c.describe().to_string()
        };
        out.push_str(&wrap(&format!("Verdict: {verdict}."), "", "  "));
    }
    if !r.conflicts_with.is_empty() {
        out.push_str(&wrap(
            &format!(
                "It cannot hold together with {}.",
                r.conflicts_with.join(", ")
            ),
            "",
            "  ",
        ));
    }
    if !r.conflicts_with_rules.is_empty() {
        out.push_str(&wrap(
            &format!(
                "The rules forbid it{}: {}.",
                if r.conflicts_with.is_empty() {
                    ""
                } else {
                    " together with those requests"
                },
                r.conflicts_with_rules.join(", ")
            ),
            "",
            "  ",
        ));
    }
    if let (Some(w), false) = (&r.wanted, r.holds && r.conflicts_with_rules.is_empty()) {
        if r.fixes.is_empty() && !r.conflicts_with_rules.is_empty() {
            out.push_str(&wrap(
                "No verified fix meets the rules: drop the request, or the requests it conflicts with and let `kconfig-sat solve --rules` find the rest.",
                "",
                "  ",
            ));
        } else if r.fixes.is_empty() {
            out.push_str("No change to other symbols lets it hold: drop the request.\n");
        } else if r.fixes.iter().any(|f| f.changes == 0) {
            out.push_str(&wrap(
                &format!(
                    "Nothing stops it: set {}={w} and conf keeps it (verified).",
                    r.symbol
                ),
                "",
                "  ",
            ));
        } else {
            out.push_str(&render_fixes(&r.fixes, requests));
        }
    }
    out
}

/// `NAME`, `CONFIG_NAME`, `NAME=VALUE`, `CONFIG_NAME=VALUE` or `NAME VALUE`.
fn parse_target(k: &Kconfig, target: &str) -> Option<(crate::model::SymId, Option<String>)> {
    let t = target.trim();
    let (name, value) = match t.split_once(['=', ' ']) {
        Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"').to_string())),
        None => (t, None),
    };
    let name = name.strip_prefix("CONFIG_").unwrap_or(name);
    let sym = k
        .lookup(name)
        .filter(|&s| !k.sym(s).is_const && k.sym(s).ty != crate::model::SymType::Unknown)?;
    Some((sym, value))
}
