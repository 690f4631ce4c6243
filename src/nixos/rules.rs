//! Rule packs: hardening requirements on a configuration, in TOML
//! (docs/rules.md). A rule names a condition (`when`) and a requirement
//! (`require`), both Kconfig expressions, plus facts about the system that
//! switch it on (`only_if`) or off (`unless`): "Nix builds on this host",
//! or a sysctl the NixOS configuration sets. A rule can also ask that the
//! user's answers name one member of each group explicitly (`explicit`).

use crate::eval::{Evaluator, Tri};
use crate::sat::constraint::{eval, parse_expr, wanted_values, Constraint};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PackInfo {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    /// The rule applies when this holds (not n); always when absent.
    #[serde(default)]
    pub when: Option<String>,
    /// What must be y.
    #[serde(default)]
    pub require: Option<String>,
    /// Groups of options of which the user's answers must set one to y.
    #[serde(default)]
    pub explicit: Vec<Vec<String>>,
    /// Facts that must all hold for the rule to apply.
    #[serde(default)]
    pub only_if: Vec<String>,
    /// Facts any of which exempts the configuration.
    #[serde(default)]
    pub unless: Vec<String>,
    pub rationale: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub pack: PackInfo,
    #[serde(rename = "rule", default)]
    pub rules: Vec<Rule>,
}

/// The packs shipped with kconfig-sat.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "grsecurity",
        include_str!("../../kconfig-data/rules/grsecurity.toml"),
    ),
    ("kspp", include_str!("../../kconfig-data/rules/kspp.toml")),
    ("nixos", include_str!("../../kconfig-data/rules/nixos.toml")),
];

/// A shipped pack by name, or a TOML file. Errors name the file and line.
pub fn load(name_or_path: &str) -> Result<Pack, String> {
    let (label, text) = match SHIPPED.iter().find(|(n, _)| *n == name_or_path) {
        Some((n, t)) => (format!("{n} (shipped)"), t.to_string()),
        None => (
            name_or_path.to_string(),
            std::fs::read_to_string(name_or_path).map_err(|e| format!("{name_or_path}: {e}"))?,
        ),
    };
    let pack: Pack = toml::from_str(&text).map_err(|e| format!("{label}: {e}"))?;
    for r in &pack.rules {
        for e in r.when.iter().chain(&r.require) {
            parse_expr(e).map_err(|m| format!("{label}: rule {}: `{e}`: {m}", r.id))?;
        }
    }
    Ok(pack)
}

/// The facts a configuration is judged with.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Plain facts, e.g. `nix-builds-on-host`.
    pub flags: Vec<String>,
    /// sysctl key -> value, from the NixOS configuration.
    pub sysctls: Vec<(String, String)>,
    /// The names the user's answers set to y.
    pub answered_y: Vec<String>,
}

impl Facts {
    /// `sysctl:KEY=VALUE` or a flag.
    fn holds(&self, fact: &str) -> bool {
        match fact.strip_prefix("sysctl:") {
            Some(kv) => {
                let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
                self.sysctls
                    .iter()
                    .any(|(k, v)| k == key && v.trim_matches('"') == value)
            }
            None => self.flags.iter().any(|f| f == fact),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Violation {
    pub pack: String,
    pub id: String,
    pub severity: Severity,
    pub message: String,
    pub rationale: String,
    pub source: String,
    /// Symbols of the requirement and the value that would satisfy it.
    #[serde(skip)]
    pub wanted: Vec<(String, String)>,
}

/// The rules of `pack` that apply under `facts`, as constraints for the SAT
/// layer (`explicit` groups are about the answers, not the configuration,
/// and are left to [`check`]).
pub fn constraints(pack: &Pack, facts: &Facts) -> Vec<Constraint> {
    pack.rules
        .iter()
        .filter(|r| {
            r.only_if.iter().all(|f| facts.holds(f)) && !r.unless.iter().any(|f| facts.holds(f))
        })
        .filter_map(|r| {
            let require = parse_expr(r.require.as_ref()?).ok()?;
            let when = match &r.when {
                Some(w) => Some(parse_expr(w).ok()?),
                None => None,
            };
            let text = match (&r.when, &r.require) {
                (Some(w), Some(q)) => format!("if {w} then {q}"),
                (None, Some(q)) => q.clone(),
                _ => String::new(),
            };
            Some(Constraint::implication(
                format!("{}/{}", pack.pack.name, r.id),
                when,
                require,
                text,
            ))
        })
        .collect()
}

/// Whether rule `r` applies to `ev`'s configuration under `facts`.
fn applies(r: &Rule, ev: &mut Evaluator, facts: &Facts) -> bool {
    if !r.only_if.iter().all(|f| facts.holds(f)) || r.unless.iter().any(|f| facts.holds(f)) {
        return false;
    }
    match &r.when {
        Some(when) => matches!(parse_expr(when), Ok(e) if eval(&e, ev) != Tri::No),
        None => true,
    }
}

/// The `explicit` groups of `r` that apply to `ev`'s configuration and that
/// the user's answers leave unanswered.
fn unanswered_groups<'r>(r: &'r Rule, facts: &Facts) -> Vec<&'r Vec<String>> {
    r.explicit
        .iter()
        .filter(|group| !group.iter().any(|n| facts.answered_y.contains(n)))
        .collect()
}

/// Per rule of `pack` with `explicit` groups that applies: its id (as
/// `pack/id`) and the groups the answers leave open.
pub fn unanswered(
    pack: &Pack,
    ev: &mut Evaluator,
    facts: &Facts,
) -> Vec<(String, Vec<Vec<String>>)> {
    pack.rules
        .iter()
        .filter(|r| !r.explicit.is_empty() && applies(r, ev, facts))
        .filter_map(|r| {
            let groups: Vec<Vec<String>> =
                unanswered_groups(r, facts).into_iter().cloned().collect();
            (!groups.is_empty()).then(|| (format!("{}/{}", pack.pack.name, r.id), groups))
        })
        .collect()
}

/// The rules of `pack` that `ev`'s configuration breaks.
pub fn check(pack: &Pack, ev: &mut Evaluator, facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for r in &pack.rules {
        if !applies(r, ev, facts) {
            continue;
        }
        let mut problems = Vec::new();
        let mut wanted = Vec::new();
        if let Some(req) = &r.require {
            if let Ok(e) = parse_expr(req) {
                if eval(&e, ev) != Tri::Yes {
                    problems.push(format!("`{req}` does not hold"));
                    wanted_values(&e, true, &mut wanted);
                }
            }
        }
        for group in unanswered_groups(r, facts) {
            problems.push(format!(
                "answer one of {} with y explicitly",
                group.join(", ")
            ));
        }
        if !problems.is_empty() {
            out.push(Violation {
                pack: pack.pack.name.clone(),
                id: r.id.clone(),
                severity: r.severity,
                message: problems.join("; "),
                rationale: r.rationale.clone(),
                source: r.source.clone(),
                wanted,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_packs_load() {
        for (name, _) in SHIPPED {
            let pack = load(name).unwrap_or_else(|e| panic!("{e}"));
            assert!(!pack.rules.is_empty(), "{name}");
        }
    }
}
