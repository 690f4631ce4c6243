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
/// A tree has some 1,600 of them, so each costs just open, reads and close:
/// into a buffer kept per thread, without asking for the file's size first.
pub fn read_text(path: &Path) -> std::io::Result<Arc<str>> {
    use std::io::Read;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut file = std::fs::File::open(path)?;
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        // Plain reads until end of file: `read_to_end` on a file would ask
        // for its size and position first (two more system calls).
        // The buffer keeps its length between files: only growth zeroes.
        if buffer.len() < 1 << 18 {
            buffer.resize(1 << 18, 0);
        }
        let mut len = 0;
        loop {
            if len == buffer.len() {
                let grown = buffer.len() * 2;
                buffer.resize(grown, 0);
            }
            match file.read(&mut buffer[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let bytes = &buffer[..len];
        Ok(match std::str::from_utf8(bytes) {
            Ok(s) => Arc::from(s),
            Err(_) => Arc::from(String::from_utf8_lossy(bytes).into_owned()),
        })
    })
}

/// Directories searched in order for a relative file name (the C tool
/// tries the current directory, then `$srctree`). Each directory's
/// top-level names are listed once: a name whose first component is not
/// among them cannot be there, which spares a failed open per file.
#[derive(Debug, Default)]
pub struct SearchPath {
    pub dirs: Vec<PathBuf>,
    listings: std::sync::OnceLock<Vec<Option<std::collections::HashSet<std::ffi::OsString>>>>,
}

impl Clone for SearchPath {
    fn clone(&self) -> Self {
        SearchPath::new(self.dirs.clone())
    }
}

impl SearchPath {
    pub fn new(dirs: Vec<PathBuf>) -> Self {
        SearchPath {
            dirs,
            listings: Default::default(),
        }
    }

    /// Where `name` may be, in search order.
    pub fn candidates<'a>(&'a self, name: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
        let first = match Path::new(name).components().next() {
            Some(std::path::Component::Normal(c)) => Some(c),
            _ => None,
        };
        let listings = self.listings.get_or_init(|| {
            self.dirs
                .iter()
                .map(|d| {
                    std::fs::read_dir(d).ok().map(|entries| {
                        entries
                            .filter_map(|e| e.ok().map(|e| e.file_name()))
                            .collect()
                    })
                })
                .collect()
        });
        self.dirs
            .iter()
            .zip(listings)
            .filter_map(move |(dir, listing)| {
                let possible = match (first, listing) {
                    (Some(first), Some(names)) => names.contains(first),
                    _ => true,
                };
                possible.then(|| dir.join(name))
            })
    }
}
