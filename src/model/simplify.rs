//! The expression algebra `scripts/kconfig` applies while finalizing menus:
//! rewriting, duplicate elimination and comparison helpers. Its results decide
//! the menu structure (which entries become a symbol's submenu) and how
//! dependencies are shown; values are computed from the unsimplified
//! expressions, which mean the same.
//!
//! Expressions here are hash-consed (identical trees share one id), as in the
//! C tool, so structural equality is id equality and results can be memoised.

use super::{CmpOp, Expr, ExprArena, ExprId, Kconfig, SymId, SymType, SYM_M, SYM_N, SYM_Y};
use crate::fasthash::FastMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum F {
    Sym(SymId),
    Not(FId),
    And(FId, FId),
    Or(FId, FId),
    Cmp(CmpOp, SymId, SymId),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
}

/// A missing expression means "always" (`y`), as a NULL expression does in C.
pub type Opt = Option<FId>;

#[derive(Debug, Default)]
pub struct Forms {
    nodes: Vec<F>,
    index: FastMap<F, FId>,
    dups_memo: FastMap<FId, FId>,
    from_raw_memo: FastMap<ExprId, FId>,
    // Every operation below is a pure function of hash-consed ids (the change
    // counter they touch is saved and restored by their callers), so results
    // are memoised: menu dependencies share long prefixes.
    transform_memo: FastMap<FId, FId>,
    trans_compare_memo: FastMap<(FId, bool, SymId), Opt>,
    eq_memo: FastMap<(FId, FId), bool>,
    eliminate_eq_memo: FastMap<(FId, FId), (FId, FId)>,
    trans_count: u32,
}

/// Symbol facts the algebra needs.
pub struct SymFacts<'a> {
    pub k: &'a Kconfig,
}

impl SymFacts<'_> {
    fn ty(&self, s: SymId) -> SymType {
        self.k.sym(s).ty
    }
    fn is_const(&self, s: SymId) -> bool {
        self.k.sym(s).is_const
    }
}

impl Forms {
    pub fn get(&self, id: FId) -> F {
        self.nodes[id.0 as usize]
    }

    pub fn node(&mut self, f: F) -> FId {
        if let Some(&id) = self.index.get(&f) {
            return id;
        }
        let id = FId(self.nodes.len() as u32);
        self.nodes.push(f);
        self.index.insert(f, id);
        id
    }

    pub fn sym(&mut self, s: SymId) -> FId {
        self.node(F::Sym(s))
    }

    fn two(&mut self, op: Op, a: FId, b: FId) -> FId {
        match op {
            Op::And => self.node(F::And(a, b)),
            Op::Or => self.node(F::Or(a, b)),
        }
    }

    pub fn and(&mut self, a: Opt, b: Opt) -> Opt {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(self.node(F::And(a, b))),
        }
    }

    pub fn or(&mut self, a: Opt, b: Opt) -> Opt {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(self.node(F::Or(a, b))),
        }
    }

    /// Converts a parsed expression.
    pub fn from_raw(&mut self, arena: &ExprArena, e: ExprId) -> FId {
        if let Some(&f) = self.from_raw_memo.get(&e) {
            return f;
        }
        let f = match arena.get(e) {
            Expr::Sym(s) => self.sym(s),
            Expr::Not(a) => {
                let a = self.from_raw(arena, a);
                self.node(F::Not(a))
            }
            Expr::And(a, b) => {
                let (a, b) = (self.from_raw(arena, a), self.from_raw(arena, b));
                self.node(F::And(a, b))
            }
            Expr::Or(a, b) => {
                let (a, b) = (self.from_raw(arena, a), self.from_raw(arena, b));
                self.node(F::Or(a, b))
            }
            Expr::Cmp(op, a, b) => self.node(F::Cmp(op, a, b)),
        };
        self.from_raw_memo.insert(e, f);
        f
    }

    fn op_of(&self, e: FId) -> Option<Op> {
        match self.get(e) {
            F::And(..) => Some(Op::And),
            F::Or(..) => Some(Op::Or),
            _ => None,
        }
    }

    fn children(&self, e: FId) -> (FId, FId) {
        match self.get(e) {
            F::And(a, b) | F::Or(a, b) => (a, b),
            _ => (e, e),
        }
    }

    pub fn is_yes(&self, e: Opt) -> bool {
        match e {
            None => true,
            Some(e) => self.get(e) == F::Sym(SYM_Y),
        }
    }

    fn is_const_sym(&self, e: FId, s: SymId) -> bool {
        self.get(e) == F::Sym(s)
    }

    /// `m` in a condition becomes `m && MODULES`.
    pub fn rewrite_m(&mut self, e: Opt, modules: SymId) -> Opt {
        let e = e?;
        Some(self.rewrite_m_inner(e, modules))
    }

    fn rewrite_m_inner(&mut self, e: FId, modules: SymId) -> FId {
        match self.get(e) {
            F::Not(a) => {
                let a = self.rewrite_m_inner(a, modules);
                self.node(F::Not(a))
            }
            F::And(a, b) | F::Or(a, b) => {
                let op = self.op_of(e).unwrap_or(Op::And);
                let (a, b) = (
                    self.rewrite_m_inner(a, modules),
                    self.rewrite_m_inner(b, modules),
                );
                self.two(op, a, b)
            }
            F::Sym(s) if s == SYM_M => {
                let m = self.sym(modules);
                self.node(F::And(e, m))
            }
            _ => e,
        }
    }

    /// `expr_transform`: normalises comparisons of bools and pushes negations inward.
    pub fn transform(&mut self, facts: &SymFacts, e: Opt) -> Opt {
        let e = e?;
        Some(self.transform_inner(facts, e))
    }

    fn transform_inner(&mut self, facts: &SymFacts, e: FId) -> FId {
        if let Some(&done) = self.transform_memo.get(&e) {
            return done;
        }
        let out = self.transform_uncached(facts, e);
        self.transform_memo.insert(e, out);
        out
    }

    fn transform_uncached(&mut self, facts: &SymFacts, e: FId) -> FId {
        let e = match self.get(e) {
            F::Not(a) => {
                let a = self.transform_inner(facts, a);
                self.node(F::Not(a))
            }
            F::And(a, b) => {
                let (a, b) = (
                    self.transform_inner(facts, a),
                    self.transform_inner(facts, b),
                );
                self.node(F::And(a, b))
            }
            F::Or(a, b) => {
                let (a, b) = (
                    self.transform_inner(facts, a),
                    self.transform_inner(facts, b),
                );
                self.node(F::Or(a, b))
            }
            _ => e,
        };
        match self.get(e) {
            F::Cmp(CmpOp::Equal, a, b) if facts.ty(a) == SymType::Bool => {
                if b == SYM_N {
                    let s = self.sym(a);
                    self.node(F::Not(s))
                } else if b == SYM_M {
                    self.sym(SYM_N)
                } else if b == SYM_Y {
                    self.sym(a)
                } else {
                    e
                }
            }
            F::Cmp(CmpOp::Unequal, a, b) if facts.ty(a) == SymType::Bool => {
                if b == SYM_N {
                    self.sym(a)
                } else if b == SYM_M {
                    self.sym(SYM_Y)
                } else if b == SYM_Y {
                    let s = self.sym(a);
                    self.node(F::Not(s))
                } else {
                    e
                }
            }
            F::Not(inner) => match self.get(inner) {
                F::Not(x) => x,
                F::Cmp(CmpOp::Equal, a, b) => self.node(F::Cmp(CmpOp::Unequal, a, b)),
                F::Cmp(CmpOp::Unequal, a, b) => self.node(F::Cmp(CmpOp::Equal, a, b)),
                F::Cmp(CmpOp::LessEqual, a, b) => self.node(F::Cmp(CmpOp::Greater, a, b)),
                F::Cmp(CmpOp::GreaterEqual, a, b) => self.node(F::Cmp(CmpOp::Less, a, b)),
                F::Cmp(CmpOp::Less, a, b) => self.node(F::Cmp(CmpOp::GreaterEqual, a, b)),
                F::Cmp(CmpOp::Greater, a, b) => self.node(F::Cmp(CmpOp::LessEqual, a, b)),
                F::Or(a, b) => {
                    let (na, nb) = (self.node(F::Not(a)), self.node(F::Not(b)));
                    let x = self.node(F::And(na, nb));
                    self.transform_inner(facts, x)
                }
                F::And(a, b) => {
                    let (na, nb) = (self.node(F::Not(a)), self.node(F::Not(b)));
                    let x = self.node(F::Or(na, nb));
                    self.transform_inner(facts, x)
                }
                F::Sym(s) if s == SYM_Y => self.sym(SYM_N),
                F::Sym(s) if s == SYM_M => self.sym(SYM_M),
                F::Sym(s) if s == SYM_N => self.sym(SYM_Y),
                _ => e,
            },
            _ => e,
        }
    }

    /// Drops `y` and `n` operands of `&&`/`||` (only where the operand itself
    /// simplifies to a constant; otherwise the node is kept as it was).
    fn eliminate_yn(&mut self, e: FId) -> FId {
        match self.get(e) {
            F::And(a, b) => {
                let l = self.eliminate_yn(a);
                let r = self.eliminate_yn(b);
                if self.is_const_sym(l, SYM_N) {
                    return l;
                }
                if self.is_const_sym(l, SYM_Y) {
                    return r;
                }
                if self.is_const_sym(r, SYM_N) {
                    return r;
                }
                if self.is_const_sym(r, SYM_Y) {
                    return l;
                }
                e
            }
            F::Or(a, b) => {
                let l = self.eliminate_yn(a);
                let r = self.eliminate_yn(b);
                if self.is_const_sym(l, SYM_N) {
                    return r;
                }
                if self.is_const_sym(l, SYM_Y) {
                    return l;
                }
                if self.is_const_sym(r, SYM_N) {
                    return l;
                }
                if self.is_const_sym(r, SYM_Y) {
                    return r;
                }
                e
            }
            _ => e,
        }
    }

    /// `expr_eq`: equal after cancelling common operands of `&&`/`||`.
    pub fn eq(&mut self, facts: &SymFacts, e1: Opt, e2: Opt) -> bool {
        let (Some(a), Some(b)) = (e1, e2) else {
            return self.is_yes(e1) && self.is_yes(e2);
        };
        if a == b {
            // Hash-consed: the same id is the same tree (cancellation of a
            // tree against itself leaves equal sides too).
            return true;
        }
        if let Some(&r) = self.eq_memo.get(&(a, b)) {
            return r;
        }
        let r = self.eq_uncached(facts, a, b);
        self.eq_memo.insert((a, b), r);
        r
    }

    fn eq_uncached(&mut self, facts: &SymFacts, a: FId, b: FId) -> bool {
        let (fa, fb) = (self.get(a), self.get(b));
        match (fa, fb) {
            (F::Cmp(o1, a1, b1), F::Cmp(o2, a2, b2)) => o1 == o2 && a1 == a2 && b1 == b2,
            (F::Sym(x), F::Sym(y)) => x == y,
            (F::Not(x), F::Not(y)) => self.eq(facts, Some(x), Some(y)),
            (F::And(..), F::And(..)) | (F::Or(..), F::Or(..)) => {
                let saved = self.trans_count;
                let (mut x, mut y) = (Some(a), Some(b));
                self.eliminate_eq(facts, &mut x, &mut y);
                let res = match (x.map(|x| self.get(x)), y.map(|y| self.get(y))) {
                    (Some(F::Sym(p)), Some(F::Sym(q))) => p == q,
                    _ => false,
                };
                self.trans_count = saved;
                res
            }
            _ => false,
        }
    }

    /// `expr_eliminate_eq`: cancels operands that appear on both sides.
    pub fn eliminate_eq(&mut self, facts: &SymFacts, e1: &mut Opt, e2: &mut Opt) {
        let (Some(a0), Some(b0)) = (*e1, *e2) else {
            return;
        };
        if let Some(&(a, b)) = self.eliminate_eq_memo.get(&(a0, b0)) {
            *e1 = Some(a);
            *e2 = Some(b);
            return;
        }
        let (mut a, mut b) = (a0, b0);
        if let Some(op) = self.op_of(a) {
            self.eliminate_eq_inner(facts, op, &mut a, &mut b);
        }
        let differ = std::mem::discriminant(&self.get(a)) != std::mem::discriminant(&self.get(b));
        if differ {
            if let Some(op) = self.op_of(b) {
                self.eliminate_eq_inner(facts, op, &mut a, &mut b);
            }
        }
        let (a, b) = (self.eliminate_yn(a), self.eliminate_yn(b));
        self.eliminate_eq_memo.insert((a0, b0), (a, b));
        *e1 = Some(a);
        *e2 = Some(b);
    }

    fn eliminate_eq_inner(&mut self, facts: &SymFacts, op: Op, e1: &mut FId, e2: &mut FId) {
        if self.op_of(*e1) == Some(op) {
            let (mut l, mut r) = self.children(*e1);
            self.eliminate_eq_inner(facts, op, &mut l, e2);
            self.eliminate_eq_inner(facts, op, &mut r, e2);
            *e1 = self.two(op, l, r);
            return;
        }
        if self.op_of(*e2) == Some(op) {
            let (mut l, mut r) = self.children(*e2);
            self.eliminate_eq_inner(facts, op, e1, &mut l);
            self.eliminate_eq_inner(facts, op, e1, &mut r);
            *e2 = self.two(op, l, r);
            return;
        }
        if let (F::Sym(x), F::Sym(y)) = (self.get(*e1), self.get(*e2)) {
            if x == y && (x == SYM_Y || x == SYM_N) {
                return;
            }
        }
        if !self.eq(facts, Some(*e1), Some(*e2)) {
            return;
        }
        self.trans_count += 1;
        let c = if op == Op::Or { SYM_N } else { SYM_Y };
        *e1 = self.sym(c);
        *e2 = self.sym(c);
    }

    /// The symbol a join candidate is about: `A`, `!A`, `A=x`, `A!=x`, `!(A=x)`.
    fn join_symbols(&self, e1: FId, e2: FId) -> Option<SymId> {
        let simple = |f: F| {
            matches!(
                f,
                F::Sym(_) | F::Not(_) | F::Cmp(CmpOp::Equal | CmpOp::Unequal, ..)
            )
        };
        let (f1, f2) = (self.get(e1), self.get(e2));
        if !simple(f1) || !simple(f2) {
            return None;
        }
        let left_sym = |f: F| match f {
            F::Sym(s) | F::Cmp(_, s, _) => Some(s),
            _ => None,
        };
        let sym1 = match f1 {
            F::Not(t) => match self.get(t) {
                x @ (F::Sym(_) | F::Cmp(CmpOp::Equal | CmpOp::Unequal, ..)) => left_sym(x)?,
                _ => return None,
            },
            other => left_sym(other)?,
        };
        let sym2 = match f2 {
            F::Not(t) => match self.get(t) {
                F::Sym(s) => s,
                _ => return None,
            },
            other => left_sym(other)?,
        };
        (sym1 == sym2).then_some(sym1)
    }

    fn join_or(&mut self, facts: &SymFacts, e1: FId, e2: FId) -> Option<FId> {
        if self.eq(facts, Some(e1), Some(e2)) {
            return Some(e1);
        }
        let sym = self.join_symbols(e1, e2)?;
        let ty = facts.ty(sym);
        if !ty.is_boolish() {
            return None;
        }
        let (f1, f2) = (self.get(e1), self.get(e2));
        if ty == SymType::Tristate {
            if let (F::Cmp(CmpOp::Equal, _, r1), F::Cmp(CmpOp::Equal, _, r2)) = (f1, f2) {
                let pair = |a, b| (r1 == a && r2 == b) || (r1 == b && r2 == a);
                if pair(SYM_Y, SYM_M) {
                    return Some(self.node(F::Cmp(CmpOp::Unequal, sym, SYM_N)));
                }
                if pair(SYM_Y, SYM_N) {
                    return Some(self.node(F::Cmp(CmpOp::Unequal, sym, SYM_M)));
                }
                if pair(SYM_M, SYM_N) {
                    return Some(self.node(F::Cmp(CmpOp::Unequal, sym, SYM_Y)));
                }
            }
        }
        if ty == SymType::Bool {
            let not_sym =
                |f: F, me: &Self| matches!(f, F::Not(t) if matches!(me.get(t), F::Sym(_)));
            if (not_sym(f1, self) && matches!(f2, F::Sym(_)))
                || (not_sym(f2, self) && matches!(f1, F::Sym(_)))
            {
                return Some(self.sym(SYM_Y));
            }
        }
        None
    }

    fn join_and(&mut self, facts: &SymFacts, e1: FId, e2: FId) -> Option<FId> {
        if self.eq(facts, Some(e1), Some(e2)) {
            return Some(e1);
        }
        let sym = self.join_symbols(e1, e2)?;
        let ty = facts.ty(sym);
        if !ty.is_boolish() {
            return None;
        }
        let (f1, f2) = (self.get(e1), self.get(e2));
        let sym_and_cmp = |op: CmpOp, rhs: SymId| {
            matches!((f1, f2), (F::Sym(_), F::Cmp(o, _, r)) if o == op && r == rhs)
                || matches!((f2, f1), (F::Sym(_), F::Cmp(o, _, r)) if o == op && r == rhs)
        };
        if sym_and_cmp(CmpOp::Equal, SYM_Y) {
            return Some(self.node(F::Cmp(CmpOp::Equal, sym, SYM_Y)));
        }
        if sym_and_cmp(CmpOp::Unequal, SYM_N) {
            return Some(self.sym(sym));
        }
        if sym_and_cmp(CmpOp::Unequal, SYM_M) {
            return Some(self.node(F::Cmp(CmpOp::Equal, sym, SYM_Y)));
        }
        if ty == SymType::Tristate {
            if let (F::Cmp(CmpOp::Equal, _, b), F::Cmp(CmpOp::Unequal, _, c))
            | (F::Cmp(CmpOp::Unequal, _, c), F::Cmp(CmpOp::Equal, _, b)) = (f1, f2)
            {
                if facts.is_const(c) && facts.is_const(b) {
                    return Some(if b != c {
                        self.node(F::Cmp(CmpOp::Equal, sym, b))
                    } else {
                        self.sym(SYM_N)
                    });
                }
            }
            if let (F::Cmp(CmpOp::Unequal, _, r1), F::Cmp(CmpOp::Unequal, _, r2)) = (f1, f2) {
                let pair = |a, b| (r1 == a && r2 == b) || (r1 == b && r2 == a);
                if pair(SYM_Y, SYM_N) {
                    return Some(self.node(F::Cmp(CmpOp::Equal, sym, SYM_M)));
                }
                if pair(SYM_Y, SYM_M) {
                    return Some(self.node(F::Cmp(CmpOp::Equal, sym, SYM_N)));
                }
                if pair(SYM_M, SYM_N) {
                    return Some(self.node(F::Cmp(CmpOp::Equal, sym, SYM_Y)));
                }
            }
        }
        None
    }

    fn eliminate_dups1(&mut self, facts: &SymFacts, op: Op, e1: &mut FId, e2: &mut FId) {
        if self.op_of(*e1) == Some(op) {
            let (mut l, mut r) = self.children(*e1);
            self.eliminate_dups1(facts, op, &mut l, e2);
            self.eliminate_dups1(facts, op, &mut r, e2);
            *e1 = self.two(op, l, r);
            return;
        }
        if self.op_of(*e2) == Some(op) {
            let (mut l, mut r) = self.children(*e2);
            self.eliminate_dups1(facts, op, e1, &mut l);
            self.eliminate_dups1(facts, op, e1, &mut r);
            *e2 = self.two(op, l, r);
            return;
        }
        let joined = match op {
            Op::Or => self.join_or(facts, *e1, *e2),
            Op::And => self.join_and(facts, *e1, *e2),
        };
        if let Some(t) = joined {
            *e1 = self.sym(if op == Op::Or { SYM_N } else { SYM_Y });
            *e2 = t;
            self.trans_count += 1;
        }
    }

    /// `expr_eliminate_dups`: merges operands of `&&`/`||` about one symbol.
    pub fn eliminate_dups(&mut self, facts: &SymFacts, e: Opt) -> Opt {
        let e = e?;
        Some(self.eliminate_dups_inner(facts, e))
    }

    fn eliminate_dups_inner(&mut self, facts: &SymFacts, start: FId) -> FId {
        if let Some(&done) = self.dups_memo.get(&start) {
            return done;
        }
        let saved = self.trans_count;
        let mut e = start;
        loop {
            self.trans_count = 0;
            if let Some(op) = self.op_of(e) {
                let (a, b) = self.children(e);
                let mut l = self.eliminate_dups_inner(facts, a);
                let mut r = self.eliminate_dups_inner(facts, b);
                self.eliminate_dups1(facts, op, &mut l, &mut r);
                e = self.two(op, l, r);
            }
            e = self.eliminate_yn(e);
            if self.trans_count == 0 {
                break;
            }
        }
        self.trans_count = saved;
        self.dups_memo.insert(start, e);
        e
    }

    pub fn contains_symbol(&self, e: Opt, s: SymId) -> bool {
        let Some(e) = e else { return false };
        match self.get(e) {
            F::And(a, b) | F::Or(a, b) => {
                self.contains_symbol(Some(a), s) || self.contains_symbol(Some(b), s)
            }
            F::Sym(x) => x == s,
            F::Cmp(_, a, b) => a == s || b == s,
            F::Not(a) => self.contains_symbol(Some(a), s),
        }
    }

    /// Does `e` being true require `s` to be non-n?
    pub fn depends_symbol(&self, e: Opt, s: SymId) -> bool {
        let Some(e) = e else { return false };
        match self.get(e) {
            F::And(a, b) => self.depends_symbol(Some(a), s) || self.depends_symbol(Some(b), s),
            F::Sym(x) => x == s,
            F::Cmp(CmpOp::Equal, a, b) => a == s && (b == SYM_Y || b == SYM_M),
            F::Cmp(CmpOp::Unequal, a, b) => a == s && b == SYM_N,
            _ => false,
        }
    }

    /// `expr_trans_compare(e, !=, n)`: the expression "e is not n".
    pub fn not_n(&mut self, e: Opt) -> Opt {
        self.trans_compare(e, true, SYM_N)
    }

    fn trans_compare(&mut self, e: Opt, unequal: bool, s: SymId) -> Opt {
        let Some(e) = e else {
            let x = self.sym(s);
            return Some(if unequal { self.node(F::Not(x)) } else { x });
        };
        if let Some(&done) = self.trans_compare_memo.get(&(e, unequal, s)) {
            return done;
        }
        let out = self.trans_compare_uncached(e, unequal, s);
        self.trans_compare_memo.insert((e, unequal, s), out);
        out
    }

    fn trans_compare_uncached(&mut self, e: FId, unequal: bool, s: SymId) -> Opt {
        match self.get(e) {
            F::And(a, b) | F::Or(a, b) => {
                let is_and = matches!(self.get(e), F::And(..));
                let e1 = self.trans_compare(Some(a), false, s);
                let e2 = self.trans_compare(Some(b), false, s);
                let (e1, e2) = (e1?, e2?);
                let mut r = if s == SYM_Y {
                    Some(self.two(if is_and { Op::And } else { Op::Or }, e1, e2))
                } else if s == SYM_N {
                    Some(self.two(if is_and { Op::Or } else { Op::And }, e1, e2))
                } else {
                    Some(e)
                };
                if unequal {
                    r = r.map(|x| self.node(F::Not(x)));
                }
                r
            }
            F::Not(a) => self.trans_compare(Some(a), !unequal, s),
            F::Cmp(..) => {
                if !unequal {
                    if s == SYM_Y {
                        Some(e)
                    } else if s == SYM_M {
                        Some(self.sym(SYM_N))
                    } else if s == SYM_N {
                        Some(self.node(F::Not(e)))
                    } else {
                        None
                    }
                } else if s == SYM_Y {
                    Some(self.node(F::Not(e)))
                } else if s == SYM_M {
                    Some(self.sym(SYM_Y))
                } else if s == SYM_N {
                    Some(e)
                } else {
                    None
                }
            }
            F::Sym(x) => Some(self.node(F::Cmp(
                if unequal {
                    CmpOp::Unequal
                } else {
                    CmpOp::Equal
                },
                x,
                s,
            ))),
        }
    }
}
