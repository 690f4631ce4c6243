//! Extra constraints on a configuration, written in Kconfig's expression
//! syntax (rule packs use them): parsed, evaluated on a configuration by the
//! exact evaluator, and encoded into the SAT layer so that `check`, `solve`
//! and `explain` treat them like the tree's own dependencies.

use super::encode::Encoding;
use super::tri::{Tri as TriLits, L};
use crate::eval::{Evaluator, Tri};
use crate::fasthash::FastMap;
use crate::model::{Kconfig, SymId, SymType};

/// A constraint that must hold (its expression must be y), with the name
/// messages give it, e.g. `grsecurity/grsec-xen-off`.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub id: String,
    /// The expression as written, for messages.
    pub text: String,
    pub expr: RuleExpr,
    /// Symbols of the requirement and the value each needs for it to hold
    /// (the starting points of explanations).
    pub wanted: Vec<(String, String)>,
}

impl Constraint {
    /// `when` implies `require`: `!(when) || (require)`.
    pub fn implication(
        id: String,
        when: Option<RuleExpr>,
        require: RuleExpr,
        text: String,
    ) -> Self {
        let mut wanted = Vec::new();
        wanted_values(&require, true, &mut wanted);
        let expr = match when {
            Some(w) => RuleExpr::Or(Box::new(RuleExpr::Not(Box::new(w))), Box::new(require)),
            None => require,
        };
        Constraint {
            id,
            text,
            expr,
            wanted,
        }
    }

    /// Whether it holds in `ev`'s configuration.
    pub fn holds(&self, ev: &mut Evaluator) -> bool {
        eval(&self.expr, ev) == Tri::Yes
    }

    /// The tree's symbols it names.
    pub fn symbols(&self, k: &Kconfig) -> Vec<SymId> {
        let mut out = Vec::new();
        collect_symbols(&self.expr, k, &mut out);
        out
    }
}

fn defined(k: &Kconfig, name: &str) -> Option<SymId> {
    k.lookup(name)
        .filter(|&s| !k.sym(s).is_const && k.sym(s).ty != SymType::Unknown)
}

fn collect_symbols(e: &RuleExpr, k: &Kconfig, out: &mut Vec<SymId>) {
    match e {
        RuleExpr::Sym(n) => out.extend(defined(k, n)),
        RuleExpr::Not(a) => collect_symbols(a, k, out),
        RuleExpr::And(a, b) | RuleExpr::Or(a, b) => {
            collect_symbols(a, k, out);
            collect_symbols(b, k, out);
        }
        RuleExpr::Eq(a, b, _) => {
            out.extend(defined(k, a));
            out.extend(defined(k, b));
        }
    }
}

/// Values of int/hex/string symbols that constraints compare with: they
/// must be in the symbols' domains for the encoding to express them.
pub fn compared_values(
    constraints: &[Constraint],
    k: &Kconfig,
    out: &mut FastMap<SymId, Vec<String>>,
) {
    fn walk(e: &RuleExpr, k: &Kconfig, out: &mut FastMap<SymId, Vec<String>>) {
        match e {
            RuleExpr::Sym(_) => {}
            RuleExpr::Not(a) => walk(a, k, out),
            RuleExpr::And(a, b) | RuleExpr::Or(a, b) => {
                walk(a, k, out);
                walk(b, k, out);
            }
            RuleExpr::Eq(a, b, _) => {
                for (x, y) in [(a, b), (b, a)] {
                    if let Some(s) = defined(k, x) {
                        if !k.sym(s).ty.is_boolish() && defined(k, y).is_none() {
                            out.entry(s)
                                .or_default()
                                .push(y.trim_start_matches('"').to_string());
                        }
                    }
                }
            }
        }
    }
    for c in constraints {
        walk(&c.expr, k, out);
    }
}

/// The expression's value in the encoding. Names the tree does not define
/// are n (or the constant y/m/n), as in Kconfig.
pub fn encode(enc: &mut Encoding, e: &RuleExpr) -> TriLits {
    let k = enc.k;
    match e {
        RuleExpr::Sym(n) => match defined(k, n) {
            Some(s) if k.sym(s).ty.is_boolish() => enc.value(s),
            Some(_) => TriLits::N,
            None => match n.as_str() {
                "y" => TriLits::Y,
                "m" => TriLits::M,
                _ => TriLits::N,
            },
        },
        RuleExpr::Not(a) => {
            let a = encode(enc, a);
            enc.b.tri_not(a)
        }
        RuleExpr::And(a, b) => {
            let (a, b) = (encode(enc, a), encode(enc, b));
            enc.b.tri_and(a, b)
        }
        RuleExpr::Or(a, b) => {
            let (a, b) = (encode(enc, a), encode(enc, b));
            enc.b.tri_or(a, b)
        }
        RuleExpr::Eq(a, b, equal) => {
            let same = equal_lit(enc, a, b);
            TriLits::boolean(if *equal { same } else { !same })
        }
    }
}

/// "a = b" for names or quoted constants.
fn equal_lit(enc: &mut Encoding, a: &str, b: &str) -> L {
    let k = enc.k;
    // Like Kconfig's symbols of unknown type, a name the tree does not
    // define stands for itself.
    let constant = |x: &str| -> String { x.strip_prefix('"').unwrap_or(x).to_string() };
    match (defined(k, a), defined(k, b)) {
        (Some(s), None) | (None, Some(s)) => {
            let other = if defined(k, a).is_some() { b } else { a };
            let v = constant(other);
            if k.sym(s).ty.is_boolish() {
                let t = enc.value(s);
                let want = match v.as_str() {
                    "y" => TriLits::Y,
                    "m" => TriLits::M,
                    "n" => TriLits::N,
                    _ => return L::Const(false),
                };
                enc.b.tri_eq(t, want)
            } else {
                enc.value_is(s, &v)
            }
        }
        (Some(x), Some(y)) if k.sym(x).ty.is_boolish() && k.sym(y).ty.is_boolish() => {
            let (tx, ty) = (enc.value(x), enc.value(y));
            enc.b.tri_eq(tx, ty)
        }
        // Two int/hex/string symbols compared: pairs of their domain values.
        (Some(x), Some(y)) => {
            let pairs: Vec<(L, L)> = enc.domain[x.0 as usize]
                .iter()
                .filter_map(|(v, lx)| {
                    enc.domain[y.0 as usize]
                        .iter()
                        .find(|(w, _)| w == v)
                        .map(|(_, ly)| (*lx, *ly))
                })
                .collect();
            let mut any = L::Const(false);
            for (lx, ly) in pairs {
                let both = enc.b.and(lx, ly);
                any = enc.b.or(any, both);
            }
            any
        }
        (None, None) => L::Const(constant(a) == constant(b)),
    }
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

/// A name's value: the symbol's value, or, for a quoted constant or a name
/// the tree does not define, the text itself (as Kconfig treats symbols of
/// unknown type in comparisons).
fn value_text(name: &str, ev: &mut Evaluator) -> String {
    if let Some(s) = name.strip_prefix('"') {
        return s.to_string();
    }
    match defined(ev.k, name) {
        Some(s) => ev.string_value(s),
        None => name.to_string(),
    }
}

pub fn eval(e: &RuleExpr, ev: &mut Evaluator) -> Tri {
    match e {
        RuleExpr::Sym(name) => match defined(ev.k, name) {
            Some(s) if ev.k.sym(s).ty.is_boolish() => ev.tri_value(s),
            Some(_) => Tri::No,
            None => match name.as_str() {
                "y" => Tri::Yes,
                "m" => Tri::Mod,
                _ => Tri::No,
            },
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
pub fn wanted_values(e: &RuleExpr, positive: bool, out: &mut Vec<(String, String)>) {
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
}
