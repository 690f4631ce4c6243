//! `.config` files: reading them into user values (`conf_read_simple`), and
//! writing `.config`, minimal defconfigs and the include/ autoconf files
//! byte for byte as `scripts/kconfig/confdata.c` does.

use super::{Evaluator, Tri, UserValue};
use crate::model::{Kconfig, MenuId, PropKind, SymId, SymType};

/// A message about the input config, `file:line:warning: ...` as conf prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigWarning {
    pub line: usize,
    pub message: String,
}

/// How the config was read: the symbols named (with their line), and warnings.
#[derive(Debug, Default)]
pub struct ReadReport {
    pub warnings: Vec<ConfigWarning>,
    /// Lines naming symbols the tree does not have.
    pub unknown: Vec<(usize, String)>,
    /// Every symbol assignment that took effect, with its line, in file order
    /// (a later line for the same symbol replaces the earlier one).
    pub assigned: Vec<(SymId, usize)>,
}

/// The `CONFIG_` prefix (overridable through the environment variable `CONFIG_`).
#[derive(Debug, Clone)]
pub struct Prefix(pub String);

impl Default for Prefix {
    fn default() -> Self {
        Prefix("CONFIG_".to_string())
    }
}

impl Evaluator<'_> {
    /// Reads a config text into user values, replacing all earlier ones.
    pub fn read_config(&mut self, text: &str, prefix: &Prefix, warn_unknown: bool) -> ReadReport {
        let mut report = ReadReport::default();
        self.clear_all_user();
        let prefix = prefix.0.as_str();
        for (idx, raw_line) in text.split_inclusive('\n').enumerate() {
            let lineno = idx + 1;
            let line = match raw_line.strip_suffix('\n') {
                Some(l) => l.strip_suffix('\r').unwrap_or(l),
                None => raw_line,
            };
            if line.is_empty() {
                continue;
            }
            let (name, value) = if let Some(rest) = line.strip_prefix('#') {
                let Some(rest) = rest.strip_prefix(' ') else {
                    continue;
                };
                let Some(rest) = rest.strip_prefix(prefix) else {
                    continue;
                };
                let Some((name, tail)) = rest.split_once(' ') else {
                    continue;
                };
                if tail != "is not set" {
                    continue;
                }
                (name, "n")
            } else {
                let Some(rest) = line.strip_prefix(prefix) else {
                    report.warnings.push(ConfigWarning {
                        line: lineno,
                        message: format!("unexpected data: {line}"),
                    });
                    continue;
                };
                let Some((name, value)) = rest.split_once('=') else {
                    report.warnings.push(ConfigWarning {
                        line: lineno,
                        message: format!("unexpected data: {line}"),
                    });
                    continue;
                };
                (name, value)
            };
            let Some(sym) = self.k.lookup(name) else {
                if warn_unknown {
                    report.warnings.push(ConfigWarning {
                        line: lineno,
                        message: format!("unknown symbol: {name}"),
                    });
                }
                report.unknown.push((lineno, name.to_string()));
                continue;
            };
            if self.has_user_value(sym) {
                report.warnings.push(ConfigWarning {
                    line: lineno,
                    message: format!("override: reassigning to symbol {}", self.k.sym(sym).name),
                });
            }
            match parse_config_value(self.k, sym, value) {
                Ok(Some(v)) => self.set_user_raw(sym, v),
                Ok(None) => {}
                Err(message) => {
                    report.warnings.push(ConfigWarning {
                        line: lineno,
                        message,
                    });
                    continue;
                }
            }
            report.assigned.push((sym, lineno));
            self.prioritise_choice_member(sym);
        }
        self.clear_all_valid();
        report
    }

    /// Calculates every symbol, in the order the C tool does after reading a
    /// configuration (`conf_read`). Later displays show these values.
    pub fn calc_all(&mut self) {
        for s in self.hash_order() {
            self.calc(s);
        }
    }

    /// Writes the full `.config` text.
    pub fn write_config(&mut self, prefix: &Prefix) -> String {
        self.clear_all_valid();
        let k = self.k;
        let mut out = heading(k, "#", "#", "#");
        let mut written = vec![false; k.symbols.len()];
        let mut need_newline = false;
        let mut cur = k.menu(k.root).first_child;
        while let Some(m) = cur {
            let node = k.menu(m);
            match node.sym {
                None => {
                    if self.menu_is_visible(m) {
                        out.push_str(&format!("\n#\n# {}\n#\n", k.prompt_text(m).unwrap_or("")));
                        need_newline = false;
                    }
                }
                Some(s) if !k.sym(s).is_choice && !written[s.0 as usize] => {
                    self.calc(s);
                    if self.is_written(s) {
                        if need_newline {
                            out.push('\n');
                            need_newline = false;
                        }
                        written[s.0 as usize] = true;
                        self.print_symbol(&mut out, s, prefix, NOutput::AsUnset, true);
                    }
                }
                Some(_) => {}
            }
            if let Some(c) = node.first_child {
                cur = Some(c);
                continue;
            }
            // Leaving entries: close every menu we walk out of.
            let mut at = m;
            cur = loop {
                let n = k.menu(at);
                if n.sym.is_none() && at != k.root && self.menu_is_visible(at) {
                    if let Some(p) = n.prompt {
                        if k.prop(p).kind == PropKind::Menu {
                            out.push_str(&format!(
                                "# end of {}\n",
                                k.prompt_text(at).unwrap_or("")
                            ));
                            need_newline = true;
                        }
                    }
                }
                if let Some(next) = n.next {
                    break Some(next);
                }
                match n.parent {
                    Some(p) => at = p,
                    None => break None,
                }
            };
        }
        out
    }

    /// The minimal config (`savedefconfig`): symbols the user can change whose
    /// value differs from what they would get by default.
    pub fn write_defconfig(&mut self, prefix: &Prefix) -> String {
        self.clear_all_valid();
        let k = self.k;
        let mut out = String::new();
        let mut considered = vec![false; k.symbols.len()];
        for m in k.menus_below(k.root) {
            let Some(s) = k.menu(m).sym else { continue };
            if k.sym(s).is_choice {
                continue;
            }
            self.calc(s);
            if !self.is_written(s) || considered[s.0 as usize] {
                continue;
            }
            considered[s.0 as usize] = true;
            if !self.is_changeable(s) {
                continue;
            }
            if self.string_value(s) == self.default_string(s) {
                continue;
            }
            if let Some(choice) = self.choice_menu(s) {
                let d = self.choice_default(choice);
                if d == Some(s) && self.tri_value(s) == Tri::Yes {
                    continue;
                }
            }
            self.print_symbol(&mut out, s, prefix, NOutput::AsUnset, true);
        }
        out
    }

    pub fn choice_menu(&self, s: SymId) -> Option<MenuId> {
        self.choice_of[s.0 as usize]
    }

    fn print_symbol(
        &mut self,
        out: &mut String,
        s: SymId,
        prefix: &Prefix,
        n_output: NOutput,
        escape: bool,
    ) {
        let k = self.k;
        let sym = k.sym(s);
        if sym.ty == SymType::Unknown {
            return;
        }
        self.calc(s);
        let val = self.string_value_calculated(s);
        if sym.ty.is_boolish() && n_output != NOutput::Plain && val.starts_with('n') {
            if n_output == NOutput::AsUnset {
                for part in ["# ", &prefix.0, &sym.name, " is not set\n"] {
                    out.push_str(part);
                }
            }
            return;
        }
        for part in [&prefix.0, &sym.name, "="] {
            out.push_str(part);
        }
        if sym.ty == SymType::String && escape {
            out.push_str(&escape_string(val));
        } else {
            out.push_str(val);
        }
        out.push('\n');
    }

    /// Symbols in the order the C tool's hash table yields them (what
    /// `for_all_symbols` visits): bucket by FNV-1a of the name, newest first.
    pub fn hash_order(&self) -> Vec<SymId> {
        const BUCKETS: usize = 1 << 14;
        let k = self.k;
        let buckets: Vec<u16> = k
            .symbols
            .iter()
            .map(|s| {
                if s.is_choice {
                    0
                } else {
                    (fnv32(&s.name) as usize % BUCKETS) as u16
                }
            })
            .collect();
        // A counting sort by bucket; walking the symbols newest first keeps
        // that order inside each bucket.
        let mut starts = vec![0usize; BUCKETS + 1];
        for &b in buckets.iter().skip(3) {
            starts[b as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut order = vec![SymId(0); buckets.len().saturating_sub(3)];
        for (i, &b) in buckets.iter().enumerate().skip(3).rev() {
            order[starts[b as usize]] = SymId(i as u32);
            starts[b as usize] += 1;
        }
        order
    }

    /// include/config/auto.conf, include/generated/autoconf.h and
    /// include/generated/rustc_cfg texts.
    pub fn autoconf_texts(&mut self, prefix: &Prefix) -> AutoconfTexts {
        let k = self.k;
        let order = self.hash_order();
        for &s in &order {
            self.calc(s);
        }
        let mut auto_conf = heading(k, "#", "#", "#");
        let mut header = heading(k, "/*", " *", " */");
        let mut rustc = String::new();
        for &s in &order {
            if k.sym(s).is_choice || !self.is_written(s) {
                continue;
            }
            self.print_symbol(&mut auto_conf, s, prefix, NOutput::None, false);
            self.print_symbol_c(&mut header, s, prefix);
            self.print_symbol_rustc(&mut rustc, s, prefix);
        }
        AutoconfTexts {
            auto_conf,
            header,
            rustc,
        }
    }

    /// Symbols that `include/config/` marks as changed relative to an old
    /// auto.conf (the C tool touches an empty file per symbol).
    pub fn changed_since(&mut self, old_auto_conf: Option<&str>, prefix: &Prefix) -> Vec<String> {
        let k = self.k;
        let mut old: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        if let Some(text) = old_auto_conf {
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix(prefix.0.as_str()) {
                    if let Some((n, v)) = rest.split_once('=') {
                        old.insert(n, v);
                    }
                }
            }
        }
        let mut changed = Vec::new();
        for s in self.hash_order() {
            let sym = k.sym(s);
            if sym.is_choice || sym.is_const {
                continue;
            }
            self.calc(s);
            let old_val = old.get(sym.name.as_str()).copied();
            let touch = if self.is_written(s) {
                let now = self.string_value(s);
                match old_val {
                    Some(v) => match sym.ty {
                        SymType::Bool | SymType::Tristate => {
                            Tri::from_letter(v.bytes().next().unwrap_or(b'?')).map(|t| t.letter())
                                != Some(now.as_str())
                        }
                        _ => v != now,
                    },
                    None => !(sym.ty.is_boolish() && now == "n"),
                }
            } else {
                old_val.is_some()
            };
            if touch {
                changed.push(sym.name.clone());
            }
        }
        changed
    }

    fn print_symbol_c(&mut self, out: &mut String, s: SymId, prefix: &Prefix) {
        let sym = self.k.sym(s);
        if sym.ty == SymType::Unknown {
            return;
        }
        let val = self.string_value(s);
        let (suffix, value) = match sym.ty {
            SymType::Bool | SymType::Tristate => match val.as_bytes().first() {
                Some(b'n') => return,
                Some(b'm') => ("_MODULE", "1".to_string()),
                _ => ("", "1".to_string()),
            },
            SymType::Hex if !has_hex_prefix(&val) => ("", format!("0x{val}")),
            SymType::String => ("", escape_string(&val)),
            _ => ("", val),
        };
        out.push_str(&format!(
            "#define {}{}{} {}\n",
            prefix.0, sym.name, suffix, value
        ));
    }

    fn print_symbol_rustc(&mut self, out: &mut String, s: SymId, prefix: &Prefix) {
        let sym = self.k.sym(s);
        if sym.ty == SymType::Unknown {
            return;
        }
        let mut val = self.string_value(s);
        match sym.ty {
            SymType::Bool | SymType::Tristate => {
                if val.starts_with('n') {
                    return;
                }
                out.push_str(&format!("--cfg={}{}\n", prefix.0, sym.name));
            }
            SymType::Hex if !has_hex_prefix(&val) => val = format!("0x{val}"),
            _ => {}
        }
        out.push_str(&format!(
            "--cfg={}{}={}\n",
            prefix.0,
            sym.name,
            escape_string(&val)
        ));
    }
}

pub struct AutoconfTexts {
    pub auto_conf: String,
    pub header: String,
    pub rustc: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NOutput {
    /// `n` as `# CONFIG_X is not set`.
    AsUnset,
    /// `n` omitted.
    None,
    /// `n` printed as a value.
    Plain,
}

fn has_hex_prefix(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X')
}

pub fn heading(k: &Kconfig, open: &str, deco: &str, close: &str) -> String {
    format!(
        "{open}\n{deco} Automatically generated file; DO NOT EDIT.\n{deco} {}\n{close}\n",
        k.title()
    )
}

/// Quotes a string value, escaping `"` and `\`.
pub fn escape_string(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

pub fn fnv32(name: &str) -> u32 {
    let mut h: u32 = 2166136261;
    for &b in name.as_bytes() {
        // `char` is signed in the C code: bytes >= 0x80 are sign-extended.
        h = (h ^ (b as i8 as i32 as u32)).wrapping_mul(0x01000193);
    }
    h
}

/// Parses the value part of `CONFIG_X=value` for symbol `sym`. `Ok(None)`:
/// silently ignored (as conf does for a string without its opening quote).
pub fn parse_config_value(
    k: &Kconfig,
    sym: SymId,
    value: &str,
) -> Result<Option<UserValue>, String> {
    let s = k.sym(sym);
    let first = value.as_bytes().first().copied();
    match s.ty {
        SymType::Tristate | SymType::Bool => {
            let t = match first {
                Some(b'm') if s.ty == SymType::Tristate => Some(Tri::Mod),
                Some(b'y') => Some(Tri::Yes),
                Some(b'n') => Some(Tri::No),
                _ => None,
            };
            t.map(|t| Some(UserValue::Tri(t)))
                .ok_or_else(|| format!("symbol value '{value}' invalid for {}", s.name))
        }
        SymType::String => {
            let Some(body) = value.strip_prefix('"') else {
                return Ok(None);
            };
            let mut out = String::new();
            let mut chars = body.chars();
            loop {
                match chars.next() {
                    None => return Err("invalid string found".to_string()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => out.push(c),
                        None => return Err("invalid string found".to_string()),
                    },
                    Some(c) => out.push(c),
                }
            }
            Ok(Some(UserValue::Str(out)))
        }
        SymType::Int | SymType::Hex => {
            if string_valid(s.ty, value) {
                Ok(Some(UserValue::Str(value.to_string())))
            } else {
                Err(format!("symbol value '{value}' invalid for {}", s.name))
            }
        }
        SymType::Unknown => Ok(None),
    }
}

/// `sym_string_valid`: is this text a valid value for the type?
pub fn string_valid(ty: SymType, v: &str) -> bool {
    let b = v.as_bytes();
    match ty {
        SymType::String => true,
        SymType::Int => {
            let digits = b.strip_prefix(b"-").unwrap_or(b);
            match digits.first() {
                Some(b'0') => digits.len() == 1,
                Some(c) if c.is_ascii_digit() => digits.iter().all(|c| c.is_ascii_digit()),
                _ => false,
            }
        }
        SymType::Hex => {
            let digits = if has_hex_prefix(v) { &b[2..] } else { b };
            !digits.is_empty() && digits.iter().all(|c| c.is_ascii_hexdigit())
        }
        SymType::Bool | SymType::Tristate => {
            matches!(b.first(), Some(b'y' | b'Y' | b'm' | b'M' | b'n' | b'N'))
        }
        SymType::Unknown => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::parser::{parse_with, FileResolver, ParseOptions};
    use crate::frontend::preprocess::Preprocessor;
    use crate::frontend::shell::ShellPolicy;

    #[test]
    fn hash_order_is_by_bucket_then_newest_first() {
        let mut text =
            String::from("choice\n\tprompt \"c\"\nconfig C1\n\tbool \"c1\"\nendchoice\n");
        for i in 0..3000 {
            text.push_str(&format!("config S{i}\n\tbool \"s\"\n"));
        }
        let resolver = FileResolver {
            overlays: vec![("Kconfig".into(), text)],
            ..Default::default()
        };
        let mut pp = Preprocessor::new(Default::default(), ShellPolicy::Deny);
        let (k, _) = parse_with("Kconfig", &resolver, &mut pp, ParseOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let ev = Evaluator::new(&k);
        let mut expected: Vec<(u32, std::cmp::Reverse<u32>)> = (3..k.symbols.len())
            .map(|i| {
                let s = &k.symbols[i];
                let bucket = if s.is_choice {
                    0
                } else {
                    fnv32(&s.name) % (1 << 14)
                };
                (bucket, std::cmp::Reverse(i as u32))
            })
            .collect();
        expected.sort();
        let expected: Vec<SymId> = expected.into_iter().map(|(_, r)| SymId(r.0)).collect();
        assert_eq!(ev.hash_order(), expected);
        // Buckets hold several names here, so the order inside one matters.
        assert!(k.symbols.len() > 3000);
    }
}
