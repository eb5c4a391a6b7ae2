//! `prov accept` interrupted at every step: the workspace is always the old one or, once the
//! journal is committed, becomes the new one at the next prov command; both pass `prov check`'s
//! integrity checks, and a completed interrupted accept equals an uninterrupted one, byte for byte.

mod common;
use common::{copy_dir, repo};

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// A copy of the example with a pending capture of `fox-ashraf-raid`: a correction notice
/// inserted at the top (every citation moves) and a sentence about the weather edited.
fn workspace(dir: &Path) {
    fs::copy(repo().join("sources.toml"), dir.join("sources.toml")).unwrap();
    copy_dir(&repo().join("claims"), &dir.join("claims"));
    copy_dir(&repo().join("snapshots"), &dir.join("snapshots"));
    let old = fs::read_to_string(dir.join("snapshots/fox-ashraf-raid.txt")).unwrap();
    let new = format!("Mise à jour : cet article a été corrigé.\n\n{old}");
    fs::write(dir.join("snapshots/fox-ashraf-raid.new.txt"), new).unwrap();
}

fn prov(dir: &Path, args: &[&str], failpoint: Option<&str>) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prov"));
    cmd.args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1795435200")
        .env("NO_COLOR", "1");
    if let Some(f) = failpoint {
        cmd.env("PROV_FAILPOINT", f);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            // The lock file is the lock, not workspace content.
            if p.file_name().is_some_and(|n| n == ".prov.lock") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// `prov check` passes its integrity checks: no snapshot or revision finding.
fn assert_intact(dir: &Path, when: &str) {
    let (code, out) = prov(dir, &["check"], None);
    assert!(
        matches!(code, Some(0 | 1)),
        "{when}: check could not run:\n{out}"
    );
    for bad in ["snapshot-", "revision-unknown", "file-unreadable"] {
        assert!(
            !out.contains(bad),
            "{when}: integrity finding {bad}:\n{out}"
        );
    }
    assert_eq!(code, Some(0), "{when}: the gate fails:\n{out}");
}

/// The example with a source added from an HTML page (its WARC kept), and a pending capture of
/// it: another HTML page (a pending WARC too), or, with `plain`, a text file (no pending WARC:
/// the accept keeps the old WARC with its revision and removes it from the current name).
fn workspace_with_warc(dir: &Path, plain: bool) {
    workspace(dir);
    let page = |extra: &str| {
        format!(
            "<!DOCTYPE html><html><head><title>Ties</title></head><body><article><h1>Albania cuts ties with Iran</h1>{extra}<p>Albania cut diplomatic ties with Iran on Wednesday over a cyberattack in July, the prime minister said.</p><p>The embassy’s staff had 24 hours to leave the country, officials said on Thursday.</p></article></body></html>"
        )
    };
    fs::write(dir.join("page.html"), page("")).unwrap();
    let (code, out) = prov(
        dir,
        &[
            "add",
            "page.html",
            "--id",
            "ties-page",
            "--outlet",
            "example.org",
            "--url",
            "https://example.org/ties",
        ],
        None,
    );
    assert_eq!(code, Some(0), "{out}");
    if plain {
        fs::write(
            dir.join("new.txt"),
            "Albania cuts ties with Iran (corrected).\n",
        )
        .unwrap();
        let (code, out) = prov(dir, &["capture", "ties-page", "new.txt"], None);
        assert_eq!(code, Some(0), "{out}");
    } else {
        fs::write(
            dir.join("page2.html"),
            page("<p>Update: this article was corrected on Friday.</p>"),
        )
        .unwrap();
        let (code, out) = prov(dir, &["capture", "ties-page", "page2.html"], None);
        assert_eq!(code, Some(0), "{out}");
        assert!(dir.join("snapshots/ties-page.new.warc.gz").exists());
    }
}

#[test]
fn accept_interrupted_anywhere_leaves_old_or_new() {
    interrupted_anywhere(&|d| workspace(d), &[], &[]);
}

#[test]
fn accept_with_warc_evidence_interrupted_anywhere_leaves_old_or_new() {
    interrupted_anywhere(
        &|d| workspace_with_warc(d, false),
        &["snapshots/ties-page.warc.gz", "snapshots/ties-page@"],
        &[],
    );
    // Without a pending WARC, the old one is kept with its revision, and gone from the
    // current name.
    interrupted_anywhere(
        &|d| workspace_with_warc(d, true),
        &["snapshots/ties-page@"],
        &["snapshots/ties-page.warc.gz"],
    );
}

/// Accept whole, then killed at each journal failpoint: old before the journal, and after it
/// exactly the whole accept's state once `prov recover` completes it. `kept` are paths (or
/// prefixes) the accepted state must hold.
fn interrupted_anywhere(workspace: &dyn Fn(&Path), kept: &[&str], absent: &[&str]) {
    let reference = tempfile::tempdir().unwrap();
    workspace(reference.path());
    let old_state = tree(reference.path());
    let (code, out) = prov(reference.path(), &["accept"], None);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("accepted the new capture of `fox-ashraf-raid`"),
        "{out}"
    );
    let new_state = tree(reference.path());
    for k in kept {
        assert!(
            new_state.keys().any(|p| p.starts_with(k)),
            "{k} after the accept: {:?}",
            new_state.keys().collect::<Vec<_>>()
        );
    }
    for a in absent {
        assert!(!new_state.contains_key(*a), "{a} after the accept");
    }
    if !kept.is_empty() {
        let warcs = new_state.keys().filter(|p| p.ends_with(".warc.gz")).count();
        assert_eq!(
            warcs,
            if absent.is_empty() { 2 } else { 1 },
            "{:?}",
            new_state.keys()
        );
    }
    assert!(
        !new_state.keys().any(|p| p.contains(".new.")),
        "nothing pending is left"
    );
    assert!(new_state.contains_key("snapshots/fox-ashraf-raid@4e93efe6d54a.txt"));
    assert!(!new_state.contains_key("snapshots/fox-ashraf-raid.new.txt"));
    assert_intact(reference.path(), "after a whole accept");

    // Before the journal: nothing changed. From the journal on: reported by a reader, completed
    // by `prov recover`.
    let points = [
        ("journal-before", false),
        ("journal-committed", true),
        ("journal-copies", true),
        ("journal-write", true),
        ("journal-rename", true),
    ];
    for (point, committed) in points {
        let tmp = tempfile::tempdir().unwrap();
        workspace(tmp.path());
        let (code, out) = prov(tmp.path(), &["accept"], Some(point));
        assert_eq!(
            code, None,
            "{point}: the process should have been killed:\n{out}"
        );
        if committed {
            assert!(tmp.path().join(".prov-journal.json").exists(), "{point}");
            // A reader reports the interrupted write and leaves it alone.
            let before = tree(tmp.path());
            let (code, out) = prov(tmp.path(), &["check"], None);
            assert_eq!(code, Some(1), "{point}: {out}");
            assert!(out.contains("error[interrupted-write]"), "{point}: {out}");
            assert_eq!(tree(tmp.path()), before, "{point}: check wrote");
            // `prov recover` completes the accept.
            let (code, out) = prov(tmp.path(), &["recover"], None);
            assert_eq!(code, Some(0), "{point}: {out}");
            assert!(
                out.contains("completed an interrupted `prov accept`"),
                "{point}: {out}"
            );
            assert_eq!(
                tree(tmp.path()),
                new_state,
                "{point}: not the accepted workspace"
            );
        } else {
            assert_eq!(
                tree(tmp.path()),
                old_state,
                "{point}: the workspace changed"
            );
        }
        assert_intact(tmp.path(), point);
    }
}

#[test]
fn accept_refuses_a_capture_that_breaks_citations() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    workspace(dir);
    let new = fs::read_to_string(dir.join("snapshots/fox-ashraf-raid.new.txt"))
        .unwrap()
        .replace("66 ans", "65 ans");
    fs::write(dir.join("snapshots/fox-ashraf-raid.new.txt"), new).unwrap();
    let before = tree(dir);
    let (code, out) = prov(dir, &["accept"], None);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("would break 2 citations"), "{out}");
    assert!(
        out.contains("claim `raid-one-killed` would become changed"),
        "{out}"
    );
    assert_eq!(tree(dir), before, "a refused accept changes nothing");

    let (code, out) = prov(dir, &["accept", "--keep-broken"], None);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("is now changed (kept broken"), "{out}");
    let (code, out) = prov(dir, &["check"], None);
    assert_eq!(code, Some(1), "kept-broken citations fail the gate:\n{out}");
    assert!(out.contains("error[changed]"), "{out}");
    assert!(!out.contains("snapshot-"), "{out}");
}
