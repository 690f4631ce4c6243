//! The cone of influence of some symbols: every symbol whose value can
//! change theirs. Kconfig's dependency graph has no cycles (conf refuses
//! trees with recursive dependencies), so symbols outside the cone can
//! always be given values, in dependency order, that satisfy their own
//! constraints whatever the cone's values are. Questions about the cone
//! alone can therefore be asked of the cone's constraints alone, which is a
//! small part of the tree for most requests.

use crate::model::{Expr, ExprId, Kconfig, PropKind, SymId, SymType};

/// Marks the symbols the encoding of `roots` reads, transitively.
pub fn cone(k: &Kconfig, roots: &[SymId]) -> Vec<bool> {
    let mut in_cone = vec![false; k.symbols.len()];
    let mut seen_expr = vec![false; k.exprs.len()];
    let mut symbols: Vec<SymId> = Vec::new();
    let mut exprs: Vec<ExprId> = Vec::new();
    fn push_sym(s: SymId, in_cone: &mut [bool], symbols: &mut Vec<SymId>) {
        if let Some(slot) = in_cone.get_mut(s.0 as usize) {
            if !*slot {
                *slot = true;
                symbols.push(s);
            }
        }
    }
    for &r in roots {
        push_sym(r, &mut in_cone, &mut symbols);
    }
    loop {
        if let Some(e) = exprs.pop() {
            match k.exprs.get(e) {
                Expr::Sym(s) => push_sym(s, &mut in_cone, &mut symbols),
                Expr::Cmp(_, a, b) => {
                    push_sym(a, &mut in_cone, &mut symbols);
                    push_sym(b, &mut in_cone, &mut symbols);
                }
                Expr::Not(a) => exprs.push(a),
                Expr::And(a, b) | Expr::Or(a, b) => {
                    exprs.push(a);
                    exprs.push(b);
                }
            }
            continue;
        }
        let Some(s) = symbols.pop() else { break };
        let sym = k.sym(s);
        let mut add = |e: Option<ExprId>| {
            if let Some(e) = e {
                if !std::mem::replace(&mut seen_expr[e.0 as usize], true) {
                    exprs.push(e);
                }
            }
        };
        add(sym.dir_dep);
        add(sym.rev_dep);
        add(sym.implied);
        for &p in &sym.props {
            let prop = k.prop(p);
            // What this symbol selects or implies changes the target, not it.
            if matches!(prop.kind, PropKind::Select | PropKind::Imply) {
                continue;
            }
            add(prop.visible);
            add(prop.expr);
            if let Some((lo, hi)) = prop.range {
                push_sym(lo, &mut in_cone, &mut symbols);
                push_sym(hi, &mut in_cone, &mut symbols);
            }
        }
        if sym.ty == SymType::Tristate {
            if let Some(m) = k.modules_sym {
                push_sym(m, &mut in_cone, &mut symbols);
            }
        }
        // A choice's members are decided together.
        if let Some(choice) = k.choice_of(s) {
            if let Some(cs) = k.menu(choice).sym {
                push_sym(cs, &mut in_cone, &mut symbols);
            }
            for &member in &k.menu(choice).choice_members {
                push_sym(member, &mut in_cone, &mut symbols);
            }
        }
    }
    in_cone
}
