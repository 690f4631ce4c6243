//! A kernel tarball (`.tar.xz`, `.tar.gz`, `.tar`; e.g. a nix store
//! `linux.src` or Debian's `/usr/src/linux-source-6.12.tar.xz`) used as a tree
//! without extracting it: one streaming pass keeps only what Kconfig reads
//! (Kconfig files, the top Makefile, defconfigs, the scripts the shell probes
//! call) in a cache, so later runs start at once.

use std::cell::Cell;
use std::io::{IsTerminal, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Whether `path` names a tarball rather than a directory.
pub fn is_tarball(path: &Path) -> bool {
    let name = path.to_string_lossy();
    [".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Where extracted trees are cached: `$KCONFIG_SAT_CACHE`, else
/// `$XDG_CACHE_HOME/kconfig-sat`, else `~/.cache/kconfig-sat`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("KCONFIG_SAT_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("kconfig-sat");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".cache").join("kconfig-sat")
}

/// The files of a kernel tree that loading Kconfig and its probes can need.
fn wanted(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.starts_with("Kconfig")
        || path == "Makefile"
        || path.starts_with("scripts/")
        || path.ends_with(".sh")
        || (path.starts_with("arch/") && path.split('/').nth(2) == Some("configs"))
}

/// A reader that counts the compressed bytes it has handed out.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// Progress on stderr: a bar when it is a terminal, two lines otherwise.
struct Progress {
    label: String,
    total: u64,
    shown_percent: Option<u64>,
    terminal: bool,
}

impl Progress {
    fn update(&mut self, done: u64) {
        if !self.terminal {
            return;
        }
        let percent = (done * 100).checked_div(self.total).unwrap_or(100).min(100);
        if self.shown_percent == Some(percent) {
            return;
        }
        self.shown_percent = Some(percent);
        let filled = (percent / 4) as usize;
        eprint!(
            "\r{} [{}{}] {percent:3}% of {} MB",
            self.label,
            "#".repeat(filled),
            " ".repeat(25 - filled),
            self.total / 1_000_000
        );
        let _ = std::io::stderr().flush();
    }
}

/// The cache key of a tarball: its path, size and modification time, so a
/// replaced file is read again.
fn cache_key(tarball: &Path) -> Result<String, String> {
    use std::hash::{Hash, Hasher};
    let meta = std::fs::metadata(tarball).map_err(|e| format!("{}: {e}", tarball.display()))?;
    let mut h = crate::fasthash::FxHasher::default();
    tarball.hash(&mut h);
    meta.len().hash(&mut h);
    if let Ok(t) = meta.modified() {
        t.hash(&mut h);
    }
    let stem = tarball
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(format!("{stem}-{:016x}", h.finish()))
}

/// The tree inside `tarball`, from the cache or read now (with progress on
/// stderr). The cache entry appears whole or not at all.
pub fn tree_from_tarball(tarball: &Path) -> Result<PathBuf, String> {
    let tarball = tarball
        .canonicalize()
        .map_err(|e| format!("{}: {e}", tarball.display()))?;
    let dir = cache_root().join("trees").join(cache_key(&tarball)?);
    if let Some(root) = tree_root(&dir) {
        return Ok(root);
    }
    std::fs::create_dir_all(dir.parent().unwrap_or(&dir))
        .map_err(|e| format!("cache {}: {e}", dir.display()))?;
    let tmp = dir.with_extension(format!("partial{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = extract_wanted(&tarball, &tmp).and_then(|kept| {
        if tree_root(&tmp).is_none() {
            return Err(format!(
                "{}: no kernel tree in this tarball (no Kconfig and Makefile at its top)",
                tarball.display()
            ));
        }
        // Another run may have filled the cache meanwhile; theirs is as good.
        if std::fs::rename(&tmp, &dir).is_err() && tree_root(&dir).is_none() {
            return Err(format!("cannot create the cache {}", dir.display()));
        }
        Ok(kept)
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let kept = result?;
    eprintln!(
        "kconfig-sat: kept {kept} files of {} in {}",
        tarball.display(),
        dir.display()
    );
    tree_root(&dir).ok_or_else(|| format!("cache {}: no tree", dir.display()))
}

/// The kernel tree in an extracted directory: the directory itself or its
/// single top-level folder (`linux-6.12/`).
fn tree_root(dir: &Path) -> Option<PathBuf> {
    let is_tree = |d: &Path| d.join("Kconfig").is_file() && d.join("Makefile").is_file();
    if is_tree(dir) {
        return Some(dir.to_path_buf());
    }
    let mut subdirs = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir());
    let only = subdirs.next()?;
    if subdirs.next().is_some() {
        return None;
    }
    is_tree(&only.path()).then(|| only.path())
}

/// Streams `tarball` once, writing the wanted files under `into`. Returns
/// how many were kept.
fn extract_wanted(tarball: &Path, into: &Path) -> Result<usize, String> {
    let name = tarball.display().to_string();
    let file = std::fs::File::open(tarball).map_err(|e| format!("{name}: {e}"))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Rc::new(Cell::new(0u64));
    let counting = Counting {
        inner: std::io::BufReader::with_capacity(1 << 16, file),
        read: Rc::clone(&read),
    };
    let lower = name.to_ascii_lowercase();
    let stream: Box<dyn Read> = if lower.ends_with(".xz") || lower.ends_with(".txz") {
        Box::new(xz2::read::XzDecoder::new_multi_decoder(counting))
    } else if lower.ends_with(".gz") || lower.ends_with(".tgz") {
        Box::new(flate2::read::MultiGzDecoder::new(counting))
    } else {
        Box::new(counting)
    };
    let terminal = std::io::stderr().is_terminal();
    let mut progress = Progress {
        label: format!(
            "reading {}",
            tarball
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ),
        total,
        shown_percent: None,
        terminal,
    };
    if !terminal {
        eprintln!(
            "kconfig-sat: reading {name} once into the cache (Kconfig files, defconfigs, scripts)"
        );
    }
    let mut archive = tar::Archive::new(stream);
    let entries = archive.entries().map_err(|e| format!("{name}: {e}"))?;
    let mut kept = 0;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("{name}: not a readable tar archive: {e}"))?;
        progress.update(read.get());
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| format!("{name}: {e}"))?
            .into_owned();
        // Only plain relative paths: an archive cannot write outside the cache.
        if !path.components().all(|c| matches!(c, Component::Normal(_))) {
            continue;
        }
        let inner: PathBuf = path.components().skip(1).collect();
        let inner_text = inner.to_string_lossy();
        let whole_text = path.to_string_lossy();
        if !(wanted(&inner_text) || wanted(&whole_text)) {
            continue;
        }
        let target = into.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let mut contents = Vec::new();
        entry
            .read_to_end(&mut contents)
            .map_err(|e| format!("{name}: {}: {e}", path.display()))?;
        std::fs::write(&target, &contents).map_err(|e| format!("{}: {e}", target.display()))?;
        #[cfg(unix)]
        if let Ok(mode) = entry.header().mode() {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(
                &target,
                std::fs::Permissions::from_mode(mode & 0o755 | 0o600),
            );
        }
        kept += 1;
    }
    progress.update(total);
    if terminal {
        eprintln!();
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_kconfig_reads() {
        assert!(wanted("Kconfig"));
        assert!(wanted("arch/x86/Kconfig.cpu"));
        assert!(wanted("Makefile"));
        assert!(wanted("arch/arm64/configs/defconfig"));
        assert!(wanted("scripts/Kconfig.include"));
        assert!(wanted("arch/powerpc/tools/gcc-check-mprofile-kernel.sh"));
        assert!(!wanted("drivers/char/mem.c"));
        assert!(!wanted("drivers/Makefile"));
        assert!(is_tarball(Path::new("/nix/store/x-linux-6.12.tar.xz")));
        assert!(!is_tarball(Path::new("kconfig-data/linux-6.12")));
    }
}
