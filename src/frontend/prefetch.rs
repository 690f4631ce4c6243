//! Reading a tree's Kconfig files ahead of the parser, on the second core.
//! Reading some 1,600 files costs about a sixth of loading a tree; a helper
//! thread follows the `source` lines it can resolve without the parser (a
//! quoted name, with at most `$(VAR)` references to the environment) and
//! keeps each file's text until the parser asks for it. The parser still
//! decides what is read: a file the helper did not get to, or could not
//! predict, is read by the parser itself, so the result is the same.
//!
//! The helper also lexes files the parser has not reached (see
//! `lexer::Prelexed`): while reading, those it is well ahead on; once all
//! are read, the rest from the last file back until it meets the parser.
//! Reading comes first, because the parser waits for a file's text but never
//! for its tokens.

use super::lexer::{prelex, Prelexed};
use super::source::{read_text, SearchPath};
use crate::fasthash::{FastMap, FastSet};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// Files read but not yet taken by the parser beyond which the helper also
/// lexes what it reads.
const LEX_WHEN_AHEAD: usize = 24;

#[derive(Debug, Default)]
struct State {
    /// Texts read ahead with their tokens, by full path; `None`: the helper
    /// tried and failed.
    /// (Keyed by the path's bytes: hashing a `Path` walks its components.)
    ready: FastMap<OsString, Option<(Arc<str>, Prelexed)>>,
    /// The path the helper is reading now.
    reading: Option<PathBuf>,
    /// Paths the parser read itself: the helper skips them.
    claimed: FastSet<OsString>,
    done: bool,
    /// The parser waits for a file: only then is waking it worth a system call.
    parser_waiting: bool,
}

/// Files read ahead by a helper thread.
#[derive(Debug, Default)]
pub struct Prefetch {
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Prefetch {
    /// Starts reading `top` (a name relative to the first of `dirs` that has
    /// it) and everything it sources, in the parser's order.
    pub fn start(top: &str, dirs: Vec<PathBuf>, env: HashMap<String, String>) -> Arc<Prefetch> {
        let prefetch = Arc::new(Prefetch::default());
        let worker = Arc::clone(&prefetch);
        let top = top.to_string();
        let spawned = std::thread::Builder::new()
            .name("kconfig-prefetch".into())
            .spawn(move || worker.run(&top, dirs, &env));
        if spawned.is_err() {
            prefetch.finish();
        }
        prefetch
    }

    fn wake_parser(&self, state: &mut State) {
        if std::mem::take(&mut state.parser_waiting) {
            self.changed.notify_all();
        }
    }

    fn finish(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.done = true;
            state.reading = None;
        }
        self.changed.notify_all();
    }

    /// Asks the helper to stop (the parse is over).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn run(&self, top: &str, dirs: Vec<PathBuf>, env: &HashMap<String, String>) {
        let search = SearchPath::new(dirs);
        // Depth first, like the parser, so files arrive in the order it needs them.
        let mut pending: Vec<String> = vec![top.to_string()];
        let mut read_in_order = Vec::new();
        while let Some(name) = pending.pop() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let Some((path, text, wanted)) = self.read_first(&name, &search) else {
                continue;
            };
            if wanted {
                let mut ahead = 0;
                if let Ok(mut state) = self.state.lock() {
                    let read = (Arc::clone(&text), Prelexed::default());
                    state
                        .ready
                        .insert(path.clone().into_os_string(), Some(read));
                    state.reading = None;
                    ahead = state.ready.len();
                    self.wake_parser(&mut state);
                }
                // Far enough ahead of the parser, lexing this file now cannot
                // make it wait; otherwise reading on matters more.
                let lexed = ahead >= LEX_WHEN_AHEAD && self.attach_tokens(&path, &text);
                if !lexed {
                    read_in_order.push((path, Arc::clone(&text)));
                }
            }
            let mut sourced: Vec<String> = sourced_names(&text, env);
            sourced.reverse();
            pending.extend(sourced);
        }
        self.finish();
        // Everything is read: lex ahead from the last file back, towards the
        // parser, until meeting a file it has taken.
        for (path, text) in read_in_order.into_iter().rev() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if !self.attach_tokens(&path, &text) {
                break;
            }
        }
    }

    /// Lexes a file the parser has not taken yet and hands it the tokens;
    /// false when the parser took it first.
    fn attach_tokens(&self, path: &Path, text: &str) -> bool {
        match self.state.lock() {
            Ok(state) if state.ready.contains_key(path.as_os_str()) => {}
            _ => return false,
        }
        let tokens = prelex(text);
        match self.state.lock() {
            Ok(mut state) => match state.ready.get_mut(path.as_os_str()) {
                Some(Some(read)) => {
                    read.1 = tokens;
                    true
                }
                _ => false,
            },
            Err(_) => false,
        }
    }

    /// The text of `path` if the helper has it or is reading it now (then
    /// this waits for it); `None` means: read it yourself.
    pub fn take(&self, path: &Path) -> Option<(Arc<str>, Prelexed)> {
        let mut state = self.state.lock().ok()?;
        loop {
            if let Some(text) = state.ready.remove(path.as_os_str()) {
                return text;
            }
            if state.done || state.reading.as_deref() != Some(path) {
                state.claimed.insert(path.as_os_str().to_os_string());
                return None;
            }
            state.parser_waiting = true;
            state = self.changed.wait(state).ok()?;
        }
    }
}

impl Prefetch {
    /// Reads `name` from the first place that has it (the parser's search
    /// order). Announces each path while reading it, so that the parser
    /// waits instead of reading it twice. A file the parser got to first is
    /// still read, for the files it sources (then `wanted` is false): the
    /// helper gets ahead again below it.
    fn read_first(&self, name: &str, search: &SearchPath) -> Option<(PathBuf, Arc<str>, bool)> {
        let places: Vec<PathBuf> = if Path::new(name).is_absolute() {
            vec![PathBuf::from(name)]
        } else {
            search.candidates(name).collect()
        };
        for path in places {
            let wanted = match self.state.lock() {
                Ok(mut state) => {
                    if state.ready.contains_key(path.as_os_str()) {
                        return None;
                    }
                    let wanted = !state.claimed.contains(path.as_os_str());
                    if wanted {
                        state.reading = Some(path.clone());
                    }
                    wanted
                }
                Err(_) => return None,
            };
            match read_text(&path) {
                Ok(text) => return Some((path, text, wanted)),
                Err(_) if wanted => {
                    if let Ok(mut state) = self.state.lock() {
                        state.ready.insert(path.into_os_string(), None);
                        state.reading = None;
                        self.wake_parser(&mut state);
                    }
                }
                Err(_) => {}
            }
        }
        None
    }
}

/// Names of `source "..."` lines whose only macros are `$(VAR)` references
/// to the environment; other lines are left to the parser.
fn sourced_names(text: &str, env: &HashMap<String, String>) -> Vec<String> {
    const KEYWORD: &str = "source";
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // Finding the keyword (memchr's vectorised search) and looking back to
    // the line's start is much quicker than walking a tree's 250,000 lines.
    for at in memchr::memmem::find_iter(bytes, KEYWORD) {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        if !text[line_start..at].chars().all(char::is_whitespace) {
            continue;
        }
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i);
        let rest = text[at + KEYWORD.len()..line_end].trim_start_matches([' ', '\t']);
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(name) = rest[1..].split(quote).next() else {
            continue;
        };
        if let Some(expanded) = expand_env(name, env) {
            out.push(expanded);
        }
    }
    out
}

fn expand_env(name: &str, env: &HashMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = name;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = rest[i..].strip_prefix("$(")?;
        let end = after.find(')')?;
        let var = &after[..end];
        if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        out.push_str(env.get(var)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_source_lines_it_can_resolve() {
        let env: HashMap<String, String> = [("SRCARCH".to_string(), "x86".to_string())].into();
        let text = "source \"init/Kconfig\"\n\tsource \"arch/$(SRCARCH)/Kconfig\"\n# source \"no\"\nsource \"$(shell,echo x)\"\nsourcefoo\nsource \"$(UNSET)/x\"\n\t  help mentions source \"no\" and resource \"no\"\n  source 'a/Kconfig'\r\nsource \"last\"";
        assert_eq!(
            sourced_names(text, &env),
            vec!["init/Kconfig", "arch/x86/Kconfig", "a/Kconfig", "last"]
        );
    }
}
