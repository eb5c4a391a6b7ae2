//! `prov fix` round trip on a copy of the example workspace: break spans, fix, and check that
//! the workspace passes again and that nothing but the spans changed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::example;

fn prov(ws: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prov"))
        .args(args)
        .current_dir(ws)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn claim_files(ws: &Path) -> Vec<(PathBuf, String)> {
    let mut files: Vec<_> = fs::read_dir(ws.join("claims"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let t = fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect()
}

/// Rewrite every `span = [a, b]` line with `f` (returning None drops the line).
fn rewrite_spans(text: &str, mut f: impl FnMut(usize, usize, usize) -> Option<String>) -> String {
    let mut n = 0;
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("span = [") {
            let inner = &rest[..rest.find(']').unwrap()];
            let (a, b) = inner.split_once(", ").unwrap();
            let tail = &rest[rest.find(']').unwrap() + 1..];
            n += 1;
            if let Some(new) = f(n, a.parse().unwrap(), b.parse().unwrap()) {
                out.push_str(&new);
                out.push_str(tail);
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

#[test]
fn shifted_spans_are_restored_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    example(ws);
    let original = claim_files(ws);
    let mut broken = 0;
    for (path, text) in &original {
        let shifted = rewrite_spans(text, |n, a, b| {
            broken += 1;
            // Shift forwards or backwards by a few code points.
            let d = 1 + n % 5;
            Some(if n % 2 == 0 || a < d {
                format!("span = [{}, {}]", a + d, b + d)
            } else {
                format!("span = [{}, {}]", a - d, b - d)
            })
        });
        fs::write(path, shifted).unwrap();
    }
    assert!(broken >= 25, "the example should have many spans to break");
    let (code, out) = prov(ws, &["check"]);
    assert_eq!(code, 1, "broken spans must fail the gate:\n{out}");
    assert_eq!(out.matches("error[moved]").count(), broken, "{out}");

    let (code, out) = prov(ws, &["fix"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("fixed {broken} citations")), "{out}");
    let (code, out) = prov(ws, &["check"]);
    assert_eq!(code, 0, "{out}");
    // Comments, key order, layout: byte for byte what it was.
    assert_eq!(claim_files(ws), original);
}

#[test]
fn removed_spans_are_filled_and_nothing_else_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    example(ws);
    let original = claim_files(ws);
    for (path, text) in &original {
        let drafted = rewrite_spans(text, |n, a, b| {
            (n % 3 != 0).then(|| format!("span = [{a}, {b}]"))
        });
        fs::write(path, drafted).unwrap();
    }
    let (code, out) = prov(ws, &["check"]);
    assert_eq!(code, 0, "unanchored citations are warnings:\n{out}");
    assert!(out.contains("warning[unanchored]"), "{out}");

    let (code, out) = prov(ws, &["fix"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = prov(ws, &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning["), "{out}");
    let without_spans = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with("span = "))
            .map(str::to_string)
            .collect()
    };
    for ((path, before), (_, after)) in original.iter().zip(claim_files(ws)) {
        assert_eq!(
            without_spans(before),
            without_spans(&after),
            "{}: only span lines may change",
            path.display()
        );
        // Every span is back, with its original value.
        let spans = |t: &str| {
            let mut v: Vec<String> = t
                .lines()
                .filter(|l| l.starts_with("span = "))
                .map(str::to_string)
                .collect();
            v.sort();
            v
        };
        assert_eq!(spans(before), spans(&after), "{}", path.display());
    }
}
