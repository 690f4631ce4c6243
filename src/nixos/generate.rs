//! nixpkgs' kernel configuration, step by step: start from the arch's
//! defconfig, run `make config` twice answering every question from the
//! answers file (generate-config.pl), then compare the final .config with
//! the answers and report what did not stick.
//!
//! The answering logic is [`Driver`]: it reads what conf prints, exactly as
//! the Perl script does, and decides each answer. It drives our own
//! questionnaire here and, in the tests, the kernel's conf (built with
//! nixpkgs' "###" patch), so the two can be compared verdict for verdict.

use super::answers::{Answer, InvalidLine};
use crate::eval::config::Prefix;
use crate::eval::questions::{Answers, AskMode, Questionnaire};
use crate::eval::Evaluator;
use crate::model::Kconfig;
use std::cell::RefCell;
use std::rc::Rc;

/// generate-config.pl's switches.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Options {
    /// `autoModules`: unanswered questions that offer `m` get `m`.
    pub auto_modules: bool,
    /// `preferBuiltin`: ... unless their default is already `y`.
    pub prefer_builtin: bool,
    /// `ignoreConfigErrors`: every finding is a warning.
    pub ignore_config_errors: bool,
}

/// Why the build dies before the post-check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fatal {
    InvalidConfigLine {
        line: usize,
        text: String,
    },
    /// conf asked the same question twice in a row: the answer was refused.
    RepeatedQuestion {
        question: String,
        name: String,
        answer: String,
    },
    /// Two members of one choice answered `y`.
    ConflictingAnswers {
        names: Vec<String>,
    },
}

impl Fatal {
    /// The message the build log shows.
    pub fn message(&self) -> String {
        match self {
            Fatal::InvalidConfigLine { text, .. } => format!("invalid config line: {text}"),
            Fatal::RepeatedQuestion { question, .. } => format!("repeated question: {question}"),
            Fatal::ConflictingAnswers { .. } => "conflicting answers!".to_string(),
        }
    }
}

/// One line of the post-check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub name: String,
    /// `error:` (fails the build) or `warning:`.
    pub error: bool,
    /// `None`: the option is not in .config at all ("unused option").
    pub got: Option<String>,
    pub wanted: String,
}

impl Finding {
    /// The line generate-config.pl prints, word for word.
    pub fn message(&self) -> String {
        let level = if self.error { "error" } else { "warning" };
        match &self.got {
            None => format!("{level}: unused option: {}", self.name),
            Some(got) => format!(
                "{level}: option not set correctly: {} (wanted '{}', got '{got}')",
                self.name, self.wanted
            ),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    pub fatal: Option<Fatal>,
    pub findings: Vec<Finding>,
    /// The final .config (empty when a fatal error came first).
    #[serde(skip)]
    pub config: String,
}

impl Verdict {
    /// generate-config.pl's exit status: 255 for a fatal error or any
    /// `error:` finding, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.fatal.is_some() || self.findings.iter().any(|f| f.error) {
            255
        } else {
            0
        }
    }

    /// Everything the build log shows, one message a line.
    pub fn log(&self) -> Vec<String> {
        match &self.fatal {
            Some(f) => vec![f.message()],
            None => self.findings.iter().map(Finding::message).collect(),
        }
    }
}

/// The answering half of generate-config.pl: fed conf's output, it answers
/// each question the way the script does, or stops the build.
pub struct Driver<'a> {
    answers: &'a [Answer],
    options: Options,
    line: String,
    /// Choice alternatives seen since the last prompt: (name, number).
    choices: Vec<(String, String)>,
    previous: Option<(String, String)>,
    pub fatal: Option<Fatal>,
}

impl<'a> Driver<'a> {
    pub fn new(answers: &'a [Answer], options: Options) -> Self {
        Driver {
            answers,
            options,
            line: String::new(),
            choices: Vec::new(),
            previous: None,
            fatal: None,
        }
    }

    /// A new `make config` run: the script starts each run afresh.
    pub fn restart(&mut self) {
        self.line.clear();
        self.choices.clear();
        self.previous = None;
    }

    fn answer_for(&self, name: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.name == name)
    }

    /// Output conf printed (no "###" in it).
    pub fn output(&mut self, text: &str) {
        for c in text.chars() {
            self.line.push(c);
            if c == '\n' {
                match choice_alternative(&self.line) {
                    Some((number, name)) => {
                        self.choices.retain(|(n, _)| *n != name);
                        self.choices.push((name, number));
                    }
                    None => self.choices.clear(),
                }
                self.line.clear();
            }
        }
    }

    /// conf waits for an answer: the line to send (with its newline), or
    /// `None` when the script prints nothing (a choice with one member).
    /// After a fatal error, `None` forever.
    pub fn prompt(&mut self) -> Option<String> {
        if self.fatal.is_some() {
            return None;
        }
        let line = std::mem::take(&mut self.line);
        let choices = std::mem::take(&mut self.choices);
        if let Some((question, name, alts)) = regular_question(&line) {
            let mut answer = String::new();
            if self.options.auto_modules
                && alts.contains("/m")
                && !(self.options.prefer_builtin && alts.contains('Y'))
            {
                answer = "m".to_string();
            }
            if let Some(a) = self.answer_for(name) {
                answer = a.value.clone();
            }
            let this = (question.to_string(), name.to_string());
            if self.previous.as_ref() == Some(&this) && !question.is_empty() {
                self.fatal = Some(Fatal::RepeatedQuestion {
                    question: question.to_string(),
                    name: name.to_string(),
                    answer,
                });
                return None;
            }
            self.previous = Some(this);
            return Some(answer + "\n");
        }
        if let Some(range) = choice_prompt(&line) {
            let picked: Vec<&(String, String)> = choices
                .iter()
                .filter(|(name, _)| self.answer_for(name).is_some_and(|a| a.value == "y"))
                .collect();
            if picked.len() > 1 {
                self.fatal = Some(Fatal::ConflictingAnswers {
                    names: picked.iter().map(|(n, _)| n.clone()).collect(),
                });
                return None;
            }
            let answer = picked.first().map(|(_, n)| n.clone()).unwrap_or_default();
            return range.contains('-').then(|| answer + "\n");
        }
        // Questions without a name, and anything else: an empty answer.
        Some("\n".to_string())
    }
}

/// `^\s*>?\s*(\d+)\.\s+.*?\(([A-Za-z0-9_]+)\)(?:\s+\(NEW\))?\s*$` on a line
/// with its newline: (number, name).
fn choice_alternative(line: &str) -> Option<(String, String)> {
    let body = line.trim_end_matches(['\n']);
    let rest = body.trim_start();
    let rest = rest.strip_prefix('>').unwrap_or(rest).trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (number, rest) = rest.split_at(digits);
    let rest = rest.strip_prefix('.')?;
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    // The name is the first "(NAME)" after which only "(NEW)" and spaces remain.
    let mut tail = rest.trim_end();
    if let Some(t) = tail.strip_suffix("(NEW)") {
        let t2 = t.trim_end();
        if t2.len() < t.len() && t2.ends_with(')') && name_before_paren(t2).is_some() {
            tail = t2;
        }
    }
    let name = name_before_paren(tail)?;
    // `.*?` needs at least the whitespace consumed above: the name's "(" is
    // somewhere after it.
    Some((number.to_string(), name.to_string()))
}

/// The NAME of a trailing "(NAME)".
fn name_before_paren(s: &str) -> Option<&str> {
    let inner = s.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let name = &inner[open + 1..];
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(name)
}

/// `(.*) \(([A-Za-z0-9_]+)\) \[(.*)\].*###$` on the prompt line:
/// (question, name, alternatives). The first group is greedy: the last
/// " (NAME) [" followed somewhere by "]" wins.
fn regular_question(line: &str) -> Option<(&str, &str, &str)> {
    let mut i = line.len();
    while i > 0 {
        i -= 1;
        if !line[i..].starts_with(" (") {
            continue;
        }
        let after = &line[i + 2..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len == 0 || !after[name_len..].starts_with(") [") {
            continue;
        }
        let alts_start = i + 2 + name_len + 3;
        let Some(close) = line[alts_start..].rfind(']') else {
            continue;
        };
        return Some((
            &line[..i],
            &after[..name_len],
            &line[alts_start..alts_start + close],
        ));
    }
    None
}

/// `choice\[(.*)\]: ###$`: the range inside the brackets.
fn choice_prompt(line: &str) -> Option<&str> {
    let body = line.strip_suffix("]: ")?;
    let open = body.find("choice[")?;
    Some(&body[open + "choice[".len()..])
}

/// Connects the driver to our questionnaire: what it prints goes to the
/// driver, what the driver answers is the questionnaire's input.
struct Link<'d, 'a>(Rc<RefCell<&'d mut Driver<'a>>>);

impl std::io::Write for Link<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().output(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Answers for Link<'_, '_> {
    fn next_line(&mut self) -> Option<String> {
        let mut driver = self.0.borrow_mut();
        if driver.fatal.is_some() {
            return None;
        }
        driver
            .prompt()
            .or(Some(String::new()))
            .filter(|_| driver.fatal.is_none())
    }
}

/// One `make config` run on `config` (a .config text): the .config it writes.
fn make_config(k: &Kconfig, config: &str, driver: &mut Driver) -> String {
    let prefix = Prefix::default();
    let mut ev = Evaluator::new(k);
    ev.read_config(config, &prefix, false);
    ev.calc_all();
    driver.restart();
    let shared = Rc::new(RefCell::new(driver));
    let mut input = Link(shared.clone());
    let mut out = Link(shared);
    // conf echoes each answer when its input is not a terminal.
    let mut q = Questionnaire::new(
        &mut ev,
        AskMode::AskAll,
        &mut input,
        &mut out,
        true,
        &prefix.0,
    );
    let _ = q.run();
    drop(q);
    ev.write_config(&prefix)
}

/// nixpkgs' verdict on `answers_text` for the tree `k`, starting from
/// `defconfig` (the arch's .config as `make defconfig` writes it). The tree
/// must be loaded with its menu structure: questions are asked, and
/// indented, menu by menu.
pub fn run(k: &Kconfig, defconfig: &str, answers_text: &str, options: Options) -> Verdict {
    let answers = match super::answers::parse(answers_text) {
        Ok(a) => a,
        Err(InvalidLine { line, text, .. }) => {
            return Verdict {
                fatal: Some(Fatal::InvalidConfigLine { line, text }),
                findings: Vec::new(),
                config: String::new(),
            }
        }
    };
    let mut driver = Driver::new(&answers, options);
    let first = make_config(k, defconfig, &mut driver);
    let config = if driver.fatal.is_none() {
        make_config(k, &first, &mut driver)
    } else {
        String::new()
    };
    if let Some(fatal) = driver.fatal.take() {
        return Verdict {
            fatal: Some(fatal),
            findings: Vec::new(),
            config: String::new(),
        };
    }
    let findings = post_check(&config, &answers, options);
    Verdict {
        fatal: None,
        findings,
        config,
    }
}

/// The values a .config sets, read as generate-config.pl reads them.
pub fn config_values(config: &str) -> std::collections::HashMap<String, String> {
    let mut values = std::collections::HashMap::new();
    for line in config.lines() {
        if let Some(rest) = line.strip_prefix("CONFIG_") {
            let Some((name, value)) = rest.split_once('=') else {
                continue;
            };
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(inner) => unescape(inner),
                None => value.to_string(),
            };
            values.insert(name.to_string(), value);
        } else if let Some(name) = line
            .strip_prefix("# CONFIG_")
            .and_then(|r| r.strip_suffix(" is not set"))
        {
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                values.insert(name.to_string(), "n".to_string());
            }
        }
    }
    values
}

/// `s/\\([\\"])/$1/g`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if n == '\\' || n == '"' {
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// The comparison after the runs, in name order.
pub fn post_check(config: &str, answers: &[Answer], options: Options) -> Vec<Finding> {
    let values = config_values(config);
    let mut findings = Vec::new();
    for a in answers {
        let error = a.required && !options.ignore_config_errors;
        match values.get(&a.name) {
            None => findings.push(Finding {
                name: a.name.clone(),
                error,
                got: None,
                wanted: a.value.clone(),
            }),
            // Perl truth: "" and "0" are false, so they are never reported.
            Some(got) if !got.is_empty() && got != "0" && *got != a.value => {
                findings.push(Finding {
                    name: a.name.clone(),
                    error,
                    got: Some(got.clone()),
                    wanted: a.value.clone(),
                })
            }
            Some(_) => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_parse_like_the_script() {
        assert_eq!(
            regular_question("Enable loadable module support (MODULES) [Y/n/?] "),
            Some(("Enable loadable module support", "MODULES", "Y/n/?"))
        );
        assert_eq!(
            regular_question("  Foo (bar) (X) [N/m/y/?] (NEW) "),
            Some(("  Foo (bar)", "X", "N/m/y/?"))
        );
        assert_eq!(
            regular_question("Timer frequency (HZ) [1000] "),
            Some(("Timer frequency", "HZ", "1000"))
        );
        assert_eq!(regular_question("choice[1-3?]: "), None);
        assert_eq!(choice_prompt("  choice[1-3?]: "), Some("1-3?"));
        assert_eq!(
            choice_alternative("> 1. 100 HZ (HZ_100)\n"),
            Some(("1".into(), "HZ_100".into()))
        );
        assert_eq!(
            choice_alternative("  2. 250 HZ (HZ_250) (NEW)\n"),
            Some(("2".into(), "HZ_250".into()))
        );
        assert_eq!(choice_alternative("Timer frequency\n"), None);
    }

    #[test]
    fn post_check_words() {
        let answers = super::super::answers::parse("A y\nB? y\nC 0x10\nD y\nE y\n").unwrap();
        let config = "CONFIG_A=m\nCONFIG_C=10\n# CONFIG_D is not set\nCONFIG_E=\"\"\n";
        let log: Vec<String> = post_check(config, &answers, Options::default())
            .iter()
            .map(Finding::message)
            .collect();
        assert_eq!(
            log,
            vec![
                "error: option not set correctly: A (wanted 'y', got 'm')",
                "warning: unused option: B",
                "error: option not set correctly: C (wanted '0x10', got '10')",
                "error: option not set correctly: D (wanted 'y', got 'n')",
            ]
        );
    }
}
