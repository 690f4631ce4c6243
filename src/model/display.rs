//! Showing expressions and symbols the way the kernel's tools do:
//! `A [=y] && (B [=n] || C [=m])`, help screens, and the "Selected by"
//! lists. Expressions are shown in their simplified form (see [`simplify`]),
//! as the C tool shows them.
//!
//! [`simplify`]: super::simplify

use super::simplify::{FId, Forms, F};
use super::{MenuId, PropKind, SymId, SymType};
use crate::eval::{Evaluator, Tri};

/// Renders `e` (missing = `y`) with `sym_text` deciding how each symbol reads.
pub fn render(forms: &Forms, e: Option<FId>, sym_text: &mut dyn FnMut(SymId) -> String) -> String {
    let mut out = String::new();
    match e {
        None => out.push('y'),
        Some(e) => render_into(forms, e, 0, &mut out, sym_text),
    }
    out
}

fn render_into(
    forms: &Forms,
    e: FId,
    parent: u8,
    out: &mut String,
    sym_text: &mut dyn FnMut(SymId) -> String,
) {
    let f = forms.get(e);
    let prec = match f {
        F::Or(..) => 1,
        F::And(..) => 2,
        F::Not(_) => 3,
        _ => 4,
    };
    // An OR inside an AND or NOT, or an AND inside a NOT, is parenthesised.
    let paren = parent != 0 && prec < parent && prec <= 2;
    if paren {
        out.push('(');
    }
    match f {
        F::Sym(s) => out.push_str(&sym_text(s)),
        F::Not(a) => {
            out.push('!');
            render_into(forms, a, 3, out, sym_text);
        }
        F::And(a, b) => {
            render_into(forms, a, 2, out, sym_text);
            out.push_str(" && ");
            render_into(forms, b, 2, out, sym_text);
        }
        F::Or(a, b) => {
            render_into(forms, a, 1, out, sym_text);
            out.push_str(" || ");
            render_into(forms, b, 1, out, sym_text);
        }
        F::Cmp(op, a, b) => {
            out.push_str(&sym_text(a));
            out.push_str(op.text());
            out.push_str(&sym_text(b));
        }
    }
    if paren {
        out.push(')');
    }
}

/// Each symbol followed by its current value, as in kconfig help screens.
pub fn with_values(ev: &mut Evaluator, e: Option<FId>) -> String {
    let k = ev.k;
    render(&k.forms, e, &mut |s| symbol_with_value(ev, s))
}

fn symbol_with_value(ev: &mut Evaluator, s: SymId) -> String {
    let sym = ev.k.sym(s);
    if sym.is_choice {
        return "<choice>".to_string();
    }
    if sym.ty == SymType::Unknown {
        sym.name.clone()
    } else {
        format!("{} [={}]", sym.name, ev.stored_string_value(s))
    }
}

/// The value of a simplified expression under the current configuration.
pub fn eval_form(ev: &mut Evaluator, e: Option<FId>) -> Tri {
    let Some(e) = e else { return Tri::Yes };
    let forms = &ev.k.forms;
    match forms.get(e) {
        F::Sym(s) => ev.tri_value(s),
        F::Not(a) => !eval_form(ev, Some(a)),
        F::And(a, b) => eval_form(ev, Some(a)).and(eval_form(ev, Some(b))),
        F::Or(a, b) => eval_form(ev, Some(a)).or(eval_form(ev, Some(b))),
        F::Cmp(op, a, b) => ev.compare_symbols(op, a, b),
    }
}

/// The OR terms of `e` whose value is `want`, each as `  - term\n`.
fn revdep_lines(ev: &mut Evaluator, e: FId, want: Tri, out: &mut Vec<String>) {
    if let F::Or(a, b) = ev.k.forms.get(e) {
        revdep_lines(ev, a, want, out);
        revdep_lines(ev, b, want, out);
    } else if eval_form(ev, Some(e)) == want {
        out.push(format!("  - {}\n", with_values(ev, Some(e))));
    }
}

/// `Selected by [y]:` style blocks for a reverse dependency.
pub fn revdep_block(ev: &mut Evaluator, e: Option<FId>, want: Tri, title: &str) -> String {
    let Some(e) = e else { return String::new() };
    let mut lines = Vec::new();
    revdep_lines(ev, e, want, &mut lines);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = title.to_string();
    for l in lines {
        out.push_str(&l);
    }
    out
}

/// The warning conf prints when a `select` forces a symbol whose own
/// dependencies are not met.
pub fn unmet_dependency_warning(ev: &mut Evaluator, s: SymId) -> String {
    let k = ev.k;
    let sym = k.sym(s);
    let dir = ev.dir_dep_value(s);
    let mut out = format!(
        "\nWARNING: unmet direct dependencies detected for {}\n  Depends on [{}]: {}\n",
        sym.name,
        if dir == Tri::Mod { 'm' } else { 'n' },
        with_values(ev, sym.c_dir_dep)
    );
    out.push_str(&revdep_block(
        ev,
        sym.c_rev_dep,
        Tri::Yes,
        "  Selected by [y]:\n",
    ));
    out.push_str(&revdep_block(
        ev,
        sym.c_rev_dep,
        Tri::Mod,
        "  Selected by [m]:\n",
    ));
    out
}

/// The help screen of a menu entry (what `?` shows in `make config`).
pub fn help_screen(ev: &mut Evaluator, m: MenuId, prefix: &str) -> String {
    let k = ev.k;
    let node = k.menu(m);
    let mut out = String::new();
    match k.help_text(m) {
        Some(help) => {
            if let Some(s) = node.sym {
                if !k.sym(s).is_choice {
                    out.push_str(&format!("{prefix}{}:\n\n", k.sym(s).name));
                }
            }
            out.push_str(&help);
            out.push('\n');
        }
        None => out.push_str("There is no help available for this option.\n"),
    }
    if let Some(s) = node.sym {
        out.push_str(&symbol_info(ev, s));
    }
    out
}

/// Everything kconfig tells about a symbol: value, type, range, definitions,
/// prompts with their dependencies and location, selects and implies.
pub fn symbol_info(ev: &mut Evaluator, s: SymId) -> String {
    let k = ev.k;
    let sym = k.sym(s);
    let mut out = String::new();
    if !sym.is_choice {
        out.push_str(&format!(
            "Symbol: {} [={}]\n",
            sym.name,
            ev.stored_string_value(s)
        ));
        out.push_str(&format!("Type  : {}\n", sym.ty.name()));
        if matches!(sym.ty, SymType::Int | SymType::Hex) {
            if let Some((lo, hi)) = ev.active_range(s) {
                out.push_str(&format!(
                    "Range : [{} {}]\n",
                    symbol_with_value(ev, lo),
                    symbol_with_value(ev, hi)
                ));
            }
        }
    }
    for &m in &sym.menus {
        if let Some(p) = k.menu(m).prompt {
            out.push_str(&format!(
                "Defined at {}\n",
                k.sources.file_line(k.menu(m).loc)
            ));
            out.push_str(&prompt_info(ev, p));
        }
    }
    for &m in &sym.menus {
        if k.menu(m).prompt.is_none() {
            out.push_str(&format!(
                "Defined at {}\n",
                k.sources.file_line(k.menu(m).loc)
            ));
            let dep = k.menu(m).c_dep;
            if !k.forms.is_yes(dep) {
                out.push_str(&format!("  Depends on: {}\n", with_values(ev, dep)));
            }
        }
    }
    out.push_str(&props_line(ev, s, PropKind::Select, "Selects: "));
    if sym.c_rev_dep.is_some() {
        for (t, title) in [
            (Tri::Yes, "Selected by [y]:\n"),
            (Tri::Mod, "Selected by [m]:\n"),
            (Tri::No, "Selected by [n]:\n"),
        ] {
            out.push_str(&revdep_block(ev, sym.c_rev_dep, t, title));
        }
    }
    out.push_str(&props_line(ev, s, PropKind::Imply, "Implies: "));
    if sym.c_implied.is_some() {
        for (t, title) in [
            (Tri::Yes, "Implied by [y]:\n"),
            (Tri::Mod, "Implied by [m]:\n"),
            (Tri::No, "Implied by [n]:\n"),
        ] {
            out.push_str(&revdep_block(ev, sym.c_implied, t, title));
        }
    }
    out.push_str("\n\n");
    out
}

fn props_line(ev: &mut Evaluator, s: SymId, kind: PropKind, title: &str) -> String {
    let k = ev.k;
    let targets: Vec<SymId> = k
        .sym(s)
        .props
        .iter()
        .filter(|&&p| k.prop(p).kind == kind)
        .filter_map(|&p| {
            k.prop(p)
                .expr
                .and_then(|e| super::depgraph::symbols_in(k, e).first().copied())
        })
        .collect();
    if targets.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = targets
        .into_iter()
        .map(|t| symbol_with_value(ev, t))
        .collect();
    format!("{title}{}\n", parts.join(" && "))
}

fn prompt_info(ev: &mut Evaluator, p: super::PropId) -> String {
    let k = ev.k;
    let prop = k.prop(p);
    let mut out = format!("  Prompt: {}\n", prop.text.as_deref().unwrap_or(""));
    let dep = k.menu(prop.menu).c_dep;
    if !k.forms.is_yes(dep) {
        out.push_str(&format!("  Depends on: {}\n", with_values(ev, dep)));
    }
    if prop.visibility_differs {
        let vis = prop.c_visible;
        if !k.forms.is_yes(vis) {
            out.push_str(&format!("  Visible if: {}\n", with_values(ev, vis)));
        }
    }
    // Location: the chain of menus above the entry, outermost first. The
    // walk checks visibility until it finds a visible entry (calculating
    // values on the way, as the C tool does).
    let mut chain = Vec::new();
    let mut found_visible = false;
    let mut cur = Some(prop.menu);
    while let Some(m) = cur {
        if m == k.root || chain.len() == 8 {
            break;
        }
        chain.push(m);
        if !found_visible && ev.menu_is_visible(m) {
            found_visible = true;
        }
        cur = k.menu(m).parent;
    }
    out.push_str("  Location:\n");
    for (j, &m) in chain.iter().rev().enumerate() {
        let indent = 2 * j + 4;
        out.push_str(&" ".repeat(indent));
        out.push_str("-> ");
        out.push_str(k.prompt_text(m).unwrap_or(""));
        if let Some(s) = k.menu(m).sym {
            let name = k.sym(s).display_name().to_string();
            out.push_str(&format!(" ({} [={}])", name, ev.stored_string_value(s)));
        }
        out.push('\n');
    }
    out
}
