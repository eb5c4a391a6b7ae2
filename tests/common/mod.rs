//! Helpers shared by the integration tests (cases, readme, accept_interrupt, bad_input, interrupt, concurrency, integrity,
//! properties, gates, fix_roundtrip, report): workspaces, running the binary, and snapshots of a
//! directory tree.
#![allow(dead_code)]

pub mod sentences;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A copy of tests/fixtures/tiny in `dir`.
pub fn tiny(dir: &Path) {
    copy_dir(&repo().join("tests/fixtures/tiny"), dir);
}

/// A new temporary directory holding a copy of tests/fixtures/tiny.
pub fn tiny_tempdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    tiny(tmp.path());
    tmp
}

/// A copy of the repository's example workspace (sources.toml, claims/, snapshots/) in `dir`.
pub fn example(dir: &Path) {
    fs::copy(repo().join("sources.toml"), dir.join("sources.toml")).unwrap();
    copy_dir(&repo().join("claims"), &dir.join("claims"));
    copy_dir(&repo().join("snapshots"), &dir.join("snapshots"));
}

/// Replace `from` (which must occur exactly once) by `to` in a workspace file.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let t = fs::read_to_string(&p).unwrap();
    assert_eq!(t.matches(from).count(), 1, "{file}: {from:?}");
    fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

/// What a run printed and how it ended (`code` is None when a signal killed it).
#[derive(Debug)]
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// The command for the prov binary, in `dir`, with a fixed clock and no colour.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prov"));
    cmd.args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1795435200")
        .env("NO_COLOR", "1")
        .env_remove("PROV_FAILPOINT")
        .stdin(Stdio::null());
    cmd
}

pub fn prov(dir: &Path, args: &[&str]) -> Out {
    prov_env(dir, args, &[])
}

pub fn prov_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = command(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// One entry of a directory tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Dir,
    File { bytes: Vec<u8>, executable: bool },
    Link(PathBuf),
}

pub type Tree = BTreeMap<String, Node>;

/// Every entry under `dir`, except the lock file (it is the lock, not content).
pub fn tree(dir: &Path) -> Tree {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if e.file_name() == ".prov.lock" {
                continue;
            }
            let ft = e.file_type().unwrap();
            let node = if ft.is_symlink() {
                Node::Link(fs::read_link(&p).unwrap())
            } else if ft.is_dir() {
                stack.push(p.clone());
                Node::Dir
            } else {
                use std::os::unix::fs::PermissionsExt;
                let mode = e.metadata().unwrap().permissions().mode();
                Node::File {
                    bytes: fs::read(&p).unwrap(),
                    executable: mode & 0o111 != 0,
                }
            };
            out.insert(rel, node);
        }
    }
    out
}

/// The temporary files an atomic write killed halfway leaves (`.prov-*.tmp`), removed from the
/// tree and returned.
pub fn take_temp_files(t: &mut Tree) -> Vec<String> {
    let temps: Vec<String> = t
        .keys()
        .filter(|k| {
            let name = k.rsplit('/').next().unwrap_or(k);
            name.starts_with(".prov-") && name.ends_with(".tmp")
        })
        .cloned()
        .collect();
    for k in &temps {
        t.remove(k);
    }
    temps
}

/// The paths where two trees differ, for messages.
pub fn differences(a: &Tree, b: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => out.push(format!("only before: {k}")),
            Some(w) if w != v => out.push(format!("differs: {k}")),
            Some(_) => {}
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            out.push(format!("only after: {k}"));
        }
    }
    out
}

/// `prov check` runs and passes its integrity checks: no snapshot, revision or unreadable-file
/// finding, whatever the citations say.
pub fn assert_intact(dir: &Path, when: &str) {
    let out = prov(dir, &["check"]);
    let all = out.all();
    assert!(
        matches!(out.code, Some(0 | 1)),
        "{when}: check could not run:\n{all}"
    );
    for bad in [
        "snapshot-missing",
        "snapshot-modified",
        "snapshot-invalid",
        "revision-unknown",
        "file-unreadable",
        "toml-syntax",
    ] {
        assert!(
            !all.contains(bad),
            "{when}: integrity finding {bad}:\n{all}"
        );
    }
}

/// Run tests/warc/warcio_check.sh (warcio's `check` and `index`) on WARC files; false (and
/// say so, or fail under PROV_REQUIRE_JUDGES) when warcio is not installed.
pub fn warcio_check<P: AsRef<Path>>(files: &[P]) -> bool {
    let out = Command::new("bash")
        .arg(repo().join("tests/warc/warcio_check.sh"))
        .args(files.iter().map(AsRef::as_ref))
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) => true,
        Some(77) => {
            judge_missing("warcio", "python3 -m pip install 'warcio==1.8.*'");
            false
        }
        _ => panic!(
            "warcio rejects a WARC prov wrote:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// A judge (a real tool others wrote: warcio, wget, …) is not installed. Locally the test says
/// it skipped; in CI (`PROV_REQUIRE_JUDGES=1`, set by `.ci/run`, which installs them) it fails.
pub fn judge_missing(what: &str, install: &str) {
    if std::env::var_os("PROV_REQUIRE_JUDGES").is_some_and(|v| v == "1") {
        panic!("{what} is not installed, and PROV_REQUIRE_JUDGES=1: {install}");
    }
    eprintln!("SKIPPED: {what} is not installed ({install})");
}

/// Is the test running as root (where permission bits do not stop reading)?
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Run git in `dir` with prov's binary first on PATH (for the hooks it runs), hermetic: no
/// global or system configuration, no signing, a fixed author. (Success, stdout and stderr.)
pub fn git(dir: &Path, args: &[&str]) -> (bool, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_prov"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("git")
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
