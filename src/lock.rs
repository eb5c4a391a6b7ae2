//! The workspace lock: `.prov.lock` at the workspace root, an OS file lock (flock) that dies
//! with its process, so a killed prov never leaves a stale lock.
//!
//! Commands that write (add, capture, fix, accept, init) hold it exclusively; commands that
//! only read hold it shared, so they never see a multi-file change (an accept) half applied.
//! A reader takes it only when the file exists: a workspace no writer has touched is read
//! without creating anything. On contention prov says what it is waiting for, then waits.
//!
//! The lock file is one prov creates itself: anything else by its name (a symbolic link, which
//! would make a writer create or open a file elsewhere; a directory; a FIFO, on which opening
//! blocks for ever) is refused before it is opened.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::Path;

use crate::refusal::Refusal;

pub const LOCK_FILE: &str = ".prov.lock";

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Guard {
    _file: Option<File>,
}

fn wait_note(kind: &str) {
    let _ = std::io::stderr().write_all(
        format!(
            "note: waiting for another prov command to finish {kind} this workspace (.prov.lock)\n"
        )
        .as_bytes(),
    );
}

/// Is the lock file there, and is it an ordinary file? Refuses anything else by its name.
fn inspect(path: &Path) -> Result<bool, Refusal> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Refusal::new(format!("cannot read {}: {e}", path.display()))),
    };
    let what = if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if meta.is_dir() {
        "a directory"
    } else if !meta.is_file() {
        "not a regular file"
    } else {
        return Ok(true);
    };
    Err(Refusal::new(format!(
        "{} is {what}; prov's lock is a file prov creates itself, and prov never opens anything else by its name",
        path.display()
    ))
    .help(format!("delete it (prov creates {LOCK_FILE} again when it needs it)")))
}

/// Hold the lock exclusively (for a command that writes), creating the lock file if needed.
pub fn exclusive(root: &Path) -> Result<Guard, Refusal> {
    let path = root.join(LOCK_FILE);
    inspect(&path)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Refusal::new(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            wait_note("changing");
            file.lock()
                .map_err(|e| Refusal::new(format!("cannot lock {}: {e}", path.display())))?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(Refusal::new(format!("cannot lock {}: {e}", path.display())));
        }
    }
    Ok(Guard { _file: Some(file) })
}

/// Hold the lock shared (for a command that reads), if any writer ever created it.
pub fn shared(root: &Path) -> Result<Guard, Refusal> {
    let path = root.join(LOCK_FILE);
    if !inspect(&path)? {
        return Ok(Guard { _file: None });
    }
    let Ok(file) = File::open(&path) else {
        return Ok(Guard { _file: None });
    };
    match file.try_lock_shared() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            wait_note("changing");
            file.lock_shared()
                .map_err(|e| Refusal::new(format!("cannot lock {}: {e}", path.display())))?;
        }
        Err(TryLockError::Error(e)) => {
            // A file system without locks: reading without one is still safe for
            // single-file writes, which are atomic.
            let _ = e;
        }
    }
    Ok(Guard { _file: Some(file) })
}

/// Is there a lock file (for messages)?
pub fn exists(root: &Path) -> bool {
    fs::symlink_metadata(root.join(LOCK_FILE)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_excludes_and_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let g = exclusive(dir.path()).unwrap();
        let f = File::open(dir.path().join(LOCK_FILE)).unwrap();
        assert!(matches!(f.try_lock_shared(), Err(TryLockError::WouldBlock)));
        drop(g);
        assert!(f.try_lock_shared().is_ok());
    }

    #[test]
    fn a_reader_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let _g = shared(dir.path()).unwrap();
        assert!(!exists(dir.path()));
    }
}
