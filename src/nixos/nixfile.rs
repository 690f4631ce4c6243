//! Kernel options written in Nix: a configuration.nix (or any .nix file)
//! parsed with a real Nix parser (rnix), without evaluating it. Found:
//!
//! - strings of `kernelExtraConfig` (the seed's era, e.g. inside
//!   `nixpkgs.config.packageOverrides`) and of `extraConfig` in kernel
//!   patches (`boot.kernelPatches = [{ ... extraConfig = ''...''; }]`);
//! - `structuredExtraConfig = { NAME = yes; ... }` with `lib.kernel` values
//!   (`yes no module unset freeform option`, `mkForce`/`mkDefault`, version
//!   gates evaluated against the tree's version), conflicting definitions
//!   reported the way the module system words them;
//! - `boot.kernel.sysctl` settings.
//!
//! What cannot be decided without evaluating Nix (interpolation, function
//! calls we do not know) is named with its place, never guessed.

use rnix::{SyntaxKind, SyntaxNode};
use std::collections::BTreeMap;

/// A place in the .nix text (byte offset, length).
pub type Span = (usize, usize);

#[derive(Debug, Clone, serde::Serialize)]
pub struct NixProblem {
    pub message: String,
    #[serde(skip)]
    pub span: Span,
}

/// One answers line and where it came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Origin {
    pub line: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Extracted {
    /// The answers text nixpkgs would build: structured settings (sorted by
    /// key), then the strings in file order; one origin per line.
    pub lines: Vec<Origin>,
    /// `boot.kernel.sysctl` settings: key, value text.
    pub sysctls: Vec<(String, String)>,
    /// Constructs that cannot be read without evaluating Nix.
    pub unsupported: Vec<NixProblem>,
}

impl Extracted {
    pub fn answers_text(&self) -> String {
        self.lines.iter().map(|o| o.line.clone() + "\n").collect()
    }
}

fn span_of(node: &SyntaxNode) -> Span {
    let r = node.text_range();
    let start: usize = r.start().into();
    let end: usize = r.end().into();
    (start, end - start)
}

/// Syntax errors, each with its place.
pub fn syntax_errors(text: &str) -> Vec<NixProblem> {
    let parse = rnix::Root::parse(text);
    parse
        .errors()
        .iter()
        .map(|e| {
            let span = match e {
                rnix::ParseError::Unexpected(r)
                | rnix::ParseError::UnexpectedExtra(r)
                | rnix::ParseError::UnexpectedWanted(_, r, _)
                | rnix::ParseError::UnexpectedDoubleBind(r)
                | rnix::ParseError::DuplicatedArgs(r, _) => {
                    let s: usize = r.start().into();
                    let e: usize = r.end().into();
                    (s, (e - s).max(1))
                }
                _ => (text.len().saturating_sub(1), 1),
            };
            NixProblem {
                message: format!("Nix syntax error: {e}"),
                span,
            }
        })
        .collect()
}

/// A structured setting after `lib.kernel` and priorities.
#[derive(Debug, Clone, PartialEq)]
struct Setting {
    value: String,
    optional: bool,
    /// Module-system priority: mkForce 50, plain 100, mkDefault 1000.
    priority: u32,
    span: Span,
}

/// Reads `text` (a .nix file). `version` is the kernel's (for `whenAtLeast`
/// and friends).
pub fn extract(text: &str, version: &str) -> Result<Extracted, Vec<NixProblem>> {
    let errors = syntax_errors(text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let root = rnix::Root::parse(text).syntax();
    let mut out = Extracted::default();
    let mut structured: BTreeMap<String, Vec<Setting>> = BTreeMap::new();
    let mut strings: Vec<(Span, String)> = Vec::new();
    for node in root.descendants() {
        if node.kind() != SyntaxKind::NODE_ATTRPATH_VALUE {
            continue;
        }
        let Some(path) = attr_path(&node) else {
            continue;
        };
        let Some(value) = value_of(&node) else {
            continue;
        };
        let full = full_path(&node);
        let last = path.last().map(String::as_str).unwrap_or("");
        let in_kernel_patch = full.iter().any(|p| p == "kernelPatches")
            || sibling_keys(&node).iter().any(|k| k == "patch");
        match last {
            "kernelExtraConfig" => read_string(&value, &mut strings, &mut out),
            "extraConfig" if in_kernel_patch => read_string(&value, &mut strings, &mut out),
            "structuredExtraConfig" => read_structured(&value, version, &mut structured, &mut out),
            _ => {}
        }
        if full.len() >= 3 && full[..3] == ["boot", "kernel", "sysctl"] && full.len() > 3 {
            if let Some(v) = literal_text(&value) {
                out.sysctls.push((full[3..].join("."), v));
            }
        }
    }
    // The structured settings first, sorted by key, as nixpkgs writes them.
    for (key, defs) in structured {
        let best = defs.iter().map(|d| d.priority).min().unwrap_or(100);
        let winners: Vec<&Setting> = defs.iter().filter(|d| d.priority == best).collect();
        let first = winners[0];
        if winners.iter().any(|w| w.value != first.value) {
            let values: Vec<String> = winners.iter().map(|w| format!("\"{}\"", w.value)).collect();
            out.unsupported.push(NixProblem {
                message: format!(
                    "The option `settings.{key}.tristate' has conflicting definition values: {}",
                    values.join(", ")
                ),
                span: first.span,
            });
            continue;
        }
        let optional = winners.iter().all(|w| w.optional);
        out.lines.push(Origin {
            line: format!("{key}{} {}", if optional { "?" } else { "" }, first.value),
            span: first.span,
        });
    }
    for (span, s) in strings {
        // Each line points at its own text inside the string literal.
        let end = (span.0 + span.1).min(text.len());
        let mut from = span.0.min(end);
        for line in s.lines() {
            let needle = line.trim();
            let at = if needle.is_empty() {
                None
            } else {
                text.get(from..end)
                    .and_then(|t| t.find(needle))
                    .map(|i| from + i)
            };
            let line_span = match at {
                Some(i) => {
                    from = i + needle.len();
                    (i, needle.len())
                }
                None => span,
            };
            out.lines.push(Origin {
                line: line.to_string(),
                span: line_span,
            });
        }
    }
    Ok(out)
}

/// The static parts of an attribute path (`a.b."c"`); `None` when dynamic.
fn attr_path(node: &SyntaxNode) -> Option<Vec<String>> {
    let path = node
        .children()
        .find(|c| c.kind() == SyntaxKind::NODE_ATTRPATH)?;
    let mut out = Vec::new();
    for part in path.children() {
        match part.kind() {
            SyntaxKind::NODE_IDENT => out.push(part.text().to_string()),
            SyntaxKind::NODE_STRING => out.push(plain_string(&part)?),
            _ => return None,
        }
    }
    Some(out)
}

/// The value expression of `path = value;`.
fn value_of(node: &SyntaxNode) -> Option<SyntaxNode> {
    node.children()
        .filter(|c| c.kind() != SyntaxKind::NODE_ATTRPATH)
        .last()
}

/// The attribute path from the file's top down to `node`, through nested
/// attribute sets (lists and functions pass through).
fn full_path(node: &SyntaxNode) -> Vec<String> {
    let mut parts: Vec<Vec<String>> = Vec::new();
    let mut cur = Some(node.clone());
    while let Some(n) = cur {
        if n.kind() == SyntaxKind::NODE_ATTRPATH_VALUE {
            parts.push(attr_path(&n).unwrap_or_default());
        }
        cur = n.parent();
    }
    parts.into_iter().rev().flatten().collect()
}

/// The keys of the attribute set `node` is written in.
fn sibling_keys(node: &SyntaxNode) -> Vec<String> {
    let Some(set) = node.parent() else {
        return Vec::new();
    };
    set.children()
        .filter(|c| c.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
        .filter_map(|c| attr_path(&c).and_then(|p| p.first().cloned()))
        .collect()
}

/// A string without interpolation, as Nix reads it.
fn plain_string(node: &SyntaxNode) -> Option<String> {
    if node.kind() != SyntaxKind::NODE_STRING {
        return None;
    }
    if node
        .children()
        .any(|c| c.kind() == SyntaxKind::NODE_INTERPOL)
    {
        return None;
    }
    let mut raw = String::new();
    let mut indented = false;
    for tok in node.children_with_tokens().filter_map(|e| e.into_token()) {
        match tok.kind() {
            SyntaxKind::TOKEN_STRING_START => indented = tok.text() == "''",
            SyntaxKind::TOKEN_STRING_CONTENT => raw.push_str(tok.text()),
            _ => {}
        }
    }
    Some(if indented {
        indented_string(&raw)
    } else {
        quoted_string(&raw)
    })
}

/// `"..."`: backslash escapes.
fn quoted_string(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// `''...''`: escapes (`'''`, `''$`, `''\x`), then the common indentation of
/// the non-blank lines removed, and a first line holding only spaces dropped.
fn indented_string(raw: &str) -> String {
    let mut text = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find("''") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(r) = after.strip_prefix('\'') {
            text.push_str("''");
            rest = r;
        } else if let Some(r) = after.strip_prefix('$') {
            text.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('\\') {
            let mut cs = r.chars();
            match cs.next() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('r') => text.push('\r'),
                Some(o) => text.push(o),
                None => {}
            }
            rest = cs.as_str();
        } else {
            text.push_str("''");
            rest = after;
        }
    }
    text.push_str(rest);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines
        .first()
        .is_some_and(|l| l.trim_matches(' ').is_empty())
        && lines.len() > 1
    {
        lines.remove(0);
    }
    lines
        .iter()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start_matches(' ')
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_string(value: &SyntaxNode, strings: &mut Vec<(Span, String)>, out: &mut Extracted) {
    match plain_string(value) {
        Some(s) => strings.push((span_of(value), s)),
        None => out.unsupported.push(NixProblem {
            message: "this kernel config is not a plain string (interpolation or an expression): \
                      it cannot be read without evaluating Nix"
                .to_string(),
            span: span_of(value),
        }),
    }
}

/// Through parentheses and `with X;`.
fn unwrap_expr(node: &SyntaxNode) -> SyntaxNode {
    let mut cur = node.clone();
    loop {
        let next = match cur.kind() {
            SyntaxKind::NODE_PAREN => cur.children().next(),
            SyntaxKind::NODE_WITH => cur.children().last(),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return cur,
        }
    }
}

fn read_structured(
    value: &SyntaxNode,
    version: &str,
    structured: &mut BTreeMap<String, Vec<Setting>>,
    out: &mut Extracted,
) {
    let set = unwrap_expr(value);
    if set.kind() != SyntaxKind::NODE_ATTR_SET {
        out.unsupported.push(NixProblem {
            message: "structuredExtraConfig is not an attribute set written out here: \
                      it cannot be read without evaluating Nix"
                .to_string(),
            span: span_of(value),
        });
        return;
    }
    for entry in set
        .children()
        .filter(|c| c.kind() == SyntaxKind::NODE_ATTRPATH_VALUE)
    {
        let Some(path) = attr_path(&entry) else {
            continue;
        };
        let Some(v) = value_of(&entry) else { continue };
        let key = path.join(".");
        match kernel_value(&v, version) {
            Ok(Some(setting)) => structured.entry(key).or_default().push(Setting {
                span: span_of(&entry),
                ..setting
            }),
            Ok(None) => {} // a version gate that does not hold here
            Err(message) => out.unsupported.push(NixProblem {
                message: format!("{key}: {message}"),
                span: span_of(&v),
            }),
        }
    }
}

/// The words of an application `f a b` (or a select `lib.kernel.yes`), each
/// as a node.
fn apply_parts(node: &SyntaxNode) -> Vec<SyntaxNode> {
    let node = unwrap_expr(node);
    if node.kind() == SyntaxKind::NODE_APPLY {
        let mut parts = Vec::new();
        let mut children = node.children();
        if let Some(f) = children.next() {
            parts.extend(apply_parts(&f));
        }
        parts.extend(children);
        parts
    } else {
        vec![node]
    }
}

/// The last name of `lib.kernel.yes` or `yes`.
fn name_of(node: &SyntaxNode) -> Option<String> {
    match node.kind() {
        SyntaxKind::NODE_IDENT => Some(node.text().to_string()),
        SyntaxKind::NODE_SELECT => node
            .children()
            .filter(|c| c.kind() == SyntaxKind::NODE_ATTRPATH)
            .last()
            .and_then(|p| p.children().last())
            .map(|n| n.text().to_string()),
        _ => None,
    }
}

/// A `lib.kernel` value: `Ok(None)` when a version gate drops it.
fn kernel_value(node: &SyntaxNode, version: &str) -> Result<Option<Setting>, String> {
    let parts = apply_parts(node);
    let Some(head) = parts.first().and_then(name_of) else {
        return Err("not a lib.kernel value".to_string());
    };
    let args = &parts[1..];
    let arg_string = |i: usize| -> Result<String, String> {
        args.get(i)
            .map(unwrap_expr)
            .and_then(|a| plain_string(&a).or_else(|| literal_text(&a)))
            .ok_or_else(|| format!("{head}: its argument is not a literal"))
    };
    let plain = |value: &str| {
        Ok(Some(Setting {
            value: value.to_string(),
            optional: false,
            priority: 100,
            span: (0, 0),
        }))
    };
    match (head.as_str(), args.len()) {
        ("yes", 0) => plain("y"),
        ("no", 0) => plain("n"),
        ("module", 0) => plain("m"),
        ("unset", 0) => Ok(None),
        ("freeform", 1) => plain(&arg_string(0)?),
        ("option", 1) => Ok(kernel_value(&args[0], version)?.map(|s| Setting {
            optional: true,
            ..s
        })),
        ("mkForce", 1) | ("mkOverride", 2) | ("mkDefault", 1) => {
            let priority = match head.as_str() {
                "mkForce" => 50,
                "mkDefault" => 1000,
                _ => arg_string(0)?.parse().unwrap_or(100),
            };
            let inner = args.last().ok_or("missing value")?;
            Ok(kernel_value(inner, version)?.map(|s| Setting { priority, ..s }))
        }
        ("whenAtLeast", 2) | ("whenOlder", 2) => {
            let v = arg_string(0)?;
            let at_least = compare_versions(version, &v) != std::cmp::Ordering::Less;
            let keep = if head == "whenAtLeast" { at_least } else { !at_least };
            if keep {
                kernel_value(&args[1], version)
            } else {
                Ok(None)
            }
        }
        ("whenBetween", 3) => {
            let (lo, hi) = (arg_string(0)?, arg_string(1)?);
            let keep = compare_versions(version, &lo) != std::cmp::Ordering::Less
                && compare_versions(version, &hi) == std::cmp::Ordering::Less;
            if keep {
                kernel_value(&args[2], version)
            } else {
                Ok(None)
            }
        }
        _ => Err(format!(
            "`{head}` is not a lib.kernel value this tool knows (yes, no, module, unset, freeform, option, mkForce, mkDefault, whenAtLeast, whenOlder, whenBetween)"
        )),
    }
}

/// Integers, floats, paths and identifiers as written.
fn literal_text(node: &SyntaxNode) -> Option<String> {
    let node = unwrap_expr(node);
    match node.kind() {
        SyntaxKind::NODE_LITERAL | SyntaxKind::NODE_IDENT => Some(node.text().to_string()),
        SyntaxKind::NODE_STRING => plain_string(&node),
        _ => None,
    }
}

/// Version order as `lib.versionAtLeast` sees it: numeric parts compared
/// one by one.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| -> Vec<u64> {
        v.split(['.', '-'])
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let (x, y) = (
            pa.get(i).copied().unwrap_or(0),
            pb.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    std::cmp::Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_snippet() {
        let text = r#"{
  nixpkgs.config = {
    grsecurity = true;
    packageOverrides = pkgs: {
      stdenv = pkgs.stdenv // {
        platform = pkgs.stdenv.platform // {
          kernelExtraConfig = ''
            XEN n
            DEVKMEM? n
            GRKERNSEC_CHROOT_CHMOD n
          '';
        };
      };
    };
  };
}"#;
        let x = extract(text, "6.12.57").unwrap();
        assert_eq!(
            x.answers_text(),
            "XEN n\nDEVKMEM? n\nGRKERNSEC_CHROOT_CHMOD n\n"
        );
    }

    #[test]
    fn structured_and_patches() {
        let text = r#"{ lib, ... }: {
  boot.kernelPatches = [ {
    name = "hardening"; patch = null;
    extraConfig = "KEXEC n\n";
    structuredExtraConfig = with lib.kernel; {
      DEVMEM = no;
      HIBERNATION = lib.mkForce no;
      BTRFS_FS = option module;
      LOCALVERSION = freeform "-hard";
      OLD = whenOlder "5.0" yes;
      NEW = whenAtLeast "6.1" yes;
    };
  } {
    name = "b"; patch = null;
    structuredExtraConfig = { HIBERNATION = lib.kernel.yes; DEVMEM = lib.kernel.yes; };
  } ];
  boot.kernel.sysctl."kernel.grsecurity.grsec_lock" = 1;
}"#;
        let x = extract(text, "6.12.57").unwrap();
        assert_eq!(
            x.answers_text(),
            "BTRFS_FS? m\nHIBERNATION n\nLOCALVERSION -hard\nNEW y\nKEXEC n\n"
        );
        assert_eq!(
            x.sysctls,
            vec![("kernel.grsecurity.grsec_lock".to_string(), "1".to_string())]
        );
        assert_eq!(x.unsupported.len(), 1, "{:?}", x.unsupported);
        assert!(x.unsupported[0]
            .message
            .contains("settings.DEVMEM.tristate"));
    }

    #[test]
    fn syntax_errors_and_unknown_values() {
        assert!(!extract("{ a = ; }", "6.12").unwrap_err().is_empty());
        let x = extract(
            "{ structuredExtraConfig = { A = foo; B = \"${x}\"; }; kernelExtraConfig = \"${y}\"; }",
            "6.12",
        )
        .unwrap();
        assert_eq!(x.unsupported.len(), 3, "{:?}", x.unsupported);
    }
}
