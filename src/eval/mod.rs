//! The exact evaluator: symbol values, visibility and what gets written,
//! computed with the semantics of `scripts/kconfig/symbol.c` (lazy,
//! memoised per "epoch" of user input, as `sym_calc_value` is).

pub mod cnum;
pub mod config;
pub mod modes;
pub mod questions;

use crate::model::{
    CmpOp, Expr, ExprId, Kconfig, MenuId, PropId, PropKind, SymId, SymType, SYM_M, SYM_Y,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Tri {
    No = 0,
    Mod = 1,
    Yes = 2,
}

impl Tri {
    #[inline]
    pub fn and(self, o: Tri) -> Tri {
        self.min(o)
    }
    #[inline]
    pub fn or(self, o: Tri) -> Tri {
        self.max(o)
    }

    pub fn letter(self) -> &'static str {
        match self {
            Tri::No => "n",
            Tri::Mod => "m",
            Tri::Yes => "y",
        }
    }
    /// The first letter decides, as in `.config` reading (`yes` is `y`).
    pub fn from_letter(c: u8) -> Option<Tri> {
        match c {
            b'y' | b'Y' => Some(Tri::Yes),
            b'm' | b'M' => Some(Tri::Mod),
            b'n' | b'N' => Some(Tri::No),
            _ => None,
        }
    }
}

/// Kconfig's negation: `!m` is `m`.
impl std::ops::Not for Tri {
    type Output = Tri;
    fn not(self) -> Tri {
        match self {
            Tri::No => Tri::Yes,
            Tri::Mod => Tri::Mod,
            Tri::Yes => Tri::No,
        }
    }
}

/// A value the user gave (`.config`, defconfig, request).
#[derive(Clone, Debug, PartialEq)]
pub enum UserValue {
    Tri(Tri),
    Str(String),
}

/// Evaluation state for one tree: user input plus memoised results.
pub struct Evaluator<'k> {
    pub k: &'k Kconfig,
    user: Vec<Option<UserValue>>,
    epoch: u32,
    sym_epoch: Vec<u32>,
    tri: Vec<Tri>,
    strv: Vec<String>,
    visible: Vec<Tri>,
    dir_dep: Vec<Tri>,
    rev_dep: Vec<Tri>,
    implied: Vec<Tri>,
    write: Vec<bool>,
    prop_visible: Vec<Tri>,
    expr_epoch: Vec<u32>,
    expr_val: Vec<Tri>,
    choice_epoch: Vec<u32>,
    /// Choice members in priority order, per choice menu.
    choice_priority: Vec<Vec<SymId>>,
    /// The choice each symbol belongs to (`sym_get_choice_menu`), precomputed.
    choice_of: Vec<Option<MenuId>>,
    modules_val: Tri,
    /// Symbols whose `select` overrides unmet dependencies (reported once each).
    pub unmet_warnings: Vec<SymId>,
    warned_unmet: Vec<bool>,
}

impl<'k> Evaluator<'k> {
    pub fn new(k: &'k Kconfig) -> Self {
        let ns = k.symbols.len();
        let mut tri = vec![Tri::No; ns];
        let mut strv = vec![String::new(); ns];
        for (i, s) in k.symbols.iter().enumerate() {
            if s.ty == SymType::Unknown || s.is_const {
                strv[i] = s.name.clone();
            }
        }
        tri[SYM_Y.0 as usize] = Tri::Yes;
        tri[SYM_M.0 as usize] = Tri::Mod;
        let choice_priority = k.menus.iter().map(|m| m.choice_members.clone()).collect();
        let choice_of = (0..ns).map(|i| k.choice_of(SymId(i as u32))).collect();
        let mut ev = Evaluator {
            k,
            user: vec![None; ns],
            epoch: 1,
            sym_epoch: vec![0; ns],
            tri,
            strv,
            visible: vec![Tri::No; ns],
            dir_dep: vec![Tri::Yes; ns],
            rev_dep: vec![Tri::No; ns],
            implied: vec![Tri::No; ns],
            write: vec![false; ns],
            prop_visible: vec![Tri::No; k.props.len()],
            expr_epoch: vec![0; k.exprs.len()],
            expr_val: vec![Tri::No; k.exprs.len()],
            choice_epoch: vec![0; k.menus.len()],
            choice_priority,
            choice_of,
            modules_val: Tri::No,
            unmet_warnings: Vec::new(),
            warned_unmet: vec![false; ns],
        };
        ev.clear_all_valid();
        ev
    }

    /// Forgets every computed value (after user input changed).
    pub fn clear_all_valid(&mut self) {
        self.epoch += 1;
        if let Some(m) = self.k.modules_sym {
            self.calc(m);
        }
    }

    // ----- user values -----

    pub fn user_value(&self, s: SymId) -> Option<&UserValue> {
        self.user[s.0 as usize].as_ref()
    }

    pub fn has_user_value(&self, s: SymId) -> bool {
        self.user[s.0 as usize].is_some()
    }

    fn user_tri(&self, s: SymId) -> Option<Tri> {
        match &self.user[s.0 as usize] {
            Some(UserValue::Tri(t)) => Some(*t),
            _ => None,
        }
    }

    /// Sets a user value without any check (as reading a config file does).
    pub fn set_user_raw(&mut self, s: SymId, v: UserValue) {
        self.user[s.0 as usize] = Some(v);
    }

    pub fn clear_user(&mut self, s: SymId) {
        self.user[s.0 as usize] = None;
    }

    pub fn clear_all_user(&mut self) {
        for u in self.user.iter_mut() {
            *u = None;
        }
        self.epoch += 1;
    }

    /// A config line mentioning a choice member gives it top priority.
    pub fn prioritise_choice_member(&mut self, s: SymId) {
        if let Some(choice) = self.choice_of[s.0 as usize] {
            let list = &mut self.choice_priority[choice.0 as usize];
            if let Some(pos) = list.iter().position(|&x| x == s) {
                list.remove(pos);
                list.insert(0, s);
            }
        }
    }

    // ----- queries -----

    /// The type after `MODULES=n` turns tristates into bools.
    pub fn effective_type(&self, s: SymId) -> SymType {
        let ty = self.k.sym(s).ty;
        if ty == SymType::Tristate && self.modules_val == Tri::No {
            SymType::Bool
        } else {
            ty
        }
    }

    /// Every named config symbol (not constants, not choices).
    pub fn config_symbol_ids(&self) -> Vec<SymId> {
        self.k.config_symbols().collect()
    }

    pub fn tri_value(&mut self, s: SymId) -> Tri {
        self.calc(s);
        self.tri[s.0 as usize]
    }

    /// The value as `.config` spells it (`y`/`m`/`n` or the string).
    pub fn string_value(&mut self, s: SymId) -> String {
        self.calc(s);
        self.string_value_calculated(s).to_string()
    }

    /// The value as last calculated, without recalculating: what the C
    /// tool's displays show (which may lag behind a change just made).
    pub fn stored_string_value(&self, s: SymId) -> &str {
        self.string_value_calculated(s)
    }

    fn string_value_calculated(&self, s: SymId) -> &str {
        match self.k.sym(s).ty {
            SymType::Bool | SymType::Tristate => self.tri[s.0 as usize].letter(),
            _ => &self.strv[s.0 as usize],
        }
    }

    /// The C tool's `curr.val`: the string slot, which for bool and tristate
    /// symbols stays "n" (their value lives in the tristate). Used where a
    /// default or range bound names another symbol.
    fn curr_val(&self, s: SymId) -> &str {
        let sym = self.k.sym(s);
        if !sym.is_const && sym.ty.is_boolish() {
            "n"
        } else {
            &self.strv[s.0 as usize]
        }
    }

    pub fn visibility(&mut self, s: SymId) -> Tri {
        self.calc(s);
        self.visible[s.0 as usize]
    }

    pub fn dir_dep_value(&mut self, s: SymId) -> Tri {
        self.calc(s);
        self.dir_dep[s.0 as usize]
    }

    /// Whether `.config` gets a line for this symbol.
    pub fn is_written(&mut self, s: SymId) -> bool {
        self.calc(s);
        self.write[s.0 as usize]
    }

    /// The user can change it: visible above what `select` forces.
    pub fn is_changeable(&mut self, s: SymId) -> bool {
        self.calc(s);
        !self.k.sym(s).is_choice && self.visible[s.0 as usize] > self.rev_dep[s.0 as usize]
    }

    // ----- expressions -----

    pub fn eval(&mut self, e: ExprId) -> Tri {
        let i = e.0 as usize;
        if self.expr_epoch[i] == self.epoch {
            return self.expr_val[i];
        }
        let v = match self.k.exprs.get(e) {
            Expr::Sym(s) => {
                self.calc(s);
                self.tri[s.0 as usize]
            }
            Expr::And(a, b) => {
                let x = self.eval(a);
                let y = self.eval(b);
                x.and(y)
            }
            Expr::Or(a, b) => {
                let x = self.eval(a);
                let y = self.eval(b);
                x.or(y)
            }
            Expr::Not(a) => !self.eval(a),
            Expr::Cmp(op, a, b) => self.compare_symbols(op, a, b),
        };
        self.expr_epoch[i] = self.epoch;
        self.expr_val[i] = v;
        v
    }

    pub fn eval_opt(&mut self, e: Option<ExprId>, missing: Tri) -> Tri {
        match e {
            Some(e) => self.eval(e),
            None => missing,
        }
    }

    /// The value of `a <op> b` (`=`, `!=`, `<`, ...) under the current configuration.
    pub fn compare_symbols(&mut self, op: CmpOp, a: SymId, b: SymId) -> Tri {
        self.calc(a);
        self.calc(b);
        let ta = self.k.sym(a).ty;
        let tb = self.k.sym(b).ty;
        if compare_values(
            op,
            self.string_value_calculated(a),
            ta,
            self.string_value_calculated(b),
            tb,
        ) {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    // ----- symbols -----

    fn calc_visibility(&mut self, s: SymId) {
        let k = self.k;
        let sym = k.sym(s);
        let mut vis = Tri::No;
        for &p in &sym.props {
            let prop = k.prop(p);
            if prop.text.is_none() {
                continue;
            }
            let v = self.eval_opt(prop.visible, Tri::Yes);
            self.prop_visible[p.0 as usize] = v;
            vis = vis.or(v);
        }
        if vis == Tri::Mod && (sym.ty != SymType::Tristate || self.modules_val == Tri::No) {
            vis = Tri::Yes;
        }
        let i = s.0 as usize;
        self.visible[i] = vis;
        if sym.is_choice_member {
            return;
        }
        let bool_now = self.effective_type(s) == SymType::Bool;
        let promote = |t: Tri| {
            if t == Tri::Mod && bool_now {
                Tri::Yes
            } else {
                t
            }
        };
        let d = self.eval_opt(sym.dir_dep, Tri::Yes);
        self.dir_dep[i] = promote(d);
        let r = self.eval_opt(sym.rev_dep, Tri::No);
        self.rev_dep[i] = promote(r);
        let im = self.eval_opt(sym.implied, Tri::No);
        self.implied[i] = promote(im);
    }

    /// The first `default` whose condition holds.
    fn default_prop(&mut self, s: SymId) -> Option<PropId> {
        let k = self.k;
        for &p in &k.sym(s).props {
            let prop = k.prop(p);
            if prop.kind != PropKind::Default {
                continue;
            }
            let v = self.eval_opt(prop.visible, Tri::Yes);
            self.prop_visible[p.0 as usize] = v;
            if v != Tri::No {
                return Some(p);
            }
        }
        None
    }

    fn range_prop(&mut self, s: SymId) -> Option<PropId> {
        let k = self.k;
        for &p in &k.sym(s).props {
            let prop = k.prop(p);
            if prop.kind != PropKind::Range {
                continue;
            }
            let v = self.eval_opt(prop.visible, Tri::Yes);
            self.prop_visible[p.0 as usize] = v;
            if v != Tri::No {
                return Some(p);
            }
        }
        None
    }

    /// The active `range` bounds of an int/hex symbol, if any.
    pub fn active_range(&mut self, s: SymId) -> Option<(SymId, SymId)> {
        self.calc(s);
        let p = self.range_prop(s)?;
        self.k.prop(p).range
    }

    pub fn calc(&mut self, s: SymId) {
        let i = s.0 as usize;
        if self.sym_epoch[i] == self.epoch {
            return;
        }
        self.sym_epoch[i] = self.epoch;
        let k = self.k;
        let sym = k.sym(s);
        if sym.is_const || sym.ty == SymType::Unknown {
            // Constants and undefined symbols: their value is their name (y/m/n fixed).
            return;
        }
        let mut new_tri = Tri::No;
        let mut new_str: String = match sym.ty {
            SymType::Int => "0".into(),
            SymType::Hex => "0x0".into(),
            _ => String::new(),
        };
        self.write[i] = false;
        self.calc_visibility(s);
        if self.visible[i] != Tri::No {
            self.write[i] = true;
        }
        // Seen by any recursive reference while this symbol is being computed.
        self.tri[i] = Tri::No;
        self.strv[i] = new_str.clone();

        match self.effective_type(s) {
            SymType::Bool | SymType::Tristate => {
                if let Some(choice) = self.choice_of[i] {
                    self.calc_choice(choice);
                    new_tri = self.tri[i];
                } else {
                    let mut from_user = false;
                    if self.visible[i] != Tri::No {
                        if let Some(u) = self.user_tri(s) {
                            new_tri = u.and(self.visible[i]);
                            from_user = true;
                        }
                    }
                    if !from_user {
                        if self.rev_dep[i] != Tri::No {
                            self.write[i] = true;
                        }
                        if !sym.is_choice {
                            if let Some(p) = self.default_prop(s) {
                                let pv = self.prop_visible[p.0 as usize];
                                let v = self.eval_opt(k.prop(p).expr, Tri::Yes);
                                new_tri = v.and(pv);
                                if new_tri != Tri::No {
                                    self.write[i] = true;
                                }
                            }
                            if self.implied[i] != Tri::No {
                                self.write[i] = true;
                                new_tri = new_tri.or(self.implied[i]).and(self.dir_dep[i]);
                            }
                        }
                    }
                    if self.dir_dep[i] < self.rev_dep[i] && !self.warned_unmet[i] {
                        self.warned_unmet[i] = true;
                        self.unmet_warnings.push(s);
                    }
                    new_tri = new_tri.or(self.rev_dep[i]);
                }
                if new_tri == Tri::Mod && self.effective_type(s) == SymType::Bool {
                    new_tri = Tri::Yes;
                }
            }
            SymType::Int | SymType::Hex | SymType::String => {
                let user = if self.visible[i] != Tri::No {
                    match &self.user[i] {
                        Some(UserValue::Str(v)) => Some(v.clone()),
                        _ => None,
                    }
                } else {
                    None
                };
                if let Some(v) = user {
                    new_str = v;
                } else if let Some(p) = self.default_prop(s) {
                    if let Some(e) = k.prop(p).expr {
                        if let Expr::Sym(ds) = k.exprs.get(e) {
                            self.write[i] = true;
                            self.calc(ds);
                            new_str = self.curr_val(ds).to_string();
                        }
                    }
                }
            }
            SymType::Unknown => {}
        }
        self.tri[i] = new_tri;
        self.strv[i] = new_str;
        self.validate_range(s);
        if Some(s) == k.modules_sym {
            self.modules_val = self.tri[i];
        }
        if sym.is_choice {
            self.write[i] = false;
        }
    }

    fn validate_range(&mut self, s: SymId) {
        let base = match self.k.sym(s).ty {
            SymType::Int => 10,
            SymType::Hex => 16,
            _ => return,
        };
        let Some(p) = self.range_prop(s) else { return };
        let Some((lo, hi)) = self.k.prop(p).range else {
            return;
        };
        let val = cnum::strtoll(&self.strv[s.0 as usize], base).value;
        let lo_val = self.range_bound(lo, base);
        let clamp_to = if val >= lo_val {
            let hi_val = self.range_bound(hi, base);
            if val <= hi_val {
                return;
            }
            hi
        } else {
            lo
        };
        self.strv[s.0 as usize] = self.curr_val(clamp_to).to_string();
    }

    fn range_bound(&mut self, b: SymId, base: u32) -> i64 {
        self.calc(b);
        let base = match self.k.sym(b).ty {
            SymType::Int => 10,
            SymType::Hex => 16,
            _ => base,
        };
        cnum::strtoll(self.curr_val(b), base).value
    }

    /// The choice's default member: the first default whose condition holds
    /// and whose target is visible, else the first visible member.
    pub fn choice_default(&mut self, choice: MenuId) -> Option<SymId> {
        let k = self.k;
        let cs = k.menu(choice).sym?;
        for &p in &k.sym(cs).props {
            let prop = k.prop(p);
            if prop.kind != PropKind::Default {
                continue;
            }
            let v = self.eval_opt(prop.visible, Tri::Yes);
            self.prop_visible[p.0 as usize] = v;
            if v == Tri::No {
                continue;
            }
            if let Some(Expr::Sym(d)) = prop.expr.map(|e| k.exprs.get(e)) {
                if self.visible[d.0 as usize] != Tri::No {
                    return Some(d);
                }
            }
        }
        k.menus_below(choice)
            .filter_map(|m| k.menu(m).sym)
            .find(|&s| self.visible[s.0 as usize] != Tri::No)
    }

    /// Decides which member of a choice is `y` (the 6.12 rules: the highest
    /// priority visible member the user said `y` to; else the default unless
    /// the user said `n` to it; else the first visible member the user left
    /// alone; else the lowest-priority visible member).
    fn calc_choice(&mut self, choice: MenuId) -> Option<SymId> {
        let k = self.k;
        let members = self.choice_priority[choice.0 as usize].clone();
        if self.choice_epoch[choice.0 as usize] == self.epoch {
            return members.iter().copied().find(|&m| {
                self.visible[m.0 as usize] != Tri::No && self.tri[m.0 as usize] == Tri::Yes
            });
        }
        self.choice_epoch[choice.0 as usize] = self.epoch;
        let mut res = None;
        for &m in &members {
            self.calc_visibility(m);
            if self.visible[m.0 as usize] == Tri::No {
                continue;
            }
            if self.user_tri(m) == Some(Tri::Yes) {
                res = Some(m);
                break;
            }
        }
        if res.is_none() {
            res = self.choice_default(choice);
            if let Some(r) = res {
                if self.user_tri(r) == Some(Tri::No) {
                    res = None;
                }
            }
        }
        if res.is_none() {
            res = k
                .menus_below(choice)
                .filter_map(|m| k.menu(m).sym)
                .find(|&s| self.visible[s.0 as usize] != Tri::No && !self.has_user_value(s));
        }
        if res.is_none() {
            res = members
                .iter()
                .rev()
                .copied()
                .find(|&m| self.visible[m.0 as usize] != Tri::No);
        }
        for m in k.menus_below(choice) {
            let Some(s) = k.menu(m).sym else { continue };
            let i = s.0 as usize;
            if self.visible[i] == Tri::No {
                continue;
            }
            self.tri[i] = if Some(s) == res { Tri::Yes } else { Tri::No };
            self.sym_epoch[i] = self.epoch;
            self.write[i] = true;
        }
        res
    }

    /// The value the symbol would have without a user value
    /// (`sym_get_string_default`, used by savedefconfig).
    pub fn default_string(&mut self, s: SymId) -> String {
        self.calc(s);
        self.calc_visibility(s);
        let k = self.k;
        let sym = k.sym(s);
        let i = s.0 as usize;
        let mut val = Tri::No;
        let mut text = String::new();
        if let Some(p) = self.default_prop(s) {
            match sym.ty {
                SymType::Bool | SymType::Tristate => {
                    let pv = self.prop_visible[p.0 as usize];
                    val = self.eval_opt(k.prop(p).expr, Tri::Yes).and(pv);
                }
                _ => {
                    if let Some(Expr::Sym(ds)) = k.prop(p).expr.map(|e| k.exprs.get(e)) {
                        self.calc(ds);
                        text = self.curr_val(ds).to_string();
                    }
                }
            }
        }
        val = val.or(self.rev_dep[i]);
        if val == Tri::Mod && !sym.is_choice_member && self.modules_sym_value() == Tri::No {
            val = Tri::Yes;
        }
        if sym.ty == SymType::Bool && val == Tri::Mod {
            val = Tri::Yes;
        }
        if val < self.implied[i] {
            val = self.implied[i];
        }
        match sym.ty {
            SymType::Bool | SymType::Tristate => val.letter().to_string(),
            SymType::Int if text.is_empty() => "0".into(),
            SymType::Hex if text.is_empty() => "0x0".into(),
            _ => text,
        }
    }

    fn modules_sym_value(&mut self) -> Tri {
        match self.k.modules_sym {
            Some(m) => self.tri_value(m),
            None => Tri::No,
        }
    }

    /// Can `val` be set for this bool/tristate (`sym_tristate_within_range`)?
    pub fn tristate_within_range(&mut self, s: SymId, val: Tri) -> bool {
        self.calc(s);
        let i = s.0 as usize;
        let ty = self.effective_type(s);
        if self.visible[i] == Tri::No || !ty.is_boolish() {
            return false;
        }
        if ty == SymType::Bool && val == Tri::Mod {
            return false;
        }
        if self.visible[i] <= self.rev_dep[i] {
            return false;
        }
        val >= self.rev_dep[i] && val <= self.visible[i]
    }

    /// Is the menu entry shown (`menu_is_visible`)?
    pub fn menu_is_visible(&mut self, m: MenuId) -> bool {
        let k = self.k;
        let node = k.menu(m);
        let Some(prompt) = node.prompt else {
            return false;
        };
        if let Some(v) = node.visibility {
            if self.eval(v) == Tri::No {
                return false;
            }
        }
        let visible = match node.sym {
            Some(s) => {
                self.calc(s);
                self.prop_visible[prompt.0 as usize]
            }
            None => {
                let v = self.eval_opt(k.prop(prompt).visible, Tri::Yes);
                self.prop_visible[prompt.0 as usize] = v;
                v
            }
        };
        if visible != Tri::No {
            return true;
        }
        let Some(s) = node.sym else { return false };
        if self.tri[s.0 as usize] == Tri::No {
            return false;
        }
        let children: Vec<MenuId> = k.children(m).collect();
        children.into_iter().any(|c| self.menu_is_visible(c))
    }
}

/// Kconfig's comparison of two values given as strings with their symbols'
/// types (`expr_calc_value`): strings compare as strings, tristates as
/// n < m < y, ints signed, hex unsigned, anything else as a C number when it
/// is one entirely.
pub fn compare_values(op: CmpOp, sa: &str, ta: SymType, sb: &str, tb: SymType) -> bool {
    let ord = if ta == SymType::String && tb == SymType::String {
        sa.cmp(sb)
    } else {
        match (parse_operand(sa, ta), parse_operand(sb, tb)) {
            (Operand::Str, _) | (_, Operand::Str) => sa.cmp(sb),
            (x, y) if x.is_unsigned() || y.is_unsigned() => x.as_u64().cmp(&y.as_u64()),
            (x, y) => x.as_i64().cmp(&y.as_i64()),
        }
    };
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Equal => ord == Equal,
        CmpOp::Unequal => ord != Equal,
        CmpOp::Less => ord == Less,
        CmpOp::LessEqual => ord != Greater,
        CmpOp::Greater => ord == Greater,
        CmpOp::GreaterEqual => ord != Less,
    }
}

enum Operand {
    Str,
    Signed(i64),
    Unsigned(u64),
}

impl Operand {
    fn is_unsigned(&self) -> bool {
        matches!(self, Operand::Unsigned(_))
    }
    fn as_u64(&self) -> u64 {
        match *self {
            Operand::Signed(v) => v as u64,
            Operand::Unsigned(v) => v,
            Operand::Str => 0,
        }
    }
    fn as_i64(&self) -> i64 {
        match *self {
            Operand::Signed(v) => v,
            Operand::Unsigned(v) => v as i64,
            Operand::Str => 0,
        }
    }
}

/// How a comparison reads one side (`expr_parse_string`): tristates as
/// n < m < y, ints signed, hex unsigned, anything else as a C number if it
/// is one entirely, else as a string.
fn parse_operand(s: &str, ty: SymType) -> Operand {
    match ty {
        SymType::Bool | SymType::Tristate => Operand::Signed(match s {
            "n" => 0,
            "m" => 1,
            "y" => 2,
            _ => -1,
        }),
        SymType::Int => {
            let p = cnum::strtoll(s, 10);
            if whole_number(s, p.consumed, p.overflow) {
                Operand::Signed(p.value)
            } else {
                Operand::Str
            }
        }
        SymType::Hex => {
            let p = cnum::strtoull(s, 16);
            if whole_number(s, p.consumed, p.overflow) {
                Operand::Unsigned(p.value)
            } else {
                Operand::Str
            }
        }
        _ => {
            let p = cnum::strtoll(s, 0);
            if whole_number(s, p.consumed, p.overflow) {
                Operand::Signed(p.value)
            } else {
                Operand::Str
            }
        }
    }
}

fn whole_number(s: &str, consumed: usize, overflow: bool) -> bool {
    !overflow
        && consumed > 0
        && consumed == s.len()
        && s.as_bytes()[consumed - 1].is_ascii_hexdigit()
}

// ----- setting values the way the interactive front ends do -----

impl Evaluator<'_> {
    /// `sym_set_tristate_value`: accepted only within what dependencies and
    /// selects allow.
    pub fn set_tristate_value(&mut self, s: SymId, val: Tri) -> bool {
        let old = self.tri_value(s);
        if !self.tristate_within_range(s, val) {
            return false;
        }
        self.user[s.0 as usize] = Some(UserValue::Tri(val));
        if old != val {
            self.clear_all_valid();
        }
        true
    }

    /// `sym_string_within_range`: is `v` a valid value, inside any `range`?
    pub fn string_within_range(&mut self, s: SymId, v: &str) -> bool {
        let ty = self.k.sym(s).ty;
        match ty {
            SymType::String => true,
            SymType::Int | SymType::Hex => {
                if !config::string_valid(ty, v) {
                    return false;
                }
                let base = if ty == SymType::Int { 10 } else { 16 };
                let Some((lo, hi)) = self.active_range(s) else {
                    return true;
                };
                let val = cnum::strtoll(v, base).value;
                val >= self.range_bound(lo, base) && val <= self.range_bound(hi, base)
            }
            SymType::Bool | SymType::Tristate => {
                match v.as_bytes().first().copied().and_then(Tri::from_letter) {
                    Some(t) => self.tristate_within_range(s, t),
                    None => false,
                }
            }
            SymType::Unknown => false,
        }
    }

    /// `sym_set_string_value`: hex values get their `0x`.
    pub fn set_string_value(&mut self, s: SymId, v: &str) -> bool {
        let ty = self.k.sym(s).ty;
        if ty.is_boolish() {
            return match v.as_bytes().first().copied().and_then(Tri::from_letter) {
                Some(t) => self.set_tristate_value(s, t),
                None => false,
            };
        }
        if !self.string_within_range(s, v) {
            return false;
        }
        let b = v.as_bytes();
        let v = if ty == SymType::Hex
            && !(b.len() >= 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X'))
        {
            format!("0x{v}")
        } else {
            v.to_string()
        };
        let new = UserValue::Str(v);
        if self.user[s.0 as usize].as_ref() != Some(&new) {
            self.user[s.0 as usize] = Some(new);
            self.clear_all_valid();
        }
        true
    }

    /// The member a choice currently selects (`sym_calc_choice`).
    pub fn choice_selection(&mut self, choice: MenuId) -> Option<SymId> {
        self.calc_choice(choice)
    }

    /// `choice_set_value`: the user picks `sym`; every visible member gets an
    /// explicit value and the highest priority, in menu order.
    pub fn choice_set_value(&mut self, choice: MenuId, sym: SymId) {
        let k = self.k;
        let mut changed = false;
        let members: Vec<SymId> = k
            .menus_below(choice)
            .filter_map(|m| k.menu(m).sym)
            .collect();
        for m in members {
            if self.visible[m.0 as usize] == Tri::No {
                continue;
            }
            let val = if m == sym { Tri::Yes } else { Tri::No };
            if self.tri[m.0 as usize] != val {
                changed = true;
            }
            self.user[m.0 as usize] = Some(UserValue::Tri(val));
            let list = &mut self.choice_priority[choice.0 as usize];
            if let Some(pos) = list.iter().position(|&x| x == m) {
                list.remove(pos);
                list.insert(0, m);
            }
        }
        if changed {
            self.clear_all_valid();
        }
    }
}
