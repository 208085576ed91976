//! Reading the current file and replacing it atomically with a private one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Where rendered output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output (`--file -`): nothing is merged.
    Stdout,
    /// A file that is merged into and replaced atomically.
    File(PathBuf),
}

/// An exclusive lock on the directory holding an env file; released on drop. Locking the
/// directory rather than a `.lock` file leaves nothing behind.
pub struct DirLock {
    _dir: fs::File,
}

/// Waits for and takes the lock of the directory that holds `path` (its symlink target's).
/// It polls rather than blocks, so the runtime stays free to act on Ctrl-C meanwhile;
/// `waiting` is called once if another process holds the lock.
pub async fn lock_dir_of(path: &Path, waiting: impl FnOnce()) -> Result<DirLock> {
    let (_, dir) = real_and_dir(path)?;
    let handle = fs::File::open(&dir).with_context(|| format!("cannot open {}", dir.display()))?;
    let mut waiting = Some(waiting);
    loop {
        match handle.try_lock() {
            Ok(()) => return Ok(DirLock { _dir: handle }),
            Err(fs::TryLockError::WouldBlock) => {
                if let Some(tell) = waiting.take() {
                    tell();
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", dir.display()));
            }
        }
    }
}

/// The file's current text, or "" when it does not exist yet.
pub fn read_existing(path: &Path) -> Result<String> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Replaces `path` with `text`: a temp file in the same directory, mode 0600, synced, then
/// renamed over the target, so a reader sees either the old file or the new one, never a
/// mix. A symlink is followed and its target replaced; the link itself stays.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let (real, _) = real_and_dir(path)?;
    Ok(crate::atomic_file::write_private(&real, text.as_bytes())?)
}

/// The file a path stands for (following a symlink) and the directory it lives in.
fn real_and_dir(path: &Path) -> Result<(PathBuf, PathBuf)> {
    let real = resolve_link(path)?;
    let dir = match real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((real, dir))
}

fn resolve_link(path: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path).with_context(|| {
            format!(
                "{} is a symlink whose target cannot be reached",
                path.display()
            )
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// True when `path` is missing or readable by its owner only, so an unchanged file that is
/// already private need not be rewritten.
pub fn is_private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o077 == 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.exists()
    }
}
