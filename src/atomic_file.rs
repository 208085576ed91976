//! The one way files are replaced: a temp file beside the target, synced, then renamed over
//! it, so a reader sees the old file or the new one, never a mix. Files holding secrets
//! (`.env.secret`, the credential caches, the AWS config) are 0600 from the temp file's
//! creation; an edited source file keeps its mode.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replaces `path` (not a symlink: the caller resolves one) with `bytes`, privately (0600)
/// and atomically. Its directory must exist. An error's text names the step that failed and
/// the place ("cannot write a temporary file in DIR: ...").
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write(path, bytes, 0o600)
}

/// Replaces the existing file `path` with `bytes` atomically, keeping its mode.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)?.permissions().mode() & 0o7777
    };
    #[cfg(not(unix))]
    let mode = 0o644;
    write(path, bytes, mode)
}

fn write(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    let step = |what: String| move |e: io::Error| io::Error::new(e.kind(), format!("{what}: {e}"));
    let mut tmp = builder.tempfile_in(dir).map_err(step(format!(
        "cannot create a temporary file in {}",
        dir.display()
    )))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(step(format!(
            "cannot write a temporary file in {}",
            dir.display()
        )))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .map_err(step(format!("cannot replace {}", path.display())))?;
    // The rename is durable only once the directory entry is; failure here loses nothing.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_is_replaced_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        std::fs::write(&path, "old").unwrap();
        super::write_private(&path, b"new text").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new text");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
