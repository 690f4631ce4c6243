//! Rule packs: hardening requirements on a configuration, in TOML
//! (docs/rules.md). A rule names a condition (`when`) and a requirement
//! (`require`), both Kconfig expressions, plus facts about the system that
//! switch it on (`only_if`) or off (`unless`): "Nix builds on this host",
//! or a sysctl the NixOS configuration sets. A rule can also ask that the
//! user's answers name one member of each group explicitly (`explicit`).

use crate::eval::{Evaluator, Tri};
use crate::model::{Kconfig, SymType};
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

/// The rules of `pack` that `ev`'s configuration breaks.
pub fn check(pack: &Pack, ev: &mut Evaluator, facts: &Facts) -> Vec<Violation> {
    let mut out = Vec::new();
    for r in &pack.rules {
        if !r.only_if.iter().all(|f| facts.holds(f)) || r.unless.iter().any(|f| facts.holds(f)) {
            continue;
        }
        if let Some(when) = &r.when {
            match parse_expr(when) {
                Ok(e) if eval(&e, ev) != Tri::No => {}
                _ => continue,
            }
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
        for group in &r.explicit {
            if !group.iter().any(|n| facts.answered_y.contains(n)) {
                problems.push(format!(
                    "answer one of {} with y explicitly",
                    group.join(", ")
                ));
            }
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

/// A rule expression: Kconfig's syntax (`!`, `&&`, `||`, `=`, `!=`,
/// parentheses, symbols, `"strings"`).
#[derive(Debug, Clone, PartialEq)]
pub enum RuleExpr {
    Sym(String),
    Not(Box<RuleExpr>),
    And(Box<RuleExpr>, Box<RuleExpr>),
    Or(Box<RuleExpr>, Box<RuleExpr>),
    Eq(String, String, bool),
}

pub fn parse_expr(text: &str) -> Result<RuleExpr, String> {
    let tokens = tokenize(text)?;
    let mut pos = 0;
    let e = parse_or(&tokens, &mut pos)?;
    match tokens.get(pos) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected `{t}`")),
    }
}

fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' => {}
            '(' | ')' => out.push(c.to_string()),
            '!' if chars.peek().is_some_and(|(_, n)| *n == '=') => {
                chars.next();
                out.push("!=".into());
            }
            '!' | '=' => out.push(c.to_string()),
            '&' | '|' => {
                if chars.next().map(|(_, n)| n) != Some(c) {
                    return Err(format!("`{c}` alone at column {}", i + 1));
                }
                out.push(format!("{c}{c}"));
            }
            '"' => {
                let mut s = String::from("\"");
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, x)) => s.push(x),
                        None => return Err("unterminated string".into()),
                    }
                }
                out.push(s);
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut s = c.to_string();
                while let Some(&(_, n)) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(s);
            }
            _ => return Err(format!("unexpected `{c}` at column {}", i + 1)),
        }
    }
    Ok(out)
}

fn parse_or(t: &[String], pos: &mut usize) -> Result<RuleExpr, String> {
    let mut left = parse_and(t, pos)?;
    while t.get(*pos).is_some_and(|x| x == "||") {
        *pos += 1;
        left = RuleExpr::Or(Box::new(left), Box::new(parse_and(t, pos)?));
    }
    Ok(left)
}

fn parse_and(t: &[String], pos: &mut usize) -> Result<RuleExpr, String> {
    let mut left = parse_not(t, pos)?;
    while t.get(*pos).is_some_and(|x| x == "&&") {
        *pos += 1;
        left = RuleExpr::And(Box::new(left), Box::new(parse_not(t, pos)?));
    }
    Ok(left)
}

fn parse_not(t: &[String], pos: &mut usize) -> Result<RuleExpr, String> {
    match t.get(*pos).map(String::as_str) {
        Some("!") => {
            *pos += 1;
            Ok(RuleExpr::Not(Box::new(parse_not(t, pos)?)))
        }
        Some("(") => {
            *pos += 1;
            let e = parse_or(t, pos)?;
            if t.get(*pos).map(String::as_str) != Some(")") {
                return Err("missing `)`".into());
            }
            *pos += 1;
            Ok(e)
        }
        Some(x) if x != ")" && x != "&&" && x != "||" && x != "=" && x != "!=" => {
            let name = x.to_string();
            *pos += 1;
            match t.get(*pos).map(String::as_str) {
                Some(op @ ("=" | "!=")) => {
                    let equal = op == "=";
                    *pos += 1;
                    let other = t.get(*pos).ok_or("missing value after comparison")?.clone();
                    *pos += 1;
                    Ok(RuleExpr::Eq(name, other, equal))
                }
                _ => Ok(RuleExpr::Sym(name)),
            }
        }
        Some(x) => Err(format!("unexpected `{x}`")),
        None => Err("unexpected end of expression".into()),
    }
}

/// A name's value: constants, the symbol's value, or n (undefined, as
/// Kconfig treats unknown symbols).
fn value_text(name: &str, ev: &mut Evaluator) -> String {
    if let Some(s) = name.strip_prefix('"') {
        return s.to_string();
    }
    let k: &Kconfig = ev.k;
    match k.lookup(name) {
        Some(s) if !k.sym(s).is_const && k.sym(s).ty != SymType::Unknown => ev.string_value(s),
        _ if matches!(name, "y" | "m" | "n") => name.to_string(),
        _ => "n".to_string(),
    }
}

pub fn eval(e: &RuleExpr, ev: &mut Evaluator) -> Tri {
    match e {
        RuleExpr::Sym(name) => match value_text(name, ev).as_str() {
            "y" => Tri::Yes,
            "m" => Tri::Mod,
            _ => Tri::No,
        },
        RuleExpr::Not(a) => !eval(a, ev),
        RuleExpr::And(a, b) => eval(a, ev).and(eval(b, ev)),
        RuleExpr::Or(a, b) => eval(a, ev).or(eval(b, ev)),
        RuleExpr::Eq(a, b, equal) => {
            let same = value_text(a, ev) == value_text(b, ev);
            if same == *equal {
                Tri::Yes
            } else {
                Tri::No
            }
        }
    }
}

/// For explanations: the symbols a requirement names and the value each
/// would need for the requirement to hold.
fn wanted_values(e: &RuleExpr, positive: bool, out: &mut Vec<(String, String)>) {
    match e {
        RuleExpr::Sym(n) if !matches!(n.as_str(), "y" | "m" | "n") => {
            out.push((n.clone(), if positive { "y" } else { "n" }.to_string()))
        }
        RuleExpr::Sym(_) => {}
        RuleExpr::Not(a) => wanted_values(a, !positive, out),
        RuleExpr::And(a, b) | RuleExpr::Or(a, b) => {
            wanted_values(a, positive, out);
            wanted_values(b, positive, out);
        }
        RuleExpr::Eq(a, b, equal) if positive == *equal => {
            out.push((a.clone(), b.trim_start_matches('"').to_string()))
        }
        RuleExpr::Eq(..) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_parse() {
        assert_eq!(
            parse_expr("!XEN && (A || B=\"x\")").unwrap(),
            RuleExpr::And(
                Box::new(RuleExpr::Not(Box::new(RuleExpr::Sym("XEN".into())))),
                Box::new(RuleExpr::Or(
                    Box::new(RuleExpr::Sym("A".into())),
                    Box::new(RuleExpr::Eq("B".into(), "\"x".into(), true))
                ))
            )
        );
        assert!(parse_expr("A &").is_err());
        assert!(parse_expr("(A").is_err());
        assert!(parse_expr("A B").is_err());
    }

    #[test]
    fn shipped_packs_load() {
        for (name, _) in SHIPPED {
            let pack = load(name).unwrap_or_else(|e| panic!("{e}"));
            assert!(!pack.rules.is_empty(), "{name}");
        }
    }
}
