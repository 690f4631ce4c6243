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
    for m in k.menus_below(k.root) {
        let Some(cs) = k.menu(m).sym else { continue };
        if k.sym(cs).is_choice {
            for &member in &k.menu(m).choice_members {
                if k.choice_of(member) == Some(m) {
                    sym_node[member.0 as usize] = cs.0;
                }
            }
        }
    }
    // Symbol successors in compressed rows: a symbol's dependency expressions
    // (a choice's row also holds its members').
    let mut count = vec![0u32; ns + 1];
    let mut roots: Vec<(u32, u32)> = Vec::with_capacity(4 * ns);
    for (i, sym) in k.symbols.iter().enumerate() {
        if sym.is_const {
            continue;
        }
        let from = sym_node[i];
        for_each_dependency_root(k, SymId(i as u32), &mut |_, e| {
            roots.push((from, ns as u32 + e.0));
            count[from as usize] += 1;
        });
    }
    let mut row_start = vec![0u32; ns + 1];
    for i in 0..ns {
        row_start[i + 1] = row_start[i] + count[i];
    }
    let mut fill = row_start.clone();
    let mut sym_edges = vec![0u32; roots.len()];
    for (from, to) in roots {
        sym_edges[fill[from as usize] as usize] = to;
        fill[from as usize] += 1;
    }
    // The i-th successor of node v, or None past the last.
    let successor = |v: usize, i: usize| -> Option<u32> {
        if v < ns {
            let (a, b) = (row_start[v] as usize, row_start[v + 1] as usize);
            return (a + i < b).then(|| sym_edges[a + i]);
        }
        let sym_target = |s: SymId| (!k.sym(s).is_const).then(|| sym_node[s.0 as usize]);
        match (k.exprs.get(ExprId((v - ns) as u32)), i) {
            (Expr::Sym(s), 0) => sym_target(s),
            (Expr::Cmp(_, a, b), 0) => sym_target(a).or_else(|| sym_target(b)),
            (Expr::Cmp(_, a, b), 1) => sym_target(a).and(sym_target(b)),
            (Expr::Not(a), 0) => Some(ns as u32 + a.0),
            (Expr::And(a, _) | Expr::Or(a, _), 0) => Some(ns as u32 + a.0),
            (Expr::And(_, b) | Expr::Or(_, b), 1) => Some(ns as u32 + b.0),
            _ => None,
        }
    };

    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    // Call stack of (node, next successor position).
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut next_index = 0u32;
    let mut groups = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        calls.push((root as u32, 0));
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            let v = v as usize;
            if let Some(w) = successor(v, *pos as usize) {
                *pos += 1;
                let w = w as usize;
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    calls.push((w as u32, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                let p = parent as usize;
                low[p] = low[p].min(low[v]);
            }
            if low[v] == index[v] {
                let self_loop = (0..)
                    .map_while(|i| successor(v, i))
                    .any(|w| w as usize == v);
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
    let mut out = Vec::new();
    for_each_dependency_root(k, s, &mut |kind, e| out.push((kind, e)));
    out
}

fn for_each_dependency_root(k: &Kconfig, s: SymId, f: &mut impl FnMut(EdgeKind, ExprId)) {
    let sym = k.sym(s);
    let mut opt = |kind, e: Option<ExprId>| {
        if let Some(e) = e {
            f(kind, e);
        }
    };
    opt(EdgeKind::DependsOn, sym.dir_dep);
    opt(EdgeKind::SelectedBy, sym.rev_dep);
    opt(EdgeKind::ImpliedBy, sym.implied);
    for &p in &sym.props {
        let prop = k.prop(p);
        if matches!(prop.kind, PropKind::Select | PropKind::Imply) {
            continue;
        }
        opt(EdgeKind::Condition(prop.kind), prop.visible);
        if prop.kind == PropKind::Default && !sym.is_choice {
            opt(EdgeKind::DefaultValue, prop.expr);
        }
    }
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
