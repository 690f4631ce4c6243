//! Fewest violated soft assumptions: the optimisation behind `solve` (fewest
//! changed symbols) and the fixes of `explain` (fewest changed lines).
//!
//! Soft literals are assumed; the core of each failure is relaxed whole, so
//! the cores are disjoint and each adds its lightest member's weight to a
//! proven lower bound. Relaxed literals are then taken back one at a time
//! while the budget lasts; when the cost meets the bound the answer is
//! optimal.

use crate::fasthash::FastMap;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use varisat::{ExtendFormula, Lit, Solver};

pub struct Minimum {
    pub model: HashSet<Lit>,
    /// Total weight of the soft literals the model violates.
    pub cost: usize,
    /// Proven: no model violates less.
    pub lower_bound: usize,
}

impl Minimum {
    pub fn proven(&self) -> bool {
        self.cost <= self.lower_bound
    }
}

/// Soft literals with weights; a literal given twice weighs the sum.
#[derive(Default, Clone)]
pub struct Softs {
    order: Vec<Lit>,
    weight: FastMap<Lit, usize>,
}

impl Softs {
    pub fn add(&mut self, l: Lit, w: usize) {
        let entry = self.weight.entry(l).or_insert(0);
        if *entry == 0 {
            self.order.push(l);
        }
        *entry += w;
    }

    pub fn literals(&self) -> &[Lit] {
        &self.order
    }

    pub fn weight(&self, l: Lit) -> usize {
        self.weight.get(&l).copied().unwrap_or(0)
    }

    pub fn violated<'a>(&'a self, model: &'a HashSet<Lit>) -> impl Iterator<Item = Lit> + 'a {
        self.order.iter().copied().filter(|l| !model.contains(l))
    }

    pub fn cost(&self, model: &HashSet<Lit>) -> usize {
        self.violated(model).map(|l| self.weight(l)).sum()
    }
}

/// Minimises the violated weight of `softs` under `hard` assumptions;
/// `None` when the hard assumptions cannot hold.
pub fn minimise(
    solver: &mut Solver,
    hard: &[Lit],
    softs: &Softs,
    budget: Duration,
) -> Option<Minimum> {
    let started = Instant::now();
    let with = |kept: &mut dyn Iterator<Item = Lit>| -> Vec<Lit> {
        let mut a = hard.to_vec();
        a.extend(kept);
        a
    };
    let mut active: HashSet<Lit> = softs.literals().iter().copied().collect();
    let mut lower_bound = 0;
    loop {
        let assumptions = with(
            &mut softs
                .literals()
                .iter()
                .copied()
                .filter(|l| active.contains(l)),
        );
        solver.assume(&assumptions);
        if solver.solve().ok()? {
            break;
        }
        let core: Vec<Lit> = solver.failed_core().map(|c| c.to_vec()).unwrap_or_default();
        let relaxed: Vec<Lit> = core.into_iter().filter(|l| active.remove(l)).collect();
        // A core of hard assumptions alone: they cannot hold.
        let lightest = relaxed.iter().map(|&l| softs.weight(l)).min()?;
        lower_bound += lightest;
    }
    let mut model: HashSet<Lit> = solver.model()?.into_iter().collect();
    let mut candidates: Vec<Lit> = softs.violated(&model).collect();
    while softs.cost(&model) > lower_bound && started.elapsed() < budget {
        let Some(next) = candidates.pop() else { break };
        let assumptions = with(
            &mut softs
                .literals()
                .iter()
                .copied()
                .filter(|l| model.contains(l))
                .chain(std::iter::once(next)),
        );
        solver.assume(&assumptions);
        if solver.solve().unwrap_or(false) {
            model = solver.model().unwrap_or_default().into_iter().collect();
            candidates.retain(|l| !model.contains(l));
        }
    }
    Some(Minimum {
        cost: softs.cost(&model),
        model,
        lower_bound,
    })
}

/// Excludes `violated` and every superset of it from later answers: at
/// least one of those soft literals must hold from now on.
pub fn block(solver: &mut Solver, violated: &[Lit]) {
    solver.add_clause(violated);
}
