//! The Kconfig macro language (Documentation/kbuild/kconfig-macro-language.rst):
//! variables (`=`, `:=`, `+=`), user functions with `$(1)`..`$(n)` arguments,
//! the built-ins `shell`, `info`, `warning-if`, `error-if`, `filename`,
//! `lineno`, and environment variables as a last resort.

use super::shell::ShellPolicy;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `=`: expanded each time it is used.
    Recursive,
    /// `:=`: expanded once, when assigned.
    Simple,
    /// `+=`: keeps the flavor of the existing variable (recursive if new).
    Append,
}

#[derive(Debug)]
struct Variable {
    value: String,
    simple: bool,
    expanding: u32,
}

/// Something a macro printed: `$(info,...)` goes to stdout, `$(warning-if,...)`
/// to stderr, as in the C tool.
#[derive(Debug, Clone, PartialEq)]
pub enum MacroOutput {
    Info(String),
    Warning(String),
}

const MAX_ARGS: usize = 16;
/// Guards against runaway input: the C tool has the 1000-level recursion check
/// for variables; nesting depth and output size are bounded here as well so
/// hostile input ends in an error instead of exhausting the stack or memory.
const MAX_DEPTH: u32 = 1000;
const MAX_OUTPUT: usize = 64 << 20;

pub struct Preprocessor {
    vars: crate::fasthash::FastMap<String, Variable>,
    env: HashMap<String, String>,
    /// Environment variables read through the preprocessor, in first-use order
    /// (written to include/config/auto.conf.cmd).
    pub env_used: Vec<(String, String)>,
    pub shell: ShellPolicy,
    /// The file and line being lexed, for `$(filename)`, `$(lineno)` and messages.
    pub file_name: String,
    pub line: u32,
    pub output: Vec<MacroOutput>,
    depth: u32,
}

impl Preprocessor {
    /// Sets the file being lexed (most tokens come from the same file as the
    /// one before, so this rarely copies).
    pub fn set_file_name(&mut self, name: &str) {
        if self.file_name != name {
            name.clone_into(&mut self.file_name);
        }
    }

    pub fn new(env: HashMap<String, String>, shell: ShellPolicy) -> Self {
        Preprocessor {
            vars: Default::default(),
            env,
            env_used: Vec::new(),
            shell,
            file_name: String::new(),
            line: 0,
            output: Vec::new(),
            depth: 0,
        }
    }

    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(|s| s.as_str())
    }

    pub fn add_variable(&mut self, name: &str, value: &str, flavor: Flavor) -> Result<(), String> {
        let (simple, append) = match (self.vars.get(name), flavor) {
            (Some(v), Flavor::Append) => (v.simple, true),
            (None, Flavor::Append) => (false, false),
            (_, Flavor::Simple) => (true, false),
            (_, Flavor::Recursive) => (false, false),
        };
        let new_value = if simple {
            self.expand_string(value, &[])?
        } else {
            value.to_string()
        };
        match self.vars.get_mut(name) {
            Some(v) if append => {
                v.value.push(' ');
                v.value.push_str(&new_value);
            }
            Some(v) => {
                v.value = new_value;
                v.simple = simple;
            }
            None => {
                self.vars.insert(
                    name.to_string(),
                    Variable {
                        value: new_value,
                        simple,
                        expanding: 0,
                    },
                );
            }
        }
        Ok(())
    }

    /// Expands a whole string (every `$(...)` in it).
    pub fn expand_string(&mut self, input: &str, args: &[String]) -> Result<String, String> {
        self.expand_until(input, |_| false, args).map(|(s, _)| s)
    }

    /// Expands one token: stops at the first character that cannot be part of a
    /// symbol name, outside `$(...)`. Returns the expansion and bytes consumed.
    pub fn expand_token(&mut self, input: &str) -> Result<(String, usize), String> {
        self.expand_until(
            input,
            |c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'),
            &[],
        )
    }

    /// Expands the reference that follows a `$` (`input` starts after the `$`).
    /// Returns the expansion and the bytes consumed from `input`.
    pub fn expand_dollar(
        &mut self,
        input: &str,
        args: &[String],
    ) -> Result<(String, usize), String> {
        let bytes = input.as_bytes();
        if bytes.first() != Some(&b'(') {
            // `$` not followed by `(` is a literal dollar sign.
            return Ok(("$".to_string(), 0));
        }
        let mut nest = 0i32;
        let mut close = None;
        for (i, &c) in bytes.iter().enumerate().skip(1) {
            if c == b'(' {
                nest += 1;
            } else if c == b')' {
                if nest == 0 {
                    close = Some(i);
                    break;
                }
                nest -= 1;
            }
        }
        let Some(close) = close else {
            return Err(format!(
                "unterminated reference to '{}': missing ')'",
                &input[1..]
            ));
        };
        let value = self.eval_clause(&input[1..close], args)?;
        Ok((value, close + 1))
    }

    fn expand_until(
        &mut self,
        input: &str,
        is_end: impl Fn(u8) -> bool,
        args: &[String],
    ) -> Result<(String, usize), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err("Too deep recursive expansion".to_string());
        }
        let result = (|| {
            let bytes = input.as_bytes();
            let mut out = String::new();
            let mut seg = 0;
            let mut i = 0;
            loop {
                if i < bytes.len() && bytes[i] == b'$' {
                    out.push_str(&input[seg..i]);
                    i += 1;
                    let (exp, used) = self.expand_dollar(&input[i..], args)?;
                    out.push_str(&exp);
                    if out.len() > MAX_OUTPUT {
                        return Err("macro expansion too large".to_string());
                    }
                    i += used;
                    seg = i;
                    continue;
                }
                if i >= bytes.len() || is_end(bytes[i]) {
                    break;
                }
                i += 1;
            }
            out.push_str(&input[seg..i]);
            Ok((out, i))
        })();
        self.depth -= 1;
        result
    }

    fn eval_clause(&mut self, clause: &str, args: &[String]) -> Result<String, String> {
        // `$(1)`, `$(2)`...: arguments of the user function being expanded.
        if let Some(n) = parse_positional(clause) {
            if n >= 1 && n <= args.len() {
                return Ok(args[n - 1].clone());
            }
        }
        let bytes = clause.as_bytes();
        let mut parts: Vec<&str> = Vec::new();
        let mut nest = 0i32;
        let mut start = 0;
        for (i, &c) in bytes.iter().enumerate() {
            match c {
                b',' if nest == 0 => {
                    if parts.len() >= MAX_ARGS {
                        return Err("too many function arguments".to_string());
                    }
                    parts.push(&clause[start..i]);
                    start = i + 1;
                }
                b'(' => nest += 1,
                b')' => nest -= 1,
                _ => {}
            }
        }
        if parts.len() >= MAX_ARGS {
            return Err("too many function arguments".to_string());
        }
        parts.push(&clause[start..]);

        let name = self.expand_string(parts[0], args)?;
        let mut call_args = Vec::with_capacity(parts.len() - 1);
        for p in &parts[1..] {
            call_args.push(self.expand_string(p, args)?);
        }

        if let Some(v) = self.expand_variable(&name, &call_args)? {
            return Ok(v);
        }
        if let Some(v) = self.call_builtin(&name, &call_args)? {
            return Ok(v);
        }
        if call_args.is_empty() && !name.is_empty() {
            if let Some(v) = self.env.get(&name).cloned() {
                if !self.env_used.iter().any(|(n, _)| *n == name) {
                    self.env_used.push((name.clone(), v.clone()));
                }
                return Ok(v);
            }
        }
        Ok(String::new())
    }

    fn expand_variable(&mut self, name: &str, args: &[String]) -> Result<Option<String>, String> {
        let Some(var) = self.vars.get_mut(name) else {
            return Ok(None);
        };
        if args.is_empty() && var.expanding > 0 {
            return Err(format!(
                "Recursive variable '{name}' references itself (eventually)"
            ));
        }
        if var.expanding > 1000 {
            return Err("Too deep recursive expansion".to_string());
        }
        if var.simple {
            return Ok(Some(var.value.clone()));
        }
        var.expanding += 1;
        let value = var.value.clone();
        let result = self.expand_string(&value, args);
        if let Some(var) = self.vars.get_mut(name) {
            var.expanding -= 1;
        }
        result.map(Some)
    }

    fn call_builtin(&mut self, name: &str, args: &[String]) -> Result<Option<String>, String> {
        let (min, max) = match name {
            "error-if" | "warning-if" => (2, 2),
            "filename" | "lineno" => (0, 0),
            "info" | "shell" => (1, 1),
            _ => return Ok(None),
        };
        if args.len() < min {
            return Err(format!("too few function arguments passed to '{name}'"));
        }
        if args.len() > max {
            return Err(format!("too many function arguments passed to '{name}'"));
        }
        let out = match name {
            "error-if" => {
                if args[0] == "y" {
                    return Err(args[1].clone());
                }
                String::new()
            }
            "warning-if" => {
                if args[0] == "y" {
                    self.output.push(MacroOutput::Warning(format!(
                        "{}:{}: {}",
                        self.file_name, self.line, args[1]
                    )));
                }
                String::new()
            }
            "info" => {
                self.output.push(MacroOutput::Info(args[0].clone()));
                String::new()
            }
            "filename" => self.file_name.clone(),
            "lineno" => self.line.to_string(),
            "shell" => {
                let srctree = self.env.get("srctree").map(String::as_str);
                self.shell.call(&args[0], srctree)?
            }
            _ => return Ok(None),
        };
        Ok(Some(out))
    }
}

/// `strtoul(s, &end, 10)` consuming the whole clause, as the C code checks
/// for `$(1)`-style arguments.
fn parse_positional(s: &str) -> Option<usize> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(t.parse::<usize>().unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pp() -> Preprocessor {
        let mut env = HashMap::new();
        env.insert("ARCH".to_string(), "x86".to_string());
        Preprocessor::new(env, ShellPolicy::Deny)
    }

    #[test]
    fn recursive_and_simple_variables() {
        let mut p = pp();
        p.add_variable("A", "1", Flavor::Simple).unwrap();
        p.add_variable("B", "$(A)", Flavor::Recursive).unwrap();
        p.add_variable("C", "$(A)", Flavor::Simple).unwrap();
        p.add_variable("A", "2", Flavor::Simple).unwrap();
        assert_eq!(p.expand_string("$(B) $(C)", &[]).unwrap(), "2 1");
        p.add_variable("B", "x", Flavor::Append).unwrap();
        assert_eq!(p.expand_string("$(B)", &[]).unwrap(), "2 x");
    }

    #[test]
    fn user_functions_and_env() {
        let mut p = pp();
        p.add_variable("greet", "hello $(1) from $(2)", Flavor::Recursive)
            .unwrap();
        assert_eq!(
            p.expand_string("$(greet,world,$(ARCH))", &[]).unwrap(),
            "hello world from x86"
        );
        assert_eq!(p.env_used, vec![("ARCH".to_string(), "x86".to_string())]);
        assert_eq!(p.expand_string("$(UNDEFINED)|$x", &[]).unwrap(), "|$x");
    }

    #[test]
    fn self_reference_is_an_error() {
        let mut p = pp();
        p.add_variable("X", "$(X)", Flavor::Recursive).unwrap();
        let err = p.expand_string("$(X)", &[]).unwrap_err();
        assert!(err.contains("references itself"), "{err}");
        assert!(p
            .expand_string("$(info", &[])
            .unwrap_err()
            .contains("missing ')'"));
    }

    #[test]
    fn builtins_check_arity_and_error_if_stops() {
        let mut p = pp();
        assert!(p
            .expand_string("$(info)", &[])
            .unwrap_err()
            .contains("too few"));
        assert_eq!(p.expand_string("$(error-if,n,boom)", &[]).unwrap(), "");
        assert_eq!(
            p.expand_string("$(error-if,y,boom)", &[]).unwrap_err(),
            "boom"
        );
        assert!(p
            .expand_string("$(shell,echo hi)", &[])
            .unwrap_err()
            .contains("disabled"));
    }

    #[test]
    fn token_expansion_stops_at_separator() {
        let mut p = pp();
        p.add_variable("V", "a b", Flavor::Simple).unwrap();
        let (out, used) = p.expand_token("x$(V)y z").unwrap();
        assert_eq!((out.as_str(), used), ("xa by", 6));
    }
}
