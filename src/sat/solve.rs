//! `solve`: a full configuration that satisfies every request and changes
//! few user-settable symbols relative to a base, plus the fragment that
//! reproduces it from the base through conf.
//!
//! First the exact evaluator tries the requests on top of the base (conf's
//! own answer). Otherwise the solver minimises the symbols changed (see
//! `solve_with_sat`) and says whether it proved the minimum.

use super::constraint::Constraint;
use super::encode::Encoding;
use super::request::Request;
use super::tri::L;
use crate::eval::config::Prefix;
use crate::eval::{Evaluator, UserValue};
use crate::fasthash::FastMap;
use crate::model::{Kconfig, SymId, SymType};
use varisat::{Lit, Solver};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum How {
    /// conf itself reaches the requests from the base.
    ConfFromBase,
    /// The solver's configuration changes the fewest symbols possible
    /// (counting symbols that leave their base value, or their default where
    /// the base does not set them).
    Optimal { changes: usize },
    /// The best the solver found within its budget, and the proven bound.
    BestFound { changes: usize, lower_bound: usize },
}

/// Symbols the base `.config` text sets (as a value or `is not set`).
pub fn symbols_set_in(k: &Kconfig, base: &str) -> std::collections::HashSet<SymId> {
    base.lines()
        .filter_map(|l| {
            let rest = l
                .strip_prefix("CONFIG_")
                .or_else(|| l.strip_prefix("# CONFIG_"))?;
            let name = rest.split(['=', ' ']).next()?;
            k.lookup(name)
        })
        .collect()
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
pub fn settable(k: &Kconfig, s: SymId) -> bool {
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
pub fn apply<'k>(
    k: &'k Kconfig,
    base: &str,
    overrides: &[(SymId, String)],
) -> (String, Evaluator<'k>) {
    let mut ev = evaluate(k, base, overrides);
    let text = ev.write_config(&Prefix::default());
    (text, ev)
}

/// [`apply`] without writing the `.config`: values are computed on demand,
/// as conf computes them, for callers that only read a few.
pub fn evaluate<'k>(k: &'k Kconfig, base: &str, overrides: &[(SymId, String)]) -> Evaluator<'k> {
    let mut ev = Evaluator::new(k);
    ev.read_config(base, &Prefix::default(), false);
    for (s, v) in overrides {
        ev.set_user_raw(*s, user_value(k, *s, v));
        ev.prioritise_choice_member(*s);
    }
    ev.clear_all_valid();
    ev
}

/// The lines that, set on `base` through conf, give `target`: `wanted`,
/// grown by the symbols conf does not bring to their target value by itself.
pub fn reproduce(
    k: &Kconfig,
    base: &str,
    wanted: Vec<(SymId, String)>,
    target: &str,
) -> Vec<(SymId, String)> {
    let prefix = Prefix::default();
    let mut goal = Evaluator::new(k);
    goal.read_config(target, &prefix, false);
    let mut fragment = wanted;
    for _ in 0..16 {
        let (text, mut replayed) = apply(k, base, &fragment);
        if text == target {
            break;
        }
        let mut grew = false;
        for s in k.config_symbols() {
            if k.sym(s).ty == SymType::Unknown {
                continue;
            }
            let want = goal.string_value(s);
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
    fragment
}

/// Returns `None` when the requests cannot hold together.
pub fn solve(k: &Kconfig, requests: &[Request], base: &str) -> Option<Solution> {
    solve_with_rules(k, requests, base, &[])
}

/// [`solve`] with extra constraints (rule packs) the configuration must
/// meet; `None` when the requests and the constraints cannot hold together.
pub fn solve_with_rules(
    k: &Kconfig,
    requests: &[Request],
    base: &str,
    constraints: &[Constraint],
) -> Option<Solution> {
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
    let (config, how) = if wanted.iter().all(|(s, v)| ev.string_value(*s) == *v)
        && constraints.iter().all(|c| c.holds(&mut ev))
    {
        (text, How::ConfFromBase)
    } else {
        let base_sets = symbols_set_in(k, base);
        let answer = solve_with_sat(k, requests, constraints, &base_values, &base_sets)?;
        let how = if answer.cost <= answer.lower_bound {
            How::Optimal {
                changes: answer.cost,
            }
        } else {
            How::BestFound {
                changes: answer.cost,
                lower_bound: answer.lower_bound,
            }
        };
        (answer.config, how)
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
    let fragment = reproduce(k, base, wanted, &config);
    Some(Solution {
        how,
        config,
        changed,
        fragment,
    })
}

/// How long the solver may spend improving a solution towards a proof.
const IMPROVE_BUDGET: std::time::Duration = std::time::Duration::from_millis(1200);

/// The solver's answer: a configuration, how many of the symbols it changes
/// count against it, and the lower bound proven on that number.
struct SatAnswer {
    config: String,
    cost: usize,
    lower_bound: usize,
}

/// Minimises the number of user-settable symbols that leave their "kept"
/// value: the base's value where the base sets the symbol, else what conf
/// would compute for it (so that newly visible options take their defaults).
///
/// Each symbol's keep literal is a soft assumption. Failed cores are relaxed
/// whole, so they are disjoint: their count is a lower bound on the cost.
/// Relaxed symbols are then taken back one at a time while the budget lasts;
/// when the cost meets the bound, the answer is proven optimal.
fn solve_with_sat(
    k: &Kconfig,
    requests: &[Request],
    constraints: &[Constraint],
    base_values: &FastMap<SymId, String>,
    base_sets: &std::collections::HashSet<SymId>,
) -> Option<SatAnswer> {
    let mut extra = super::request::requested_values(requests);
    for (&s, v) in base_values {
        if matches!(k.sym(s).ty, SymType::Int | SymType::Hex | SymType::String) {
            extra.entry(s).or_default().push(v.clone());
        }
    }
    super::constraint::compared_values(constraints, k, &mut extra);
    let mut enc = Encoding::with_natural_values(k, &extra);
    let mut hard: Vec<Lit> = Vec::new();
    for r in requests {
        hard.extend(enc.literals_for(r.sym, &r.wanted.text())?);
    }
    for c in constraints {
        match super::constraint::encode(&mut enc, &c.expr).y {
            L::Const(true) => {}
            L::Const(false) => return None,
            L::Lit(l) => hard.push(l),
        }
    }
    let mut symbols: Vec<SymId> = base_values
        .keys()
        .copied()
        .filter(|&s| settable(k, s))
        .collect();
    symbols.sort();
    let (softs, always_changed) = keep_literals(&mut enc, &symbols, base_values, base_sets);
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    let best = super::optimise::minimise(&mut solver, &hard, &softs, IMPROVE_BUDGET)?;
    let cost = best.cost + always_changed;
    let lower_bound = best.lower_bound + always_changed;
    let model = best.model;
    Some(SatAnswer {
        config: model_config(k, &enc, &model),
        cost,
        lower_bound,
    })
}

/// One soft literal per symbol: it keeps its base value where the base sets
/// it, else the value conf computes for it without user input. Returns the
/// softs and how many symbols can never keep theirs.
pub fn keep_literals(
    enc: &mut Encoding,
    symbols: &[SymId],
    base_values: &FastMap<SymId, String>,
    base_sets: &std::collections::HashSet<SymId>,
) -> (super::optimise::Softs, usize) {
    let mut softs = super::optimise::Softs::default();
    let mut always_changed = 0;
    for &s in symbols {
        match keep_literal(enc, s, base_values, base_sets) {
            Some(L::Const(true)) => {}
            Some(L::Lit(l)) => softs.add(l, 1),
            Some(L::Const(false)) | None => always_changed += 1,
        }
    }
    (softs, always_changed)
}

/// "`s` keeps its value": the base's where the base sets it, else its
/// natural value (`None`: its base value is outside the encoding).
pub fn keep_literal(
    enc: &mut Encoding,
    s: SymId,
    base_values: &FastMap<SymId, String>,
    base_sets: &std::collections::HashSet<SymId>,
) -> Option<L> {
    let natural = enc.natural.as_ref().and_then(|n| n.get(&s)).copied();
    match natural {
        Some(natural) if !base_sets.contains(&s) => Some(natural),
        _ => {
            let lits = base_values.get(&s).and_then(|v| enc.literals_for(s, v))?;
            Some(
                lits.into_iter()
                    .fold(L::Const(true), |acc, l| enc.b.and(acc, L::Lit(l))),
            )
        }
    }
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
