//! The question-and-answer modes of `conf` (`make config`/`oldconfig`): the
//! menu tree is walked, each changeable symbol is asked, and the answers come
//! from an [`Answers`] source. The text printed is the C tool's, byte for
//! byte, because programs (nixpkgs' generate-config.pl among them) parse it.

use super::{Evaluator, Tri};
use crate::model::{MenuId, PropKind, SymType};
use std::io::Write;

/// Where answers come from: a terminal, a pipe, or a program.
pub trait Answers {
    /// The next input line including its newline, or `None` at end of input.
    fn next_line(&mut self) -> Option<String>;
}

/// Reads answers from any buffered reader (stdin for the CLI).
pub struct LineReader<R: std::io::BufRead>(pub R);

impl<R: std::io::BufRead> Answers for LineReader<R> {
    fn next_line(&mut self) -> Option<String> {
        let mut s = String::new();
        match self.0.read_line(&mut s) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(s),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AskMode {
    /// `--oldaskconfig` (`make config`): every visible question is asked.
    AskAll,
    /// `--oldconfig`: only new symbols are asked.
    NewOnly,
    /// `--syncconfig`: like oldconfig, used by the build.
    Sync,
}

/// Why the questionnaire stopped early.
#[derive(Debug)]
pub enum QuestionError {
    /// An int/hex question had no valid answer at end of input.
    NoValue(String),
    Io(std::io::Error),
}

pub struct Questionnaire<'a, 'k> {
    ev: &'a mut Evaluator<'k>,
    mode: AskMode,
    input: &'a mut dyn Answers,
    out: &'a mut dyn Write,
    /// Input lines are echoed when not talking to a terminal (as conf does).
    echo: bool,
    prefix: String,
    indent: usize,
    restarts: usize,
    root_entry: MenuId,
    eof: bool,
    /// "Error in reading or end of file." messages, for stderr.
    pub read_errors: usize,
}

type Res<T> = Result<T, QuestionError>;

impl<'a, 'k> Questionnaire<'a, 'k> {
    pub fn new(
        ev: &'a mut Evaluator<'k>,
        mode: AskMode,
        input: &'a mut dyn Answers,
        out: &'a mut dyn Write,
        echo: bool,
        prefix: &str,
    ) -> Self {
        let root = ev.k.root;
        Questionnaire {
            ev,
            mode,
            input,
            out,
            echo,
            prefix: prefix.to_string(),
            indent: 1,
            restarts: 0,
            root_entry: root,
            eof: false,
            read_errors: 0,
        }
    }

    fn w(&mut self, s: &str) -> Res<()> {
        self.out.write_all(s.as_bytes()).map_err(QuestionError::Io)
    }

    fn read(&mut self, initial: &str) -> Res<String> {
        self.out.flush().map_err(QuestionError::Io)?;
        match self.input.next_line() {
            Some(l) => {
                if self.echo {
                    self.w(&l)?;
                }
                Ok(l)
            }
            None => {
                self.eof = true;
                self.read_errors += 1;
                let l = initial.to_string();
                if self.echo {
                    self.w(&l)?;
                }
                Ok(l)
            }
        }
    }

    /// Runs the mode to the end: for AskAll one full pass, then (as for the
    /// other modes) passes over new symbols until none is left.
    pub fn run(&mut self) -> Res<()> {
        let root = self.ev.k.root;
        if self.mode == AskMode::AskAll {
            self.root_entry = root;
            self.conf(root)?;
            self.mode = AskMode::NewOnly;
        }
        loop {
            self.restarts = 0;
            self.check_conf(root)?;
            if self.restarts == 0 {
                return Ok(());
            }
        }
    }

    fn check_conf(&mut self, m: MenuId) -> Res<()> {
        if !self.ev.menu_is_visible(m) {
            return Ok(());
        }
        let k = self.ev.k;
        if let Some(s) = k.menu(m).sym {
            if !self.ev.has_user_value(s) && self.ev.is_changeable(s) {
                if self.restarts == 0 {
                    self.w("*\n* Restart config...\n*\n")?;
                }
                self.restarts += 1;
                self.root_entry = parent_menu(self.ev, m);
                self.conf(self.root_entry)?;
            }
        }
        let children: Vec<MenuId> = k.children(m).collect();
        for c in children {
            self.check_conf(c)?;
        }
        Ok(())
    }

    fn conf(&mut self, m: MenuId) -> Res<()> {
        if !self.ev.menu_is_visible(m) {
            return Ok(());
        }
        let k = self.ev.k;
        let node = k.menu(m);
        if let Some(p) = node.prompt {
            let kind = k.prop(p).kind;
            if kind == PropKind::Menu && self.mode != AskMode::AskAll && self.root_entry != m {
                return self.check_conf(m);
            }
            if matches!(kind, PropKind::Menu | PropKind::Comment) {
                if let Some(text) = k.prompt_text(m) {
                    let pad = " ".repeat(self.indent - 1);
                    self.w(&format!("{pad}*\n{pad}* {text}\n{pad}*\n"))?;
                }
            }
        }
        if let Some(s) = node.sym {
            if k.sym(s).is_choice {
                return self.conf_choice(m);
            }
            match k.sym(s).ty {
                SymType::Int | SymType::Hex | SymType::String => self.conf_string(m)?,
                _ => self.conf_sym(m)?,
            }
            self.indent += 2;
        }
        let children: Vec<MenuId> = k.children(m).collect();
        for c in children {
            self.conf(c)?;
        }
        if node.sym.is_some() {
            self.indent -= 2;
        }
        Ok(())
    }

    /// Prints "(NEW) " and the default or reads an answer. `Ok(None)`: the
    /// question is not really asked (not changeable, or already answered).
    fn ask_value(&mut self, s: crate::model::SymId, def: &str) -> Res<Option<String>> {
        if !self.ev.has_user_value(s) {
            self.w("(NEW) ")?;
        }
        if !self.ev.is_changeable(s) || (self.mode != AskMode::AskAll && self.ev.has_user_value(s))
        {
            self.w(&format!("{def}\n"))?;
            return Ok(None);
        }
        self.read("\n").map(Some)
    }

    fn conf_sym(&mut self, m: MenuId) -> Res<()> {
        let k = self.ev.k;
        let Some(s) = k.menu(m).sym else {
            return Ok(());
        };
        loop {
            let pad = " ".repeat(self.indent - 1);
            let prompt = k.prompt_text(m).unwrap_or("");
            let mut q = format!("{pad}{prompt} ");
            if !k.sym(s).is_choice {
                q.push_str(&format!("({}) ", k.sym(s).name));
            }
            let old = self.ev.tri_value(s);
            q.push('[');
            q.push(match old {
                Tri::No => 'N',
                Tri::Mod => 'M',
                Tri::Yes => 'Y',
            });
            for (t, letter) in [(Tri::No, "/n"), (Tri::Mod, "/m"), (Tri::Yes, "/y")] {
                if old != t && self.ev.tristate_within_range(s, t) {
                    q.push_str(letter);
                }
            }
            q.push_str("/?] ");
            self.w(&q)?;
            let def = self.ev.string_value(s);
            let Some(line) = self.ask_value(s, &def)? else {
                return Ok(());
            };
            let line = line.trim();
            let new = match line.as_bytes().first() {
                Some(b'n' | b'N') if line.len() == 1 || &line[1..] == "o" => Tri::No,
                Some(b'm' | b'M') if line.len() == 1 => Tri::Mod,
                Some(b'y' | b'Y') if line.len() == 1 || &line[1..] == "es" => Tri::Yes,
                None => old,
                Some(b'?') => {
                    self.print_help(m)?;
                    continue;
                }
                _ => continue,
            };
            if self.ev.set_tristate_value(s, new) {
                return Ok(());
            }
            self.print_help(m)?;
        }
    }

    fn conf_string(&mut self, m: MenuId) -> Res<()> {
        let k = self.ev.k;
        let Some(s) = k.menu(m).sym else {
            return Ok(());
        };
        loop {
            let pad = " ".repeat(self.indent - 1);
            let prompt = k.prompt_text(m).unwrap_or("");
            let def = self.ev.string_value(s);
            self.w(&format!("{pad}{prompt} ({}) [{def}] ", k.sym(s).name))?;
            let Some(line) = self.ask_value(s, &def)? else {
                return Ok(());
            };
            let value = if line.starts_with('\n') {
                Some(def)
            } else if line == "?\n" {
                self.print_help(m)?;
                None
            } else {
                let mut l = line.clone();
                l.pop();
                Some(l)
            };
            if let Some(v) = value {
                if self.ev.set_string_value(s, &v) {
                    return Ok(());
                }
            }
            if self.eof {
                return Err(QuestionError::NoValue(k.sym(s).name.clone()));
            }
        }
    }

    fn conf_choice(&mut self, m: MenuId) -> Res<()> {
        let k = self.ev.k;
        loop {
            let pad = " ".repeat(self.indent - 1);
            self.w(&format!("{pad}{}\n", k.prompt_text(m).unwrap_or("")))?;
            let def_sym = self.ev.choice_selection(m);
            let mut cnt = 0usize;
            let mut def = 0usize;
            let mut is_new = false;
            let children: Vec<MenuId> = k.children(m).collect();
            for &c in &children {
                if !self.ev.menu_is_visible(c) {
                    continue;
                }
                let Some(cs) = k.menu(c).sym else {
                    self.w(&format!(
                        "{}* {}\n",
                        " ".repeat(self.indent - 1),
                        k.prompt_text(c).unwrap_or("")
                    ))?;
                    continue;
                };
                cnt += 1;
                let marker = if Some(cs) == def_sym {
                    def = cnt;
                    '>'
                } else {
                    ' '
                };
                let mut line = format!(
                    "{}{marker} {cnt}. {} ({})",
                    " ".repeat(self.indent - 1),
                    k.prompt_text(c).unwrap_or(""),
                    k.sym(cs).name
                );
                if !self.ev.has_user_value(cs) {
                    is_new = true;
                    line.push_str(" (NEW)");
                }
                line.push('\n');
                self.w(&line)?;
            }
            self.w(&format!("{pad}choice"))?;
            let mut answer = String::new();
            let mut pick = cnt;
            if cnt == 1 {
                self.w("[1]: 1\n")?;
            } else {
                self.w(&format!("[1-{cnt}?]: "))?;
                if self.mode != AskMode::AskAll && !is_new {
                    pick = def;
                    self.w(&format!("{pick}\n"))?;
                } else {
                    answer = self.read("")?.trim().to_string();
                    if answer.starts_with('?') {
                        self.print_help(m)?;
                        continue;
                    }
                    if answer.is_empty() {
                        pick = def;
                    } else if answer.as_bytes()[0].is_ascii_digit() {
                        let digits: String =
                            answer.chars().take_while(|c| c.is_ascii_digit()).collect();
                        pick = digits.parse().unwrap_or(0);
                    } else {
                        continue;
                    }
                }
            }
            let mut chosen = None;
            let mut left = pick;
            for &c in &children {
                let Some(cs) = k.menu(c).sym else { continue };
                if !self.ev.menu_is_visible(c) {
                    continue;
                }
                left = left.saturating_sub(1);
                if left == 0 {
                    chosen = Some((c, cs));
                    break;
                }
            }
            if pick == 0 {
                chosen = None;
            }
            let Some((child, cs)) = chosen else { continue };
            if answer.ends_with('?') {
                self.print_help(child)?;
                continue;
            }
            self.ev.choice_set_value(m, cs);
            return Ok(());
        }
    }

    fn print_help(&mut self, m: MenuId) -> Res<()> {
        let text = crate::model::display::help_screen(self.ev, m, &self.prefix.clone());
        self.w(&format!("\n{text}\n"))
    }
}

/// The nearest enclosing `menu` (or the root): what a restart re-asks.
fn parent_menu(ev: &Evaluator, m: MenuId) -> MenuId {
    let k = ev.k;
    let mut cur = m;
    loop {
        if cur == k.root {
            return cur;
        }
        if let Some(p) = k.menu(cur).prompt {
            if k.prop(p).kind == PropKind::Menu {
                return cur;
            }
        }
        match k.menu(cur).parent {
            Some(p) => cur = p,
            None => return k.root,
        }
    }
}
