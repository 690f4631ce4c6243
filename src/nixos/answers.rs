//! The answers file nixpkgs' generate-config.pl reads (the text of
//! `extraConfig`, `kernelExtraConfig` and the structured settings): one
//! `NAME VALUE` or `NAME? VALUE` a line, `#` to the end of a line is a
//! comment, blank lines are ignored, a later line for a name replaces an
//! earlier one, and any other line is fatal (`invalid config line`).

/// One answer, as the last line that names it left it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Answer {
    pub name: String,
    pub value: String,
    /// `NAME VALUE` (an error when it does not end up in .config);
    /// `NAME? VALUE` is optional (a warning).
    pub required: bool,
    /// 1-based line of the answer in its file.
    pub line: usize,
    /// Byte offset and length of the line's text (comment excluded).
    #[serde(skip)]
    pub span: (usize, usize),
}

/// A line nixpkgs refuses: the build dies with `invalid config line: TEXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidLine {
    pub line: usize,
    /// The line as nixpkgs prints it: comment removed, newline dropped.
    pub text: String,
    pub span: (usize, usize),
}

/// The answers of `text`, sorted by name (the order of nixpkgs' checks), or
/// the first line nixpkgs would die on.
pub fn parse(text: &str) -> Result<Vec<Answer>, InvalidLine> {
    let mut by_name: std::collections::BTreeMap<String, Answer> = Default::default();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let body = match line.find('#') {
            Some(hash) => &line[..hash],
            None => line,
        };
        if body.chars().all(|c| c.is_ascii_whitespace()) {
            continue;
        }
        match split_answer(body) {
            Some((name, optional, value)) => {
                by_name.insert(
                    name.to_string(),
                    Answer {
                        name: name.to_string(),
                        value: value.to_string(),
                        required: !optional,
                        line: i + 1,
                        span: (start, body.len()),
                    },
                );
            }
            None => {
                return Err(InvalidLine {
                    line: i + 1,
                    text: body.to_string(),
                    span: (start, body.len()),
                })
            }
        }
    }
    Ok(by_name.into_values().collect())
}

/// `^\s*([A-Za-z0-9_]+)(\?)?\s+(.*\S)\s*$`: name, optional flag, value.
fn split_answer(body: &str) -> Option<(&str, bool, &str)> {
    let rest = body.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if name_len == 0 {
        return None;
    }
    let (name, mut rest) = rest.split_at(name_len);
    let optional = rest.starts_with('?');
    if optional {
        rest = &rest[1..];
    }
    // At least one space between the name and the value.
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let value = rest.trim_matches(|c: char| c.is_ascii_whitespace());
    if value.is_empty() {
        return None;
    }
    Some((name, optional, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let a = parse("XEN n\n  DEVKMEM? n # gone in 6.x\n\nXEN y\nFOO  a b \n").unwrap();
        let names: Vec<_> = a
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str(), a.required))
            .collect();
        assert_eq!(
            names,
            vec![
                ("DEVKMEM", "n", false),
                ("FOO", "a b", true),
                ("XEN", "y", true)
            ]
        );
        assert_eq!(a[2].line, 4, "the last line wins");
        assert_eq!(parse("XEN\n").unwrap_err().text, "XEN");
        assert_eq!(parse("CONFIG_X=y\n").unwrap_err().line, 1);
        assert_eq!(parse("X ? y\n").unwrap()[0].value, "? y");
        assert!(parse("# only a comment\n   \n").unwrap().is_empty());
        assert_eq!(parse("X?y\n").unwrap_err().text, "X?y");
    }
}
