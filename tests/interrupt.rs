//! Every command that writes, killed at every failpoint on its way (`PROV_FAILPOINT=<point>`
//! aborts the process there, like a crash or `kill -9`), and killed with SIGKILL at moments
//! spread over its run. Afterwards the workspace is the old state, or the new one byte for byte
//! (except `.prov.lock`) once `prov recover` has completed an interrupted journal (which
//! `prov check` reports and leaves alone), or,
//! for `prov add` and `prov init`, once the same command is run again; every file is always
//! either its old or its new version, and `prov check` passes its integrity checks.
//!
//! Failpoints: `journal-before`, `journal-committed`, `journal-copies`, `journal-write`,
//! `journal-rename` (src/journal.rs: accept and multi-file fix); `add-planned`,
//! `add-snapshot-written`, `capture-planned`, `capture-written`, `init-dirs`, `init-files`
//! (src/registry.rs); `hook-backup-written`, `hook-written` (src/hook.rs). A single-file
//! `prov fix` has no failpoint of its own (one atomic write): the SIGKILL loop covers it.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum After {
    /// Nothing changed.
    Old,
    /// Everything changed (the kill came after the last write).
    New,
    /// A journal was committed: `prov check` reports it, `prov recover` completes it.
    Journal,
    /// A prefix of the change is on disk outside any workspace file prov reads (an unregistered
    /// snapshot, directories without sources.toml): the same command, run again, completes it.
    Rerun,
}

struct Scenario {
    name: &'static str,
    setup: fn(&Path),
    args: &'static [&'static str],
    /// The workspace, relative to the directory the command runs in.
    ws: &'static str,
    points: &'static [(&'static str, After)],
}

const WIRE_FR_V2_PREFIX: &str = "Mise à jour : cet article a été corrigé.\n\n";

fn setup_add(dir: &Path) {
    tiny(dir);
    fs::write(
        dir.join("ap.txt"),
        "Iranian diplomats left the embassy on Thursday.\n",
    )
    .unwrap();
}

fn setup_capture(dir: &Path) {
    tiny(dir);
    let old = fs::read_to_string(dir.join("snapshots/wire-fr.txt")).unwrap();
    fs::write(dir.join("v2.txt"), format!("{WIRE_FR_V2_PREFIX}{old}")).unwrap();
}

fn setup_fix_single(dir: &Path) {
    tiny(dir);
    edit(
        dir,
        "claims/facts.toml",
        "span = [116, 140]",
        "span = [115, 139]",
    );
}

fn setup_fix_multi(dir: &Path) {
    setup_fix_single(dir);
    edit(
        dir,
        "claims/embassy.toml",
        "span = [21, 60]",
        "span = [20, 59]",
    );
}

fn setup_accept(dir: &Path) {
    tiny(dir);
    let old = fs::read_to_string(dir.join("snapshots/wire-fr.txt")).unwrap();
    fs::write(
        dir.join("snapshots/wire-fr.new.txt"),
        format!("{WIRE_FR_V2_PREFIX}{old}"),
    )
    .unwrap();
}

fn setup_empty(_: &Path) {}

fn git_init(dir: &Path) -> bool {
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success())
}

fn setup_hook(dir: &Path) {
    tiny(dir);
    assert!(git_init(dir), "git init");
}

fn setup_foreign_hook(dir: &Path) {
    setup_hook(dir);
    let hook = dir.join(".git/hooks/pre-commit");
    fs::write(&hook, "#!/bin/sh\nexec make lint\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
}

const JOURNAL: &[(&str, After)] = &[
    ("journal-before", After::Old),
    ("journal-committed", After::Journal),
    ("journal-copies", After::Journal),
    ("journal-write", After::Journal),
    ("journal-rename", After::Journal),
];

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "init",
        setup: setup_empty,
        args: &["init", "ws"],
        ws: "ws",
        points: &[("init-dirs", After::Rerun), ("init-files", After::Rerun)],
    },
    Scenario {
        name: "add",
        setup: setup_add,
        args: &[
            "add",
            "ap.txt",
            "--id",
            "ap-embassy",
            "--outlet",
            "apnews.com",
        ],
        ws: "",
        points: &[
            ("add-planned", After::Old),
            ("add-snapshot-written", After::Rerun),
        ],
    },
    Scenario {
        name: "capture",
        setup: setup_capture,
        args: &["capture", "wire-fr", "v2.txt"],
        ws: "",
        points: &[
            ("capture-planned", After::Old),
            ("capture-written", After::New),
        ],
    },
    Scenario {
        name: "fix (one file)",
        setup: setup_fix_single,
        args: &["fix"],
        ws: "",
        points: &[],
    },
    Scenario {
        name: "fix (two files)",
        setup: setup_fix_multi,
        args: &["fix"],
        ws: "",
        // A fix renames nothing: `journal-rename` is never reached.
        points: &[
            ("journal-before", After::Old),
            ("journal-committed", After::Journal),
            ("journal-copies", After::Journal),
            ("journal-write", After::Journal),
        ],
    },
    Scenario {
        name: "accept",
        setup: setup_accept,
        args: &["accept"],
        ws: "",
        points: JOURNAL,
    },
];

/// Fails today at `hook-written` on a fresh install: the hook is written (mode 0644), then
/// made executable; killed in between, it is a hook git ignores. Writing it executable before
/// the rename (the temporary file's mode) makes the install atomic.
const HOOK_SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "hook install",
        setup: setup_hook,
        args: &["hook", "install"],
        ws: "",
        points: &[("hook-written", After::New)],
    },
    Scenario {
        name: "hook install --force over a foreign hook",
        setup: setup_foreign_hook,
        args: &["hook", "install", "--force"],
        ws: "",
        points: &[
            ("hook-backup-written", After::Rerun),
            ("hook-written", After::New),
        ],
    },
];

/// The old and the new state of a scenario, from an uninterrupted run.
fn reference(s: &Scenario) -> (Tree, Tree) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    (s.setup)(dir);
    let old = tree(dir);
    let out = prov(dir, s.args);
    assert_eq!(
        out.code,
        Some(0),
        "{}: the whole run fails:\n{}",
        s.name,
        out.all()
    );
    let new = tree(dir);
    assert_ne!(old, new, "{}: the run changed nothing", s.name);
    assert_intact(&dir.join(s.ws), &format!("{}: after a whole run", s.name));
    (old, new)
}

/// Every entry of `now` is its old or its new version: no file is half written or mixed.
fn assert_each_file_old_or_new(now: &Tree, old: &Tree, new: &Tree, when: &str) {
    for (path, node) in now {
        if path.ends_with(".prov-journal.json") {
            continue; // the record of a committed change, checked by completing it
        }
        assert!(
            old.get(path) == Some(node) || new.get(path) == Some(node),
            "{when}: {path} is neither its old nor its new version"
        );
    }
}

/// Check a workspace interrupted by a failpoint or a kill, and complete it if it is meant to
/// be completed. Returns which state it was found in.
fn settle(
    s: &Scenario,
    dir: &Path,
    old: &Tree,
    new: &Tree,
    expected: Option<After>,
    when: &str,
) -> After {
    let mut now = tree(dir);
    let temps = take_temp_files(&mut now);
    if expected.is_some() {
        assert!(temps.is_empty(), "{when}: temporary files left: {temps:?}");
    }
    assert_each_file_old_or_new(&now, old, new, when);
    let journal = dir.join(s.ws).join(".prov-journal.json").exists();
    let found = if now == *old {
        After::Old
    } else if now == *new {
        After::New
    } else if journal {
        After::Journal
    } else {
        After::Rerun
    };
    if let Some(e) = expected {
        assert_eq!(found, e, "{when}: {:?}", differences(old, &now));
    }
    let ws = dir.join(s.ws);
    match found {
        After::Old | After::New => assert_intact(&ws, when),
        After::Journal => {
            // A reader reports it and changes nothing; `prov recover` completes it.
            let out = prov(&ws, &["check"]);
            assert!(
                out.stdout.contains("error[interrupted-write]"),
                "{when}: the journal was not reported:\n{}",
                out.all()
            );
            let mut unchanged = tree(dir);
            take_temp_files(&mut unchanged);
            assert_eq!(unchanged, now, "{when}: prov check wrote");
            let out = prov(&ws, &["recover"]);
            assert!(
                out.stdout.contains("completed an interrupted"),
                "{when}: the journal was not completed:\n{}",
                out.all()
            );
            let mut after = tree(dir);
            take_temp_files(&mut after);
            assert_eq!(after, *new, "{when}: {:?}", differences(new, &after));
            assert_intact(&ws, when);
        }
        After::Rerun => {
            if ws.join("sources.toml").exists() {
                // The part already written is outside what prov reads as evidence.
                assert_intact(&ws, when);
            } else {
                // Not a workspace yet: prov refuses it rather than reading half of one.
                let out = prov(
                    dir,
                    &["-C", if s.ws.is_empty() { "." } else { s.ws }, "check"],
                );
                assert_eq!(out.code, Some(2), "{when}:\n{}", out.all());
                assert!(
                    out.stderr.contains("is not a prov workspace"),
                    "{when}:\n{}",
                    out.all()
                );
            }
            let out = prov(dir, s.args);
            assert_eq!(
                out.code,
                Some(0),
                "{when}: running it again fails:\n{}",
                out.all()
            );
            let mut after = tree(dir);
            take_temp_files(&mut after);
            assert_eq!(after, *new, "{when}: rerun: {:?}", differences(new, &after));
            assert_intact(&ws, when);
        }
    }
    found
}

fn failpoints(scenarios: &[Scenario]) {
    for s in scenarios {
        let (old, new) = reference(s);
        for &(point, after) in s.points {
            let when = format!("{} killed at {point}", s.name);
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path();
            (s.setup)(dir);
            let out = prov_env(dir, s.args, &[("PROV_FAILPOINT", point)]);
            assert_eq!(
                out.code,
                None,
                "{when}: the failpoint was not reached; the run ended:\n{}",
                out.all()
            );
            settle(s, dir, &old, &new, Some(after), &when);
            if s.name == "add" && after == After::Rerun {
                // The rerun adopted the snapshot the interrupted add had written.
                let tmp = tempfile::tempdir().unwrap();
                (s.setup)(tmp.path());
                prov_env(tmp.path(), s.args, &[("PROV_FAILPOINT", point)]);
                assert!(
                    tmp.path().join("snapshots/ap-embassy.txt").exists(),
                    "{when}"
                );
                let out = prov(tmp.path(), s.args);
                assert!(
                    out.stdout.contains("already in place"),
                    "{when}: the orphan snapshot was not adopted:\n{}",
                    out.all()
                );
            }
        }
    }
}

#[test]
fn every_writing_command_killed_at_every_failpoint_leaves_old_or_new() {
    failpoints(SCENARIOS);
}

#[test]
fn hook_install_killed_at_every_failpoint_leaves_old_or_new() {
    let probe = tempfile::tempdir().unwrap();
    if !git_init(probe.path()) {
        eprintln!("skipped: git is not available");
        return;
    }
    failpoints(HOOK_SCENARIOS);
}

/// SIGKILL at moments spread over a run (and a little past it), for each command.
#[test]
fn sigkill_at_any_moment_leaves_old_or_new() {
    const KILLS: u32 = 12;
    for s in SCENARIOS.iter().filter(|s| s.name != "init") {
        let (old, new) = reference(s);
        // How long an uninterrupted run takes here.
        let mut took = Duration::ZERO;
        for _ in 0..3 {
            let tmp = tempfile::tempdir().unwrap();
            (s.setup)(tmp.path());
            let t = Instant::now();
            prov(tmp.path(), s.args);
            took = took.max(t.elapsed());
        }
        let mut seen = Vec::new();
        for i in 0..KILLS {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path();
            (s.setup)(dir);
            let delay = took.mul_f64(1.2 * f64::from(i) / f64::from(KILLS));
            let mut child = command(dir, s.args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = child.kill();
            child.wait().unwrap();
            let when = format!("{} killed after {delay:?}", s.name);
            seen.push(settle(s, dir, &old, &new, None, &when));
        }
        eprintln!(
            "{}: a run takes {took:?}; states after the kills: {seen:?}",
            s.name
        );
    }
}
