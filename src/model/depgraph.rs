//! The symbol dependency graph: an edge A -> B when A's value can depend on
//! B's (dependencies, reverse dependencies, prompt/default conditions, default
//! values). A choice and its members form one node, as they are computed
//! together. A cycle is a Kconfig error ("recursive dependency detected").

use super::{Expr, ExprId, Kconfig, PropKind, SymId};
use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use std::collections::HashMap;

/// Why A depends on B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    DependsOn,
    SelectedBy,
    ImpliedBy,
    /// B appears in the condition of A's property of this kind.
    Condition(PropKind),
    /// B appears in A's default value.
    DefaultValue,
    /// A is part of a choice (links a member to its choice).
    ChoiceMember,
}

pub struct DepGraph {
    pub graph: DiGraphMap<u32, EdgeKind>,
}

impl DepGraph {
    pub fn build(k: &Kconfig) -> Self {
        let mut graph = DiGraphMap::new();
        // Members of a choice are one node with their choice.
        let mut group: HashMap<SymId, SymId> = HashMap::new();
        for m in k.menus_below(k.root) {
            let Some(s) = k.menu(m).sym else { continue };
            if k.sym(s).is_choice {
                for child in k.menus_below(m) {
                    if let Some(c) = k.menu(child).sym {
                        if k.choice_of(c) == Some(m) {
                            group.insert(c, s);
                        }
                    }
                }
            }
        }
        let node = |s: SymId| group.get(&s).copied().unwrap_or(s).0;
        for (i, sym) in k.symbols.iter().enumerate() {
            if sym.is_const {
                continue;
            }
            let from = node(SymId(i as u32));
            graph.add_node(from);
            let add = |e: Option<ExprId>, kind: EdgeKind, g: &mut DiGraphMap<u32, EdgeKind>| {
                if let Some(e) = e {
                    k.exprs.for_each_symbol(e, &mut |t| {
                        if !k.sym(t).is_const {
                            g.add_edge(from, node(t), kind);
                        }
                    });
                }
            };
            add(sym.dir_dep, EdgeKind::DependsOn, &mut graph);
            add(sym.rev_dep, EdgeKind::SelectedBy, &mut graph);
            add(sym.implied, EdgeKind::ImpliedBy, &mut graph);
            for &p in &sym.props {
                let prop = k.prop(p);
                if matches!(prop.kind, PropKind::Select | PropKind::Imply) {
                    continue;
                }
                add(prop.visible, EdgeKind::Condition(prop.kind), &mut graph);
                if prop.kind == PropKind::Default && !sym.is_choice {
                    add(prop.expr, EdgeKind::DefaultValue, &mut graph);
                }
            }
        }
        DepGraph { graph }
    }
}

/// Reports every dependency cycle the way the C tool words it.
pub fn check_recursion(k: &Kconfig) -> Result<(), String> {
    let dg = DepGraph::build(k);
    let mut report = String::new();
    for scc in tarjan_scc(&dg.graph) {
        let cyclic = scc.len() > 1 || dg.graph.contains_edge(scc[0], scc[0]);
        if !cyclic {
            continue;
        }
        let cycle = find_cycle(&dg.graph, &scc);
        report.push_str("error: recursive dependency detected!\n");
        for w in cycle.windows(2) {
            let (a, b) = (SymId(w[0]), SymId(w[1]));
            let an = k.sym(a).display_name();
            let bn = k.sym(b).display_name();
            let kind = dg.graph.edge_weight(w[0], w[1]).copied();
            let line = match kind {
                Some(EdgeKind::DependsOn) => format!("\tsymbol {an} depends on {bn}"),
                Some(EdgeKind::SelectedBy) => format!("\tsymbol {an} is selected by {bn}"),
                Some(EdgeKind::ImpliedBy) => format!("\tsymbol {an} is implied by {bn}"),
                Some(EdgeKind::DefaultValue) => {
                    format!("\tsymbol {an} default value contains {bn}")
                }
                Some(EdgeKind::Condition(p)) => {
                    format!("\tsymbol {an} {} is visible depending on {bn}", p.name())
                }
                _ => format!("\tsymbol {an} is part of a choice with {bn}"),
            };
            report.push_str(&line);
            report.push('\n');
        }
        report.push_str(
            "For a resolution refer to Documentation/kbuild/kconfig-language.rst\nsubsection \"Kconfig recursive dependency limitations\"\n",
        );
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report.trim_end().to_string())
    }
}

/// A closed path inside one strongly connected component, first node repeated at the end.
fn find_cycle(g: &DiGraphMap<u32, EdgeKind>, scc: &[u32]) -> Vec<u32> {
    let start = scc.iter().copied().min().unwrap_or(0);
    if g.contains_edge(start, start) {
        return vec![start, start];
    }
    let in_scc: std::collections::HashSet<u32> = scc.iter().copied().collect();
    // Breadth-first search back to `start`, staying inside the component.
    let mut prev: HashMap<u32, u32> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let mut succ: Vec<u32> = g.neighbors(n).filter(|x| in_scc.contains(x)).collect();
        succ.sort_unstable();
        for t in succ {
            if t == start {
                // Walk back from n to start, then read it forwards.
                let mut back = vec![n];
                let mut cur = n;
                while cur != start {
                    cur = prev[&cur];
                    back.push(cur);
                }
                back.reverse();
                back.push(start);
                return back;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(t) {
                e.insert(n);
                queue.push_back(t);
            }
        }
    }
    vec![start, start]
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

/// Is `e` a plain symbol reference?
pub fn as_symbol(k: &Kconfig, e: ExprId) -> Option<SymId> {
    match k.exprs.get(e) {
        Expr::Sym(s) => Some(s),
        _ => None,
    }
}
