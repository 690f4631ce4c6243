//! The symbol dependency graph: an edge A -> B when A's value can depend on
//! B's (dependencies, reverse dependencies, prompt/default conditions, default
//! values). A choice and its members form one node, as they are computed
//! together. A cycle is a Kconfig error ("recursive dependency detected").
//!
//! Menu dependencies are shared between the entries of a menu, so the graph
//! has a node per symbol and per expression node: linear in the size of the
//! tree, where listing each symbol's dependencies would be quadratic. Why A
//! depends on B is worked out (as a petgraph graph) only for a cycle found.

use super::{Expr, ExprId, Kconfig, PropKind, SymId};
use petgraph::algo::astar;
use petgraph::graphmap::DiGraphMap;
use std::collections::HashSet;

/// Why A depends on B, in the order the C tool looks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    DependsOn,
    SelectedBy,
    ImpliedBy,
    /// B appears in the condition of A's property of this kind.
    Condition(PropKind),
    /// B appears in A's default value.
    DefaultValue,
}

/// Finds the groups of symbols that depend on each other in a circle.
///
/// The graph is implicit: a node per symbol (choice members share their
/// choice's node) and per expression node of the model; successors are read
/// from the model. Iterative Tarjan, no allocation per component.
pub fn cyclic_groups(k: &Kconfig) -> Vec<Vec<SymId>> {
    let ns = k.symbols.len();
    let n = ns + k.exprs.len();
    let mut sym_node: Vec<u32> = (0..ns as u32).collect();
    for (i, slot) in sym_node.iter_mut().enumerate() {
        if let Some(cs) = k.choice_of(SymId(i as u32)).and_then(|c| k.menu(c).sym) {
            *slot = cs.0;
        }
    }
    // Successor lists: symbols -> their dependency expressions (gathered per
    // node, so a choice collects its members'), expressions -> operands.
    let mut sym_succ: Vec<Vec<u32>> = vec![Vec::new(); ns];
    for i in 0..ns {
        if k.symbols[i].is_const {
            continue;
        }
        let from = sym_node[i] as usize;
        for (_, e) in dependency_roots(k, SymId(i as u32)) {
            sym_succ[from].push(ns as u32 + e.0);
        }
    }
    let succ = |v: usize, out: &mut Vec<u32>| {
        out.clear();
        if v < ns {
            out.extend_from_slice(&sym_succ[v]);
            return;
        }
        let to_sym = |s: SymId, out: &mut Vec<u32>| {
            if !k.sym(s).is_const {
                out.push(sym_node[s.0 as usize]);
            }
        };
        match k.exprs.get(ExprId((v - ns) as u32)) {
            Expr::Sym(s) => to_sym(s, out),
            Expr::Cmp(_, a, b) => {
                to_sym(a, out);
                to_sym(b, out);
            }
            Expr::Not(a) => out.push(ns as u32 + a.0),
            Expr::And(a, b) | Expr::Or(a, b) => {
                out.push(ns as u32 + a.0);
                out.push(ns as u32 + b.0);
            }
        }
    };

    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    // Call stack of (node, successors, next successor position).
    let mut calls: Vec<(u32, Vec<u32>, usize)> = Vec::new();
    let mut spare: Vec<Vec<u32>> = Vec::new();
    let mut next_index = 0u32;
    let mut groups = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut list = spare.pop().unwrap_or_default();
        succ(root, &mut list);
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        calls.push((root as u32, list, 0));
        while let Some((v, list, pos)) = calls.last_mut() {
            let v = *v as usize;
            if *pos < list.len() {
                let w = list[*pos] as usize;
                *pos += 1;
                if index[w] == UNSEEN {
                    let mut wl = spare.pop().unwrap_or_default();
                    succ(w, &mut wl);
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    calls.push((w as u32, wl, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            let self_loop = list.contains(&(v as u32));
            if let Some((_, l, _)) = calls.pop() {
                spare.push(l);
            }
            if let Some((parent, _, _)) = calls.last() {
                let p = *parent as usize;
                low[p] = low[p].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                let mut size = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    size += 1;
                    if (w as usize) < ns {
                        members.push(SymId(w));
                    }
                    if w as usize == v {
                        break;
                    }
                }
                if (size > 1 || self_loop) && !members.is_empty() {
                    members.sort_unstable();
                    groups.push(members);
                }
            }
        }
    }
    groups.sort();
    groups
}

/// Every expression a symbol's value depends on, labelled, in the order the C
/// tool checks them.
pub fn dependency_roots(k: &Kconfig, s: SymId) -> Vec<(EdgeKind, ExprId)> {
    let sym = k.sym(s);
    let mut out = Vec::new();
    out.extend(sym.dir_dep.map(|e| (EdgeKind::DependsOn, e)));
    out.extend(sym.rev_dep.map(|e| (EdgeKind::SelectedBy, e)));
    out.extend(sym.implied.map(|e| (EdgeKind::ImpliedBy, e)));
    for &p in &sym.props {
        let prop = k.prop(p);
        if matches!(prop.kind, PropKind::Select | PropKind::Imply) {
            continue;
        }
        out.extend(prop.visible.map(|e| (EdgeKind::Condition(prop.kind), e)));
        if prop.kind == PropKind::Default && !sym.is_choice {
            out.extend(prop.expr.map(|e| (EdgeKind::DefaultValue, e)));
        }
    }
    out
}

/// Reports every dependency cycle the way the C tool words it.
pub fn check_recursion(k: &Kconfig) -> Result<(), String> {
    let mut report = String::new();
    for group in cyclic_groups(k) {
        let cycle = cycle_path(k, &group);
        report.push_str("error: recursive dependency detected!\n");
        for w in cycle.windows(2) {
            let (a, kind) = w[0];
            let (b, _) = w[1];
            let an = k.sym(a).display_name();
            let bn = k.sym(b).display_name();
            let line = match kind {
                EdgeKind::DependsOn => format!("\tsymbol {an} depends on {bn}"),
                EdgeKind::SelectedBy => format!("\tsymbol {an} is selected by {bn}"),
                EdgeKind::ImpliedBy => format!("\tsymbol {an} is implied by {bn}"),
                EdgeKind::DefaultValue => format!("\tsymbol {an} default value contains {bn}"),
                EdgeKind::Condition(p) => {
                    format!("\tsymbol {an} {} is visible depending on {bn}", p.name())
                }
            };
            report.push_str(&line);
            report.push('\n');
        }
        report.push_str(
            "For a resolution refer to Documentation/kbuild/kconfig-language.rst\nsubsection \"Kconfig recursive dependency limitations\"\n\n",
        );
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report.trim_end_matches('\n').to_string())
    }
}

/// A shortest circle through the group's first symbol, each symbol with the
/// kind of dependency that leads to the next (the first repeated at the end).
/// The group's symbol-level graph is small; petgraph finds the path.
fn cycle_path(k: &Kconfig, group: &[SymId]) -> Vec<(SymId, EdgeKind)> {
    let in_group: HashSet<SymId> = group.iter().copied().collect();
    let mut g: DiGraphMap<SymId, EdgeKind> = DiGraphMap::new();
    // Members of one choice are one node in the C check; let them reach each other.
    let rep = |s: SymId| k.choice_of(s).and_then(|c| k.menu(c).sym).unwrap_or(s);
    for &a in group {
        for (kind, e) in dependency_roots(k, a) {
            k.exprs.for_each_symbol(e, &mut |t| {
                let t = if in_group.contains(&t) { t } else { rep(t) };
                if in_group.contains(&t) && !g.contains_edge(a, t) {
                    g.add_edge(a, t, kind);
                }
            });
        }
    }
    let start = group[0];
    let mut best: Option<Vec<SymId>> = None;
    for (pred, _, _) in g.all_edges().filter(|(_, t, _)| *t == start) {
        let path = if pred == start {
            Some(vec![start])
        } else {
            astar(&g, start, |n| n == pred, |_| 1, |_| 0).map(|(_, p)| p)
        };
        if let Some(p) = path {
            if best.as_ref().is_none_or(|b| p.len() < b.len()) {
                best = Some(p);
            }
        }
    }
    let Some(mut path) = best else {
        return vec![(start, EdgeKind::DependsOn), (start, EdgeKind::DependsOn)];
    };
    path.push(start);
    let mut out: Vec<(SymId, EdgeKind)> = path
        .windows(2)
        .map(|w| {
            (
                w[0],
                g.edge_weight(w[0], w[1])
                    .copied()
                    .unwrap_or(EdgeKind::DependsOn),
            )
        })
        .collect();
    out.push((start, EdgeKind::DependsOn));
    out
}

/// The symbols an expression mentions (deduplicated, in first-mention order).
pub fn symbols_in(k: &Kconfig, e: ExprId) -> Vec<SymId> {
    let mut out = Vec::new();
    k.exprs.for_each_symbol(e, &mut |s| {
        if !out.contains(&s) {
            out.push(s);
        }
    });
    out
}
