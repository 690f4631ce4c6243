//! Printing expressions the way Kconfig tools show them (`A && (B || !C)`),
//! optionally with each symbol's current value (`A [=y]`).

use super::{Expr, ExprId, Kconfig, SymId};
use crate::eval::{Evaluator, Tri};

fn prec(e: Expr) -> u8 {
    match e {
        Expr::Or(..) => 1,
        Expr::And(..) => 2,
        Expr::Not(..) => 3,
        Expr::Cmp(..) => 4,
        Expr::Sym(_) => 5,
    }
}

fn render(
    k: &Kconfig,
    e: ExprId,
    parent: u8,
    out: &mut String,
    sym_text: &mut dyn FnMut(SymId) -> String,
) {
    let node = k.exprs.get(e);
    // An OR inside an AND or NOT, or an AND inside a NOT, needs parentheses.
    let paren = prec(node) < parent && parent <= 3 && prec(node) <= 2;
    if paren {
        out.push('(');
    }
    match node {
        Expr::Sym(s) => out.push_str(&sym_text(s)),
        Expr::Not(a) => {
            out.push('!');
            render(k, a, 3, out, sym_text);
        }
        Expr::And(a, b) => {
            render(k, a, 2, out, sym_text);
            out.push_str(" && ");
            render(k, b, 2, out, sym_text);
        }
        Expr::Or(a, b) => {
            render(k, a, 1, out, sym_text);
            out.push_str(" || ");
            render(k, b, 1, out, sym_text);
        }
        Expr::Cmp(op, a, b) => {
            out.push_str(&sym_text(a));
            out.push_str(op.text());
            out.push_str(&sym_text(b));
        }
    }
    if paren {
        out.push(')');
    }
}

fn plain_name(k: &Kconfig, s: SymId) -> String {
    let sym = k.sym(s);
    if sym.is_const && !matches!(sym.name.as_str(), "y" | "m" | "n") {
        format!("\"{}\"", sym.name)
    } else {
        sym.display_name().to_string()
    }
}

pub fn expr_to_string(k: &Kconfig, e: ExprId) -> String {
    let mut out = String::new();
    render(k, e, 0, &mut out, &mut |s| plain_name(k, s));
    out
}

/// `A [=y] && B [=n]`: each named symbol followed by its current value.
pub fn expr_with_values(ev: &mut Evaluator, e: ExprId) -> String {
    let k = ev.k;
    let mut out = String::new();
    render(k, e, 0, &mut out, &mut |s| {
        let sym = k.sym(s);
        if sym.is_const {
            plain_name(k, s)
        } else {
            format!("{} [={}]", sym.name, ev.string_value(s))
        }
    });
    out
}

/// The OR terms of an expression.
pub fn or_terms(k: &Kconfig, e: ExprId) -> Vec<ExprId> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match k.exprs.get(x) {
            Expr::Or(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(x),
        }
    }
    out
}

/// The `select`ors of `s` whose term currently evaluates to `want`.
pub fn selectors_with_value(ev: &mut Evaluator, s: SymId, want: Tri) -> Vec<String> {
    let k = ev.k;
    let Some(rev) = k.sym(s).rev_dep else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for term in or_terms(k, rev) {
        if ev.eval(term) == want {
            out.push(expr_with_values(ev, term));
        }
    }
    out
}
