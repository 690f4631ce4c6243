//! Diagnostics for Kconfig input: `file:line:col: message`, rendered by miette
//! with the offending source line when a terminal reads them.

use super::source::{Loc, SourceMap};
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::fmt;

/// A fatal problem in the Kconfig input (syntax, preprocessor, missing file).
#[derive(Debug, Diagnostic)]
#[diagnostic(code(kconfig::input))]
pub struct KconfigError {
    /// `file:line:col` of the problem (or just a file name when no line applies).
    pub location: String,
    /// `file:line`, as the C tool prints locations (empty when none applies).
    pub file_line: String,
    pub message: String,
    #[source_code]
    pub source_code: Option<NamedSource<String>>,
    #[label("here")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

impl fmt::Display for KconfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

impl std::error::Error for KconfigError {}

impl From<Box<KconfigError>> for KconfigError {
    fn from(boxed: Box<KconfigError>) -> Self {
        *boxed
    }
}

impl KconfigError {
    pub fn at(sources: &SourceMap, loc: Loc, len: usize, message: impl Into<String>) -> Self {
        let file = sources.get(loc.file);
        let text_len = file.text.len();
        let offset = (loc.offset as usize).min(text_len);
        let len = len.min(text_len - offset);
        KconfigError {
            location: sources.file_line_col(loc),
            file_line: sources.file_line(loc),
            message: message.into(),
            source_code: Some(NamedSource::new(file.name.clone(), file.text.to_string())),
            span: Some(SourceSpan::new(offset.into(), len)),
            help: None,
        }
    }

    /// An error on a whole line (1-based) of a text that is not a parsed
    /// Kconfig file, e.g. a patch.
    pub fn at_line(name: &str, text: &str, line: usize, message: impl Into<String>) -> Self {
        let start: usize = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = text
            .get(start..)
            .and_then(|rest| rest.lines().next())
            .map_or(0, str::len);
        KconfigError {
            location: format!("{name}:{line}:1"),
            file_line: format!("{name}:{line}"),
            message: message.into(),
            source_code: Some(NamedSource::new(name, text.to_string())),
            span: Some(SourceSpan::new(start.into(), len)),
            help: None,
        }
    }

    pub fn plain(location: impl Into<String>, message: impl Into<String>) -> Self {
        let location = location.into();
        KconfigError {
            file_line: location.clone(),
            location,
            message: message.into(),
            source_code: None,
            span: None,
            help: None,
        }
    }

    /// The message as `scripts/kconfig` words it: `file:line: message`.
    pub fn c_style(&self) -> String {
        if self.file_line.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.file_line, self.message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Several errors found in one parse (the C parser also keeps going after a
/// bad statement and reports every one before it gives up).
#[derive(Debug, Diagnostic)]
#[diagnostic(code(kconfig::parse))]
pub struct KconfigErrors {
    #[related]
    pub errors: Vec<KconfigError>,
}

impl fmt::Display for KconfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for KconfigErrors {}
