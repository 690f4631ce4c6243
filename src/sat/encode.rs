//! Encoding a finalized tree as CNF.
//!
//! Every bool/tristate symbol gets a variable for "= y" and, if tristate, one
//! for "= m". Each symbol's value must be what `sym_calc_value` computes from
//! the configuration itself (a fixpoint): visible symbols keep their value if
//! it lies between what `select` forces and what visibility allows; hidden
//! ones take their default (with `imply`) raised by `select`. Choices pick
//! exactly one visible member.
//!
//! Comparisons that involve int, hex or string symbols are not yet tied to
//! those symbols' values: each is a free variable (an over-approximation:
//! every configuration conf produces is still a model). They are counted in
//! [`Encoding::free_comparisons`].

use super::tri::{Builder, Tri, F, L, T};
use crate::eval::{compare_values, Tri as Value};
use crate::fasthash::FastMap;
use crate::model::{Expr, ExprId, Kconfig, PropKind, SymId, SymType};
use varisat::Var;

pub struct Encoding<'k> {
    pub k: &'k Kconfig,
    pub b: Builder,
    /// "= y" and "= m" variables of each bool/tristate symbol.
    pub y_var: Vec<Option<Var>>,
    pub m_var: Vec<Option<Var>>,
    value: Vec<Tri>,
    exprs: FastMap<ExprId, Tri>,
    modules: L,
    pub free_comparisons: usize,
}

/// Which symbols carry variables.
fn has_value_vars(k: &Kconfig, s: SymId) -> bool {
    let sym = k.sym(s);
    !sym.is_const && !sym.is_choice && sym.ty.is_boolish()
}

impl<'k> Encoding<'k> {
    pub fn new(k: &'k Kconfig) -> Self {
        let ns = k.symbols.len();
        let mut b = Builder::default();
        let mut y_var = vec![None; ns];
        let mut m_var = vec![None; ns];
        let mut value = vec![Tri::N; ns];
        for (i, sym) in k.symbols.iter().enumerate() {
            let s = SymId(i as u32);
            if sym.is_const {
                value[i] = match sym.name.as_str() {
                    "y" => Tri::Y,
                    "m" => Tri::M,
                    _ => Tri::N,
                };
                continue;
            }
            if !has_value_vars(k, s) {
                continue;
            }
            let y = b.var(format!("{}=y", sym.name));
            y_var[i] = Some(y);
            if sym.ty == SymType::Tristate {
                let m = b.var(format!("{}=m", sym.name));
                m_var[i] = Some(m);
                b.clause(&[L::Lit(y.negative()), L::Lit(m.negative())]);
                let ge = b.or(L::Lit(y.positive()), L::Lit(m.positive()));
                value[i] = Tri {
                    ge,
                    y: L::Lit(y.positive()),
                };
            } else {
                value[i] = Tri::boolean(L::Lit(y.positive()));
            }
        }
        let modules = match k.modules_sym {
            Some(m) => value[m.0 as usize].y,
            None => F,
        };
        let mut enc = Encoding {
            k,
            b,
            y_var,
            m_var,
            value,
            exprs: FastMap::default(),
            modules,
            free_comparisons: 0,
        };
        enc.encode_symbols();
        enc.encode_choices();
        enc
    }

    /// The value of a symbol as a pair of literals.
    pub fn value(&self, s: SymId) -> Tri {
        self.value[s.0 as usize]
    }

    /// `m` is `y` for this symbol: it is declared bool, or modules are off.
    fn effectively_bool(&self, s: SymId) -> L {
        match self.k.sym(s).ty {
            SymType::Tristate => !self.modules,
            _ => T,
        }
    }

    pub fn expr(&mut self, e: ExprId) -> Tri {
        if let Some(&t) = self.exprs.get(&e) {
            return t;
        }
        let t = match self.k.exprs.get(e) {
            Expr::Sym(s) => self.value[s.0 as usize],
            Expr::Not(a) => {
                let a = self.expr(a);
                self.b.tri_not(a)
            }
            Expr::And(a, c) => {
                let (a, c) = (self.expr(a), self.expr(c));
                self.b.tri_and(a, c)
            }
            Expr::Or(a, c) => {
                let (a, c) = (self.expr(a), self.expr(c));
                self.b.tri_or(a, c)
            }
            Expr::Cmp(op, a, c) => Tri::boolean(self.compare(op, a, c)),
        };
        self.exprs.insert(e, t);
        t
    }

    fn opt_expr(&mut self, e: Option<ExprId>, missing: Tri) -> Tri {
        match e {
            Some(e) => self.expr(e),
            None => missing,
        }
    }

    /// The possible string values of one side of a comparison, each with the
    /// literal under which it is the value. `None`: an int/hex/string symbol.
    fn outcomes(&mut self, s: SymId) -> Option<Vec<(String, L)>> {
        let sym = self.k.sym(s);
        if sym.is_const || sym.ty == SymType::Unknown {
            // Constants and undefined symbols read as their name.
            return Some(vec![(sym.name.clone(), T)]);
        }
        if !sym.ty.is_boolish() {
            return None;
        }
        let v = self.value[s.0 as usize];
        let is_m = self.b.and(v.ge, !v.y);
        Some(vec![
            ("n".into(), !v.ge),
            ("m".into(), is_m),
            ("y".into(), v.y),
        ])
    }

    fn compare(&mut self, op: crate::model::CmpOp, a: SymId, c: SymId) -> L {
        let (Some(left), Some(right)) = (self.outcomes(a), self.outcomes(c)) else {
            self.free_comparisons += 1;
            let v = self.b.var(format!(
                "{} {} {} (free)",
                self.k.sym(a).name,
                op.text(),
                self.k.sym(c).name
            ));
            return L::Lit(v.positive());
        };
        let (ta, tc) = (self.k.sym(a).ty, self.k.sym(c).ty);
        let mut result = F;
        for (sa, la) in &left {
            for (sc, lc) in &right {
                if compare_values(op, sa, ta, sc, tc) {
                    let both = self.b.and(*la, *lc);
                    result = self.b.or(result, both);
                }
            }
        }
        result
    }

    fn encode_symbols(&mut self) {
        let k = self.k;
        for i in 0..k.symbols.len() {
            let s = SymId(i as u32);
            if !has_value_vars(k, s) || k.sym(s).is_choice_member {
                continue;
            }
            self.encode_symbol(s);
        }
    }

    /// Visibility: any prompt visible, `m` promoted unless a real tristate.
    fn visibility(&mut self, s: SymId) -> Tri {
        let k = self.k;
        let mut vis = Tri::N;
        for &p in &k.sym(s).props {
            if k.prop(p).text.is_none() {
                continue;
            }
            let v = self.opt_expr(k.prop(p).visible, Tri::Y);
            vis = self.b.tri_or(vis, v);
        }
        let promote = self.effectively_bool(s);
        self.b.promote(vis, promote)
    }

    fn encode_symbol(&mut self, s: SymId) {
        let k = self.k;
        let sym = k.sym(s);
        let eb = self.effectively_bool(s);
        let v = self.value[s.0 as usize];
        if let Some(m) = self.m_var[s.0 as usize] {
            // `m` exists only while modules are enabled.
            self.b.clause(&[L::Lit(m.negative()), self.modules]);
        }
        let vis = self.visibility(s);
        let dir = self.opt_expr(sym.dir_dep, Tri::Y);
        let dir = self.b.promote(dir, eb);
        let rev = self.opt_expr(sym.rev_dep, Tri::N);
        let rev = self.b.promote(rev, eb);
        let imp = self.opt_expr(sym.implied, Tri::N);
        let imp = self.b.promote(imp, eb);

        // Visible: the value read back is min(value, visibility), raised by select.
        let kept = self.b.tri_and(v, vis);
        let visible_result = self.b.tri_or(kept, rev);
        let visible_result = self.b.promote(visible_result, eb);
        self.b.require_eq_if(vis.ge, v, visible_result);

        // Hidden: the first default whose condition holds, then imply, then select.
        let mut default = Tri::N;
        let defaults: Vec<_> = sym
            .props
            .iter()
            .copied()
            .filter(|&p| k.prop(p).kind == PropKind::Default)
            .collect();
        for &p in defaults.iter().rev() {
            let cond = self.opt_expr(k.prop(p).visible, Tri::Y);
            let val = self.opt_expr(k.prop(p).expr, Tri::Y);
            let this = self.b.tri_and(val, cond);
            default = self.b.tri_ite(cond.ge, this, default);
        }
        let raised = self.b.tri_or(default, imp);
        let raised = self.b.tri_and(raised, dir);
        let with_imply = self.b.tri_ite(imp.ge, raised, default);
        let hidden_result = self.b.tri_or(with_imply, rev);
        let hidden_result = self.b.promote(hidden_result, eb);
        self.b.require_eq_if(!vis.ge, v, hidden_result);
    }

    /// Exactly one visible member of a visible choice is `y`; the others, and
    /// every member of a hidden choice, are `n`.
    fn encode_choices(&mut self) {
        let k = self.k;
        for m in k.menus_below(k.root) {
            let Some(cs) = k.menu(m).sym else { continue };
            if !k.sym(cs).is_choice {
                continue;
            }
            let members: Vec<SymId> = k
                .menu(m)
                .choice_members
                .iter()
                .copied()
                .filter(|&s| has_value_vars(k, s) && k.choice_of(s) == Some(m))
                .collect();
            let mut any_visible = F;
            let mut ys = Vec::new();
            for &s in &members {
                let vis = self.visibility(s);
                let y = self.value[s.0 as usize].y;
                if let Some(mv) = self.m_var[s.0 as usize] {
                    self.b.clause(&[L::Lit(mv.negative())]);
                }
                self.b.clause(&[!y, vis.ge]);
                any_visible = self.b.or(any_visible, vis.ge);
                ys.push(y);
            }
            for i in 0..ys.len() {
                for j in i + 1..ys.len() {
                    self.b.clause(&[!ys[i], !ys[j]]);
                }
            }
            let mut one = vec![!any_visible];
            one.extend(ys.iter().copied());
            self.b.clause(&one);
        }
    }

    /// Literals fixing every bool/tristate symbol to the given values.
    pub fn assumptions_for(&self, value_of: &mut dyn FnMut(SymId) -> Value) -> Vec<varisat::Lit> {
        let mut out = Vec::new();
        for i in 0..self.k.symbols.len() {
            let s = SymId(i as u32);
            let Some(y) = self.y_var[i] else { continue };
            let v = value_of(s);
            out.push(if v == Value::Yes {
                y.positive()
            } else {
                y.negative()
            });
            if let Some(m) = self.m_var[i] {
                out.push(if v == Value::Mod {
                    m.positive()
                } else {
                    m.negative()
                });
            }
        }
        out
    }

    pub fn variables(&self) -> usize {
        self.b.names.len()
    }

    pub fn clauses(&self) -> usize {
        self.b.cnf.len()
    }
}
