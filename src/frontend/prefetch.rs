//! Reading a tree's Kconfig files ahead of the parser, on the second core.
//! Reading some 1,600 files costs about a sixth of loading a tree; a helper
//! thread follows the `source` lines it can resolve without the parser (a
//! quoted name, with at most `$(VAR)` references to the environment) and
//! keeps each file's text until the parser asks for it. The parser still
//! decides what is read: a file the helper did not get to, or could not
//! predict, is read by the parser itself, so the result is the same.

use super::source::{read_text, SearchPath};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Debug, Default)]
struct State {
    /// Texts read ahead, by full path; `None`: the helper tried and failed.
    ready: HashMap<PathBuf, Option<Arc<str>>>,
    /// The path the helper is reading now.
    reading: Option<PathBuf>,
    /// Paths the parser read itself: the helper skips them.
    claimed: std::collections::HashSet<PathBuf>,
    done: bool,
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
        while let Some(name) = pending.pop() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let Some((path, text)) = self.read_first(&name, &search) else {
                continue;
            };
            // Hand the text over first: the parser may be waiting for it.
            if let Ok(mut state) = self.state.lock() {
                state.ready.insert(path, Some(Arc::clone(&text)));
                state.reading = None;
            }
            self.changed.notify_all();
            let mut sourced: Vec<String> = sourced_names(&text, env);
            sourced.reverse();
            pending.extend(sourced);
        }
        self.finish();
    }

    /// The text of `path` if the helper has it or is reading it now (then
    /// this waits for it); `None` means: read it yourself.
    pub fn take(&self, path: &Path) -> Option<Arc<str>> {
        let mut state = self.state.lock().ok()?;
        loop {
            if let Some(text) = state.ready.remove(path) {
                return text;
            }
            if state.done || state.reading.as_deref() != Some(path) {
                state.claimed.insert(path.to_path_buf());
                return None;
            }
            state = self.changed.wait(state).ok()?;
        }
    }
}

impl Prefetch {
    /// Reads `name` from the first place that has it (the parser's search
    /// order), unless the parser got there first. Announces each path while
    /// reading it, so that the parser waits instead of reading it twice.
    fn read_first(&self, name: &str, search: &SearchPath) -> Option<(PathBuf, Arc<str>)> {
        let places: Vec<PathBuf> = if Path::new(name).is_absolute() {
            vec![PathBuf::from(name)]
        } else {
            search.candidates(name).collect()
        };
        for path in places {
            match self.state.lock() {
                Ok(mut state)
                    if !state.ready.contains_key(&path) && !state.claimed.contains(&path) =>
                {
                    state.reading = Some(path.clone());
                }
                _ => return None,
            }
            match read_text(&path) {
                Ok(text) => return Some((path, text)),
                Err(_) => {
                    if let Ok(mut state) = self.state.lock() {
                        state.ready.insert(path, None);
                        state.reading = None;
                    }
                    self.changed.notify_all();
                }
            }
        }
        None
    }
}

/// Names of `source "..."` lines whose only macros are `$(VAR)` references
/// to the environment; other lines are left to the parser.
fn sourced_names(text: &str, env: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix("source") else {
            continue;
        };
        let rest = rest.trim_start_matches([' ', '\t']);
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
        let text = "source \"init/Kconfig\"\n\tsource \"arch/$(SRCARCH)/Kconfig\"\n# source \"no\"\nsource \"$(shell,echo x)\"\nsourcefoo\nsource \"$(UNSET)/x\"\n";
        assert_eq!(
            sourced_names(text, &env),
            vec!["init/Kconfig", "arch/x86/Kconfig"]
        );
    }
}
