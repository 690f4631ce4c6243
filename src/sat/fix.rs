//! Fixes: the smallest sets of changes that make requests hold together.
//!
//! A fix drops some of the user's request lines and sets some further
//! symbols. Each request and each user-settable symbol of the requests' cone
//! of influence "keeps" its value as a soft assumption (a request keeps its
//! wanted value; a symbol its base value, or its default where the base does
//! not set it); a fix is a set of violated softs, smallest first. After each
//! fix, a clause asks for a different one that is not a superset of it, so
//! the fixes found are minimal correction sets. Every fix is applied to the
//! base through the exact evaluator before it is returned: the requests it
//! keeps and the values it sets must all hold.

use super::encode::Encoding;
use super::optimise::{block, minimise, Softs};
use super::request::{requested_values, Request};
use super::solve::{apply, keep_literal, reproduce, settable, symbols_set_in};
use super::tri::L;
use crate::eval::config::Prefix;
use crate::eval::{Evaluator, UserValue};
use crate::fasthash::FastMap;
use crate::model::{Kconfig, SymId, SymType};
use std::collections::HashSet;
use std::time::Duration;
use varisat::{Lit, Solver};

/// Time for each fix's minimisation.
const FIX_BUDGET: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, serde::Serialize)]
pub struct Fix {
    /// Request lines to drop (indices into the requests).
    #[serde(skip)]
    pub drop: Vec<usize>,
    /// The same, as `file:line` of each dropped request.
    pub drop_lines: Vec<String>,
    /// Further values to set, as `.config` and NixOS lines.
    #[serde(skip)]
    pub set: Vec<(SymId, String)>,
    pub set_config: Vec<String>,
    pub set_nixos: Vec<String>,
    /// Lines dropped plus lines added.
    pub changes: usize,
    /// Symbols whose value differs from the base once the fix is applied.
    pub distance: usize,
    /// The fewest changes possible (no fix can do with fewer).
    pub proven_fewest: bool,
}

/// Up to `count` fixes for `requests` on `base` (a `.config` text), ranked by
/// changes, then distance from the base. The requests in `must_hold` are
/// never dropped. When the requests hold together as they are, the one fix
/// has no changes. Empty when nothing verifies.
pub fn fixes(
    k: &Kconfig,
    requests: &[Request],
    must_hold: &[usize],
    base: &str,
    count: usize,
) -> Vec<Fix> {
    let prefix = Prefix::default();
    let mut base_ev = Evaluator::new(k);
    base_ev.read_config(base, &prefix, false);
    let roots: Vec<SymId> = requests.iter().map(|r| r.sym).collect();
    let mut extra = requested_values(requests);
    let cone = super::cone::cone(k, &roots);
    let in_cone = |s: SymId| cone.get(s.0 as usize).copied().unwrap_or(false);
    let mut base_values: FastMap<SymId, String> = FastMap::default();
    for s in k.config_symbols() {
        if !in_cone(s) || k.sym(s).ty == SymType::Unknown {
            continue;
        }
        let v = base_ev.string_value(s);
        if matches!(k.sym(s).ty, SymType::Int | SymType::Hex | SymType::String) {
            extra.entry(s).or_default().push(v.clone());
        }
        base_values.insert(s, v);
    }
    let mut enc = Encoding::for_cone_with_natural(k, &extra, &roots);
    let base_sets = symbols_set_in(k, base);
    let requested: HashSet<SymId> = roots.iter().copied().collect();
    let mut symbols: Vec<SymId> = base_values
        .keys()
        .copied()
        .filter(|&s| settable(k, s) && !requested.contains(&s))
        .collect();
    symbols.sort();
    // A symbol counts as a change only while it stays visible: the user
    // writes no line for options that disappear with their dependencies.
    // Symbols the base does not set and conf decides alone (choice members)
    // are left to conf; verification catches a model that relied on them.
    let mut softs = Softs::default();
    let mut symbol_of: FastMap<Lit, SymId> = FastMap::default();
    for &s in &symbols {
        let Some(keep) = keep_literal(&mut enc, s, &base_values, &base_sets) else {
            continue;
        };
        if !base_sets.contains(&s) && enc.natural.as_ref().is_some_and(|n| !n.contains_key(&s)) {
            continue;
        }
        let visible = enc.visible(s);
        match enc.b.or(keep, !visible) {
            L::Lit(l) => {
                softs.add(l, 1);
                symbol_of.insert(l, s);
            }
            L::Const(_) => {}
        }
    }
    // Each request is a soft literal too: dropping it is one change. One
    // that can never hold is dropped by every fix.
    let mut request_lit: Vec<Option<Lit>> = Vec::new();
    let mut always_dropped: Vec<usize> = Vec::new();
    let mut hard: Vec<Lit> = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let lits = enc.literals_for(r.sym, &r.wanted.text());
        if must_hold.contains(&i) {
            match lits {
                Some(l) => hard.extend(l),
                None => return Vec::new(),
            }
            request_lit.push(None);
            continue;
        }
        let keep = lits.map(|lits| {
            lits.into_iter()
                .fold(L::Const(true), |acc, l| enc.b.and(acc, L::Lit(l)))
        });
        request_lit.push(match keep {
            Some(L::Lit(l)) => {
                softs.add(l, 1);
                Some(l)
            }
            Some(L::Const(true)) => None,
            None | Some(L::Const(false)) => {
                always_dropped.push(i);
                None
            }
        });
    }
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    let mut found: Vec<Fix> = Vec::new();
    // A few more candidates than asked for, so that ranking by distance can
    // reorder fixes of equal size.
    for round in 0..count + 2 {
        let Some(best) = minimise(&mut solver, &hard, &softs, FIX_BUDGET) else {
            break;
        };
        let violated: Vec<Lit> = softs.violated(&best.model).collect();
        let proven_fewest = round == 0 && best.proven();
        if let Some(fix) = verify(
            k,
            requests,
            base,
            &enc,
            &best.model,
            &request_lit,
            &always_dropped,
            &violated
                .iter()
                .filter_map(|l| symbol_of.get(l).copied())
                .collect::<Vec<_>>(),
            proven_fewest,
        ) {
            if !found.iter().any(|f| f.drop == fix.drop && f.set == fix.set) {
                found.push(fix);
            }
        }
        if violated.is_empty() {
            break;
        }
        block(&mut solver, &violated);
    }
    found.sort_by_key(|f| (f.changes, f.distance));
    // A proven minimum holds for every fix of that size.
    if let Some(fewest) = found.iter().find(|f| f.proven_fewest).map(|f| f.changes) {
        for f in found.iter_mut().filter(|f| f.changes == fewest) {
            f.proven_fewest = true;
        }
    }
    found.truncate(count);
    found
}

/// Turns a model into a fix and checks it with the exact evaluator: the
/// kept requests and the lines it sets hold once applied to the base.
#[allow(clippy::too_many_arguments)]
fn verify(
    k: &Kconfig,
    requests: &[Request],
    base: &str,
    enc: &Encoding,
    model: &HashSet<Lit>,
    request_lit: &[Option<Lit>],
    always_dropped: &[usize],
    changed_symbols: &[SymId],
    proven_fewest: bool,
) -> Option<Fix> {
    let prefix = Prefix::default();
    let mut drop: Vec<usize> = always_dropped.to_vec();
    for (i, l) in request_lit.iter().enumerate() {
        if l.is_some_and(|l| !model.contains(&l)) {
            drop.push(i);
        }
    }
    drop.sort_unstable();
    let kept = kept_lines(requests, &drop);
    // The model's cone values on top of the base; conf computes the rest.
    let target = cone_model_on_base(k, enc, model, base);
    let mut goal = Evaluator::new(k);
    goal.read_config(&target, &prefix, false);
    // The symbols the model changes while they stay visible are the lines
    // to add; if conf does not reach the requests with them alone, the
    // lines grow until it reproduces the model's configuration.
    let mut changed: Vec<SymId> = changed_symbols.to_vec();
    changed.sort();
    let mut lines = kept.clone();
    lines.extend(changed.iter().map(|&s| (s, goal.string_value(s))));
    if !all_hold(k, base, &lines) {
        lines = reproduce(k, base, lines, &target);
        if !all_hold(k, base, &lines) {
            return None;
        }
        // Growing adds consequences too: keep only the lines needed.
        let mut i = lines.len();
        while i > kept.len() {
            i -= 1;
            let mut fewer = lines.clone();
            fewer.remove(i);
            if all_hold(k, base, &fewer) {
                lines = fewer;
            }
        }
    }
    let set: Vec<(SymId, String)> = lines[kept.len()..].to_vec();
    Some(build(k, requests, base, drop, set, proven_fewest))
}

/// The fix that drops `drop` and sets `set`, with its distance from the base.
fn build(
    k: &Kconfig,
    requests: &[Request],
    base: &str,
    drop: Vec<usize>,
    set: Vec<(SymId, String)>,
    proven_fewest: bool,
) -> Fix {
    let prefix = Prefix::default();
    let mut lines = kept_lines(requests, &drop);
    lines.extend(set.iter().cloned());
    let (fixed_text, _) = apply(k, base, &lines);
    let mut base_ev_values = Evaluator::new(k);
    base_ev_values.read_config(base, &prefix, false);
    let mut after = Evaluator::new(k);
    after.read_config(&fixed_text, &prefix, false);
    let distance = k
        .config_symbols()
        .filter(|&s| k.sym(s).ty != SymType::Unknown)
        .filter(|&s| base_ev_values.string_value(s) != after.string_value(s))
        .count();
    Fix {
        drop_lines: drop
            .iter()
            .map(|&i| format!("{}:{}", requests[i].file, requests[i].line))
            .collect(),
        set_config: set
            .iter()
            .map(|(s, v)| super::solve::config_line(k, *s, v))
            .collect(),
        set_nixos: set
            .iter()
            .map(|(s, v)| super::solve::nixos_line(k, *s, v))
            .collect(),
        changes: drop.len() + set.len(),
        drop,
        set,
        distance,
        proven_fewest,
    }
}

/// The fixes among `fixes` whose result also meets `constraints`, and, when
/// none does, the fix that drops requests in `blocked` (those the rules
/// forbid), as few as a greedy pass finds, if the rest then hold and meet
/// them. Fixes come from the tree alone; this keeps only those the rules
/// accept.
pub fn meeting_constraints(
    k: &Kconfig,
    requests: &[Request],
    base: &str,
    fixes: Vec<Fix>,
    constraints: &[super::constraint::Constraint],
    blocked: &[usize],
) -> Vec<Fix> {
    let meets = |lines: &[(SymId, String)]| hold_with(k, base, lines, constraints);
    let mut kept: Vec<Fix> = fixes
        .into_iter()
        .filter(|f| meets(&f.lines(requests)))
        .collect();
    if kept.is_empty() && !blocked.is_empty() {
        let keeping = |drop: &[usize]| kept_lines(requests, drop);
        let mut drop = blocked.to_vec();
        if meets(&keeping(&drop)) {
            // Keep every blocked request the rules can live with.
            let mut i = 0;
            while i < drop.len() {
                let mut fewer = drop.clone();
                fewer.remove(i);
                if meets(&keeping(&fewer)) {
                    drop = fewer;
                } else {
                    i += 1;
                }
            }
            kept.push(build(k, requests, base, drop, Vec::new(), false));
        }
    }
    kept
}

impl Fix {
    /// The requests the fix keeps, then the lines it sets.
    pub fn lines(&self, requests: &[Request]) -> Vec<(SymId, String)> {
        let mut lines = kept_lines(requests, &self.drop);
        lines.extend(self.set.iter().cloned());
        lines
    }
}

/// The requests not in `drop` (indices), as lines.
fn kept_lines(requests: &[Request], drop: &[usize]) -> Vec<(SymId, String)> {
    requests
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, r)| (r.sym, r.wanted.text()))
        .collect()
}

/// Whether every line holds once all are set on `base` through conf.
pub fn all_hold(k: &Kconfig, base: &str, lines: &[(SymId, String)]) -> bool {
    hold_with(k, base, lines, &[])
}

/// [`all_hold`], and every constraint holds there too.
fn hold_with(
    k: &Kconfig,
    base: &str,
    lines: &[(SymId, String)],
    constraints: &[super::constraint::Constraint],
) -> bool {
    let mut ev = super::solve::evaluate(k, base, lines);
    lines.iter().all(|(s, v)| ev.string_value(*s) == *v)
        && constraints.iter().all(|c| c.holds(&mut ev))
}

/// The `.config` conf writes when the model's values of the cone's symbols
/// are set on top of the base.
fn cone_model_on_base(k: &Kconfig, enc: &Encoding, model: &HashSet<Lit>, base: &str) -> String {
    let prefix = Prefix::default();
    let mut ev = Evaluator::new(k);
    ev.read_config(base, &prefix, false);
    for s in k.config_symbols() {
        if !enc.in_scope(s) {
            continue;
        }
        let i = s.0 as usize;
        let value = if let Some(y) = enc.y_var[i] {
            let v = if model.contains(&y.positive()) {
                crate::eval::Tri::Yes
            } else if enc.m_var[i].is_some_and(|m| model.contains(&m.positive())) {
                crate::eval::Tri::Mod
            } else {
                crate::eval::Tri::No
            };
            UserValue::Tri(v)
        } else {
            match enc.domain[i].iter().find(|(_, l)| match l {
                L::Const(b) => *b,
                L::Lit(x) => model.contains(x),
            }) {
                Some((d, _)) => UserValue::Str(d.clone()),
                None => continue,
            }
        };
        let is_y = matches!(value, UserValue::Tri(crate::eval::Tri::Yes));
        ev.set_user_raw(s, value);
        if is_y {
            ev.prioritise_choice_member(s);
        }
    }
    ev.clear_all_valid();
    ev.write_config(&prefix)
}
