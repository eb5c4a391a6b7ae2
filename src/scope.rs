//! What the PATH arguments of `check`, `fix` and `report` name: the claim files to load and to
//! check, a shard of them for a partitioned run, and how the repository names workspace paths.

use std::path::{Path, PathBuf};

use prov::files::{self, FileId};
use prov::refusal::Refusal;
use prov::workspace::{CLAIMS_DIR, SNAPSHOTS_DIR, SOURCES_FILE, Workspace};

use crate::app::{Stop, cwd};

/// The claim files `paths` name, as workspace-relative paths (a directory as `dir/`); `None`
/// when they name sources.toml, a snapshot, the workspace, or anything [`select`] refuses: then
/// the whole workspace is loaded (and `select` says what is wrong).
pub(crate) fn scope(root: &Path, paths: &[PathBuf]) -> Result<Option<Vec<String>>, Stop> {
    if paths.is_empty() {
        return Ok(None);
    }
    let cwd = cwd()?;
    let mut named = Vec::new();
    for p in paths {
        match name(root, &cwd, p) {
            Some(Named::Dir(prefix)) => named.push(prefix),
            Some(Named::File(rel)) if rel.ends_with(".toml") => named.push(rel),
            _ => return Ok(None),
        }
    }
    Ok(Some(named))
}

/// What a PATH argument names in the workspace.
pub(crate) enum Named {
    /// sources.toml, a snapshot or the workspace itself: everything depends on it.
    Everything,
    /// claims/ or a directory under it, as a prefix (`claims/desk/`).
    Dir(String),
    /// Anything else, workspace-relative: a claim file if it is one.
    File(String),
}

/// `None` when `p` is outside the workspace.
pub(crate) fn name(root: &Path, cwd: &Path, p: &Path) -> Option<Named> {
    let abs = files::within(root, cwd, p)?;
    let rel = files::rel_display(root, &abs);
    Some(
        if rel == SOURCES_FILE || rel.starts_with(&format!("{SNAPSHOTS_DIR}/")) || rel.is_empty() {
            Named::Everything
        } else if rel == CLAIMS_DIR || (abs.is_dir() && rel.starts_with(&format!("{CLAIMS_DIR}/")))
        {
            Named::Dir(format!("{rel}/"))
        } else {
            Named::File(rel)
        },
    )
}

/// Resolve PATHS into the claim files to check; `None` means everything.
pub(crate) fn select(ws: &Workspace, paths: &[PathBuf]) -> Result<Option<Vec<FileId>>, Stop> {
    if paths.is_empty() {
        return Ok(None);
    }
    let cwd = cwd()?;
    let mut selected = Vec::new();
    for p in paths {
        let Some(named) = name(&ws.root, &cwd, p) else {
            return Err(Refusal::new(format!(
                "{} is outside the workspace {}",
                p.display(),
                ws.root.display()
            ))
            .help("give paths of claim files inside the workspace")
            .into());
        };
        match named {
            // The registry or evidence changed: everything that depends on it is checked.
            Named::Everything => return Ok(None),
            Named::Dir(prefix) => selected.extend(
                ws.claim_files
                    .iter()
                    .copied()
                    .filter(|f| ws.files.get(*f).path.starts_with(&prefix)),
            ),
            Named::File(rel) => match ws.files.find(&rel).filter(|f| ws.claim_files.contains(f)) {
                Some(f) => selected.push(f),
                None => {
                    return Err(Refusal::new(format!(
                        "{} is not a claim file of this workspace",
                        p.display()
                    ))
                    .help(format!(
                        "claim files are the *.toml files under {CLAIMS_DIR}/"
                    ))
                    .into());
                }
            },
        }
    }
    selected.sort();
    selected.dedup();
    Ok(Some(selected))
}

/// Shard `k` of `n` of the claim files (of `only`, or all): sorted by path, then assigned
/// greedily, biggest first, to the shard with the fewest citations so far.
pub(crate) fn shard(ws: &Workspace, only: Option<Vec<FileId>>, k: usize, n: usize) -> Vec<FileId> {
    let mut files: Vec<(FileId, usize)> = only
        .unwrap_or_else(|| ws.claim_files.clone())
        .into_iter()
        .map(|f| {
            let cites = ws
                .claims
                .iter()
                .filter(|c| c.file == f)
                .map(|c| c.cites.len().max(1))
                .sum();
            (f, cites)
        })
        .collect();
    files.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(ws.files.get(a.0).path.cmp(&ws.files.get(b.0).path))
    });
    let mut load = vec![0usize; n];
    let mut mine = Vec::new();
    for (f, cites) in files {
        let target = (0..n).min_by_key(|&i| (load[i], i)).unwrap_or(0);
        load[target] += cites;
        if target + 1 == k {
            mine.push(f);
        }
    }
    mine.sort();
    mine
}
