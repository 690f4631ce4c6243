//! Output files are written atomically: to a temporary file beside the target,
//! then renamed over it, so a failure never leaves a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

pub fn temp_path(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{}.tmp", std::process::id()));
    target.with_file_name(name)
}

/// Creates missing parent directories of `path`.
pub fn make_parent_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => std::fs::create_dir_all(p),
        _ => Ok(()),
    }
}

pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    make_parent_dir(path)?;
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
