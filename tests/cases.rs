//! End-to-end cases: every folder under tests/cases/ is one run of the real `prov` binary.
//!
//! A case's `case.toml` names a base workspace (`tiny`: tests/fixtures/tiny, `example`: the
//! repository's own example workspace, `empty`: an empty directory), edits to apply to a copy of
//! it, the arguments, and the expected exit code. The output (exit code, stdout, stderr, and the
//! diff of every file the run changed) is an insta snapshot. Unless the case says `writes = true`,
//! the harness also asserts that the run changed no file at all.

mod common;
use common::{copy_dir, repo};

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows (documentation only).
    #[allow(dead_code)]
    description: String,
    #[serde(default = "default_base")]
    base: String,
    args: Vec<String>,
    exit: i32,
    /// The run may change files; their diff becomes part of the snapshot.
    #[serde(default)]
    writes: bool,
    /// Run `prov check` afterwards and snapshot it too.
    #[serde(default)]
    check_after: bool,
    /// More commands to run afterwards (each snapshotted).
    #[serde(default)]
    then: Vec<Vec<String>>,
    /// Standard input for the run.
    stdin: Option<String>,
    /// Working directory, relative to the workspace.
    cwd: Option<String>,
    #[serde(default)]
    edit: Vec<Edit>,
}

fn default_base() -> String {
    "tiny".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    /// The file to edit, relative to the workspace.
    file: String,
    /// Replace this text (which must occur exactly once) …
    replace: Option<String>,
    /// … by this text.
    with: Option<String>,
    /// Write this text as the whole file.
    write: Option<String>,
    /// Write these bytes (hex) as the whole file.
    write_hex: Option<String>,
    /// Append these bytes (hex).
    append_hex: Option<String>,
    /// Remove the file (or directory).
    #[serde(default)]
    remove: bool,
    /// Make the file a symlink to this target (absolute, or relative to the link).
    symlink: Option<String>,
    /// Extend (sparsely) or cut the file to this many bytes.
    set_len: Option<u64>,
}

fn make_workspace(base: &str, dir: &Path) {
    match base {
        "tiny" => copy_dir(&repo().join("tests/fixtures/tiny"), dir),
        "example" => {
            fs::copy(repo().join("sources.toml"), dir.join("sources.toml")).unwrap();
            copy_dir(&repo().join("claims"), &dir.join("claims"));
            copy_dir(&repo().join("snapshots"), &dir.join("snapshots"));
        }
        "empty" => {}
        other => panic!("unknown base {other:?}"),
    }
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn apply(edit: &Edit, ws: &Path) {
    let path = ws.join(&edit.file);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    if let Some(from) = &edit.replace {
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(from.as_str()).count(),
            1,
            "{}: {from:?} must occur exactly once",
            edit.file
        );
        let to = edit.with.as_deref().expect("replace needs with");
        fs::write(&path, text.replacen(from.as_str(), to, 1)).unwrap();
    }
    if let Some(text) = &edit.write {
        fs::write(&path, text).unwrap();
    }
    if let Some(h) = &edit.write_hex {
        fs::write(&path, hex(h)).unwrap();
    }
    if let Some(h) = &edit.append_hex {
        let mut bytes = fs::read(&path).unwrap();
        bytes.extend(hex(h));
        fs::write(&path, bytes).unwrap();
    }
    if edit.remove {
        if path.is_dir() {
            fs::remove_dir_all(&path).unwrap();
        } else {
            fs::remove_file(&path).unwrap();
        }
    }
    if let Some(len) = edit.set_len {
        let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(len).unwrap();
    }
    if let Some(target) = &edit.symlink {
        let _ = fs::remove_file(&path);
        std::os::unix::fs::symlink(target, &path).unwrap();
    }
}

/// Every file under `dir`: path → bytes (symlinks as "-> target").
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let p = entry.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            // The lock file (created by any command that writes) is the lock, not content.
            if rel == ".prov.lock" {
                continue;
            }
            let ft = entry.file_type().unwrap();
            if ft.is_symlink() {
                let t = fs::read_link(&p).unwrap();
                out.insert(rel, format!("-> {}", t.display()).into_bytes());
            } else if ft.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else if entry.metadata().unwrap().len() > 1 << 20 {
                // Large (sparse) test files: compare by size.
                let len = entry.metadata().unwrap().len();
                out.insert(rel, format!("<{len} bytes>").into_bytes());
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn run(ws: &Path, cwd: &Path, args: &[String], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prov"));
    cmd.args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1795435200")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(&ws.display().to_string(), "[WS]")
            .replace(env!("CARGO_BIN_EXE_prov"), "[PROV]")
    };
    (
        out.status.code().unwrap_or(-1),
        clean(&out.stdout),
        clean(&out.stderr),
    )
}

fn describe_changes(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut s = String::new();
    for (path, new) in after {
        match before.get(path) {
            Some(old) if old == new => {}
            Some(old) => {
                let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
                let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
                s.push_str(&format!("--- changed: {path}\n"));
                s.push_str(&diff.unified_diff().context_radius(1).to_string());
            }
            None if path.ends_with('/') => s.push_str(&format!("--- created: {path}\n")),
            None if std::str::from_utf8(new).is_err() => {
                // A binary file (a WARC): its size and digest, not its bytes.
                use sha2::Digest;
                let digest: String = sha2::Sha256::digest(new)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                s.push_str(&format!(
                    "--- created: {path}\n<{} bytes, not text, sha256 {digest}>\n",
                    new.len()
                ));
            }
            None => {
                s.push_str(&format!("--- created: {path}\n"));
                s.push_str(&String::from_utf8_lossy(new));
                if !new.ends_with(b"\n") {
                    s.push_str("\n[no newline at end]\n");
                }
            }
        }
    }
    for path in before.keys() {
        if !after.contains_key(path) {
            s.push_str(&format!("--- removed: {path}\n"));
        }
    }
    s
}

#[test]
fn cases() {
    insta::glob!("cases/*/case.toml", |path| {
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let case: Case = toml::from_str(&fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        fs::create_dir_all(&ws).unwrap();
        make_workspace(&case.base, &ws);
        for e in &case.edit {
            apply(e, &ws);
        }
        let cwd = ws.join(case.cwd.as_deref().unwrap_or("."));
        let before = tree(&ws);
        let (code, stdout, stderr) = run(&ws, &cwd, &case.args, case.stdin.as_deref());
        let after = tree(&ws);
        let changes = describe_changes(&before, &after);
        if !case.writes {
            assert!(
                changes.is_empty(),
                "{name}: the run changed files:\n{changes}"
            );
        }
        let mut snap = format!(
            "$ prov {}\nexit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            case.args.join(" ")
        );
        if case.writes {
            snap.push_str("--- files\n");
            snap.push_str(if changes.is_empty() {
                "(none changed)\n"
            } else {
                &changes
            });
        }
        let mut then = case.then.clone();
        if case.check_after {
            then.push(vec!["check".to_string()]);
        }
        for args in &then {
            let (code, stdout, stderr) = run(&ws, &ws, args, None);
            snap.push_str(&format!(
                "--- then: prov {}\nexit: {code}\n{stdout}{stderr}",
                args.join(" ")
            ));
        }
        insta::with_settings!({
            snapshot_path => "cases/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => case.description.clone(),
        }, {
            insta::assert_snapshot!(name.clone(), snap);
        });
        assert_eq!(code, case.exit, "{name}: exit code\n{snap}");
    });
}
