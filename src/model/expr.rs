//! Kconfig expressions, stored in an arena so that the dependencies a menu
//! passes down to its children are shared rather than copied.

use super::SymId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Equal,
    Unequal,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

impl CmpOp {
    pub fn text(self) -> &'static str {
        match self {
            CmpOp::Equal => "=",
            CmpOp::Unequal => "!=",
            CmpOp::Less => "<",
            CmpOp::LessEqual => "<=",
            CmpOp::Greater => ">",
            CmpOp::GreaterEqual => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    Sym(SymId),
    Not(ExprId),
    And(ExprId, ExprId),
    Or(ExprId, ExprId),
    Cmp(CmpOp, SymId, SymId),
}

#[derive(Debug, Default)]
pub struct ExprArena {
    nodes: Vec<Expr>,
}

impl ExprArena {
    pub fn add(&mut self, e: Expr) -> ExprId {
        self.nodes.push(e);
        ExprId((self.nodes.len() - 1) as u32)
    }

    #[inline]
    pub fn get(&self, id: ExprId) -> Expr {
        self.nodes[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// `a && b` where a missing side means "no condition" (always true).
    pub fn and_opt(&mut self, a: Option<ExprId>, b: Option<ExprId>) -> Option<ExprId> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(self.add(Expr::And(a, b))),
        }
    }

    /// `a || b` where a missing side contributes nothing.
    pub fn or_opt(&mut self, a: Option<ExprId>, b: Option<ExprId>) -> Option<ExprId> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(self.add(Expr::Or(a, b))),
        }
    }

    /// Calls `f` for every symbol the expression mentions.
    pub fn for_each_symbol(&self, id: ExprId, f: &mut impl FnMut(SymId)) {
        match self.get(id) {
            Expr::Sym(s) => f(s),
            Expr::Not(a) => self.for_each_symbol(a, f),
            Expr::And(a, b) | Expr::Or(a, b) => {
                self.for_each_symbol(a, f);
                self.for_each_symbol(b, f);
            }
            Expr::Cmp(_, a, b) => {
                f(a);
                f(b);
            }
        }
    }
}
