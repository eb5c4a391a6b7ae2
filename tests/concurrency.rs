//! Writers are serialised by `.prov.lock` (an OS file lock that dies with its holder), with a
//! clear message on contention; readers wait for a writer so they never see a half-applied
//! change. The test process holds the lock itself (`File::lock`), starts prov, and watches it
//! wait, then releases the lock and watches it finish.

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::*;

const WAITING: &str =
    "note: waiting for another prov command to finish changing this workspace (.prov.lock)";

/// Take the workspace lock exclusively, as a writing prov command does.
fn hold_lock(ws: &Path) -> File {
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(ws.join(".prov.lock"))
        .unwrap();
    f.lock().unwrap();
    f
}

/// Hold the lock, start `first` then `second`, see both wait for it, release it, and return
/// how each ended (exit code, stdout, stderr).
fn both_wait_for_the_lock(ws: &Path, first: &[&str], second: &[&str]) -> (Ended, Ended) {
    let lock = hold_lock(ws);
    let mut a = start(ws, first);
    let mut b = start(ws, second);
    a.expect_line(WAITING);
    b.expect_line(WAITING);
    drop(lock);
    (a.finish(), b.finish())
}

/// How a run ended: exit code, stdout, all of stderr.
type Ended = (Option<i32>, String, String);

/// A running prov whose stderr lines arrive on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
}

fn start(ws: &Path, args: &[&str]) -> Running {
    let mut child = command(ws, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Running {
        child,
        lines,
        stderr: Vec::new(),
    }
}

impl Running {
    /// Wait (up to 20 s) for a stderr line containing `text`.
    fn expect_line(&mut self, text: &str) {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.stderr.push(line);
                    if found {
                        return;
                    }
                }
                Err(e) => panic!("no line {text:?} ({e}); stderr so far: {:?}", self.stderr),
            }
        }
    }

    fn still_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Wait for the end: exit code, stdout, all of stderr.
    fn finish(mut self) -> Ended {
        let status = self.child.wait().unwrap();
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(line);
        }
        (status.code(), stdout, self.stderr.join("\n"))
    }
}

#[test]
fn add_waits_for_the_lock_then_completes() {
    let tmp = tiny_tempdir();
    let ws = tmp.path();
    fs::write(ws.join("ap.txt"), "Iranian diplomats left the embassy.\n").unwrap();
    let before = fs::read(ws.join("sources.toml")).unwrap();
    let lock = hold_lock(ws);
    let mut run = start(
        ws,
        &["add", "ap.txt", "--id", "ap", "--outlet", "apnews.com"],
    );
    run.expect_line(WAITING);
    thread::sleep(Duration::from_millis(300));
    assert!(
        run.still_running(),
        "prov add finished while the lock was held"
    );
    assert_eq!(fs::read(ws.join("sources.toml")).unwrap(), before);
    assert!(!ws.join("snapshots/ap.txt").exists());
    drop(lock);
    let (code, stdout, stderr) = run.finish();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("added source `ap`"), "{stdout}");
    assert!(ws.join("snapshots/ap.txt").exists());
    assert_intact(ws, "after the add");
}

#[test]
fn a_reader_waits_for_a_writer() {
    let tmp = tiny_tempdir();
    let ws = tmp.path();
    let lock = hold_lock(ws);
    let mut run = start(ws, &["check"]);
    run.expect_line(WAITING);
    thread::sleep(Duration::from_millis(300));
    assert!(
        run.still_running(),
        "prov check read while a writer held the lock"
    );
    drop(lock);
    let (code, stdout, stderr) = run.finish();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}

/// Two moved spans in two claim files.
fn two_files_to_fix(ws: &Path) {
    tiny(ws);
    edit(
        ws,
        "claims/facts.toml",
        "span = [116, 140]",
        "span = [115, 139]",
    );
    edit(
        ws,
        "claims/embassy.toml",
        "span = [21, 60]",
        "span = [20, 59]",
    );
}

/// The workspace after one `prov fix`.
fn fixed_once() -> Tree {
    let tmp = tempfile::tempdir().unwrap();
    two_files_to_fix(tmp.path());
    let out = prov(tmp.path(), &["fix"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("fixed 2 citations"), "{}", out.stdout);
    tree(tmp.path())
}

#[test]
fn two_fixes_at_once_are_serialised() {
    let expected = fixed_once();

    // Both start while the lock is held: both wait, then run one after the other.
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    two_files_to_fix(ws);
    let ((ca, oa, ea), (cb, ob, eb)) = both_wait_for_the_lock(ws, &["fix"], &["fix"]);
    assert_eq!((ca, cb), (Some(0), Some(0)), "{oa}{ea}\n{ob}{eb}");
    let mut said: Vec<&str> = [&oa, &ob]
        .iter()
        .map(|o| {
            if o.contains("fixed 2 citations") {
                "fixed 2"
            } else if o.contains("fixed 0 citations") {
                "fixed 0"
            } else {
                "other"
            }
        })
        .collect();
    said.sort();
    assert_eq!(said, ["fixed 0", "fixed 2"], "{oa}\n{ob}");
    let mut now = tree(ws);
    assert!(take_temp_files(&mut now).is_empty());
    assert_eq!(now, expected, "{:?}", differences(&expected, &now));

    // Started together without help: the same result every time.
    for round in 0..6 {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path();
        two_files_to_fix(ws);
        let a = start(ws, &["fix"]);
        let b = start(ws, &["fix"]);
        let (ca, oa, ea) = a.finish();
        let (cb, ob, eb) = b.finish();
        assert_eq!(
            (ca, cb),
            (Some(0), Some(0)),
            "round {round}:\n{oa}{ea}\n{ob}{eb}"
        );
        let now = tree(ws);
        assert_eq!(
            now,
            expected,
            "round {round}: {:?}",
            differences(&expected, &now)
        );
    }
}

#[test]
fn accept_during_capture_is_one_after_the_other() {
    // Setup: a pending capture of wire-fr (a notice pushes every passage down); a newer
    // version of it, v3.txt, is being captured while `prov accept` runs.
    let setup = |ws: &Path| {
        tiny(ws);
        let old = fs::read_to_string(ws.join("snapshots/wire-fr.txt")).unwrap();
        fs::write(
            ws.join("snapshots/wire-fr.new.txt"),
            format!("Mise à jour.\n\n{old}"),
        )
        .unwrap();
        fs::write(
            ws.join("v3.txt"),
            format!("Mise à jour : corrigé.\n\n{old}"),
        )
        .unwrap();
    };
    // The two possible serial orders.
    let serial = |first: &[&str], second: &[&str]| -> Tree {
        let tmp = tempfile::tempdir().unwrap();
        setup(tmp.path());
        prov(tmp.path(), first);
        prov(tmp.path(), second);
        tree(tmp.path())
    };
    let capture: &[&str] = &["capture", "wire-fr", "v3.txt"];
    let accept: &[&str] = &["accept"];
    let capture_first = serial(capture, accept);
    let accept_first = serial(accept, capture);
    assert_ne!(capture_first, accept_first);

    for round in 0..4 {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path();
        setup(ws);
        let ((cc, oc, ec), (ca, oa, ea)) = both_wait_for_the_lock(ws, capture, accept);
        assert_eq!((cc, ca), (Some(0), Some(0)), "{oc}{ec}\n{oa}{ea}");
        let now = tree(ws);
        assert!(
            now == capture_first || now == accept_first,
            "round {round}: not a serial outcome: {:?}",
            differences(&capture_first, &now)
        );
        assert_intact(ws, "after capture and accept");
    }
}
