//! What nixpkgs does not tell about an answers file: names it cannot match,
//! values it compares as text, answers conf will refuse.

use super::answers::Answer;
use crate::model::{Kconfig, SymType};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Lint {
    pub name: String,
    pub line: usize,
    pub message: String,
    /// A corrected answer line, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

pub fn lint(k: &Kconfig, answers: &[Answer]) -> Vec<Lint> {
    let mut out = Vec::new();
    for a in answers {
        let q = if a.required { "" } else { "?" };
        let mut push = |message: String, suggestion: Option<String>| {
            out.push(Lint {
                name: a.name.clone(),
                line: a.line,
                message,
                suggestion,
            })
        };
        let sym = k
            .lookup(&a.name)
            .filter(|&s| !k.sym(s).is_const && k.sym(s).ty != SymType::Unknown);
        let Some(s) = sym else {
            if let Some(bare) = a.name.strip_prefix("CONFIG_") {
                if k.lookup(bare).is_some() {
                    push(
                        format!(
                            "names are written without CONFIG_: nixpkgs looks for CONFIG_{}",
                            a.name
                        ),
                        Some(format!("{bare}{q} {}", a.value)),
                    );
                    continue;
                }
            }
            let close = crate::sat::request::closest_names(k, &a.name);
            let message = if close.is_empty() {
                "no such option in this tree".to_string()
            } else {
                format!(
                    "no such option in this tree; did you mean {}?",
                    close.join(", ")
                )
            };
            // A close name is a guess, not a line to paste.
            push(message, None);
            continue;
        };
        let ty = k.sym(s).ty;
        let v = a.value.as_str();
        match ty {
            SymType::Bool | SymType::Tristate => {
                let fixed = match v {
                    "y" | "n" => None,
                    "m" if ty == SymType::Tristate => None,
                    "m" => {
                        push(
                            format!(
                                "{} is a bool: conf refuses m and asks again (repeated question)",
                                a.name
                            ),
                            Some(format!("{}{q} y", a.name)),
                        );
                        continue;
                    }
                    "yes" | "Y" | "YES" | "Yes" => Some("y"),
                    "no" | "N" | "NO" | "No" => Some("n"),
                    "module" | "M" if ty == SymType::Tristate => Some("m"),
                    _ => {
                        push(
                            format!("'{v}' is not y, n or m: conf asks again (repeated question)"),
                            None,
                        );
                        continue;
                    }
                };
                if let Some(f) = fixed {
                    push(
                        format!("conf reads '{v}' as {f}, but nixpkgs compares the text: 'option not set correctly' follows"),
                        Some(format!("{}{q} {f}", a.name)),
                    );
                }
            }
            SymType::Hex => {
                let digits = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"));
                if !crate::eval::config::string_valid(SymType::Hex, v) {
                    push(
                        format!("'{v}' is not a hex number: conf asks again (repeated question)"),
                        None,
                    );
                } else if digits.is_none() {
                    push(
                        "conf stores hex values with 0x, so nixpkgs reports a mismatch".to_string(),
                        Some(format!("{}{q} 0x{v}", a.name)),
                    );
                }
            }
            SymType::Int => {
                if !crate::eval::config::string_valid(SymType::Int, v) {
                    push(
                        format!("'{v}' is not a number: conf asks again (repeated question)"),
                        None,
                    );
                }
            }
            SymType::String => {
                if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                    push(
                        "the quotes become part of the value (answers are not unquoted)"
                            .to_string(),
                        Some(format!("{}{q} {}", a.name, &v[1..v.len() - 1])),
                    );
                }
            }
            SymType::Unknown => {}
        }
    }
    out
}
