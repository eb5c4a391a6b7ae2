//! Writing files: every write is atomic (a temporary file in the same directory, fsync, rename,
//! fsync of the directory), so an interruption leaves the old file or the new one, never half of
//! either. Format-preserving TOML edits go through toml_edit's `DocumentMut`.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Replace (or create) `path` with `bytes` atomically, keeping an existing file's permissions.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".prov-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    match fs::metadata(path) {
        Ok(m) => tmp.as_file().set_permissions(m.permissions())?,
        Err(_) => set_new_file_mode(tmp.as_file())?,
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Replace (or create) `path` with `bytes` atomically, with Unix permission bits `mode` set
/// before the rename (an executable hook is never visible without its exec bit).
pub fn atomic_write_mode(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".prov-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Create `path` with `bytes` atomically; fails if it already exists.
pub fn atomic_create(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".prov-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    set_new_file_mode(tmp.as_file())?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Temporary files are private (0600); a file prov creates is an ordinary one (0644), like
/// the workspace files around it.
fn set_new_file_mode(file: &fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Make a rename durable (best effort: not every platform can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Replace a value in place, keeping the comments and spacing around it.
pub fn replace_value(slot: &mut toml_edit::Value, mut new: toml_edit::Value) {
    *new.decor_mut() = slot.decor().clone();
    *slot = new;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(atomic_create(&p, b"three").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"two");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        atomic_create(&p, b"one").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o664)).unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o664
        );
    }

    #[test]
    fn replace_value_keeps_comment() {
        let mut doc: toml_edit::DocumentMut = "span = [1, 2]  # checked\n".parse().unwrap();
        let slot = doc["span"].as_value_mut().unwrap();
        let mut arr = toml_edit::Array::new();
        arr.push(3i64);
        arr.push(4i64);
        replace_value(slot, arr.into());
        assert_eq!(doc.to_string(), "span = [3, 4]  # checked\n");
    }
}
