//! Encoding a finalized tree as CNF.
//!
//! Every bool/tristate symbol gets a variable for "= y" and, if tristate, one
//! for "= m". Each symbol's value must be what `sym_calc_value` computes from
//! the configuration itself (a fixpoint): visible symbols keep their value if
//! it lies between what `select` forces and what visibility allows; hidden
//! ones take their default (with `imply`) raised by `select`. Choices pick
//! exactly one visible member.
//!
//! Int, hex and string symbols range over a finite domain: every value they
//! can take by default (constants, other symbols' values, range bounds, the
//! type's empty value) plus any values the caller adds (requests, a config
//! being checked). A hidden one takes its first default, clamped to its active
//! range; a visible one keeps any valid value inside that range.

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
    /// The values an int/hex/string symbol can take, each with its literal
    /// (exactly one holds).
    pub domain: Vec<Vec<(String, L)>>,
    exprs: FastMap<ExprId, Tri>,
    modules: L,
    pub free_comparisons: usize,
    /// Only these symbols are constrained (see `sat::cone`); `None`: all.
    scope: Option<Vec<bool>>,
    /// Per symbol (when asked for): "its value is what conf computes when
    /// the user gives none", i.e. its defaults, imply and select.
    pub natural: Option<FastMap<SymId, L>>,
}

/// Which symbols carry variables.
fn has_value_vars(k: &Kconfig, s: SymId) -> bool {
    let sym = k.sym(s);
    !sym.is_const && !sym.is_choice && sym.ty.is_boolish()
}

impl<'k> Encoding<'k> {
    pub fn new(k: &'k Kconfig) -> Self {
        Self::with_values(k, &FastMap::default())
    }

    /// Encodes with extra candidate values for int/hex/string symbols.
    pub fn with_values(k: &'k Kconfig, extra: &FastMap<SymId, Vec<String>>) -> Self {
        Self::build(k, extra, None, false)
    }

    /// Like `with_values`, and also defines `natural` for every bool/tristate
    /// symbol outside choices and every int/hex/string symbol.
    pub fn with_natural_values(k: &'k Kconfig, extra: &FastMap<SymId, Vec<String>>) -> Self {
        Self::build(k, extra, None, true)
    }

    /// Encodes only the cone of influence of `roots` (and MODULES): enough
    /// to decide whether values of the cone's symbols can hold, and much
    /// smaller for most requests. A model fixes the cone's symbols only.
    pub fn for_cone(k: &'k Kconfig, extra: &FastMap<SymId, Vec<String>>, roots: &[SymId]) -> Self {
        let mut roots = roots.to_vec();
        roots.extend(k.modules_sym);
        Self::build(k, extra, Some(super::cone::cone(k, &roots)), false)
    }

    /// `for_cone`, also defining `natural` (see `with_natural_values`).
    pub fn for_cone_with_natural(
        k: &'k Kconfig,
        extra: &FastMap<SymId, Vec<String>>,
        roots: &[SymId],
    ) -> Self {
        let mut roots = roots.to_vec();
        roots.extend(k.modules_sym);
        Self::build(k, extra, Some(super::cone::cone(k, &roots)), true)
    }

    /// Whether the encoding constrains `s` (always, without a cone).
    pub fn in_scope(&self, s: SymId) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|c| c.get(s.0 as usize).copied().unwrap_or(false))
    }

    fn build(
        k: &'k Kconfig,
        extra: &FastMap<SymId, Vec<String>>,
        scope: Option<Vec<bool>>,
        track_natural: bool,
    ) -> Self {
        let ns = k.symbols.len();
        let scoped = |i: usize| scope.as_ref().is_none_or(|c| c[i]);
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
            if !has_value_vars(k, s) || !scoped(i) {
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
        let domains = value_domains(k, extra);
        let mut domain = vec![Vec::new(); ns];
        for (i, values) in domains.into_iter().enumerate() {
            if values.is_empty() || !scoped(i) {
                continue;
            }
            let name = &k.symbols[i].name;
            let lits: Vec<(String, L)> = if values.len() == 1 {
                vec![(values[0].clone(), T)]
            } else {
                values
                    .into_iter()
                    .map(|v| {
                        let var = b.var(format!("{name}={v}"));
                        (v, L::Lit(var.positive()))
                    })
                    .collect()
            };
            // Exactly one value.
            let all: Vec<L> = lits.iter().map(|(_, l)| *l).collect();
            b.clause(&all);
            for x in 0..all.len() {
                for y in x + 1..all.len() {
                    b.clause(&[!all[x], !all[y]]);
                }
            }
            domain[i] = lits;
        }
        let mut enc = Encoding {
            k,
            b,
            y_var,
            m_var,
            value,
            domain,
            exprs: FastMap::default(),
            modules,
            free_comparisons: 0,
            scope,
            natural: track_natural.then(FastMap::default),
        };
        enc.encode_symbols();
        enc.encode_valued_symbols();
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
            let d = &self.domain[s.0 as usize];
            return (!d.is_empty()).then(|| d.clone());
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
            if !has_value_vars(k, s) || k.sym(s).is_choice_member || !self.in_scope(s) {
                continue;
            }
            self.encode_symbol(s);
        }
    }

    /// "`s` is visible" (some prompt's dependencies hold).
    pub fn visible(&mut self, s: SymId) -> L {
        self.visibility(s).ge
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
        if self.natural.is_some() {
            let is_natural = self.b.tri_eq(v, hidden_result);
            if let Some(n) = self.natural.as_mut() {
                n.insert(s, is_natural);
            }
        }
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
            if !k.menu(m).choice_members.iter().any(|&s| self.in_scope(s)) {
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

    /// The literal for "int/hex/string symbol `s` has value `v`" (false when
    /// `v` is not in its domain).
    pub fn value_is(&self, s: SymId, v: &str) -> L {
        self.domain[s.0 as usize]
            .iter()
            .find(|(d, _)| d == v)
            .map(|(_, l)| *l)
            .unwrap_or(F)
    }

    /// What a default or range bound contributes as a value: a constant's
    /// name, "n" for a bool/tristate symbol (its string slot), or another
    /// symbol's value.
    fn source_outcomes(&self, src: SymId) -> Vec<(String, L)> {
        let sym = self.k.sym(src);
        if sym.is_const || sym.ty == SymType::Unknown {
            vec![(sym.name.clone(), T)]
        } else if sym.ty.is_boolish() {
            vec![("n".to_string(), T)]
        } else {
            self.domain[src.0 as usize].clone()
        }
    }

    /// Literals for "the first range whose condition holds is range i" (and a
    /// last entry: no range applies).
    fn active_ranges(&mut self, s: SymId) -> Vec<(Option<(SymId, SymId)>, L)> {
        let k = self.k;
        let mut out = Vec::new();
        let mut none_before = T;
        for &p in &k.sym(s).props {
            let prop = k.prop(p);
            let Some(bounds) = prop.range.filter(|_| prop.kind == PropKind::Range) else {
                continue;
            };
            let cond = self.opt_expr(prop.visible, Tri::Y).ge;
            let here = self.b.and(none_before, cond);
            out.push((Some(bounds), here));
            none_before = self.b.and(none_before, !cond);
        }
        out.push((None, none_before));
        out
    }

    /// Value after `sym_validate_range`: (clamped value, literal) pairs for
    /// an input value `x` under one range.
    fn clamp(&mut self, s: SymId, x: &str, bounds: Option<(SymId, SymId)>) -> Vec<(String, L)> {
        let Some((lo, hi)) = bounds else {
            return vec![(x.to_string(), T)];
        };
        let base = if self.k.sym(s).ty == SymType::Hex {
            16
        } else {
            10
        };
        let bound_base = |b: SymId| match self.k.sym(b).ty {
            SymType::Int => 10,
            SymType::Hex => 16,
            _ => base,
        };
        let val = crate::eval::cnum::strtoll(x, base).value;
        let mut out = Vec::new();
        for (lo_s, lo_l) in self.source_outcomes(lo) {
            let lo_v = crate::eval::cnum::strtoll(&lo_s, bound_base(lo)).value;
            if val < lo_v {
                out.push((lo_s.clone(), lo_l));
                continue;
            }
            for (hi_s, hi_l) in self.source_outcomes(hi) {
                let hi_v = crate::eval::cnum::strtoll(&hi_s, bound_base(hi)).value;
                let l = self.b.and(lo_l, hi_l);
                out.push((
                    if val <= hi_v {
                        x.to_string()
                    } else {
                        hi_s.clone()
                    },
                    l,
                ));
            }
        }
        out
    }

    fn encode_valued_symbols(&mut self) {
        let k = self.k;
        for i in 0..k.symbols.len() {
            let s = SymId(i as u32);
            if self.domain[i].is_empty() {
                continue;
            }
            let ty = k.sym(s).ty;
            let vis = self.visibility(s);
            let ranges = self.active_ranges(s);
            // Hidden: the first default with a true condition, else the empty value.
            let mut pre: Vec<(String, L)> = Vec::new();
            let mut none_before = T;
            for &p in &k.sym(s).props {
                let prop = k.prop(p);
                if prop.kind != PropKind::Default {
                    continue;
                }
                let cond = self.opt_expr(prop.visible, Tri::Y).ge;
                let here = self.b.and(none_before, cond);
                none_before = self.b.and(none_before, !cond);
                let sources = match prop.expr.map(|e| k.exprs.get(e)) {
                    Some(Expr::Sym(src)) => self.source_outcomes(src),
                    _ => vec![(empty_value(ty).to_string(), T)],
                };
                for (v, l) in sources {
                    let lit = self.b.and(here, l);
                    pre.push((v, lit));
                }
            }
            pre.push((empty_value(ty).to_string(), none_before));
            let mut result: Vec<(String, L)> = Vec::new();
            for (x, lx) in &pre {
                for (bounds, active) in &ranges {
                    for (d, ld) in self.clamp(s, x, *bounds) {
                        let a = self.b.and(*lx, *active);
                        let lit = self.b.and(a, ld);
                        result.push((d, lit));
                    }
                }
            }
            let domain = self.domain[i].clone();
            let mut is_natural = F;
            for (d, is_d) in &domain {
                let mut hidden_gives = F;
                for (r, l) in &result {
                    if r == d {
                        hidden_gives = self.b.or(hidden_gives, *l);
                    }
                }
                if self.natural.is_some() {
                    let here = self.b.and(*is_d, hidden_gives);
                    is_natural = self.b.or(is_natural, here);
                }
                let hidden = !vis.ge;
                // hidden -> (value = d <-> the default computation gives d)
                self.b.clause(&[!hidden, !*is_d, hidden_gives]);
                self.b.clause(&[!hidden, *is_d, !hidden_gives]);
                // Visible: any valid value inside the active range.
                if !crate::eval::config::string_valid(ty, d) {
                    self.b.clause(&[!vis.ge, !*is_d]);
                    continue;
                }
                for (bounds, active) in &ranges {
                    for (c, lc) in self.clamp(s, d, *bounds) {
                        if &c != d {
                            // d would be clamped under this range and these bounds.
                            self.b.clause(&[!vis.ge, !*is_d, !*active, !lc]);
                        }
                    }
                }
            }
            if let Some(n) = self.natural.as_mut() {
                n.insert(s, is_natural);
            }
        }
    }

    /// Literals that make `s` have the value spelled `v` (`y`/`m`/`n` for
    /// bool and tristate symbols); `None` when impossible outright.
    pub fn literals_for(&self, s: SymId, v: &str) -> Option<Vec<varisat::Lit>> {
        let i = s.0 as usize;
        if let Some(y) = self.y_var[i] {
            let m = self.m_var[i];
            return Some(match v {
                "y" => vec![y.positive()],
                "m" => vec![m?.positive()],
                _ => {
                    let mut l = vec![y.negative()];
                    l.extend(m.map(|m| m.negative()));
                    l
                }
            });
        }
        match self.value_is(s, v) {
            L::Const(true) => Some(Vec::new()),
            L::Const(false) => None,
            L::Lit(l) => Some(vec![l]),
        }
    }

    /// The values of int/hex/string symbols in an evaluated configuration,
    /// to be added to their domains so the configuration can be checked.
    pub fn config_values(ev: &mut crate::eval::Evaluator) -> FastMap<SymId, Vec<String>> {
        let k = ev.k;
        let mut out = FastMap::default();
        for s in k.config_symbols() {
            if matches!(k.sym(s).ty, SymType::Int | SymType::Hex | SymType::String) {
                out.insert(s, vec![ev.string_value(s)]);
            }
        }
        out
    }

    /// Literals fixing every symbol to its value in an evaluated configuration.
    pub fn assumptions_for(&self, ev: &mut crate::eval::Evaluator) -> Vec<varisat::Lit> {
        let mut out = Vec::new();
        for i in 0..self.k.symbols.len() {
            let s = SymId(i as u32);
            if let Some(y) = self.y_var[i] {
                let v = ev.tri_value(s);
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
            } else if !self.domain[i].is_empty() {
                let v = ev.string_value(s);
                for (d, l) in &self.domain[i] {
                    if let L::Lit(l) = l {
                        out.push(if *d == v { *l } else { !*l });
                    }
                }
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

/// The value an int/hex/string symbol has with no default.
fn empty_value(ty: SymType) -> &'static str {
    match ty {
        SymType::Int => "0",
        SymType::Hex => "0x0",
        _ => "",
    }
}

/// Candidate values of every int/hex/string symbol: empty value, constant
/// defaults, other symbols' candidates (for `default OTHER`), range bounds,
/// and `extra`; closed under `default OTHER` and symbol bounds.
fn value_domains(k: &Kconfig, extra: &FastMap<SymId, Vec<String>>) -> Vec<Vec<String>> {
    let ns = k.symbols.len();
    let valued = |s: SymId| {
        let sym = k.sym(s);
        !sym.is_const
            && !sym.is_choice
            && matches!(sym.ty, SymType::Int | SymType::Hex | SymType::String)
    };
    let mut dom: Vec<Vec<String>> = vec![Vec::new(); ns];
    let add = |d: &mut Vec<String>, v: String| {
        if !d.contains(&v) {
            d.push(v);
        }
    };
    let mut links: Vec<(usize, usize)> = Vec::new();
    for (i, slot) in dom.iter_mut().enumerate() {
        let s = SymId(i as u32);
        if !valued(s) {
            continue;
        }
        let ty = k.sym(s).ty;
        add(slot, empty_value(ty).to_string());
        let mut sources = Vec::new();
        for &p in &k.sym(s).props {
            let prop = k.prop(p);
            match prop.kind {
                PropKind::Default => {
                    if let Some(Expr::Sym(src)) = prop.expr.map(|e| k.exprs.get(e)) {
                        sources.push(src);
                    }
                }
                PropKind::Range => {
                    if let Some((lo, hi)) = prop.range {
                        sources.push(lo);
                        sources.push(hi);
                    }
                }
                _ => {}
            }
        }
        for src in sources {
            let ss = k.sym(src);
            if ss.is_const || ss.ty == SymType::Unknown {
                add(slot, ss.name.clone());
            } else if ss.ty.is_boolish() {
                add(slot, "n".to_string());
            } else if valued(src) {
                links.push((i, src.0 as usize));
            }
        }
        if let Some(vs) = extra.get(&s) {
            for v in vs {
                add(slot, v.clone());
            }
        }
    }
    // `default OTHER` and symbol bounds: take OTHER's values too (to a fixpoint).
    loop {
        let mut changed = false;
        for &(to, from) in &links {
            if to == from {
                continue;
            }
            let vals = dom[from].clone();
            for v in vals {
                if !dom[to].contains(&v) {
                    dom[to].push(v);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    dom
}
