//! Requested values: `.config` lines (`CONFIG_X=y`, `# CONFIG_X is not set`)
//! or NixOS answer lines (`X y`, `X? n`). Bad lines are diagnosed with their
//! line; they never reach the solver.

use crate::eval::config::string_valid;
use crate::eval::Tri;
use crate::fasthash::FastMap;
use crate::model::{Kconfig, SymId, SymType};

#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    Tri(Tri),
    Value(String),
}

impl Wanted {
    pub fn text(&self) -> String {
        match self {
            Wanted::Tri(t) => t.letter().to_string(),
            Wanted::Value(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub file: String,
    pub line: usize,
    pub text: String,
    /// Byte offset and length of the line in the request text.
    pub span: (usize, usize),
    pub sym: SymId,
    pub wanted: Wanted,
    /// `X? n`: optional in nixpkgs' sense.
    pub optional: bool,
}

/// A line that is not a usable request.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BadRequest {
    pub file: String,
    pub line: usize,
    /// 1-based column of the offending part of the line.
    pub column: usize,
    /// Byte offset and length of the offending part in the request text.
    #[serde(skip)]
    pub span: (usize, usize),
    pub text: String,
    pub problem: String,
    /// Unknown symbols: the closest names the tree has.
    pub suggestions: Vec<String>,
    /// Malformed lines and wrong types are input errors; unknown symbols are rejections.
    pub is_input_error: bool,
}

pub fn parse_requests(k: &Kconfig, file: &str, text: &str) -> (Vec<Request>, Vec<BadRequest>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    let mut line_start = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let start = line_start;
        line_start += raw.len() + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let t = raw.trim();
        // Where `part` (a slice of this line) sits in the text.
        let span_of = |part: &str| -> (usize, usize) {
            let within = (part.as_ptr() as usize).saturating_sub(raw.as_ptr() as usize);
            (start + within.min(raw.len()), part.len())
        };
        let bad_at = |part: &str, problem: String, input_error: bool| {
            let span = span_of(part);
            BadRequest {
                file: file.to_string(),
                line,
                column: span.0 - start + 1,
                span,
                text: t.to_string(),
                problem,
                suggestions: Vec::new(),
                is_input_error: input_error,
            }
        };
        let bad_line = |problem: String, input_error: bool| bad_at(t, problem, input_error);
        if t.is_empty() {
            continue;
        }
        // The name and value as slices of the line, for pointing at them.
        let (name_part, value_part, value, optional): (&str, &str, String, bool) =
            if let Some(rest) = t.strip_prefix("# CONFIG_") {
                match rest.strip_suffix(" is not set") {
                    Some(n) => (n, t, "n".to_string(), false),
                    None => continue,
                }
            } else if t.starts_with('#') {
                continue;
            } else if let Some(rest) = t.strip_prefix("CONFIG_") {
                match rest.split_once('=') {
                    Some((n, v)) => (n, v, unquote(v), false),
                    None => {
                        bad.push(bad_line("expected CONFIG_NAME=VALUE".into(), true));
                        continue;
                    }
                }
            } else {
                // NixOS answers: `NAME VALUE` or `NAME? VALUE`; `#` starts a comment.
                let body = t.split('#').next().unwrap_or("").trim();
                let Some((n, v)) = body.split_once(char::is_whitespace) else {
                    bad.push(bad_line(
                        "expected NAME VALUE (NixOS) or CONFIG_NAME=VALUE".into(),
                        true,
                    ));
                    continue;
                };
                let v = v.trim();
                match n.strip_suffix('?') {
                    Some(n) => (n, v, v.to_string(), true),
                    None => (n, v, v.to_string(), false),
                }
            };
        let name = name_part;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            bad.push(bad_at(
                name_part,
                format!("'{name}' is not a symbol name"),
                true,
            ));
            continue;
        }
        let Some(sym) = k
            .lookup(name)
            .filter(|&s| !k.sym(s).is_const && k.sym(s).ty != SymType::Unknown)
        else {
            let mut b = bad_at(name_part, format!("unknown symbol {name}"), false);
            b.suggestions = closest_names(k, name);
            bad.push(b);
            continue;
        };
        let ty = k.sym(sym).ty;
        let wanted = match ty {
            SymType::Bool | SymType::Tristate => match value.as_str() {
                "y" => Wanted::Tri(Tri::Yes),
                "n" => Wanted::Tri(Tri::No),
                "m" if ty == SymType::Tristate => Wanted::Tri(Tri::Mod),
                "m" => {
                    bad.push(bad_at(
                        value_part,
                        format!("{name} is a bool: it cannot be m"),
                        true,
                    ));
                    continue;
                }
                other => {
                    bad.push(bad_at(
                        value_part,
                        format!("{name} is a {}: '{other}' is not y, m or n", ty.name()),
                        true,
                    ));
                    continue;
                }
            },
            _ => {
                if !string_valid(ty, &value) {
                    bad.push(bad_at(
                        value_part,
                        format!("{name} is {}: '{value}' is not a valid value", article(ty)),
                        true,
                    ));
                    continue;
                }
                Wanted::Value(value)
            }
        };
        ok.push(Request {
            file: file.to_string(),
            line,
            text: t.to_string(),
            span: span_of(t),
            sym,
            wanted,
            optional,
        });
    }
    (ok, bad)
}

/// The int/hex/string values requested, to add to their symbols' domains.
pub fn requested_values(requests: &[Request]) -> FastMap<SymId, Vec<String>> {
    let mut extra: FastMap<SymId, Vec<String>> = FastMap::default();
    for r in requests {
        if let Wanted::Value(v) = &r.wanted {
            extra.entry(r.sym).or_default().push(v.clone());
        }
    }
    extra
}

fn article(ty: SymType) -> &'static str {
    match ty {
        SymType::Int => "an integer",
        SymType::Hex => "a hex number",
        _ => "a string",
    }
}

fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

/// Up to three symbol names closest to `name` (edit distance, case-insensitive).
pub fn closest_names(k: &Kconfig, name: &str) -> Vec<String> {
    let target = name.trim_start_matches("CONFIG_").to_ascii_uppercase();
    let mut scored: Vec<(usize, &str)> = k
        .config_symbols()
        .map(|s| k.sym(s).name.as_str())
        .filter(|n| n.len().abs_diff(target.len()) <= 3)
        .map(|n| (edit_distance(&target, n), n))
        .filter(|(d, _)| *d <= 3.max(target.len() / 5))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
