//! Source files and locations. Every token, menu entry and property keeps a
//! [`Loc`] so diagnostics and explanations can point at `file:line:col`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A position in a Kconfig file: byte offset plus 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub offset: u32,
    pub line: u32,
    pub col: u32,
}

#[derive(Debug)]
pub struct SourceFile {
    /// The name as Kconfig spelled it (relative to the tree), used in messages
    /// exactly the way the C tool prints it.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    pub text: Arc<str>,
}

#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, name: String, path: PathBuf, text: Arc<str>) -> FileId {
        self.files.push(SourceFile { name, path, text });
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.get(id).name
    }

    /// `file:line` as the C tool prints locations.
    pub fn file_line(&self, loc: Loc) -> String {
        format!("{}:{}", self.name(loc.file), loc.line)
    }

    pub fn file_line_col(&self, loc: Loc) -> String {
        format!("{}:{}:{}", self.name(loc.file), loc.line, loc.col)
    }
}

/// Reads a Kconfig file as text. Kconfig files are UTF-8 in practice; other
/// bytes are replaced rather than rejected, as the C lexer is byte-oriented.
pub fn read_text(path: &Path) -> std::io::Result<Arc<str>> {
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => Arc::from(s),
        Err(e) => Arc::from(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    })
}
