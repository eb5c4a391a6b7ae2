//! What the PATH arguments of `check`, `fix` and `report` name: the claim files to load and to
//! check, a shard of them for a partitioned run, and how the repository names workspace paths.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
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
/// greedily, biggest first, to the shard with the fewest citations so far (the lowest-numbered
/// on a tie). O(files log files) whatever `n` is: only the first min(n, files) shards can get
/// a file (before the last file, fewer than `files` shards hold any citation, so one of the
/// first `files` shards is still empty and beats every later one), so only those are kept, in
/// a heap.
pub(crate) fn shard(ws: &Workspace, only: Option<Vec<FileId>>, k: usize, n: usize) -> Vec<FileId> {
    let mut cites: HashMap<FileId, usize> = HashMap::new();
    for c in &ws.claims {
        *cites.entry(c.file).or_default() += c.cites.len().max(1);
    }
    let mut files: Vec<(FileId, usize)> = only
        .unwrap_or_else(|| ws.claim_files.clone())
        .into_iter()
        .map(|f| (f, cites.get(&f).copied().unwrap_or(0)))
        .collect();
    files.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(ws.files.get(a.0).path.cmp(&ws.files.get(b.0).path))
    });
    let weights: Vec<usize> = files.iter().map(|(_, w)| *w).collect();
    let mut mine: Vec<FileId> = assign(&weights, k, n)
        .into_iter()
        .map(|i| files[i].0)
        .collect();
    mine.sort();
    mine
}

/// The positions of the `weights` (in order) that the greedy assignment gives shard `k` of `n`.
pub(crate) fn assign(weights: &[usize], k: usize, n: usize) -> Vec<usize> {
    let shards = n.min(weights.len());
    let mut heap: BinaryHeap<Reverse<(usize, usize)>> =
        (0..shards).map(|i| Reverse((0, i))).collect();
    let mut mine = Vec::new();
    for (i, &w) in weights.iter().enumerate() {
        let Some(Reverse((load, target))) = heap.pop() else {
            break;
        };
        heap.push(Reverse((load.saturating_add(w), target)));
        if target + 1 == k {
            mine.push(i);
        }
    }
    mine
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The greedy rule as stated: each weight to the shard with the least load so far, the
    /// lowest-numbered on a tie, looking at every one of the `n` shards.
    fn naive(weights: &[usize], k: usize, n: usize) -> Vec<usize> {
        let mut load = vec![0usize; n];
        let mut mine = Vec::new();
        for (i, &w) in weights.iter().enumerate() {
            let target = (0..n).min_by_key(|&s| (load[s], s)).unwrap_or(0);
            load[target] += w;
            if target + 1 == k {
                mine.push(i);
            }
        }
        mine
    }

    #[test]
    fn the_heap_assigns_as_the_greedy_rule_does() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 12) as usize;
            let n = 1 + (x >> 8) as usize % 16;
            let mut weights: Vec<usize> = (0..len).map(|j| ((x >> (j * 3)) % 5) as usize).collect();
            weights.sort_by(|a, b| b.cmp(a));
            for k in 1..=n {
                assert_eq!(
                    assign(&weights, k, n),
                    naive(&weights, k, n),
                    "{weights:?} {k}/{n}"
                );
            }
        }
    }

    #[test]
    fn a_huge_n_costs_nothing() {
        assert_eq!(assign(&[3, 2, 1], 3, usize::MAX), vec![2]);
        assert_eq!(
            assign(&[3, 2, 1], 4_294_967_296, 4_294_967_296),
            Vec::<usize>::new()
        );
    }
}
