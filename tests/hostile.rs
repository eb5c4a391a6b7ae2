//! Attacks on prov, built as an attacker would build them (issue #13): a crafted workspace, a
//! crafted source. Every test places the workspace inside a sentinel directory with files of its
//! own, and asserts what docs/guarantees.md promises: nothing outside the workspace changes,
//! nothing inside changes for a command that only reads, no raw control character reaches
//! stdout or stderr, no panic, and the expected message.

mod common;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A workspace (`ws/`) inside a sentinel directory that also holds files an attacker would
/// like to reach: `outside/secret.txt` and `outside/hooks/`.
struct Sentinel {
    _dir: tempfile::TempDir,
    outer: PathBuf,
    ws: PathBuf,
}

impl Sentinel {
    fn tiny() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path().to_path_buf();
        fs::create_dir_all(outer.join("outside/hooks")).unwrap();
        fs::write(
            outer.join("outside/secret.txt"),
            "the attacker wants this\n",
        )
        .unwrap();
        fs::write(
            outer.join("outside/payload.toml"),
            "[[claim]]\nid = \"x\"\n",
        )
        .unwrap();
        let ws = outer.join("ws");
        fs::create_dir(&ws).unwrap();
        tiny(&ws);
        Sentinel {
            _dir: dir,
            outer,
            ws,
        }
    }

    /// Everything under the sentinel directory (the workspace included).
    fn all(&self) -> Tree {
        tree(&self.outer)
    }

    /// Everything under the sentinel directory but the workspace.
    fn outside(&self) -> Tree {
        let mut t = tree(&self.outer);
        t.retain(|k, _| !(k == "ws" || k.starts_with("ws/")));
        t
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.ws.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

/// What a run wrote, as raw bytes, and how it ended.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

/// Run prov in `dir`, killing it after a generous hang guard (no timing is asserted: a run
/// that needs the guard is a hang).
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        out.read_to_end(&mut b).unwrap();
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        err.read_to_end(&mut b).unwrap();
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("prov {args:?} hung: killed after 120 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code(),
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_env(dir, args, &[])
}

/// Must never be written raw (the definition in src/escape.rs, restated independently).
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || ('\u{200b}'..='\u{200d}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
        || c == '\u{feff}'
}

/// No panic (exit 101 or a signal) and no raw unsafe byte or character on stdout or stderr.
fn assert_clean(r: &Run, what: &str) {
    assert!(
        matches!(r.code, Some(0..=2)),
        "{what}: exit {:?} (a panic or a signal):\n{}",
        r.code,
        r.text()
    );
    for (name, bytes) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        // Bytes first: a C1 control is two bytes in UTF-8, a raw ESC one.
        let text = String::from_utf8_lossy(bytes);
        let raw: Vec<(usize, char)> = text.char_indices().filter(|&(_, c)| is_unsafe(c)).collect();
        assert!(
            raw.is_empty(),
            "{what}: raw control characters on {name} at {:?}:\n{}",
            &raw[..raw.len().min(10)],
            text.escape_debug()
        );
    }
}

/// The commands that only read, in every format.
const READERS: &[&[&str]] = &[
    &["check"],
    &["check", "--format", "json"],
    &["check", "--format", "sarif"],
    &["check", "--format", "github"],
    &["check", "claims/facts.toml"],
    &["diff"],
    &["report"],
    &["report", "--format", "html"],
    &["report", "--format", "json"],
    &["report", "--format", "w3c"],
    &["fix", "--dry-run"],
    &["fix", "--dry-run", "--typography"],
];

/// Journals an attacker could commit, each aiming at something outside what prov writes.
fn hostile_journals(outer: &Path) -> Vec<(&'static str, String)> {
    let secret = outer.join("outside/secret.txt");
    let abs = secret.display().to_string();
    let sha_tiny = "609bf2c4e087ef1d04cc236c99ca06a570447d6a1f579d09b77fd5397269af5a";
    let facts = fs::read_to_string(repo().join("tests/fixtures/tiny/claims/facts.toml")).unwrap();
    let step = |from: &str, to: &str| {
        format!(
            r#"{{"version": 1, "command": "accept", "copies": [], "writes": [], "renames": [{{"from": {}, "to": {}, "sha256": "{sha_tiny}"}}]}}"#,
            serde_json::to_string(from).unwrap(),
            serde_json::to_string(to).unwrap()
        )
    };
    let write = |path: &str, old: &str| {
        format!(
            r#"{{"version": 1, "command": "fix", "copies": [], "writes": [{{"path": {}, "old": {}, "new": "pwned\n"}}], "renames": []}}"#,
            serde_json::to_string(path).unwrap(),
            serde_json::to_string(old).unwrap()
        )
    };
    vec![
        ("an absolute path", write(&abs, "the attacker wants this\n")),
        (
            "a path up out of the workspace",
            write("../outside/secret.txt", "the attacker wants this\n"),
        ),
        (
            "a claim path that climbs out",
            write(
                "claims/../../outside/payload.toml",
                "[[claim]]\nid = \"x\"\n",
            ),
        ),
        ("a git hook", write(".git/hooks/pre-commit", "")),
        (
            "a file moved in from outside",
            step("../outside/secret.txt", "snapshots/wire-fr.txt"),
        ),
        (
            "a snapshot renamed onto sources.toml",
            step("snapshots/wire-fr.new.txt", "sources.toml"),
        ),
        (
            "a claim file swapped for a passing one",
            write("claims/facts.toml", &facts),
        ),
    ]
}

#[test]
fn a_journal_is_never_applied_by_a_command_that_only_reads() {
    let s = Sentinel::tiny();
    for (what, journal) in hostile_journals(&s.outer) {
        s.write(".prov-journal.json", &journal);
        let before = s.all();
        for args in READERS {
            let r = run(&s.ws, args);
            let when = format!("{what}: prov {}", args.join(" "));
            assert_clean(&r, &when);
            assert_eq!(s.all(), before, "{when}: files changed");
            assert_eq!(r.code, Some(1), "{when}: the gate must fail:\n{}", r.text());
            if args[0] == "check" && args.len() == 1 {
                assert!(
                    r.text().contains("error[interrupted-write]"),
                    "{when}:\n{}",
                    r.text()
                );
            }
        }
    }
}

#[test]
fn a_writer_refuses_a_journal_that_reaches_beyond_what_prov_writes() {
    let s = Sentinel::tiny();
    fs::write(s.ws.join("ap.txt"), "Iranian diplomats left.\n").unwrap();
    let journals = hostile_journals(&s.outer);
    // The last one is a well-formed journal: a writer may complete it (it writes only a claim
    // file, with what the journal says), which is what the gate's failure is for.
    for (what, journal) in &journals[..journals.len() - 1] {
        s.write(".prov-journal.json", journal);
        let before = s.all();
        for args in [
            &["recover"][..],
            &["add", "ap.txt", "--id", "ap", "--outlet", "apnews.com"],
            &["fix"],
            &["accept"],
        ] {
            let r = run(&s.ws, args);
            let when = format!("{what}: prov {}", args.join(" "));
            assert_clean(&r, &when);
            assert_eq!(r.code, Some(2), "{when}:\n{}", r.text());
            let text = r.text();
            assert!(
                text.contains("error: .prov-journal.json:1:"),
                "{when}: the message must say where the journal is wrong:\n{text}"
            );
            assert!(
                text.contains("prov wrote nothing and left .prov-journal.json as it is"),
                "{when}:\n{text}"
            );
            assert_eq!(s.all(), before, "{when}: files changed");
        }
    }
}

#[test]
fn a_journal_step_that_disagrees_with_the_files_moves_nothing() {
    let s = Sentinel::tiny();
    let old = fs::read(s.ws.join("snapshots/wire-fr.txt")).unwrap();
    let sha = "609bf2c4e087ef1d04cc236c99ca06a570447d6a1f579d09b77fd5397269af5a";
    s.write("snapshots/wire-fr.new.txt", "Un autre texte.\n");
    // The copy is good; the rename names a sha256 the capture does not have.
    let journal = format!(
        r#"{{"version": 1, "command": "accept",
  "copies": [{{"from": "snapshots/wire-fr.txt", "to": "snapshots/wire-fr@{}.txt", "sha256": "{sha}"}}],
  "writes": [],
  "renames": [{{"from": "snapshots/wire-fr.new.txt", "to": "snapshots/wire-fr.txt", "sha256": "{}"}}]}}"#,
        &sha[..12],
        "0".repeat(64)
    );
    s.write(".prov-journal.json", &journal);
    let before = s.all();
    let r = run(&s.ws, &["recover"]);
    assert_clean(&r, "recover");
    assert_eq!(r.code, Some(2), "{}", r.text());
    assert!(
        r.text()
            .contains("snapshots/wire-fr.new.txt: it does not hold the capture to promote"),
        "{}",
        r.text()
    );
    assert_eq!(
        s.all(),
        before,
        "the good copy was made before the bad rename was seen"
    );
    assert_eq!(fs::read(s.ws.join("snapshots/wire-fr.txt")).unwrap(), old);
}

#[cfg(unix)]
#[test]
fn a_journal_through_a_symlink_is_refused() {
    let s = Sentinel::tiny();
    std::os::unix::fs::symlink(s.outer.join("outside"), s.ws.join("claims/desk")).unwrap();
    let journal = r#"{"version": 1, "command": "fix", "copies": [], "writes": [{"path": "claims/desk/payload.toml", "old": "[[claim]]\nid = \"x\"\n", "new": "pwned"}], "renames": []}"#;
    s.write(".prov-journal.json", journal);
    let before = s.all();
    let r = run(&s.ws, &["recover"]);
    assert_clean(&r, "recover");
    assert_eq!(r.code, Some(2), "{}", r.text());
    assert!(
        r.text().contains("goes through a symbolic link"),
        "{}",
        r.text()
    );
    assert_eq!(s.all(), before);
    // A journal that is itself a link is not followed either.
    fs::remove_file(s.ws.join(".prov-journal.json")).unwrap();
    fs::write(s.outer.join("outside/journal.json"), journal).unwrap();
    std::os::unix::fs::symlink(
        s.outer.join("outside/journal.json"),
        s.ws.join(".prov-journal.json"),
    )
    .unwrap();
    let before = s.all();
    let r = run(&s.ws, &["recover"]);
    assert_eq!(r.code, Some(2), "{}", r.text());
    assert!(r.text().contains("is a symbolic link"), "{}", r.text());
    assert_eq!(s.all(), before);
}

/// Every C0 and C1 control, DEL, the separators, and the bidi and zero-width characters.
fn unsafe_chars() -> Vec<char> {
    (0u32..0x20)
        .chain(0x7f..0xa0)
        .chain([
            0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029,
        ])
        .chain(0x202a..0x202f)
        .chain(0x2060..0x2065)
        .chain(0x2066..0x206a)
        .chain([0xfeff])
        .filter_map(char::from_u32)
        .filter(|&c| c != '\n' && c != '\t')
        .collect()
}

/// A TOML basic string holding `s`, every non-printable character escaped.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || is_unsafe(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The tiny workspace with `hostile` in the places a workspace's text reaches the output: a
/// quote (and the same passage in the snapshot, so it is `ok`), a misquote, the fact, a note, a
/// pending capture (diff hunks), and a claim file's name.
fn poison(s: &Sentinel, hostile: &str) {
    let clean: String = hostile.chars().filter(|&c| c != '\0').collect();
    let text = format!("Avant. Le texte{clean}piégé est ici. Après.\n");
    fs::write(s.ws.join("snapshots/blog-en.txt"), &text).unwrap();
    let sha = sha256(text.as_bytes());
    edit(
        &s.ws,
        "sources.toml",
        "sha256 = \"1fae29246e3ee8ca927cbe4fdc7ade14259d084d3607f0b11a3c101d52ffdcc7\"",
        &format!("sha256 = \"{sha}\""),
    );
    let quote = format!("Le texte{clean}piégé est ici.");
    s.write(
        "claims/embassy.toml",
        &format!(
            "[[claim]]\nid = \"embassy-closed\"\nfact = {}\nnote = {}\n\n[[claim.cite]]\nsource = \"blog-en\"\nquote = {}\n\n[[claim.cite]]\nsource = \"blog-en\"\nquote = {}\n",
            toml_str(&format!("Fact{hostile}text")),
            toml_str(&format!("Note{hostile}text")),
            toml_str(&quote),
            toml_str(&format!("Le texte{hostile}piégé est là."))
        ),
    );
    fs::write(
        s.ws.join("snapshots/blog-en.new.txt"),
        format!("Avant. Un ajout{clean}. Le texte{clean}piégé est ici. Après.\n"),
    )
    .unwrap();
}

fn sha256(b: &[u8]) -> String {
    prov::snapshot::sha256_hex(b)
}

#[test]
fn no_control_character_reaches_the_terminal_in_any_format() {
    let all: String = unsafe_chars().into_iter().collect();
    let s = Sentinel::tiny();
    poison(&s, &all);
    let before = s.all();
    for args in READERS {
        let r = run(&s.ws, args);
        assert_clean(&r, &format!("prov {}", args.join(" ")));
    }
    assert_eq!(s.all(), before, "a reader wrote");
    // One character at a time too, through the human outputs (the ones a terminal shows).
    for c in unsafe_chars() {
        let s = Sentinel::tiny();
        poison(&s, &c.to_string());
        for args in [
            &["check"][..],
            &["diff"],
            &["report"],
            &["fix", "--dry-run"],
        ] {
            let r = run(&s.ws, args);
            assert_clean(&r, &format!("U+{:04X}: prov {}", c as u32, args.join(" ")));
        }
    }
}

/// With colour on, the only escape sequences are prov's own SGR colours: one planted in the
/// workspace (a colour prov never uses) never comes through raw.
#[test]
fn with_colour_only_prov_styles_the_output() {
    let planted = "\u{1b}[38;5;99m";
    let hostile: String = unsafe_chars().into_iter().collect::<String>() + planted;
    let s = Sentinel::tiny();
    poison(&s, &hostile);
    for args in READERS {
        let mut args = args.to_vec();
        args.extend(["--color", "always"]);
        let r = run(&s.ws, &args);
        let what = format!("prov {}", args.join(" "));
        assert!(matches!(r.code, Some(0..=2)), "{what}:\n{}", r.text());
        for bytes in [&r.stdout, &r.stderr] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains(planted),
                "{what}: the planted colour came through"
            );
            let mut rest = text.as_ref();
            while let Some(at) = rest.find('\u{1b}') {
                rest = &rest[at + 1..];
                let params = rest.strip_prefix('[').map(|r| {
                    r.bytes()
                        .take_while(|b| b.is_ascii_digit() || *b == b';')
                        .count()
                });
                assert!(
                    params.is_some_and(|n| rest.as_bytes().get(1 + n) == Some(&b'm')),
                    "{what}: an escape sequence that is not a colour: {:?}",
                    &rest[..rest.len().min(20)]
                );
            }
            let raw: Vec<char> = text
                .chars()
                .filter(|&c| is_unsafe(c) && c != '\u{1b}')
                .collect();
            assert!(raw.is_empty(), "{what}: raw {raw:?}");
        }
    }
}

#[test]
fn writers_print_no_control_character_either() {
    let all: String = unsafe_chars().into_iter().collect();
    let s = Sentinel::tiny();
    poison(&s, &all);
    let outside = s.outside();
    let r = run(&s.ws, &["accept", "--keep-broken"]);
    assert_clean(&r, "accept");
    let doc = format!("Un document{}.\n", all.replace('\0', ""));
    fs::write(s.ws.join("doc.txt"), &doc).unwrap();
    let r = run(&s.ws, &["capture", "wire-fr", "doc.txt"]);
    assert_clean(&r, "capture");
    let r = run(
        &s.ws,
        &["add", "doc.txt", "--id", "doc", "--outlet", "x.example"],
    );
    assert_clean(&r, "add");
    let r = run(&s.ws, &["fix", "--typography"]);
    assert_clean(&r, "fix");
    assert_eq!(s.outside(), outside, "a writer wrote outside the workspace");
}

#[test]
fn a_name_with_a_control_character_is_refused_where_it_is() {
    for (field, file) in [
        ("outlet = \"blog.example\"", "sources.toml"),
        ("said_by = \"NCRI\"", "claims/embassy.toml"),
    ] {
        let s = Sentinel::tiny();
        let (key, _) = field.split_once(" = ").unwrap();
        edit(
            &s.ws,
            file,
            field,
            &format!("{key} = \"x\\nerror[fake]: all good\\u001b[2K\""),
        );
        let r = run(&s.ws, &["check"]);
        assert_clean(&r, field);
        assert_eq!(r.code, Some(2), "{}", r.text());
        let text = r.text();
        assert!(
            text.contains(&format!(
                "error[invalid-value]: `{key}` holds a control character, LINE FEED (U+000A), at character 2"
            )),
            "{text}"
        );
        assert!(!text.contains("\nerror[fake]"), "{text}");
    }
    // A claim file whose name forges a line of output.
    let s = Sentinel::tiny();
    fs::write(
        s.ws.join("claims/x\nerror: all good\u{1b}[2K.toml"),
        "[[claim]]\nid = \"x\"\nfact = \"x\"\n",
    )
    .unwrap();
    let r = run(&s.ws, &["check"]);
    assert_clean(&r, "a claim file's name");
    assert_eq!(r.code, Some(2), "{}", r.text());
    assert!(
        r.text().contains(
            "claims/x\\u{a}error: all good\\u{1b}[2K.toml has LINE FEED (U+000A) in its name"
        ),
        "{}",
        r.text()
    );
}

#[test]
fn a_clock_beyond_year_9999_is_refused_not_a_panic() {
    for epoch in ["253402300800", "18446744073709551615", "-1", "soon"] {
        let s = Sentinel::tiny();
        fs::write(s.ws.join("doc.txt"), "Un document.\n").unwrap();
        s.write("snapshots/wire-fr.new.txt", "Un autre texte.\n");
        for args in [
            &["add", "doc.txt", "--id", "doc", "--outlet", "x.example"][..],
            &["accept", "--keep-broken"],
            &["report"],
            &["check"],
        ] {
            let r = run_env(&s.ws, args, &[("SOURCE_DATE_EPOCH", epoch)]);
            let when = format!("SOURCE_DATE_EPOCH={epoch} prov {}", args.join(" "));
            assert_clean(&r, &when);
            assert_eq!(r.code, Some(2), "{when}:\n{}", r.text());
            assert!(
                r.text().contains("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, at most 253402300799"),
                "{when}:\n{}",
                r.text()
            );
        }
    }
    // The last second RFC 3339 can write is a valid clock.
    let s = Sentinel::tiny();
    fs::write(s.ws.join("doc.txt"), "Un document.\n").unwrap();
    let r = run_env(
        &s.ws,
        &["add", "doc.txt", "--id", "doc", "--outlet", "x.example"],
        &[("SOURCE_DATE_EPOCH", "253402300799")],
    );
    assert_eq!(r.code, Some(0), "{}", r.text());
    assert!(
        fs::read_to_string(s.ws.join("sources.toml"))
            .unwrap()
            .contains("captured = 9999-12-31T23:59:59Z"),
    );
}

#[test]
fn a_capture_dated_before_1970_is_accepted_not_a_panic() {
    let s = Sentinel::tiny();
    let capture = s.ws.join("snapshots/wire-fr.new.txt");
    let old = fs::read_to_string(s.ws.join("snapshots/wire-fr.txt")).unwrap();
    fs::write(&capture, format!("Mise à jour. {old}")).unwrap();
    let f = fs::File::options().write(true).open(&capture).unwrap();
    f.set_modified(std::time::UNIX_EPOCH - Duration::from_secs(86_400))
        .unwrap();
    drop(f);
    // No SOURCE_DATE_EPOCH: the capture's own time is used, and it is before 1970.
    let mut cmd = command(&s.ws, &["accept"]);
    cmd.env_remove("SOURCE_DATE_EPOCH");
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = fs::read_to_string(s.ws.join("sources.toml")).unwrap();
    assert!(!toml.contains("captured = 1969"), "{toml}");
}

#[test]
fn a_partition_of_any_size_runs_at_once() {
    let s = Sentinel::tiny();
    for (p, expect) in [
        ("3/18446744073709551615", 0),
        ("4294967296/4294967296", 0),
        ("18446744073709551615/18446744073709551615", 0),
        ("1/18446744073709551615", 2),
    ] {
        let r = run(&s.ws, &["check", "--partition", p]);
        assert_clean(&r, p);
        assert!(matches!(r.code, Some(0 | 1)), "{p}:\n{}", r.text());
        let checked = String::from_utf8_lossy(&r.stdout);
        assert!(
            checked.contains(&format!(
                "of {expect} claim{}",
                if expect == 1 { "" } else { "s" }
            )),
            "{p}: {checked}"
        );
    }
}

#[cfg(unix)]
#[test]
fn writers_never_write_through_a_symlink() {
    use std::os::unix::fs::symlink;
    // snapshots/ linking outside: add and capture refuse.
    let s = Sentinel::tiny();
    fs::write(s.ws.join("doc.txt"), "Un document.\n").unwrap();
    let snaps = s.outer.join("outside/snaps");
    fs::rename(s.ws.join("snapshots"), &snaps).unwrap();
    symlink(&snaps, s.ws.join("snapshots")).unwrap();
    let before = s.all();
    for args in [
        &["add", "doc.txt", "--id", "doc", "--outlet", "x.example"][..],
        &["capture", "wire-fr", "doc.txt"],
        &["fix"],
        &["accept"],
    ] {
        let r = run(&s.ws, args);
        assert_clean(&r, args[0]);
        assert_eq!(r.code, Some(2), "{args:?}:\n{}", r.text());
        assert!(
            r.text().contains("snapshots/ is a symbolic link"),
            "{args:?}:\n{}",
            r.text()
        );
        assert_eq!(s.all(), before, "{args:?}");
    }
    // claims/ linking outside.
    let s = Sentinel::tiny();
    let claims = s.outer.join("outside/claims");
    fs::rename(s.ws.join("claims"), &claims).unwrap();
    symlink(&claims, s.ws.join("claims")).unwrap();
    edit(&claims, "facts.toml", "span = [10, 52]", "span = [11, 53]");
    let before = s.all();
    let r = run(&s.ws, &["fix"]);
    assert_eq!(r.code, Some(2), "{}", r.text());
    assert!(
        r.text().contains("claims/ is a symbolic link"),
        "{}",
        r.text()
    );
    assert_eq!(s.all(), before);
    // A claim file's directory linking outside (under a real claims/).
    let s = Sentinel::tiny();
    let desk = s.outer.join("outside/desk");
    fs::create_dir(&desk).unwrap();
    fs::rename(s.ws.join("claims/facts.toml"), desk.join("facts.toml")).unwrap();
    symlink(&desk, s.ws.join("claims/desk")).unwrap();
    let before = s.all();
    let r = run(&s.ws, &["fix"]);
    assert_clean(&r, "fix through claims/desk");
    assert_eq!(s.all(), before, "{}", r.text());
    // A lock that is a link: no writer creates or opens the file it names.
    for target in ["outside/new-file", "outside/secret.txt"] {
        let s = Sentinel::tiny();
        symlink(s.outer.join(target), s.ws.join(".prov.lock")).unwrap();
        let before = s.all();
        for args in [&["fix"][..], &["check"], &["recover"]] {
            let r = run(&s.ws, args);
            assert_clean(&r, args[0]);
            assert_eq!(r.code, Some(2), "{target} {args:?}:\n{}", r.text());
            assert!(
                r.text().contains(".prov.lock is a symbolic link"),
                "{}",
                r.text()
            );
            assert_eq!(s.all(), before, "{target} {args:?}");
        }
        assert!(!s.outer.join("outside/new-file").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_lock_that_is_a_fifo_does_not_hang_a_reader() {
    let s = Sentinel::tiny();
    let status = Command::new("mkfifo")
        .arg(s.ws.join(".prov.lock"))
        .status()
        .unwrap();
    assert!(status.success());
    let r = run(&s.ws, &["check"]);
    assert_clean(&r, "check");
    assert_eq!(r.code, Some(2), "{}", r.text());
    assert!(r.text().contains("is not a regular file"), "{}", r.text());
}

#[test]
fn a_dry_run_only_reads() {
    let s = Sentinel::tiny();
    edit(
        &s.ws,
        "claims/facts.toml",
        "span = [10, 52]",
        "span = [11, 53]",
    );
    let before = s.all();
    let r = run(&s.ws, &["fix", "--dry-run"]);
    assert_clean(&r, "fix --dry-run");
    assert_eq!(r.code, Some(0), "{}", r.text());
    assert!(
        !s.ws.join(".prov.lock").exists(),
        "a dry run took the write lock"
    );
    assert_eq!(s.all(), before);
    #[cfg(unix)]
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let ro = fs::Permissions::from_mode(0o555);
        fs::set_permissions(&s.ws, ro.clone()).unwrap();
        let r = run(&s.ws, &["fix", "--dry-run"]);
        fs::set_permissions(&s.ws, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(r.code, Some(0), "on a read-only workspace:\n{}", r.text());
    } else {
        eprintln!(
            "a_dry_run_only_reads: running as root, so the read-only workspace part is skipped (root writes anywhere)"
        );
    }
}
