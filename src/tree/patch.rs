//! Applying the Kconfig hunks of a kernel patch in memory, as NixOS's
//! `boot.kernelPatches` would apply the whole patch to the source: a unified
//! diff (`patch -p1` paths), exact context, a hunk may have moved (offset) but
//! not changed. Only files named `Kconfig*` are touched; the tree on disk is
//! never written.

use std::collections::BTreeMap;

/// A file a patch changes, after its hunks are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchedFile {
    /// Path inside the tree (`patch -p1`).
    pub name: String,
    pub text: String,
}

/// What applying a patch did.
#[derive(Debug, Default)]
pub struct Applied {
    pub files: Vec<PatchedFile>,
    /// Files of the patch that are not Kconfig files (left alone).
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    /// 1-based line in the patch file.
    pub line: usize,
    pub message: String,
}

struct Hunk {
    /// Line of the `@@` header in the patch.
    header_line: usize,
    /// 1-based start in the old file (0 for an empty old side).
    old_start: usize,
    old: Vec<String>,
    new: Vec<String>,
    /// The old side ends without a newline at end of file.
    old_no_eol: bool,
    new_no_eol: bool,
}

impl Hunk {
    /// Index (0-based) in the unpatched file where the old lines start; a
    /// hunk with no old lines numbers the line it goes after.
    fn expected_index(&self) -> usize {
        if self.old.is_empty() {
            self.old_start
        } else {
            self.old_start.saturating_sub(1)
        }
    }
}

struct FileDiff {
    name: String,
    header_line: usize,
    creates: bool,
    deletes: bool,
    hunks: Vec<Hunk>,
}

/// `Kconfig`, `Kconfig.debug`, `arch/x86/Kconfig.cpu`, ...: what the Kconfig
/// parser reads. grsecurity's own `grsecurity/Kconfig` is one of them.
pub fn is_kconfig_file(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|base| base.starts_with("Kconfig"))
}

/// `a/security/Kconfig` -> `security/Kconfig` (one leading component off, as
/// `patch -p1`); `None` for `/dev/null`.
fn strip_one(path: &str) -> Option<String> {
    let path = path.split('\t').next().unwrap_or(path).trim_end();
    if path == "/dev/null" {
        return None;
    }
    Some(match path.split_once('/') {
        Some((_, rest)) if !rest.is_empty() => rest.to_string(),
        _ => path.to_string(),
    })
}

/// `@@ -A[,B] +C[,D] @@` -> (A, B, D).
fn hunk_header(line: &str) -> Option<(usize, usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let range = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (a, b) = range(old)?;
    let (_, d) = range(new)?;
    Some((a, b, d))
}

fn parse(text: &str) -> Result<Vec<FileDiff>, PatchError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut files: Vec<FileDiff> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let Some(old_path) = line.strip_prefix("--- ") else {
            i += 1;
            continue;
        };
        let Some(new_path) = lines.get(i + 1).and_then(|l| l.strip_prefix("+++ ")) else {
            i += 1;
            continue;
        };
        let header_line = i + 1;
        let (old, new) = (strip_one(old_path), strip_one(new_path));
        let Some(name) = new.clone().or(old.clone()) else {
            return Err(PatchError {
                line: header_line,
                message: "both sides of the diff are /dev/null".into(),
            });
        };
        let mut diff = FileDiff {
            name,
            header_line,
            creates: old.is_none(),
            deletes: new.is_none(),
            hunks: Vec::new(),
        };
        i += 2;
        while let Some(h) = lines.get(i).filter(|l| l.starts_with("@@")) {
            let header_line = i + 1;
            let Some((old_start, mut old_left, mut new_left)) = hunk_header(h) else {
                return Err(PatchError {
                    line: header_line,
                    message: format!("malformed hunk header `{h}`"),
                });
            };
            let mut hunk = Hunk {
                header_line,
                old_start,
                old: Vec::new(),
                new: Vec::new(),
                old_no_eol: false,
                new_no_eol: false,
            };
            i += 1;
            let mut last_sides = (false, false);
            while old_left > 0 || new_left > 0 {
                let Some(body) = lines.get(i) else {
                    return Err(PatchError {
                        line: i,
                        message: format!(
                            "hunk at line {header_line} ends early ({old_left} old and {new_left} new lines missing)"
                        ),
                    });
                };
                // Some mailers strip the space of an empty context line.
                let (mark, rest) = match body.chars().next() {
                    Some(c) => (c, body.get(1..).unwrap_or("")),
                    None => (' ', ""),
                };
                match mark {
                    ' ' if old_left > 0 && new_left > 0 => {
                        hunk.old.push(rest.to_string());
                        hunk.new.push(rest.to_string());
                        old_left -= 1;
                        new_left -= 1;
                        last_sides = (true, true);
                    }
                    '-' if old_left > 0 => {
                        hunk.old.push(rest.to_string());
                        old_left -= 1;
                        last_sides = (true, false);
                    }
                    '+' if new_left > 0 => {
                        hunk.new.push(rest.to_string());
                        new_left -= 1;
                        last_sides = (false, true);
                    }
                    '\\' => {}
                    _ => {
                        return Err(PatchError {
                            line: i + 1,
                            message: format!(
                                "line does not fit the hunk at line {header_line} (its counts say {old_left} old and {new_left} new lines are left)"
                            ),
                        })
                    }
                }
                i += 1;
            }
            if lines.get(i).is_some_and(|l| l.starts_with('\\')) {
                hunk.old_no_eol = last_sides.0;
                hunk.new_no_eol = last_sides.1;
                i += 1;
            }
            diff.hunks.push(hunk);
        }
        files.push(diff);
    }
    Ok(files)
}

/// Where `hunk`'s old lines stand in `file`, nearest to where the hunk says.
fn locate(file: &[String], hunk: &Hunk, offset: isize) -> Option<usize> {
    let want = (hunk.expected_index() as isize + offset).max(0) as usize;
    let fits = |at: usize| {
        at + hunk.old.len() <= file.len()
            && file
                .get(at..at + hunk.old.len())
                .is_some_and(|s| s == hunk.old.as_slice())
    };
    if hunk.old.is_empty() {
        return Some(want.min(file.len()));
    }
    (0..=file.len()).find_map(|d| {
        if fits(want + d) {
            Some(want + d)
        } else if d <= want && fits(want - d) {
            Some(want - d)
        } else {
            None
        }
    })
}

/// Applies the Kconfig hunks of `patch` (the text of a unified diff).
/// `read` gives the current text of a tree file (`None`: no such file).
/// `patch_name` names the patch in messages.
pub fn apply(patch: &str, read: &dyn Fn(&str) -> Option<String>) -> Result<Applied, PatchError> {
    let diffs = parse(patch)?;
    if diffs.is_empty() {
        return Err(PatchError {
            line: 1,
            message: "no unified diff in this file (no `--- a/FILE` / `+++ b/FILE` lines)".into(),
        });
    }
    // Several diffs of one file apply in turn, so keep results by name.
    let mut current: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Applied::default();
    for diff in diffs {
        if !is_kconfig_file(&diff.name) {
            out.skipped += 1;
            continue;
        }
        if diff.deletes {
            return Err(PatchError {
                line: diff.header_line,
                message: format!(
                    "the patch deletes {}; removing Kconfig files is not supported",
                    diff.name
                ),
            });
        }
        let before = match current.get(&diff.name) {
            Some(t) => Some(t.clone()),
            None => read(&diff.name),
        };
        let before = match (before, diff.creates) {
            (Some(_), true) => {
                return Err(PatchError {
                    line: diff.header_line,
                    message: format!(
                        "the patch creates {}, which the tree already has",
                        diff.name
                    ),
                })
            }
            (None, false) => {
                return Err(PatchError {
                    line: diff.header_line,
                    message: format!(
                        "the patch changes {}, which the tree does not have",
                        diff.name
                    ),
                })
            }
            (Some(t), false) => t,
            (None, true) => String::new(),
        };
        let mut lines: Vec<String> = before.lines().map(str::to_string).collect();
        let mut ends_with_newline = before.is_empty() || before.ends_with('\n');
        let mut offset: isize = 0;
        for (n, hunk) in diff.hunks.iter().enumerate() {
            let Some(at) = locate(&lines, hunk, offset) else {
                let expected = hunk.old_start;
                let first_difference = hunk
                    .old
                    .iter()
                    .enumerate()
                    .find(|(j, l)| lines.get(expected.saturating_sub(1) + j) != Some(l))
                    .map(|(j, l)| {
                        let got = lines
                            .get(expected.saturating_sub(1) + j)
                            .map(|g| format!("`{}`", g.trim()))
                            .unwrap_or_else(|| "the end of the file".into());
                        format!(
                            "; at line {} the patch expects `{}`, the tree has {got}",
                            expected + j,
                            l.trim()
                        )
                    })
                    .unwrap_or_default();
                return Err(PatchError {
                    line: hunk.header_line,
                    message: format!(
                        "hunk #{} of {} does not apply: its {} context lines are nowhere in the tree's file{first_difference}",
                        n + 1,
                        diff.name,
                        hunk.old.len()
                    ),
                });
            };
            let touches_end = at + hunk.old.len() == lines.len();
            lines.splice(at..at + hunk.old.len(), hunk.new.iter().cloned());
            // Later hunks count lines of the unpatched file: map them through
            // where this one landed and how much it grew.
            offset = at as isize - hunk.expected_index() as isize + hunk.new.len() as isize
                - hunk.old.len() as isize;
            if touches_end && (hunk.old_no_eol || hunk.new_no_eol) {
                ends_with_newline = !hunk.new_no_eol;
            }
        }
        let mut text = lines.join("\n");
        if ends_with_newline && !lines.is_empty() {
            text.push('\n');
        }
        current.insert(diff.name, text);
    }
    out.files = current
        .into_iter()
        .map(|(name, text)| PatchedFile { name, text })
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str) -> Option<String> {
        match name {
            "drivers/char/Kconfig" => Some("menu \"Character devices\"\n\nconfig DEVMEM\n\tbool \"/dev/mem\"\n\tdefault y\n\nconfig DEVPORT\n\tbool \"/dev/port\"\n\tdepends on DEVMEM\n\nendmenu\n".into()),
            _ => None,
        }
    }

    #[test]
    fn applies_with_offset_and_creates_files() {
        let patch = "\
diff --git a/drivers/char/Kconfig b/drivers/char/Kconfig
--- a/drivers/char/Kconfig
+++ b/drivers/char/Kconfig
@@ -5,4 +5,5 @@
 
 config DEVPORT
 \tbool \"/dev/port\"
 \tdepends on DEVMEM
+\tdepends on !GRKERNSEC_KMEM
--- /dev/null
+++ b/grsecurity/Kconfig
@@ -0,0 +1,2 @@
+config GRKERNSEC_KMEM
+\tbool \"Deny /dev/kmem\"
--- a/drivers/char/Makefile
+++ b/drivers/char/Makefile
@@ -1 +1 @@
-obj-y += mem.o
+obj-y += mem.o grsec.o
";
        let applied = apply(patch, &tree).unwrap();
        assert_eq!(applied.skipped, 1);
        assert_eq!(applied.files.len(), 2);
        let devport = &applied.files[0];
        assert_eq!(devport.name, "drivers/char/Kconfig");
        assert!(devport
            .text
            .contains("\tdepends on DEVMEM\n\tdepends on !GRKERNSEC_KMEM\n\nendmenu\n"));
        assert_eq!(applied.files[1].name, "grsecurity/Kconfig");
        assert!(applied.files[1].text.starts_with("config GRKERNSEC_KMEM\n"));
    }

    #[test]
    fn a_hunk_that_does_not_fit_names_its_line() {
        let patch = "\
--- a/drivers/char/Kconfig
+++ b/drivers/char/Kconfig
@@ -1,2 +1,3 @@
 config DEVKMEM
 \tbool \"/dev/kmem\"
+\tdepends on !GRKERNSEC_KMEM
";
        let e = apply(patch, &tree).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message
                .contains("hunk #1 of drivers/char/Kconfig does not apply"),
            "{}",
            e.message
        );
        let missing = "--- a/arch/x86/Kconfig\n+++ b/arch/x86/Kconfig\n@@ -1 +1 @@\n-a\n+b\n";
        assert!(apply(missing, &tree)
            .unwrap_err()
            .message
            .contains("does not have"));
        assert!(apply("just text\n", &tree).is_err());
        let short =
            "--- a/drivers/char/Kconfig\n+++ b/drivers/char/Kconfig\n@@ -1,3 +1,3 @@\n menu\n";
        assert!(apply(short, &tree)
            .unwrap_err()
            .message
            .contains("ends early"));
    }
}
