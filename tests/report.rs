//! `prov report`: byte-identical output for the same workspace in every format, no clock but
//! SOURCE_DATE_EPOCH, and a digest that `--verify` confirms and that names what changed.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::example;

fn report(dir: &Path, args: &[&str], epoch: Option<&str>) -> (i32, Vec<u8>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prov"));
    cmd.arg("report")
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[test]
fn every_format_is_deterministic_and_shows_no_clock() {
    let tmp = tempfile::tempdir().unwrap();
    example(tmp.path());
    for format in ["md", "html", "json", "w3c"] {
        let (code, a) = report(tmp.path(), &["--format", format], None);
        assert_eq!(code, 0, "{format}");
        let (_, b) = report(tmp.path(), &["--format", format], None);
        assert_eq!(a, b, "{format}: two runs differ");
        let text = String::from_utf8(a).unwrap();
        assert!(!text.contains("2026-11-23T12:00:00Z"), "{format}");
        let (_, c) = report(tmp.path(), &["--format", format], Some("1795435200"));
        let with_time = String::from_utf8(c).unwrap();
        if format != "w3c" {
            assert!(
                with_time.contains("2026-11-23T12:00:00Z"),
                "{format}: SOURCE_DATE_EPOCH"
            );
        }
    }
    // Every claim of the example appears in the HTML.
    let (_, html) = report(tmp.path(), &["--format", "html"], None);
    let html = String::from_utf8(html).unwrap();
    let claims = fs::read_dir(tmp.path().join("claims")).unwrap();
    let mut n = 0;
    for f in claims {
        let text = fs::read_to_string(f.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| l.starts_with("id = \"")) {
            let id = line.trim_start_matches("id = \"").trim_end_matches('"');
            assert!(html.contains(&format!("id=\"claim-{id}\"")), "{id}");
            n += 1;
        }
    }
    assert!(n >= 25);
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("src=\"http"), "no external assets");
}

#[test]
fn verify_confirms_the_workspace_and_names_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    example(dir);
    let (code, json) = report(dir, &["--format", "json"], None);
    assert_eq!(code, 0);
    fs::write(dir.join("report.json"), &json).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_prov"))
        .args(["report", "--verify", "report.json"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("matches this workspace"));

    // The report file itself is not part of the workspace; a snapshot is.
    let p = dir.join("snapshots/afp-breaks-ties.txt");
    let mut bytes = fs::read(&p).unwrap();
    bytes.push(b' ');
    fs::write(&p, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_prov"))
        .args(["report", "--verify", "report.json"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("does not match"), "{text}");
    assert!(
        text.contains("snapshots/afp-breaks-ties.txt: changed"),
        "{text}"
    );
    assert_eq!(text.matches(": changed").count(), 1, "{text}");
}
