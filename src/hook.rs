//! `prov hook install|uninstall`: a plain git pre-commit hook for editors without the
//! pre-commit framework. The hook runs `prov check` on the staged claim files of the workspace
//! (and on everything when sources.toml or a snapshot is staged). prov only replaces or removes
//! a hook it wrote itself, recognised by its marker line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::edit::atomic_write;
use crate::failpoint::failpoint;
use crate::refusal::Refusal;

/// The line that marks a hook as prov's.
pub const MARKER: &str = "# installed by `prov hook install`";

/// Where git looks for this repository's pre-commit hook (honours core.hooksPath), and the
/// workspace's path relative to the repository root ("" at the root).
fn locate(root: &Path) -> Result<(PathBuf, String), Refusal> {
    let git = |args: &[&str]| -> Result<String, Refusal> {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .map_err(|e| Refusal::new(format!("cannot run git: {e}")).help("install git"))?;
        if !out.status.success() {
            return Err(
                Refusal::new(format!("{} is not inside a git repository", root.display())).help(
                    "run `git init` first, or use the pre-commit framework (see docs/gates.md)",
                ),
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let hooks = git(&["rev-parse", "--git-path", "hooks"])?;
    let prefix = git(&["rev-parse", "--show-prefix"])?;
    Ok((root.join(hooks).join("pre-commit"), prefix))
}

fn script(prefix: &str) -> String {
    let ws = if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.trim_end_matches('/').to_string()
    };
    format!(
        r#"#!/bin/sh
{MARKER}; `prov hook uninstall` removes it.
# Checks the staged claim files of the prov workspace in {ws}/, and the whole workspace when
# sources.toml or a snapshot is staged. Skip once with `git commit --no-verify`.
ws='{ws}'
files=$(git diff --cached --name-only --diff-filter=ACMR -- "$ws/claims/*.toml" "$ws/sources.toml" "$ws/snapshots/*")
[ -z "$files" ] && exit 0
if ! command -v prov >/dev/null 2>&1; then
  echo "prov pre-commit hook: prov is not on PATH (cargo install --path <prov checkout>)" >&2
  exit 1
fi
# Paths are relative to the repository root, where git runs hooks.
echo "$files" | tr '\n' '\0' | xargs -0 prov -C "$ws" check --
"#
    )
}

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    Created(PathBuf),
    Replaced(PathBuf),
}

/// Write the hook. Refuses to replace a hook prov did not write, unless `force` (the old one
/// is then kept as `pre-commit.prov-backup`).
pub fn install(root: &Path, force: bool) -> Result<Installed, Refusal> {
    let (path, prefix) = locate(root)?;
    let existing = fs::read_to_string(&path).ok();
    let ours = existing.as_deref().is_some_and(|t| t.contains(MARKER));
    if existing.is_some() && !ours && !force {
        return Err(Refusal::new(format!(
            "{} exists and was not written by prov",
            path.display()
        ))
        .help("add `prov check` to it yourself, or pass --force to replace it (it is kept as pre-commit.prov-backup)"));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| Refusal::new(format!("cannot create {}: {e}", parent.display())))?;
    }
    if let (Some(old), false) = (&existing, ours) {
        let backup = path.with_file_name("pre-commit.prov-backup");
        atomic_write(&backup, old.as_bytes())
            .map_err(|e| Refusal::new(format!("cannot write {}: {e}", backup.display())))?;
        failpoint("hook-backup-written");
    }
    // Executable from the moment it exists: git ignores a hook without its exec bit.
    crate::edit::atomic_write_mode(&path, script(&prefix).as_bytes(), 0o755)
        .map_err(|e| Refusal::new(format!("cannot write {}: {e}", path.display())))?;
    failpoint("hook-written");
    Ok(if existing.is_some() {
        Installed::Replaced(path)
    } else {
        Installed::Created(path)
    })
}

/// Remove the hook if prov wrote it. Returns the path removed.
pub fn uninstall(root: &Path) -> Result<PathBuf, Refusal> {
    let (path, _) = locate(root)?;
    match fs::read_to_string(&path) {
        Err(_) => Err(Refusal::new(format!(
            "there is no pre-commit hook at {}",
            path.display()
        ))),
        Ok(t) if !t.contains(MARKER) => Err(Refusal::new(format!(
            "{} was not written by prov; it was left as it is",
            path.display()
        ))),
        Ok(_) => {
            fs::remove_file(&path)
                .map_err(|e| Refusal::new(format!("cannot remove {}: {e}", path.display())))?;
            Ok(path)
        }
    }
}
