//! `solve`: a full configuration that satisfies every request and changes
//! few user-settable symbols relative to a base, plus the fragment that
//! reproduces it from the base through conf.
//!
//! First the exact evaluator tries the requests on top of the base (conf's
//! own answer). Otherwise the solver keeps every user-settable symbol at its
//! base value as an assumption and lets go of the ones in each failed core
//! until a model exists. Neither step proves the change minimal; the result
//! says so.

use super::encode::Encoding;
use super::request::{Request, Wanted};
use super::tri::L;
use crate::eval::config::Prefix;
use crate::eval::{Evaluator, UserValue};
use crate::fasthash::FastMap;
use crate::model::{Kconfig, SymId, SymType};
use varisat::{Lit, Solver};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// conf itself reaches the requests from the base.
    ConfFromBase,
    /// The solver found a configuration; the number of changes is not proven minimal.
    BestFound,
}

#[derive(Debug, Clone)]
pub struct Solution {
    pub how: How,
    /// The full `.config`.
    pub config: String,
    /// Symbols whose value differs from the base, with their new values.
    pub changed: Vec<(SymId, String)>,
    /// The lines that, applied to the base through conf, give `config`.
    pub fragment: Vec<(SymId, String)>,
}

/// Whether `s` can be set by a user (it has a prompt somewhere).
fn settable(k: &Kconfig, s: SymId) -> bool {
    k.sym(s).props.iter().any(|&p| k.prop(p).text.is_some())
}

fn user_value(k: &Kconfig, s: SymId, v: &str) -> UserValue {
    match k.sym(s).ty {
        SymType::Bool | SymType::Tristate => UserValue::Tri(
            crate::eval::Tri::from_letter(v.as_bytes().first().copied().unwrap_or(b'n'))
                .unwrap_or(crate::eval::Tri::No),
        ),
        _ => UserValue::Str(v.to_string()),
    }
}

/// The configuration conf makes from `base` with `overrides` as user values.
fn apply<'k>(k: &'k Kconfig, base: &str, overrides: &[(SymId, String)]) -> (String, Evaluator<'k>) {
    let prefix = Prefix::default();
    let mut ev = Evaluator::new(k);
    ev.read_config(base, &prefix, false);
    for (s, v) in overrides {
        ev.set_user_raw(*s, user_value(k, *s, v));
        ev.prioritise_choice_member(*s);
    }
    ev.clear_all_valid();
    let text = ev.write_config(&prefix);
    (text, ev)
}

/// Returns `None` when the requests cannot hold together.
pub fn solve(k: &Kconfig, requests: &[Request], base: &str) -> Option<Solution> {
    let prefix = Prefix::default();
    let mut base_ev = Evaluator::new(k);
    base_ev.read_config(base, &prefix, false);
    let symbols: Vec<SymId> = k
        .config_symbols()
        .filter(|&s| k.sym(s).ty != SymType::Unknown)
        .collect();
    let base_values: FastMap<SymId, String> = symbols
        .iter()
        .map(|&s| (s, base_ev.string_value(s)))
        .collect();
    let wanted: Vec<(SymId, String)> = requests.iter().map(|r| (r.sym, r.wanted.text())).collect();

    // conf's own answer.
    let (text, mut ev) = apply(k, base, &wanted);
    let (config, how) = if wanted.iter().all(|(s, v)| ev.string_value(*s) == *v) {
        (text, How::ConfFromBase)
    } else {
        (solve_with_sat(k, requests, &base_values)?, How::BestFound)
    };
    let mut solved = Evaluator::new(k);
    solved.read_config(&config, &prefix, false);
    let changed: Vec<(SymId, String)> = symbols
        .iter()
        .filter(|&&s| settable(k, s))
        .filter_map(|&s| {
            let v = solved.string_value(s);
            (base_values.get(&s) != Some(&v)).then_some((s, v))
        })
        .collect();
    // The fragment: the requests, grown by the symbols conf does not bring
    // to their solved value by itself, until conf reproduces the solution.
    let mut fragment = wanted.clone();
    for _ in 0..16 {
        let (text, _) = apply(k, base, &fragment);
        if text == config {
            break;
        }
        let mut replayed = Evaluator::new(k);
        replayed.read_config(&text, &prefix, false);
        let mut grew = false;
        for &s in &symbols {
            let want = solved.string_value(s);
            if replayed.string_value(s) != want
                && settable(k, s)
                && !fragment.iter().any(|(f, _)| *f == s)
            {
                fragment.push((s, want));
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    Some(Solution {
        how,
        config,
        changed,
        fragment,
    })
}

fn solve_with_sat(
    k: &Kconfig,
    requests: &[Request],
    base_values: &FastMap<SymId, String>,
) -> Option<String> {
    let mut extra: FastMap<SymId, Vec<String>> = FastMap::default();
    for r in requests {
        if let Wanted::Value(v) = &r.wanted {
            extra.entry(r.sym).or_default().push(v.clone());
        }
    }
    for (&s, v) in base_values {
        if matches!(k.sym(s).ty, SymType::Int | SymType::Hex | SymType::String) {
            extra.entry(s).or_default().push(v.clone());
        }
    }
    let enc = Encoding::with_values(k, &extra);
    let mut hard: Vec<Lit> = Vec::new();
    for r in requests {
        hard.extend(enc.literals_for(r.sym, &r.wanted.text())?);
    }
    // Soft: every user-settable symbol keeps its base value.
    let mut soft: Vec<Lit> = Vec::new();
    for (&s, v) in base_values {
        if settable(k, s) {
            if let Some(l) = enc.literals_for(s, v) {
                soft.extend(l);
            }
        }
    }
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    loop {
        let mut assumptions = hard.clone();
        assumptions.extend(soft.iter().copied());
        solver.assume(&assumptions);
        if solver.solve().ok()? {
            break;
        }
        let core: Vec<Lit> = solver.failed_core().map(|c| c.to_vec()).unwrap_or_default();
        let before = soft.len();
        soft.retain(|l| !core.contains(l));
        if soft.len() == before {
            return None; // only requests in the core: they cannot hold
        }
    }
    let model: std::collections::HashSet<Lit> = solver.model()?.into_iter().collect();
    Some(model_config(k, &enc, &model))
}

/// A model as `.config` text, through the exact evaluator.
pub fn model_config(k: &Kconfig, enc: &Encoding, model: &std::collections::HashSet<Lit>) -> String {
    let holds = |l: &L| match l {
        L::Const(b) => *b,
        L::Lit(x) => model.contains(x),
    };
    let mut text = String::new();
    for s in k.config_symbols() {
        let i = s.0 as usize;
        let name = &k.sym(s).name;
        if let Some(y) = enc.y_var[i] {
            let v = if model.contains(&y.positive()) {
                "y"
            } else if enc.m_var[i].is_some_and(|m| model.contains(&m.positive())) {
                "m"
            } else {
                "n"
            };
            text.push_str(&format!("CONFIG_{name}={v}\n"));
        }
        for (d, l) in &enc.domain[i] {
            if holds(l) {
                let v = if k.sym(s).ty == SymType::String {
                    crate::eval::config::escape_string(d)
                } else {
                    d.clone()
                };
                text.push_str(&format!("CONFIG_{name}={v}\n"));
            }
        }
    }
    let prefix = Prefix::default();
    let mut ev = Evaluator::new(k);
    ev.read_config(&text, &prefix, false);
    ev.write_config(&prefix)
}

/// A fragment line in `.config` form.
pub fn config_line(k: &Kconfig, s: SymId, v: &str) -> String {
    let name = &k.sym(s).name;
    match k.sym(s).ty {
        SymType::Bool | SymType::Tristate if v == "n" => format!("# CONFIG_{name} is not set"),
        SymType::String => format!("CONFIG_{name}={}", crate::eval::config::escape_string(v)),
        _ => format!("CONFIG_{name}={v}"),
    }
}

/// A fragment line in NixOS answers form (`NAME value`).
pub fn nixos_line(k: &Kconfig, s: SymId, v: &str) -> String {
    format!("{} {v}", k.sym(s).name)
}
