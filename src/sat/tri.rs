//! Tristate values as pairs of literals, with gates that fold constants.
//!
//! A tristate `v` is `(ge, y)`: `ge` is "v >= m", `y` is "v = y" (so `y`
//! implies `ge`): n = (false, false), m = (true, false), y = (true, true).
//! Kconfig's `&&`, `||` and `!` are min, max and 2 - v, which act on the two
//! literals independently: `!v` = (!y, !ge).

use varisat::{CnfFormula, ExtendFormula, Lit, Var};

/// A literal or a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L {
    Const(bool),
    Lit(Lit),
}

impl std::ops::Not for L {
    type Output = L;
    fn not(self) -> L {
        match self {
            L::Const(b) => L::Const(!b),
            L::Lit(l) => L::Lit(!l),
        }
    }
}

pub const T: L = L::Const(true);
pub const F: L = L::Const(false);

/// A tristate value: (value >= m, value = y).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tri {
    pub ge: L,
    pub y: L,
}

impl Tri {
    pub const N: Tri = Tri { ge: F, y: F };
    pub const M: Tri = Tri { ge: T, y: F };
    pub const Y: Tri = Tri { ge: T, y: T };

    /// A two-valued (bool) value: n or y.
    pub fn boolean(l: L) -> Tri {
        Tri { ge: l, y: l }
    }
}

/// Builds CNF: fresh variables and Tseitin gates, with constants folded and
/// identical gates shared.
pub struct Builder {
    pub cnf: CnfFormula,
    and_gates: crate::fasthash::FastMap<(Lit, Lit), Lit>,
    /// Why each variable exists (for `c` lines in DIMACS and for debugging).
    pub names: Vec<String>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            cnf: CnfFormula::new(),
            and_gates: Default::default(),
            names: Vec::new(),
        }
    }
}

impl Builder {
    pub fn var(&mut self, name: impl Into<String>) -> Var {
        let v = self.cnf.new_var();
        self.names.push(name.into());
        v
    }

    pub fn clause(&mut self, lits: &[L]) {
        if lits.contains(&T) {
            return;
        }
        let c: Vec<Lit> = lits
            .iter()
            .filter_map(|l| match l {
                L::Lit(x) => Some(*x),
                L::Const(_) => None,
            })
            .collect();
        self.cnf.add_clause(&c);
    }

    pub fn and(&mut self, a: L, b: L) -> L {
        match (a, b) {
            (F, _) | (_, F) => F,
            (T, x) | (x, T) => x,
            (L::Lit(x), L::Lit(y)) => {
                if x == y {
                    return a;
                }
                if x == !y {
                    return F;
                }
                let key = if x < y { (x, y) } else { (y, x) };
                if let Some(&g) = self.and_gates.get(&key) {
                    return L::Lit(g);
                }
                let g = self.var("and").positive();
                self.cnf.add_clause(&[!g, x]);
                self.cnf.add_clause(&[!g, y]);
                self.cnf.add_clause(&[g, !x, !y]);
                self.and_gates.insert(key, g);
                L::Lit(g)
            }
        }
    }

    pub fn or(&mut self, a: L, b: L) -> L {
        !self.and(!a, !b)
    }

    /// `c ? a : b`.
    pub fn ite(&mut self, c: L, a: L, b: L) -> L {
        let x = self.and(c, a);
        let y = self.and(!c, b);
        self.or(x, y)
    }

    pub fn iff(&mut self, a: L, b: L) -> L {
        let x = self.and(a, b);
        let y = self.and(!a, !b);
        self.or(x, y)
    }

    pub fn tri_and(&mut self, a: Tri, b: Tri) -> Tri {
        Tri {
            ge: self.and(a.ge, b.ge),
            y: self.and(a.y, b.y),
        }
    }

    pub fn tri_or(&mut self, a: Tri, b: Tri) -> Tri {
        Tri {
            ge: self.or(a.ge, b.ge),
            y: self.or(a.y, b.y),
        }
    }

    pub fn tri_not(&mut self, a: Tri) -> Tri {
        Tri { ge: !a.y, y: !a.ge }
    }

    pub fn tri_ite(&mut self, c: L, a: Tri, b: Tri) -> Tri {
        Tri {
            ge: self.ite(c, a.ge, b.ge),
            y: self.ite(c, a.y, b.y),
        }
    }

    /// `m` becomes `y` where `promote` holds (bool symbols, or no modules).
    pub fn promote(&mut self, v: Tri, promote: L) -> Tri {
        let up = self.and(v.ge, promote);
        Tri {
            ge: v.ge,
            y: self.or(v.y, up),
        }
    }

    /// A literal that holds iff `a = b`.
    pub fn tri_eq(&mut self, a: Tri, b: Tri) -> L {
        let x = self.iff(a.ge, b.ge);
        let y = self.iff(a.y, b.y);
        self.and(x, y)
    }

    /// A literal that holds iff `a < b` (n < m < y).
    pub fn tri_less(&mut self, a: Tri, b: Tri) -> L {
        let x = self.and(!a.ge, b.ge);
        let y = self.and(!a.y, b.y);
        self.or(x, y)
    }

    /// Adds `cond -> (a = b)`.
    pub fn require_eq_if(&mut self, cond: L, a: Tri, b: Tri) {
        for (p, q) in [(a.ge, b.ge), (a.y, b.y)] {
            self.clause(&[!cond, !p, q]);
            self.clause(&[!cond, p, !q]);
        }
    }
}
