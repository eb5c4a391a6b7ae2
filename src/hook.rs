//! `prov hook install|uninstall`: a plain git pre-commit hook for editors without the
//! pre-commit framework. The hook runs `prov check` on the staged claim files of the workspace
//! (and on everything when sources.toml or a snapshot is staged), as they are staged: on the
//! index versions of the workspace's files, exported into a temporary directory. prov only replaces or removes
//! a hook it wrote itself, recognised by its marker line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::edit::atomic_write;
use crate::failpoint::failpoint;
use crate::refusal::Refusal;

/// The line that marks a hook as prov's.
pub const MARKER: &str = "# installed by `prov hook install`";

/// Bytes of a path as git printed them (raw on Unix: `rev-parse` prints paths unquoted).
#[cfg(unix)]
fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Where git looks for this repository's pre-commit hook (honours core.hooksPath), and the
/// workspace's path relative to the repository root as raw bytes (empty at the root, else
/// ending in `/`).
fn locate(root: &Path) -> Result<(PathBuf, Vec<u8>), Refusal> {
    let git = |args: &[&str]| -> Result<Vec<u8>, Refusal> {
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
        // One line: the path, then a line break. A directory name may itself end in spaces or
        // hold a line break, so only that last line break is removed.
        let mut bytes = out.stdout;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        Ok(bytes)
    };
    let hooks = git(&["rev-parse", "--git-path", "hooks"])?;
    let prefix = git(&["rev-parse", "--show-prefix"])?;
    Ok((root.join(path_of(&hooks)).join("pre-commit"), prefix))
}

/// `bytes` as one single-quoted shell word: inside single quotes nothing is special (no `$`,
/// no backquote, no backslash, a line break is a line break), and a single quote is written
/// as `'\''` (end the quote, an escaped quote, quote again).
fn sh_quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'\'');
    for &b in bytes {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// `bytes` with the characters special in a git glob pathspec (`*`, `?`, `[`, `]`, `\`)
/// escaped by a backslash, so that a directory named `x*` matches only itself.
fn glob_escape(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if matches!(b, b'*' | b'?' | b'[' | b']' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// The hook for the workspace at `prefix` (relative to the repository root, empty or ending in
/// `/`). The path is data, never code: it appears only in single-quoted words, and the staged
/// names are read NUL-separated (`-z`: never quoted, whatever `core.quotePath` says) and passed
/// on by `xargs -0`, so no name is split, globbed or run. POSIX sh.
///
/// It checks what the commit will hold, not the working tree: the index versions of the
/// workspace's files (sources.toml, claims/, snapshots/, and nothing else of the repository)
/// are exported into a temporary directory with `git checkout-index`, and `prov check` runs
/// there. `git ls-files` and `git checkout-index` read the index git names for this commit
/// (`GIT_INDEX_FILE` during `git commit -a` or `git commit PATH`).
fn script(prefix: &[u8]) -> Vec<u8> {
    // `./` first: a directory named `-x` is not taken for an option by `prov -C`.
    let mut ws = b"./".to_vec();
    ws.extend_from_slice(prefix.strip_suffix(b"/").unwrap_or(prefix));
    let mut claims = b":(glob)".to_vec();
    claims.extend_from_slice(&glob_escape(prefix));
    claims.extend_from_slice(b"claims/**/*.toml");
    let literal = |name: &[u8]| {
        let mut p = b":(literal)".to_vec();
        p.extend_from_slice(prefix);
        p.extend_from_slice(name);
        sh_quote(&p)
    };
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "#!/bin/sh
{MARKER}; `prov hook uninstall` removes it.
# Checks what is staged (the index, not the working tree) in the prov workspace in the
# directory `ws` (relative to the repository root, where git runs hooks): the staged claim
# files, and the whole workspace when sources.toml or a snapshot is staged. Skip once with
# `git commit --no-verify`.
"
        )
        .as_bytes(),
    );
    out.extend_from_slice(b"ws=");
    out.extend_from_slice(&sh_quote(&ws));
    out.extend_from_slice(b"\n# The staged files prov reads, NUL-separated, relative to the repository root.\nstaged() {\n  git diff --cached --name-only -z --diff-filter=ACMR -- ");
    out.extend_from_slice(&sh_quote(&claims));
    out.push(b' ');
    out.extend_from_slice(&literal(b"sources.toml"));
    out.push(b' ');
    out.extend_from_slice(&literal(b"snapshots"));
    out.extend_from_slice(
        b"\n}\n# Every file of the workspace in the index.\nworkspace() {\n  git ls-files -z -- ",
    );
    out.extend_from_slice(&literal(b"sources.toml"));
    out.push(b' ');
    out.extend_from_slice(&literal(b"claims"));
    out.push(b' ');
    out.extend_from_slice(&literal(b"snapshots"));
    out.extend_from_slice(
        br#"
}
n=$(staged | wc -c)
[ $n -gt 0 ] || exit 0
if ! command -v prov >/dev/null 2>&1; then
  echo "prov pre-commit hook: prov is not on PATH (cargo install --path <prov checkout>)" >&2
  exit 1
fi
# The staged versions of the workspace's files, in a directory of their own.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prov-hook.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
staged > "$tmp/staged" || exit 1
workspace | git checkout-index -z --stdin --prefix="$tmp/index/" || exit 1
mkdir -p "$tmp/index/$ws" && cd "$tmp/index" || exit 1
xargs -0 prov -C "$ws" check -- < "$tmp/staged"
"#,
    );
    out
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
    crate::edit::atomic_write_mode(&path, &script(&prefix), 0o755)
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
