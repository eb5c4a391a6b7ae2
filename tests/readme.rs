//! The README's examples are tests: every `console` block runs with trycmd, which compares
//! what prov prints with what the README shows, so the README cannot drift from prov.
//!
//! A hidden HTML comment before each block says how to run it:
//!
//! - `<!-- test: SCENE -->` before a `console` block: run it in SCENE's directory. The scene
//!   `tour` starts as an empty directory; any other starts as a copy of the example workspace
//!   (with `tests/readme/`, the files its examples use). Blocks of one scene run in order, in
//!   the same directory.
//! - `<!-- test: SCENE, write PATH -->` before any fenced block: write the block's text to PATH
//!   in SCENE's directory (the tour's `ap.txt` and claim file, as the README shows them).
//! - `<!-- test: SCENE, replace PATH "FROM" "TO" -->`: replace FROM (which must occur once) by
//!   TO in PATH, as the README's text tells the reader to.
//! - `<!-- not tested: WHY -->` before a `console` block: skip it. A `console` block without a
//!   comment fails this test.
//!
//! `/home/ed/newsroom` in the README stands for the directory the commands run in (trycmd's
//! `[CWD]`); `...` on a line of its own stands for lines left out.

mod common;
use common::{copy_dir, repo};

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

/// The directory the README pretends the commands run in.
const PRETEND_CWD: &str = "/home/ed/newsroom";

/// One thing the README does, in order.
#[derive(Debug)]
enum Step {
    /// A `console` block (with its fences) to run in a scene.
    Run {
        scene: String,
        block: String,
        line: usize,
    },
    Write {
        scene: String,
        path: String,
        text: String,
    },
    Replace {
        scene: String,
        path: String,
        from: String,
        to: String,
    },
}

/// The fenced block that starts at `lines[at]`: its info string, its text (without fences),
/// the whole block (with fences), and the index of the line after it.
fn fenced(lines: &[&str], at: usize) -> (String, String, String, usize) {
    let open = lines[at];
    assert!(
        open.starts_with("```"),
        "README.md:{}: expected a fenced block",
        at + 1
    );
    let info = open.trim_start_matches('`').trim().to_string();
    let mut text = String::new();
    let mut i = at + 1;
    while i < lines.len() && !lines[i].starts_with("```") {
        text.push_str(lines[i]);
        text.push('\n');
        i += 1;
    }
    assert!(i < lines.len(), "README.md:{}: unclosed block", at + 1);
    let block = format!("{open}\n{text}{}\n", lines[i]);
    (info, text, block, i + 1)
}

/// The words of a directive, `"…"` quoting a word with spaces.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').expect("a closing quote");
            out.push(r[..end].to_string());
            rest = r[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

fn steps(readme: &str) -> Vec<Step> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(why) = line
            .strip_prefix("<!-- not tested:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            assert!(!why.trim().is_empty(), "README.md:{}: say why", i + 1);
            let (info, _, _, next) = fenced(&lines, i + 1);
            assert_eq!(info, "console", "README.md:{}", i + 1);
            i = next;
            continue;
        }
        if let Some(d) = line
            .strip_prefix("<!-- test:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            let (scene, action) = d.split_once(',').unwrap_or((d, ""));
            let scene = scene.trim().to_string();
            let action = words(action);
            match action.first().map(String::as_str) {
                None => {
                    let (info, _, block, next) = fenced(&lines, i + 1);
                    assert_eq!(info, "console", "README.md:{}", i + 2);
                    out.push(Step::Run {
                        scene,
                        block,
                        line: i + 2,
                    });
                    i = next;
                }
                Some("write") => {
                    let (_, text, _, next) = fenced(&lines, i + 1);
                    out.push(Step::Write {
                        scene,
                        path: action[1].clone(),
                        text,
                    });
                    i = next;
                }
                Some("replace") => {
                    out.push(Step::Replace {
                        scene,
                        path: action[1].clone(),
                        from: action[2].clone(),
                        to: action[3].clone(),
                    });
                    i += 1;
                }
                Some(other) => panic!("README.md:{}: unknown directive {other:?}", i + 1),
            }
            continue;
        }
        if line.starts_with("```") {
            let (info, _, _, next) = fenced(&lines, i);
            assert!(
                info.split(',').next() != Some("console"),
                "README.md:{}: a console block needs `<!-- test: SCENE -->` or `<!-- not tested: why -->` before it",
                i + 1
            );
            i = next;
            continue;
        }
        i += 1;
    }
    out
}

/// A README block as trycmd reads it: `/home/ed/newsroom` is trycmd's `[CWD]`, and each
/// command's output is followed by an empty line. (trycmd 1.2 drops the last line break of
/// the output a block shows, to allow output without one; prov always ends with one.)
fn for_trycmd(block: &str) -> String {
    let block = block.replace(PRETEND_CWD, "[CWD]");
    let mut out = String::new();
    let lines: Vec<&str> = block.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or("");
        out.push_str(line);
        out.push('\n');
        let output_ends = i > 0 && (next.starts_with("$ ") || next.starts_with("```"));
        if output_ends && !line.starts_with("$ ") && !line.starts_with("? ") {
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_readme_examples_are_what_prov_prints() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut scenes: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut scene = |name: &str| -> PathBuf {
        scenes
            .entry(name.to_string())
            .or_insert_with(|| {
                let dir = tmp.path().join("scenes").join(name);
                fs::create_dir_all(&dir).unwrap();
                if name != "tour" {
                    fs::copy(repo().join("sources.toml"), dir.join("sources.toml")).unwrap();
                    copy_dir(&repo().join("claims"), &dir.join("claims"));
                    copy_dir(&repo().join("snapshots"), &dir.join("snapshots"));
                    copy_dir(&repo().join("tests/readme"), &dir.join("tests/readme"));
                }
                dir
            })
            .clone()
    };
    let mut ran = 0;
    for step in steps(&readme) {
        match step {
            Step::Write {
                scene: s,
                path,
                text,
            } => {
                let p = scene(&s).join(path);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, text).unwrap();
            }
            Step::Replace {
                scene: s,
                path,
                from,
                to,
            } => {
                let p = scene(&s).join(&path);
                let text = fs::read_to_string(&p).unwrap();
                assert_eq!(text.matches(&from).count(), 1, "{path}: {from:?}");
                fs::write(p, text.replacen(&from, &to, 1)).unwrap();
            }
            Step::Run {
                scene: s,
                block,
                line,
            } => {
                // Each block is a trycmd case of its own, whose `.in` directory is the scene's.
                let dir = scene(&s);
                let case = tmp.path().join(format!("readme-line-{line}.md"));
                fs::write(&case, for_trycmd(&block)).unwrap();
                std::os::unix::fs::symlink(&dir, case.with_extension("in")).unwrap();
                trycmd::TestCases::new()
                    .register_bin("prov", PathBuf::from(env!("CARGO_BIN_EXE_prov")))
                    .env("NO_COLOR", "1")
                    .env("COLUMNS", "100")
                    .env("SOURCE_DATE_EPOCH", "1795435200")
                    .case(&case)
                    .run();
                ran += 1;
            }
        }
    }
    assert!(ran >= 6, "only {ran} console blocks ran");
}

#[test]
fn an_unmarked_console_block_is_refused() {
    let r = std::panic::catch_unwind(|| steps("text\n\n```console\n$ prov check\n```\n"));
    assert!(r.is_err());
    assert!(
        steps("<!-- not tested: it needs the network -->\n```console\n$ prov x\n```\n").is_empty()
    );
}
