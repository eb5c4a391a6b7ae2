//! Tampering with the evidence. What `prov check` detects by itself (a snapshot or a retained
//! capture that no longer matches its pinned sha256: tests/cases/snapshot-modified,
//! revision-tampered), and what only an outside record can reveal: a snapshot edited *and* its
//! pin in sources.toml edited to match is a consistent new workspace; only the git history or
//! the digest of an earlier report (`prov report --verify`) shows it changed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// A copy of tests/fixtures/tiny in `ws` under a new temporary directory (which must be kept
/// alive), so that files can be written next to the workspace.
fn tiny_ws() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tiny(&ws);
    (tmp, ws)
}

/// Write the JSON report of `ws` next to it (outside the workspace): its digest is the record.
fn record(ws: &Path) -> PathBuf {
    let report = ws.parent().unwrap().join("report.json");
    let out = prov(
        ws,
        &["report", "--format", "json", "-o", report.to_str().unwrap()],
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let verify = prov(ws, &["report", "--verify", report.to_str().unwrap()]);
    assert_eq!(verify.code, Some(0), "{}", verify.all());
    assert!(
        verify
            .stdout
            .starts_with("the report matches this workspace")
    );
    report
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Replace `from` by `to` in a snapshot and re-pin its sha256 in sources.toml to match.
fn tamper_consistently(ws: &Path, id: &str, old_sha: &str, from: &str, to: &str) {
    let p = ws.join(format!("snapshots/{id}.txt"));
    let t = fs::read_to_string(&p).unwrap().replacen(from, to, 1);
    fs::write(&p, &t).unwrap();
    edit(ws, "sources.toml", old_sha, &sha256(t.as_bytes()));
}

/// Capture a new version of `blog-en` (its text with a line before it) and accept it: the old
/// one is kept as a superseded capture. Returns the old text.
fn accept_an_update(ws: &Path) -> String {
    let old = fs::read_to_string(ws.join("snapshots/blog-en.txt")).unwrap();
    fs::write(
        ws.join("snapshots/blog-en.new.txt"),
        format!("Updated.\n{old}"),
    )
    .unwrap();
    let out = prov(ws, &["accept"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    old
}

const BLOG_EN_SHA: &str = "1fae29246e3ee8ca927cbe4fdc7ade14259d084d3607f0b11a3c101d52ffdcc7";

#[test]
fn a_pin_edited_to_match_a_tampered_snapshot_is_caught_by_report_verify() {
    let (_tmp, ws) = tiny_ws();
    let report = record(&ws);
    // An uncited sentence of the captured text is changed, and the pin follows it.
    tamper_consistently(
        &ws,
        "blog-en",
        BLOG_EN_SHA,
        "a metal barrel",
        "a plastic bin",
    );

    // prov check alone cannot tell: the snapshot matches its (new) pin, every quote holds.
    // This is the documented limit (docs/guarantees.md); the outside record catches it.
    let out = prov(&ws, &["check"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(!out.all().contains("snapshot-modified"), "{}", out.all());

    let out = prov(&ws, &["report", "--verify", report.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout
            .starts_with("the report does not match this workspace: it names digest "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  sources.toml: changed\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  snapshots/blog-en.txt: changed\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_cited_passage_tampered_with_its_pin_fails_the_citation() {
    // Tampering that touches a cited passage still fails the gate, as a citation finding.
    let (_tmp, ws) = tiny_ws();
    let report = record(&ws);
    tamper_consistently(
        &ws,
        "blog-en",
        BLOG_EN_SHA,
        "within 24 hours",
        "within 48 hours",
    );
    let out = prov(&ws, &["check"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout
            .contains("error[changed]: the quote differs from what `blog-en` says at [21, 60]"),
        "{}",
        out.stdout
    );
    let out = prov(&ws, &["report", "--verify", report.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("  snapshots/blog-en.txt: changed\n"));
}

#[test]
fn a_retained_capture_tampered_is_caught_by_report_verify() {
    // A superseded capture kept by `prov accept`, edited afterwards. When a citation pins it,
    // prov check names it (tests/cases/revision-tampered); the report digest covers it always.
    let (_tmp, ws) = tiny_ws();
    let old = accept_an_update(&ws);
    let kept = ws.join("snapshots/blog-en@1fae29246e3e.txt");
    assert_eq!(fs::read_to_string(&kept).unwrap(), old);
    let report = record(&ws);
    fs::write(&kept, old.replace("metal", "plastic")).unwrap();
    let out = prov(&ws, &["report", "--verify", report.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout
            .contains("  snapshots/blog-en@1fae29246e3e.txt: changed\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_made_up_earlier_capture_passes_check_and_is_caught_by_report_verify() {
    // Issue #13, item 11: an attacker invents an "earlier capture" (a revision whose
    // `superseded_by` is the current pin, and its file) and cites invented text from it. The
    // workspace is consistent: prov check cannot tell (docs/guarantees.md says what a reviewer
    // must look at); the outside record can.
    let (_tmp, ws) = tiny_ws();
    let report = record(&ws);
    let invented = "The embassy was stormed by the army.\n";
    let sha = sha256(invented.as_bytes());
    fs::write(
        ws.join(format!("snapshots/blog-en@{}.txt", &sha[..12])),
        invented,
    )
    .unwrap();
    edit(
        &ws,
        "sources.toml",
        &format!("sha256 = \"{BLOG_EN_SHA}\""),
        &format!(
            "sha256 = \"{BLOG_EN_SHA}\"\n\n[[sources.blog-en.revisions]]\nsha256 = \"{sha}\"\ncaptured = 2026-11-01T10:00:00Z\nsuperseded = 2026-11-22T10:00:00Z\nsuperseded_by = \"{BLOG_EN_SHA}\""
        ),
    );
    let claims = fs::read_to_string(ws.join("claims/embassy.toml")).unwrap();
    fs::write(
        ws.join("claims/embassy.toml"),
        format!(
            "{claims}\n[[claim]]\nid = \"stormed\"\nfact = \"The army stormed the embassy.\"\n\n[[claim.cite]]\nsource = \"blog-en\"\nquote = \"The embassy was stormed by the army.\"\nspan = [0, 36]\nrevision = \"{}\"\n",
            &sha[..12]
        ),
    )
    .unwrap();
    let out = prov(&ws, &["check"]);
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.all());
    assert!(
        !out.all().contains("error["),
        "prov check cannot tell an invented revision from a real one:\n{}",
        out.all()
    );
    let out = prov(&ws, &["report", "--verify", report.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout.contains("  sources.toml: changed\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!(
            "  snapshots/blog-en@{}.txt: added since\n",
            &sha[..12]
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn the_report_shows_context_only_from_bytes_that_still_match_their_pin() {
    // The report reads a source's superseded captures again, after the check, for what each
    // capture changed: a file changed in between is verified again and not shown. (The quotes'
    // context is taken from each text as the check verifies it.)
    let (_tmp, ws) = tiny_ws();
    let old = accept_an_update(&ws);
    let parents = prov::files::Parents::default();
    let text = |ws: &prov::workspace::Workspace, rev: Option<&str>| {
        prov::report::pinned_text(ws, "blog-en", rev, &parents)
    };
    let loaded = prov::workspace::load(&ws).unwrap();
    let current = loaded.source("blog-en").unwrap().sha256.clone();
    assert_eq!(
        text(&loaded, None).as_deref(),
        Some(&*format!("Updated.\n{old}"))
    );
    assert_eq!(text(&loaded, Some(&current)), text(&loaded, None));
    assert_eq!(text(&loaded, Some(BLOG_EN_SHA)).as_deref(), Some(&*old));
    assert_eq!(
        text(&loaded, Some(&"0".repeat(64))),
        None,
        "no such revision"
    );
    // Changed on disk after the workspace was loaded (and checked): neither is shown.
    fs::write(ws.join("snapshots/blog-en.txt"), "Edited.\n").unwrap();
    fs::write(
        ws.join("snapshots/blog-en@1fae29246e3e.txt"),
        old.replace("metal", "plastic"),
    )
    .unwrap();
    assert_eq!(text(&loaded, None), None);
    assert_eq!(text(&loaded, Some(BLOG_EN_SHA)), None);
}
