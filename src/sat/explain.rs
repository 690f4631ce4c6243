//! Why a symbol has its value, or why it cannot take another: a chain of
//! Kconfig facts (prompts and their dependencies, selects, implies, defaults,
//! choices, ranges), each with its file:line and the current value of every
//! symbol it names, followed down to what the user can change.
//!
//! The chain reads the exact evaluator's values and the simplified
//! dependency forms (what menuconfig shows), so the tree must be loaded with
//! the menu structure.

use crate::eval::{Evaluator, Tri};
use crate::model::display::{eval_form, with_values};
use crate::model::simplify::{FId, F};
use crate::model::{Expr, Kconfig, PropKind, SymId, SymType};
use serde::Serialize;

/// What a step of a chain says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The symbol's definition (`config X`), e.g. for dependencies of a
    /// symbol without prompt.
    Definition,
    /// A prompt (`bool "..."`) and the dependencies that make it visible.
    Prompt,
    /// A `select` in another symbol.
    SelectedBy,
    /// An `imply` in another symbol.
    ImpliedBy,
    /// A `default` of the symbol.
    Default,
    /// A `range` of the symbol.
    Range,
    /// The symbol is a member of a choice.
    Choice,
    /// The configuration itself gives the value (the user can change it).
    UserValue,
    /// The symbol cannot change: a constant or a toolchain probe result.
    Fixed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Nesting: 0 for the symbol asked about, +1 for each cause below.
    pub depth: usize,
    pub kind: StepKind,
    pub symbol: String,
    pub value: String,
    /// The fact, with the values of the symbols it names.
    pub fact: String,
    /// `file:line` of the Kconfig text the fact comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The user can set this symbol (the chain stops here).
    pub changeable: bool,
}

/// How deep a chain follows causes.
const MAX_DEPTH: usize = 8;
/// At most this many selectors or causes are followed per step.
const MAX_BRANCHES: usize = 4;

struct Chain<'e, 'k> {
    ev: &'e mut Evaluator<'k>,
    steps: Vec<Step>,
    seen: Vec<SymId>,
}

/// Explains why `s` has its current value in `ev`'s configuration, oriented
/// towards `wanted` (a value the user would like; `None`: the value itself).
pub fn why(ev: &mut Evaluator, s: SymId, wanted: Option<&str>) -> Vec<Step> {
    let mut chain = Chain {
        ev,
        steps: Vec::new(),
        seen: Vec::new(),
    };
    chain.explain(s, wanted.map(str::to_string), 0);
    chain.steps
}

fn tri_of(v: &str) -> Tri {
    Tri::from_letter(v.as_bytes().first().copied().unwrap_or(b'n')).unwrap_or(Tri::No)
}

impl Chain<'_, '_> {
    fn k(&self) -> &Kconfig {
        self.ev.k
    }

    fn loc(&self, loc: crate::frontend::source::Loc) -> Option<String> {
        Some(self.k().sources.file_line(loc))
    }

    fn push(&mut self, depth: usize, kind: StepKind, s: SymId, fact: String, loc: Option<String>) {
        let changeable = kind == StepKind::UserValue;
        let value = self.ev.string_value(s);
        self.steps.push(Step {
            depth,
            kind,
            symbol: self.k().sym(s).name.clone(),
            value,
            fact,
            location: loc,
            changeable,
        });
    }

    /// The end of a chain: the configuration gives `s` its value.
    fn push_user_value(&mut self, s: SymId, value: &str, depth: usize) {
        let fact = if self.ev.has_user_value(s) {
            format!("set to {value} in the configuration")
        } else {
            format!("not set in the configuration; its default gives {value}")
        };
        let loc = self.definition_loc(s);
        self.push(depth, StepKind::UserValue, s, fact, loc);
    }

    fn definition_loc(&self, s: SymId) -> Option<String> {
        let k = self.k();
        k.sym(s)
            .menus
            .first()
            .map(|&m| k.sources.file_line(k.menu(m).loc))
    }

    fn explain(&mut self, s: SymId, wanted: Option<String>, depth: usize) {
        let k = self.ev.k;
        let sym = k.sym(s);
        if sym.is_const || sym.ty == SymType::Unknown {
            return;
        }
        if depth > MAX_DEPTH || self.seen.contains(&s) {
            return;
        }
        self.seen.push(s);
        let current = self.ev.string_value(s);
        if !sym.ty.is_boolish() {
            self.explain_valued(s, &current, wanted.as_deref(), depth);
            return;
        }
        let cur = tri_of(&current);
        // Which way the question points: what holds the value down, or up.
        let target = match wanted.as_deref() {
            Some(w) => tri_of(w),
            None if cur == Tri::No => Tri::Yes,
            None => Tri::No,
        };
        if target > cur {
            self.explain_held_down(s, cur, target, depth);
        } else {
            self.explain_held_up(s, cur, target, depth);
        }
    }

    /// Prompts of `s` with their visibility forms and locations.
    fn prompts(&self, s: SymId) -> Vec<(String, Option<FId>, crate::frontend::source::Loc)> {
        let k = self.k();
        k.sym(s)
            .props
            .iter()
            .map(|&p| k.prop(p))
            .filter(|p| p.text.is_some())
            .map(|p| (p.text.clone().unwrap_or_default(), p.c_visible, p.loc))
            .collect()
    }

    /// Why `s` is below `target`: hidden prompts, capped dependencies, no
    /// prompt at all, the user's own choice.
    fn explain_held_down(&mut self, s: SymId, cur: Tri, target: Tri, depth: usize) {
        let k = self.ev.k;
        if let Some(choice) = k.choice_of(s) {
            if self.ev.visibility(s) >= target {
                let picked = k
                    .menu(choice)
                    .sym
                    .and_then(|_| self.ev.choice_selection(choice));
                let fact = match picked {
                    Some(p) if p != s => {
                        format!("member of a choice in which {} is selected", k.sym(p).name)
                    }
                    _ => "member of a choice".to_string(),
                };
                let loc = self.loc(k.menu(choice).loc);
                self.push(depth, StepKind::Choice, s, fact, loc);
                if let Some(p) = picked.filter(|&p| p != s) {
                    let why_picked = if self.ev.is_changeable(p) {
                        StepKind::UserValue
                    } else {
                        StepKind::Definition
                    };
                    let loc = self.definition_loc(p);
                    self.push(
                        depth + 1,
                        why_picked,
                        p,
                        format!("{} is the choice's selection", k.sym(p).name),
                        loc,
                    );
                }
                return;
            }
        }
        let prompts = self.prompts(s);
        if prompts.is_empty() {
            let loc = self.definition_loc(s);
            self.push(
                depth,
                StepKind::Definition,
                s,
                format!(
                    "{} has no prompt: only defaults and select set it",
                    k.sym(s).name
                ),
                loc,
            );
            self.explain_defaults(s, depth + 1);
            self.explain_selectors(s, Tri::Mod, depth + 1, PropKind::Select);
            return;
        }
        let vis = self.ev.visibility(s);
        if vis < target {
            for (text, form, loc) in prompts {
                let v = eval_form(self.ev, form);
                if v >= target {
                    continue;
                }
                let deps = with_values(self.ev, form);
                let state = if v == Tri::Mod {
                    "allows at most m"
                } else {
                    "is hidden"
                };
                let fact = format!("prompt \"{text}\" {state}: depends on {deps}");
                let loc = self.loc(loc);
                self.push(depth, StepKind::Prompt, s, fact, loc);
                self.prompt_causes(s, form, target, depth + 1);
                break;
            }
            return;
        }
        // Visible enough: the configuration chose this value.
        self.push_user_value(s, cur.letter(), depth);
    }

    /// Why `s` is above `target`: selects, implies, defaults of a hidden
    /// symbol, or the user's choice.
    fn explain_held_up(&mut self, s: SymId, cur: Tri, target: Tri, depth: usize) {
        let k = self.ev.k;
        let rev = present(self.ev, k.sym(s).c_rev_dep);
        if rev > target {
            let loc = self.definition_loc(s);
            self.push(
                depth,
                StepKind::Definition,
                s,
                format!(
                    "{} is forced to at least {} by select",
                    k.sym(s).name,
                    rev.letter()
                ),
                loc,
            );
            self.explain_selectors(s, rev, depth + 1, PropKind::Select);
            return;
        }
        if let Some(choice) = k.choice_of(s) {
            let loc = self.loc(k.menu(choice).loc);
            self.push(
                depth,
                StepKind::Choice,
                s,
                "the choice's selection: pick another member to change it".to_string(),
                loc,
            );
            return;
        }
        if self.ev.is_changeable(s) {
            self.push_user_value(s, cur.letter(), depth);
            return;
        }
        let imp = present(self.ev, k.sym(s).c_implied);
        let prompts = self.prompts(s);
        if let Some((text, form, loc)) = prompts.into_iter().next() {
            // A hidden prompt: making it visible would let the user choose.
            let fact = format!(
                "prompt \"{text}\" is hidden, so the defaults decide: depends on {}",
                with_values(self.ev, form)
            );
            let loc = self.loc(loc);
            self.push(depth, StepKind::Prompt, s, fact, loc);
            self.prompt_causes(s, form, Tri::Yes, depth + 1);
        } else {
            let loc = self.definition_loc(s);
            self.push(
                depth,
                StepKind::Definition,
                s,
                format!(
                    "{} has no prompt: its defaults{} decide",
                    k.sym(s).name,
                    if imp > Tri::No { " and imply" } else { "" }
                ),
                loc,
            );
        }
        self.explain_defaults(s, depth + 1);
        if imp > Tri::No {
            self.explain_selectors(s, imp, depth + 1, PropKind::Imply);
        }
    }

    /// What keeps a prompt's dependencies `form` below `target`: the symbols
    /// in them, or, when only constants are left, the toolchain probes.
    fn prompt_causes(&mut self, s: SymId, form: Option<FId>, target: Tri, depth: usize) {
        let causes = culprits(self.ev, form, target);
        if causes.is_empty() {
            self.explain_probes(s, depth);
        }
        for c in causes.into_iter().take(MAX_BRANCHES) {
            self.cause(c, &target, depth, form);
        }
    }

    /// The `depends on $(...)` lines of `s`'s definitions: dependencies the
    /// preprocessor turned into constants by running a toolchain probe.
    fn explain_probes(&mut self, s: SymId, depth: usize) {
        const ENTRY_KEYWORDS: [&str; 10] = [
            "config ",
            "menuconfig ",
            "choice",
            "endchoice",
            "menu ",
            "endmenu",
            "if ",
            "endif",
            "source ",
            "comment ",
        ];
        let k = self.ev.k;
        for &m in &k.sym(s).menus {
            let loc = k.menu(m).loc;
            let text = &k.sources.get(loc.file).text;
            let first = loc.line as usize;
            for (n, line) in text.lines().enumerate().skip(first).take(40) {
                let t = line.trim();
                if ENTRY_KEYWORDS.iter().any(|kw| t.starts_with(kw)) {
                    break;
                }
                if t.starts_with("depends on") && t.contains("$(") {
                    let fact =
                        format!("\"{t}\" is a toolchain probe that fails with this toolchain");
                    let loc = Some(format!("{}:{}", k.sources.name(loc.file), n + 1));
                    self.push(depth, StepKind::Fixed, s, fact, loc);
                }
            }
        }
    }

    /// The first default that applies (or all, when none does).
    fn explain_defaults(&mut self, s: SymId, depth: usize) {
        let k = self.ev.k;
        let defaults: Vec<_> = k
            .sym(s)
            .props
            .iter()
            .map(|&p| k.prop(p))
            .filter(|p| p.kind == PropKind::Default)
            .collect();
        for p in &defaults {
            let cond = eval_form(self.ev, p.c_visible);
            let value = p
                .expr
                .map(|e| render_raw(k, e, self.ev))
                .unwrap_or_default();
            let fact = if k.forms.is_yes(p.c_visible) {
                format!("default {value}")
            } else {
                format!(
                    "default {value} if {} ({})",
                    with_values(self.ev, p.c_visible),
                    if cond > Tri::No {
                        "applies"
                    } else {
                        "does not apply"
                    }
                )
            };
            let loc = self.loc(p.loc);
            self.push(depth, StepKind::Default, s, fact, loc);
            if cond > Tri::No {
                // The value comes from here: follow the symbols it names.
                if let Some(Expr::Sym(src)) = p.expr.map(|e| k.exprs.get(e)) {
                    if !k.sym(src).is_const && src != s {
                        self.explain(src, None, depth + 1);
                    }
                }
                return;
            }
        }
    }

    /// The active `select`/`imply` lines that set `s`, each followed into
    /// why its symbol is enabled.
    fn explain_selectors(&mut self, s: SymId, at_least: Tri, depth: usize, kind: PropKind) {
        let k = self.ev.k;
        let mut followed = 0;
        for sel in selectors(k, s, kind) {
            let (selector, prop) = sel;
            let v = self.ev.tri_value(selector);
            let cond = eval_form(self.ev, k.prop(prop).c_visible);
            let active = v.and(cond);
            if active == Tri::No || (at_least == Tri::Yes && active != Tri::Yes) {
                continue;
            }
            let word = if kind == PropKind::Select {
                "select"
            } else {
                "imply"
            };
            let fact = format!(
                "{} [={}] has \"{word} {}\"{}",
                k.sym(selector).name,
                v.letter(),
                k.sym(s).name,
                if k.forms.is_yes(k.prop(prop).c_visible) {
                    String::new()
                } else {
                    format!(" if {}", with_values(self.ev, k.prop(prop).c_visible))
                }
            );
            let step_kind = if kind == PropKind::Select {
                StepKind::SelectedBy
            } else {
                StepKind::ImpliedBy
            };
            let loc = self.loc(k.prop(prop).loc);
            self.push(depth, step_kind, s, fact, loc);
            self.explain(selector, Some("n".to_string()), depth + 1);
            followed += 1;
            if followed == MAX_BRANCHES {
                break;
            }
        }
    }

    /// A symbol named in a dependency that is not what the dependency needs.
    fn cause(&mut self, c: SymId, target: &Tri, depth: usize, _form: Option<FId>) {
        let k = self.ev.k;
        if k.sym(c).is_const {
            return;
        }
        if is_fixed(k, c) {
            let loc = self.definition_loc(c);
            let value = self.ev.string_value(c);
            self.push(
                depth,
                StepKind::Fixed,
                c,
                format!(
                    "{} [={value}] cannot be changed (no prompt; set by the toolchain or the arch)",
                    k.sym(c).name
                ),
                loc,
            );
            return;
        }
        let v = self.ev.tri_value(c);
        // The dependency needs c higher (if it is n or m) or lower (if it is set).
        let wanted = if v == Tri::No || (v == Tri::Mod && *target == Tri::Yes) {
            target.letter()
        } else {
            "n"
        };
        self.explain(c, Some(wanted.to_string()), depth);
    }

    fn explain_valued(&mut self, s: SymId, current: &str, wanted: Option<&str>, depth: usize) {
        let k = self.ev.k;
        let prompts = self.prompts(s);
        let vis = self.ev.visibility(s);
        if vis == Tri::No && !prompts.is_empty() {
            if let Some((text, form, loc)) = prompts.into_iter().next() {
                let fact = format!(
                    "prompt \"{text}\" is hidden: depends on {}",
                    with_values(self.ev, form)
                );
                let loc = self.loc(loc);
                self.push(depth, StepKind::Prompt, s, fact, loc);
                self.prompt_causes(s, form, Tri::Yes, depth + 1);
            }
            return;
        }
        if let Some((lo, hi)) = self.ev.active_range(s) {
            let range_prop = k
                .sym(s)
                .props
                .iter()
                .map(|&p| k.prop(p))
                .find(|p| p.kind == PropKind::Range && p.range == Some((lo, hi)));
            if wanted.is_some_and(|w| !self.ev.string_within_range(s, w)) {
                let (lo_v, hi_v) = (self.ev.string_value(lo), self.ev.string_value(hi));
                let fact = format!(
                    "range {lo_v} {hi_v}: {} is outside it",
                    wanted.unwrap_or("")
                );
                let loc = range_prop.and_then(|p| self.loc(p.loc));
                self.push(depth, StepKind::Range, s, fact, loc);
                return;
            }
        }
        if vis > Tri::No {
            self.push_user_value(s, current, depth);
        } else {
            let loc = self.definition_loc(s);
            self.push(
                depth,
                StepKind::Definition,
                s,
                format!("{} has no prompt: its defaults decide", k.sym(s).name),
                loc,
            );
            self.explain_defaults(s, depth + 1);
        }
    }
}

/// A symbol nobody can set: no prompt anywhere, no select, and no default
/// that depends on anything but constants (toolchain probes, arch facts).
fn is_fixed(k: &Kconfig, s: SymId) -> bool {
    let sym = k.sym(s);
    if crate::sat::solve::settable(k, s) || sym.rev_dep.is_some() || sym.implied.is_some() {
        return false;
    }
    sym.props
        .iter()
        .map(|&p| k.prop(p))
        .filter(|p| p.kind == PropKind::Default)
        .all(|p| {
            let mentions_only_constants = |e: Option<crate::model::ExprId>| {
                e.is_none_or(|e| {
                    crate::model::depgraph::symbols_in(k, e)
                        .iter()
                        .all(|&x| k.sym(x).is_const)
                })
            };
            mentions_only_constants(p.expr) && mentions_only_constants(p.visible)
        })
}

/// The symbols that `select` (or `imply`) `s`, with the property.
pub fn selectors(k: &Kconfig, s: SymId, kind: PropKind) -> Vec<(SymId, crate::model::PropId)> {
    let mut out = Vec::new();
    let Some(rev) = (if kind == PropKind::Select {
        k.sym(s).rev_dep
    } else {
        k.sym(s).implied
    }) else {
        return out;
    };
    for cand in crate::model::depgraph::symbols_in(k, rev) {
        for &p in &k.sym(cand).props {
            let prop = k.prop(p);
            if prop.kind == kind && prop.expr.map(|e| k.exprs.get(e)) == Some(Expr::Sym(s)) {
                out.push((cand, p));
            }
        }
    }
    out
}

/// The value of a reverse dependency (`n` when there is none).
fn present(ev: &mut Evaluator, form: Option<FId>) -> Tri {
    form.map_or(Tri::No, |f| eval_form(ev, Some(f)))
}

/// The symbols in `form` whose values keep it from reaching `want`.
pub fn culprits(ev: &mut Evaluator, form: Option<FId>, want: Tri) -> Vec<SymId> {
    let mut out = Vec::new();
    if let Some(f) = form {
        collect_culprits(ev, f, want, &mut out);
    }
    out
}

fn collect_culprits(ev: &mut Evaluator, f: FId, want: Tri, out: &mut Vec<SymId>) {
    let k = ev.k;
    let value = eval_form(ev, Some(f));
    let short = if want == Tri::No {
        value != Tri::No
    } else {
        value < want
    };
    if !short {
        return;
    }
    let add = |s: SymId, out: &mut Vec<SymId>| {
        if !k.sym(s).is_const && !out.contains(&s) {
            out.push(s);
        }
    };
    match k.forms.get(f) {
        F::Sym(s) => add(s, out),
        F::Not(a) => collect_culprits(ev, a, !want, out),
        F::And(a, b) => {
            if want == Tri::No {
                // Both sides hold; making either fail would do.
                collect_culprits(ev, a, Tri::No, out);
                collect_culprits(ev, b, Tri::No, out);
            } else {
                collect_culprits(ev, a, want, out);
                collect_culprits(ev, b, want, out);
            }
        }
        F::Or(a, b) => {
            collect_culprits(ev, a, want, out);
            collect_culprits(ev, b, want, out);
        }
        F::Cmp(_, a, b) => {
            add(a, out);
            add(b, out);
        }
    }
}

/// A raw expression as text with values (for default values).
fn render_raw(k: &Kconfig, e: crate::model::ExprId, ev: &mut Evaluator) -> String {
    let operand = |x: crate::model::ExprId, ev: &mut Evaluator| {
        let text = render_raw(k, x, ev);
        match k.exprs.get(x) {
            Expr::And(..) | Expr::Or(..) => format!("({text})"),
            _ => text,
        }
    };
    match k.exprs.get(e) {
        Expr::Sym(s) if k.sym(s).is_const || k.sym(s).ty == SymType::Unknown => {
            k.sym(s).name.clone()
        }
        Expr::Sym(s) => format!("{} [={}]", k.sym(s).name, ev.string_value(s)),
        Expr::Not(a) => format!("!{}", operand(a, ev)),
        Expr::And(a, b) => format!("{} && {}", operand(a, ev), operand(b, ev)),
        Expr::Or(a, b) => format!("{} || {}", operand(a, ev), operand(b, ev)),
        Expr::Cmp(op, a, b) => format!("{}{}{}", k.sym(a).name, op.text(), k.sym(b).name),
    }
}
