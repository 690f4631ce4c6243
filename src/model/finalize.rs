//! After parsing: every entry inherits the dependencies of the menus, `if`
//! blocks and choices around it; property conditions include them; `select`
//! and `imply` become reverse dependencies of their targets; `if` blocks are
//! flattened into their parent. This is the semantics of `menu_finalize`.

use super::simplify::{FId, SymFacts};
use super::{Expr, ExprId, Kconfig, MenuId, PropKind, SymId, SymType, SYM_M, SYM_N};
use crate::frontend::diag::KconfigError;

pub fn finalize(k: &mut Kconfig, warnings: &mut Vec<String>) {
    let root = k.root;
    propagate(k, root, false);
    let mut warned = vec![false; k.symbols.len()];
    for m in 0..k.menus.len() {
        let Some(s) = k.menus[m].sym else { continue };
        if warned[s.0 as usize] {
            continue;
        }
        warned[s.0 as usize] = true;
        if k.sym(s).ty == SymType::Unknown {
            warnings.push(format!(
                "{}:warning: config symbol defined without type",
                k.sources.file_line(k.menus[m].loc)
            ));
        }
        check_props(k, s, warnings);
    }
}

/// `m` in a condition means "m, if modules are enabled": rewrite the constant
/// `m` to `m && MODULES` (conditions only, never default values).
fn rewrite_m(k: &mut Kconfig, e: Option<ExprId>) -> Option<ExprId> {
    let e = e?;
    Some(rewrite_m_inner(k, e))
}

fn rewrite_m_inner(k: &mut Kconfig, e: ExprId) -> ExprId {
    match k.exprs.get(e) {
        Expr::Sym(s) if s == SYM_M => {
            let modules = k.modules_sym.unwrap_or(super::SYM_N);
            let m = k.exprs.add(Expr::Sym(modules));
            k.exprs.add(Expr::And(e, m))
        }
        Expr::Not(a) => {
            let a2 = rewrite_m_inner(k, a);
            if a2 == a {
                e
            } else {
                k.exprs.add(Expr::Not(a2))
            }
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            let a2 = rewrite_m_inner(k, a);
            let b2 = rewrite_m_inner(k, b);
            if a2 == a && b2 == b {
                e
            } else if matches!(k.exprs.get(e), Expr::And(..)) {
                k.exprs.add(Expr::And(a2, b2))
            } else {
                k.exprs.add(Expr::Or(a2, b2))
            }
        }
        _ => e,
    }
}

fn propagate(k: &mut Kconfig, parent: MenuId, inside_choice: bool) {
    let parent_sym = k.menu(parent).sym;
    if k.menu(parent).first_child.is_some() {
        let parent_dep = k.menu(parent).dep;
        let parent_c_dep = k.menu(parent).c_dep;
        let children: Vec<MenuId> = k.children(parent).collect();
        for &child in &children {
            let raw_own = k.menu(child).dep;
            let own = rewrite_m(k, raw_own);
            let basedep = k.exprs.and_opt(parent_dep, own);
            k.menus[child.0 as usize].dep = basedep;
            let c_basedep = if k.menu_structure {
                simplified(k, parent_c_dep, raw_own)
            } else {
                None
            };
            k.menus[child.0 as usize].c_dep = c_basedep;
            let props: Vec<_> = match k.menu(child).sym {
                Some(s) => k.sym(s).props.clone(),
                None => k.menu(child).prompt.into_iter().collect(),
            };
            for p in props {
                if k.prop(p).menu != child {
                    continue;
                }
                let raw_cond = k.prop(p).visible;
                let cond = rewrite_m(k, raw_cond);
                let dep = k.exprs.and_opt(basedep, cond);
                k.props[p.0 as usize].visible = dep;
                let c_dep = if k.menu_structure {
                    simplified(k, c_basedep, raw_cond)
                } else {
                    None
                };
                k.props[p.0 as usize].c_visible = c_dep;
                if k.menu_structure && k.prop(p).text.is_some() {
                    let mut forms = std::mem::take(&mut k.forms);
                    let differs = !forms.eq(&SymFacts { k }, c_basedep, c_dep);
                    k.forms = forms;
                    k.props[p.0 as usize].visibility_differs = differs;
                }
                let kind = k.prop(p).kind;
                if matches!(kind, PropKind::Select | PropKind::Imply) {
                    let (Some(selector), Some(target_expr)) = (k.menu(child).sym, k.prop(p).expr)
                    else {
                        continue;
                    };
                    let Expr::Sym(target) = k.exprs.get(target_expr) else {
                        continue;
                    };
                    let me = k.exprs.add(Expr::Sym(selector));
                    let term = k.exprs.and_opt(Some(me), dep);
                    let t = &k.symbols[target.0 as usize];
                    let old = if kind == PropKind::Select {
                        t.rev_dep
                    } else {
                        t.implied
                    };
                    let new = k.exprs.or_opt(old, term);
                    let t = &mut k.symbols[target.0 as usize];
                    if kind == PropKind::Select {
                        t.rev_dep = new;
                    } else {
                        t.implied = new;
                    }
                    // The simplified forms are for displays only.
                    if k.menu_structure {
                        let c_me = k.forms.sym(selector);
                        let c_term = k.forms.and(Some(c_me), c_dep);
                        let t = &mut k.symbols[target.0 as usize];
                        let c_slot = if kind == PropKind::Select {
                            &mut t.c_rev_dep
                        } else {
                            &mut t.c_implied
                        };
                        *c_slot = k.forms.or(*c_slot, c_term);
                    }
                }
            }
        }
        let in_choice = parent_sym.is_some_and(|s| k.sym(s).is_choice);
        // Finalizing a child may move the siblings after it below it, so
        // follow the links as they are after each step.
        let mut cur = k.menu(parent).first_child;
        while let Some(child) = cur {
            propagate(k, child, in_choice);
            cur = k.menu(child).next;
        }
    } else if let (false, Some(sym)) = (inside_choice, parent_sym) {
        if k.menu_structure {
            build_submenu(k, parent, sym);
        }
        // A definition without dependencies adds nothing here (as in the C
        // tool, whose OR of a missing expression is the other side).
        let dep = k.menu(parent).dep;
        let old = k.sym(sym).dir_dep;
        k.symbols[sym.0 as usize].dir_dep = k.exprs.or_opt(old, dep);
        if k.menu_structure {
            let c_dep = k.menu(parent).c_dep;
            let c_old = k.sym(sym).c_dir_dep;
            k.symbols[sym.0 as usize].c_dir_dep = k.forms.or(c_old, c_dep);
        }
    }
    // Entries without a prompt of their own (`if` blocks, promptless symbols)
    // do not make a submenu: their children become the siblings after them.
    let mut cur = k.menu(parent).first_child;
    while let Some(m) = cur {
        let node = k.menu(m);
        if node.first_child.is_some() && node.prompt.is_none() {
            let first = node.first_child;
            let after = node.next;
            let mut last = first;
            let mut c = first;
            while let Some(x) = c {
                k.menus[x.0 as usize].parent = Some(parent);
                last = Some(x);
                c = k.menu(x).next;
            }
            if let Some(l) = last {
                k.menus[l.0 as usize].next = after;
            }
            k.menus[m.0 as usize].next = first;
            k.menus[m.0 as usize].first_child = None;
        }
        cur = k.menu(m).next;
    }
}

/// `eliminate_dups(base && transform(rewrite_m(own)))`, the simplified form
/// of an entry's or property's dependencies.
fn simplified(k: &mut Kconfig, base: Option<FId>, own: Option<ExprId>) -> Option<FId> {
    let modules = k.modules_sym.unwrap_or(SYM_N);
    let raw = own.map(|e| k.forms.from_raw(&k.exprs, e));
    let mut forms = std::mem::take(&mut k.forms);
    let facts = SymFacts { k };
    let own = forms.rewrite_m(raw, modules);
    let own = forms.transform(&facts, own);
    let all = forms.and(base, own);
    let out = forms.eliminate_dups(&facts, all);
    k.forms = forms;
    out
}

/// Entries right after a symbol that depend on it become its submenu (so that
/// front ends show them indented below it). This is what decides, in the
/// interactive modes and listnewconfig, which entries a hidden symbol hides.
fn build_submenu(k: &mut Kconfig, parent: MenuId, sym: SymId) {
    let mut forms = std::mem::take(&mut k.forms);
    let basedep = {
        let facts = SymFacts { k };
        let base = k.menu(parent).prompt.and_then(|p| k.prop(p).c_visible);
        let base = forms.not_n(base);
        let base = forms.transform(&facts, base);
        forms.eliminate_dups(&facts, base)
    };
    k.forms = forms;
    let mut last_moved = None;
    let mut cur = k.menu(parent).next;
    while let Some(m) = cur {
        let node = k.menu(m);
        let dep = match node.prompt {
            Some(p) => k.prop(p).c_visible,
            None => node.c_dep,
        };
        let mut forms = std::mem::take(&mut k.forms);
        let take = {
            let facts = SymFacts { k };
            if !forms.contains_symbol(dep, sym) {
                false
            } else if forms.depends_symbol(dep, sym) {
                true
            } else {
                // Also when the entry's dependencies are those of `sym` plus more.
                let d = forms.not_n(dep);
                let d = forms.transform(&facts, d);
                let mut d = forms.eliminate_dups(&facts, d);
                let mut d2 = basedep;
                forms.eliminate_eq(&facts, &mut d, &mut d2);
                forms.is_yes(d2)
            }
        };
        k.forms = forms;
        if !take {
            break;
        }
        propagate(k, m, false);
        k.menus[m.0 as usize].parent = Some(parent);
        last_moved = Some(m);
        cur = k.menu(m).next;
    }
    if let Some(last) = last_moved {
        let first = k.menu(parent).next;
        k.menus[parent.0 as usize].first_child = first;
        k.menus[parent.0 as usize].next = k.menu(last).next;
        k.menus[last.0 as usize].next = None;
    }
}

fn check_props(k: &Kconfig, s: super::SymId, warnings: &mut Vec<String>) {
    let sym = k.sym(s);
    for &p in &sym.props {
        let prop = k.prop(p);
        let at = || k.sources.file_line(prop.loc);
        match prop.kind {
            PropKind::Select | PropKind::Imply => {
                let what = prop.kind.name();
                if !sym.ty.is_boolish() {
                    warnings.push(format!(
                        "{}:warning: config symbol '{}' uses {what}, but is not bool or tristate",
                        at(),
                        sym.name
                    ));
                } else if let Some(Expr::Sym(t)) = prop.expr.map(|e| k.exprs.get(e)) {
                    let tt = k.sym(t).ty;
                    if tt != SymType::Unknown && !tt.is_boolish() {
                        warnings.push(format!(
                            "{}:warning: '{}' has wrong type. '{what}' only accept arguments of bool and tristate type",
                            at(),
                            k.sym(t).name
                        ));
                    }
                }
            }
            PropKind::Range if !matches!(sym.ty, SymType::Int | SymType::Hex) => {
                warnings.push(format!(
                    "{}:warning: range is only allowed for int or hex symbols",
                    at()
                ));
            }
            _ => {}
        }
    }
}

/// Choice sanity checks done after finalize: members may have no defaults of
/// their own, and no prompt outside their choice.
pub fn check_choices(k: &Kconfig) -> Vec<KconfigError> {
    let mut errors = Vec::new();
    for m in k.menus_below(k.root) {
        let Some(cs) = k.menu(m).sym else { continue };
        if !k.sym(cs).is_choice {
            continue;
        }
        for child in k.menus_below(m) {
            let Some(s) = k.menu(child).sym else { continue };
            for &p in &k.sym(s).props {
                let prop = k.prop(p);
                if prop.kind == PropKind::Default {
                    errors.push(KconfigError::plain(
                        k.sources.file_line(prop.loc),
                        "defaults for choice values not supported",
                    ));
                }
                if prop.menu != child
                    && prop.kind == PropKind::Prompt
                    && k.menu(prop.menu).parent != k.menu(child).parent
                {
                    errors.push(KconfigError::plain(
                        k.sources.file_line(prop.loc),
                        "choice value has a prompt outside its choice group",
                    ));
                }
            }
        }
    }
    errors
}
