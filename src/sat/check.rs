//! `check`: can the requested values hold together? Each request is then
//! achieved, or rejected with a category found by further SAT queries.

use super::constraint::Constraint;
use super::encode::Encoding;
use super::request::{BadRequest, Request, Wanted};
use crate::eval::Tri;
use crate::model::{Kconfig, SymId, SymType};
use serde::Serialize;
use varisat::{Lit, Solver};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    UnknownSymbol,
    /// No value of the request is reachable: its dependencies can never hold.
    DependenciesUnmet,
    /// It cannot be n: a `select` always forces it.
    PinnedBySelect,
    /// y is impossible, m is possible.
    CappedAtM,
    /// m is impossible because modules cannot be enabled.
    ModulesDisabled,
    /// The symbol has no prompt: its value comes from defaults and selects only.
    NotUserSettable,
    ValueOutOfRange,
    /// Two requests pick different members of one choice.
    ChoiceConflict,
    /// Possible alone, impossible together with the requests listed.
    ConflictsWithOtherRequests,
    /// Possible in the tree, forbidden by the rules listed.
    ConflictsWithRules,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestResult {
    pub file: String,
    pub line: usize,
    pub text: String,
    pub symbol: String,
    pub wanted: String,
    pub achieved: bool,
    /// It can hold, but conf's result for the base and the requests does
    /// not have it: other lines are needed (see the fixes).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_other_changes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Lines of the other requests in a minimal conflicting set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts_with: Vec<usize>,
    /// Rules (constraints) in that set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts_with_rules: Vec<String>,
    /// Where the symbol is defined.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defined_at: Vec<String>,
    /// Why it does not hold (see `explain_rejections`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<super::explain::Step>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Version of this JSON layout.
    pub schema: u32,
    // (variables and clauses are 0 when the base configuration settled it.)
    /// All well-formed requests can hold together.
    pub satisfiable: bool,
    pub results: Vec<RequestResult>,
    /// Lines that are not usable requests (malformed, wrong type, unknown symbol).
    pub bad_lines: Vec<BadRequest>,
    pub variables: usize,
    pub clauses: usize,
    /// Verified ways to make the requests hold (see `explain_rejections`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<super::fix::Fix>,
    /// Each extra constraint (rule) and whether it holds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// It holds in conf's result for the base and the requests.
    Holds,
    /// It does not hold there, but other changes can make it hold together
    /// with the requests that hold (`kconfig-sat solve` finds the fewest).
    NeedsChanges,
    /// It cannot hold together with the requests listed.
    ConflictsWithRequests,
    /// No configuration of the tree meets it.
    Impossible,
    /// It asks the requests to name one member of each of some groups
    /// (with y) and they do not (the groups are in `text`).
    NotAnswered,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub id: String,
    pub text: String,
    pub status: RuleStatus,
    /// Lines of the requests it conflicts with.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts_with: Vec<usize>,
    /// Why it does not hold in conf's result: the chain of each symbol it names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<super::explain::Step>,
}

impl RuleResult {
    pub fn holds(&self) -> bool {
        self.status == RuleStatus::Holds
    }
}

impl CheckReport {
    /// 0: everything holds; 1: something rejected; 2: bad input.
    pub fn exit_code(&self) -> i32 {
        if self.bad_lines.iter().any(|b| b.is_input_error) {
            2
        } else if self
            .results
            .iter()
            .any(|r| !r.achieved || r.needs_other_changes)
            || !self.bad_lines.is_empty()
            || self.rules.iter().any(|r| !r.holds())
        {
            1
        } else {
            0
        }
    }
}

struct Solving<'a, 'k> {
    enc: &'a Encoding<'k>,
    solver: Solver<'static>,
}

impl Solving<'_, '_> {
    fn sat(&mut self, lits: &[Lit]) -> bool {
        self.solver.assume(lits);
        self.solver.solve().unwrap_or(false)
    }
}

/// Literals that make `s` have `wanted` (`None`: impossible outright).
fn literals(enc: &Encoding, s: SymId, wanted: &Wanted) -> Option<Vec<Lit>> {
    enc.literals_for(s, &wanted.text())
}

/// conf's result for `base` with the `chosen` requests as user values, and
/// which of them hold there. conf's result is a model of the encoding, so
/// each request that holds there is possible, and if all hold they hold
/// together, without asking a solver.
fn on_base<'k>(
    k: &'k Kconfig,
    requests: &[Request],
    chosen: &[usize],
    base: &str,
) -> (Vec<bool>, crate::eval::Evaluator<'k>) {
    let wanted: Vec<(SymId, String)> = chosen
        .iter()
        .map(|&i| (requests[i].sym, requests[i].wanted.text()))
        .collect();
    let mut ev = super::solve::evaluate(k, base, &wanted);
    let held = wanted
        .iter()
        .map(|(s, v)| ev.string_value(*s) == *v)
        .collect();
    (held, ev)
}

/// Checks the requests. With a `base` (a `.config` text, e.g. the arch
/// defconfig) the exact evaluator answers first; the solver is asked only
/// about what conf's own result leaves open.
pub fn check(
    k: &Kconfig,
    requests: &[Request],
    bad: Vec<BadRequest>,
    base: Option<&str>,
) -> CheckReport {
    check_with_rules(k, requests, bad, base, &[])
}

/// [`check`] with extra constraints (rule packs) that the configuration
/// must meet: they take part in conflicts like requests do, and each gets a
/// [`RuleResult`].
pub fn check_with_rules(
    k: &Kconfig,
    requests: &[Request],
    bad: Vec<BadRequest>,
    base: Option<&str>,
    constraints: &[Constraint],
) -> CheckReport {
    let everything: Vec<usize> = (0..requests.len()).collect();
    // conf's result for the base and every request: which requests and
    // which constraints hold there.
    let (held_all, rules_hold) = match base {
        Some(base) => {
            let (held, mut ev) = on_base(k, requests, &everything, base);
            let rules: Vec<bool> = constraints.iter().map(|c| c.holds(&mut ev)).collect();
            (held, rules)
        }
        None => (vec![false; requests.len()], vec![false; constraints.len()]),
    };
    // The same for some of the requests (indices) and constraints (indices
    // into `constraints`): which requests hold, and whether those
    // constraints all do. The result for every request is known already.
    let conf_result = |base: &str, chosen: &[usize], rules: &[usize]| -> (Vec<bool>, bool) {
        if chosen.len() == requests.len() {
            return (held_all.clone(), rules.iter().all(|&j| rules_hold[j]));
        }
        let (held, mut ev) = on_base(k, requests, chosen, base);
        (held, rules.iter().all(|&j| constraints[j].holds(&mut ev)))
    };
    let mut possible_alone = held_all.clone();
    let rule_result = |c: &Constraint, status: RuleStatus| RuleResult {
        id: c.id.clone(),
        text: c.text.clone(),
        status,
        conflicts_with: Vec::new(),
        explanation: Vec::new(),
    };
    if possible_alone.iter().all(|&h| h) && rules_hold.iter().all(|&h| h) {
        return CheckReport {
            schema: 1,
            satisfiable: true,
            results: requests.iter().map(|r| achieved(k, r)).collect(),
            bad_lines: bad,
            variables: 0,
            clauses: 0,
            fixes: Vec::new(),
            rules: constraints
                .iter()
                .map(|c| rule_result(c, RuleStatus::Holds))
                .collect(),
        };
    }
    if let Some(base) = base {
        for (i, possible) in possible_alone.iter_mut().enumerate() {
            if !*possible {
                *possible = on_base(k, requests, &[i], base).0[0];
            }
        }
    }
    let mut extra = super::request::requested_values(requests);
    super::constraint::compared_values(constraints, k, &mut extra);
    let mut roots: Vec<SymId> = requests.iter().map(|r| r.sym).collect();
    roots.extend(constraints.iter().flat_map(|c| c.symbols(k)));
    let mut enc = Encoding::for_cone(k, &extra, &roots);
    // Each constraint behind a selector, so that it can take part in
    // conflicts like a request: assuming the selector makes it hold.
    let mut lits: Vec<Option<Vec<Lit>>> = requests
        .iter()
        .map(|r| literals(&enc, r.sym, &r.wanted))
        .collect();
    for c in constraints {
        let value = super::constraint::encode(&mut enc, &c.expr);
        let selector = enc.b.var(format!("rule {}", c.id));
        enc.b
            .clause(&[super::tri::L::Lit(selector.negative()), value.y]);
        lits.push(Some(vec![selector.positive()]));
    }
    let mut solver = Solver::new();
    solver.add_formula(&enc.b.cnf);
    let mut sv = Solving { enc: &enc, solver };
    let mut results: Vec<RequestResult> = requests.iter().map(|r| achieved(k, r)).collect();
    // Requests impossible on their own. A model found for one request also
    // witnesses every other request it happens to satisfy.
    for i in 0..requests.len() {
        if possible_alone[i] {
            continue;
        }
        let Some(own) = &lits[i] else { continue };
        if sv.sat(own) {
            let model: std::collections::HashSet<Lit> =
                sv.solver.model().unwrap_or_default().into_iter().collect();
            for (j, l) in lits.iter().enumerate().take(requests.len()) {
                if l.as_ref()
                    .is_some_and(|l| l.iter().all(|x| model.contains(x)))
                {
                    possible_alone[j] = true;
                }
            }
        }
    }
    let mut possible = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        if possible_alone[i] {
            possible.push(i);
        } else {
            results[i].achieved = false;
            results[i].category = Some(categorize(&mut sv, k, r));
        }
    }
    // Constraints come after the requests in `lits`.
    let mut rules: Vec<RuleResult> = Vec::new();
    for (j, c) in constraints.iter().enumerate() {
        let item = requests.len() + j;
        let status = if lits[item].as_ref().is_some_and(|l| sv.sat(l)) {
            possible.push(item);
            if rules_hold[j] {
                RuleStatus::Holds
            } else {
                RuleStatus::NeedsChanges
            }
        } else {
            RuleStatus::Impossible
        };
        rules.push(rule_result(c, status));
    }
    // The possible ones may hold together under conf itself.
    // (Constraints come after the requests among the items.)
    let together = base.is_some_and(|base| {
        let (chosen, rules): (Vec<usize>, Vec<usize>) =
            possible.iter().partition(|&&i| i < requests.len());
        let rules: Vec<usize> = rules.iter().map(|i| i - requests.len()).collect();
        let (held, rules_met) = conf_result(base, &chosen, &rules);
        held.iter().all(|&h| h) && rules_met
    });
    if !together {
        // Among the rest: peel off minimal conflicting sets until they hold.
        loop {
            let assumptions: Vec<Lit> = possible
                .iter()
                .flat_map(|&i| lits[i].clone().unwrap_or_default())
                .collect();
            if sv.sat(&assumptions) {
                break;
            }
            let core = minimal_conflict(&mut sv, &possible, &lits);
            if core.is_empty() {
                break;
            }
            let (in_requests, in_rules): (Vec<usize>, Vec<usize>) =
                core.iter().partition(|&&i| i < requests.len());
            let rule_ids: Vec<String> = in_rules
                .iter()
                .map(|&i| constraints[i - requests.len()].id.clone())
                .collect();
            let lines: Vec<usize> = in_requests.iter().map(|&i| requests[i].line).collect();
            let choice_clash = in_rules.is_empty()
                && core.len() == 2
                && same_choice(k, requests[core[0]].sym, requests[core[1]].sym);
            for &i in &in_requests {
                results[i].achieved = false;
                results[i].category = Some(if choice_clash {
                    Category::ChoiceConflict
                } else if in_requests.len() == 1 {
                    Category::ConflictsWithRules
                } else {
                    Category::ConflictsWithOtherRequests
                });
                results[i].conflicts_with = lines
                    .iter()
                    .copied()
                    .filter(|&l| l != requests[i].line)
                    .collect();
                results[i].conflicts_with_rules = rule_ids.clone();
            }
            for &i in &in_rules {
                let rule = &mut rules[i - requests.len()];
                rule.status = RuleStatus::ConflictsWithRequests;
                rule.conflicts_with = lines.clone();
            }
            // A rule in conflict gives way: the requests are what the user
            // asked for, and the rule's verdict says what it costs them.
            if in_rules.is_empty() {
                possible.retain(|i| !core.contains(i));
            } else {
                possible.retain(|i| !in_rules.contains(i));
            }
        }
    }
    // Requests that can hold but that conf, given only the achievable
    // requests, does not bring about: other lines are needed (the fixes
    // say which).
    if let Some(base) = base {
        let achievable: Vec<usize> = (0..requests.len())
            .filter(|&i| results[i].achieved)
            .collect();
        let (held, _) = conf_result(base, &achievable, &[]);
        for (&i, held) in achievable.iter().zip(held) {
            results[i].needs_other_changes = !held;
        }
    }
    CheckReport {
        schema: 1,
        satisfiable: results.iter().all(|r| r.achieved),
        results,
        bad_lines: bad,
        variables: enc.variables(),
        clauses: enc.clauses(),
        fixes: Vec::new(),
        rules,
    }
}

fn achieved(k: &Kconfig, r: &Request) -> RequestResult {
    RequestResult {
        file: r.file.clone(),
        line: r.line,
        text: r.text.clone(),
        symbol: k.sym(r.sym).name.clone(),
        wanted: r.wanted.text(),
        achieved: true,
        needs_other_changes: false,
        category: None,
        conflicts_with: Vec::new(),
        conflicts_with_rules: Vec::new(),
        explanation: Vec::new(),
        defined_at: k
            .sym(r.sym)
            .menus
            .iter()
            .map(|&m| k.sources.file_line(k.menu(m).loc))
            .collect(),
    }
}

/// Adds to every rejected request the chain of Kconfig facts that keeps it
/// from holding (in conf's result for the base and all requests) and, when
/// something is rejected, up to `fix_count` verified fixes. The tree must be
/// loaded with its menu structure for dependencies to read as menuconfig's.
pub fn explain_rejections(
    k: &Kconfig,
    report: &mut CheckReport,
    requests: &[Request],
    base: &str,
    fix_count: usize,
    constraints: &[Constraint],
) {
    let needs_changes = |r: &RequestResult| !r.achieved || r.needs_other_changes;
    if !report.results.iter().any(needs_changes) && report.rules.iter().all(|r| r.holds()) {
        return;
    }
    let context: Vec<_> = requests.iter().map(|r| (r.sym, r.wanted.text())).collect();
    let (_, mut ev) = super::solve::apply(k, base, &context);
    for (result, r) in report.results.iter_mut().zip(requests) {
        if needs_changes(result) {
            result.explanation = super::explain::why(&mut ev, r.sym, Some(&r.wanted.text()));
        }
    }
    for (rule, c) in report.rules.iter_mut().zip(constraints) {
        if rule.holds() {
            continue;
        }
        for (name, value) in &c.wanted {
            if let Some(s) = k.lookup(name) {
                rule.explanation
                    .extend(super::explain::why(&mut ev, s, Some(value)));
            }
        }
    }
    if report.results.iter().any(needs_changes) {
        report.fixes = super::fix::fixes(k, requests, &[], base, fix_count);
        if !constraints.is_empty() {
            let blocked: Vec<usize> = report
                .results
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.conflicts_with_rules.is_empty())
                .map(|(i, _)| i)
                .collect();
            let fixes = std::mem::take(&mut report.fixes);
            report.fixes =
                super::fix::meeting_constraints(k, requests, base, fixes, constraints, &blocked);
        }
    }
}

/// A minimal set of requests (indices) that cannot hold together: the
/// solver's failed assumptions, then deletion of every request not needed.
fn minimal_conflict(
    sv: &mut Solving,
    candidates: &[usize],
    lits: &[Option<Vec<Lit>>],
) -> Vec<usize> {
    let assumptions: Vec<Lit> = candidates
        .iter()
        .flat_map(|&i| lits[i].clone().unwrap_or_default())
        .collect();
    sv.solver.assume(&assumptions);
    if sv.solver.solve().unwrap_or(true) {
        return Vec::new();
    }
    let failed: Vec<Lit> = sv
        .solver
        .failed_core()
        .map(|c| c.to_vec())
        .unwrap_or_default();
    let mut core: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| {
            lits[i]
                .as_ref()
                .is_some_and(|l| l.iter().any(|x| failed.contains(x)))
        })
        .collect();
    let mut k = 0;
    while k < core.len() {
        let without: Vec<Lit> = core
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, &i)| lits[i].clone().unwrap_or_default())
            .collect();
        if !sv.sat(&without) {
            core.remove(k);
        } else {
            k += 1;
        }
    }
    core
}

fn same_choice(k: &Kconfig, a: SymId, b: SymId) -> bool {
    let (ca, cb) = (k.choice_of(a), k.choice_of(b));
    ca.is_some() && ca == cb
}

/// Why a request is impossible even alone.
fn categorize(sv: &mut Solving, k: &Kconfig, r: &Request) -> Category {
    let s = r.sym;
    let has_prompt = k.sym(s).props.iter().any(|&p| k.prop(p).text.is_some());
    let can = |sv: &mut Solving, t: Tri| -> bool {
        match literals(sv.enc, s, &Wanted::Tri(t)) {
            Some(l) => sv.sat(&l),
            None => false,
        }
    };
    match &r.wanted {
        Wanted::Tri(Tri::Yes) => {
            if can(sv, Tri::Mod) {
                Category::CappedAtM
            } else if !has_prompt {
                Category::NotUserSettable
            } else {
                Category::DependenciesUnmet
            }
        }
        Wanted::Tri(Tri::Mod) => {
            let modules_possible = k
                .modules_sym
                .and_then(|m| sv.enc.y_var[m.0 as usize])
                .is_some_and(|v| sv.sat(&[v.positive()]));
            if !modules_possible {
                Category::ModulesDisabled
            } else if can(sv, Tri::Yes) && k.sym(s).rev_dep.is_some() {
                Category::PinnedBySelect
            } else if !has_prompt {
                Category::NotUserSettable
            } else {
                Category::DependenciesUnmet
            }
        }
        Wanted::Tri(Tri::No) => {
            if k.sym(s).rev_dep.is_some() {
                Category::PinnedBySelect
            } else {
                Category::NotUserSettable
            }
        }
        Wanted::Value(_) => {
            let has_range = k.sym(s).props.iter().any(|&p| k.prop(p).range.is_some());
            if !has_prompt {
                Category::NotUserSettable
            } else if has_range && k.sym(s).ty != SymType::String {
                Category::ValueOutOfRange
            } else {
                Category::DependenciesUnmet
            }
        }
    }
}

impl Category {
    /// No configuration of the tree has the requested value, whatever else
    /// is requested.
    pub fn impossible_alone(self) -> bool {
        !matches!(
            self,
            Category::ChoiceConflict
                | Category::ConflictsWithOtherRequests
                | Category::ConflictsWithRules
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            Category::UnknownSymbol => "unknown symbol",
            Category::DependenciesUnmet => "its dependencies can never be met",
            Category::PinnedBySelect => "pinned by a select",
            Category::CappedAtM => "capped at m (dependencies allow only m)",
            Category::ModulesDisabled => "m needs modules, which cannot be enabled",
            Category::NotUserSettable => {
                "not user-settable (no prompt: defaults and selects decide)"
            }
            Category::ValueOutOfRange => "value outside the symbol's range",
            Category::ChoiceConflict => {
                "another request picks a different member of the same choice"
            }
            Category::ConflictsWithOtherRequests => "conflicts with other requests",
            Category::ConflictsWithRules => "forbidden by the rules",
        }
    }
}
