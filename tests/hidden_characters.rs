//! Hidden characters in quotes (issue 13, item 9; Trojan Source, CVE-2021-42574). A quote that
//! holds a bidi override is byte-exact in a snapshot that holds it too, so its verdict is `ok`;
//! prov still reports it, at the character, and no output sends such a character raw.

mod common;

use std::fs;
use std::path::Path;

use common::{Tree, differences, prov, tiny, tree};
use sha2::Digest;

const BIDI: [char; 9] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}',
];
const INVISIBLE: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// The tiny workspace plus a source whose text holds U+202E and U+200B, cited exactly, a fact
/// with a raw bidi isolate, and a title with a zero-width space.
fn trojan(ws: &Path) {
    tiny(ws);
    let text = "Tirana, 8 September. La victime avait \u{202E}66 ans\u{202C}, selon la police. Le ministre a dit\u{200B} non.\n";
    fs::write(ws.join("snapshots/trojan.txt"), text).unwrap();
    let sha: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    fs::write(
        ws.join("sources.toml"),
        format!(
            "{sources}\n[sources.trojan]\ntitle = \"Trojan\u{200B} source\"\noutlet = \"example.org\"\nurl = \"https://example.org/trojan\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"{sha}\"\n"
        ),
    )
    .unwrap();
    fs::write(
        ws.join("claims/trojan.toml"),
        "[[claim]]\nid = \"victim-age-trojan\"\nfact = \"The victim was 66 (\u{2067}ok\u{2069}).\"\n\n\
         [[claim.cite]]\nsource = \"trojan\"\nquote = \"La victime avait \u{202E}66 ans\u{202C}\"\nspan = [21, 46]\n\n\
         [[claim.cite]]\nsource = \"trojan\"\nquote = \"Le ministre a dit\u{200B} non.\"\nspan = [65, 88]\n",
    )
    .unwrap();
}

fn raw(text: &str, set: &[char]) -> Vec<(usize, char)> {
    text.char_indices()
        .filter(|(_, c)| set.contains(c))
        .collect()
}

#[test]
fn a_bidi_override_in_an_exact_quote_is_an_error_at_the_character() {
    let tmp = tempfile::tempdir().unwrap();
    trojan(tmp.path());
    let out = prov(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let hidden: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "hidden-character")
        .collect();
    let quote = hidden
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .starts_with("the quote holds U+202E")
        })
        .expect("the quote's finding");
    assert_eq!(quote["severity"], "error");
    assert_eq!(
        quote["message"],
        "the quote holds U+202E RIGHT-TO-LEFT OVERRIDE, which makes a reader see the text in another order than its bytes"
    );
    // At the character itself: line 7, column 27 of claims/trojan.toml.
    assert_eq!(
        (&quote["file"], &quote["line"], &quote["column"]),
        (&"claims/trojan.toml".into(), &7.into(), &27.into())
    );
    let notes = quote["notes"].to_string();
    assert!(
        notes.contains("U+202C POP DIRECTIONAL FORMATTING at code point 24"),
        "{notes}"
    );
    assert!(
        notes.contains("`trojan` has it too, at code point 38"),
        "{notes}"
    );
    // The verdict is still `ok`: the quote is exact; the citation carries the finding.
    let cite = doc["citations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["line"] == 7 && c["file"] == "claims/trojan.toml")
        .unwrap();
    assert_eq!(cite["verdict"], "ok");
    assert_eq!(cite["code"], "hidden-character");
    // The zero-width space is a warning, in the quote and in the title; the bidi isolate in the
    // fact is an error.
    let zwsp = hidden
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .starts_with("the quote holds U+200B")
        })
        .unwrap();
    assert_eq!(zwsp["severity"], "warning");
    assert!(
        hidden
            .iter()
            .any(|d| d["file"] == "sources.toml" && d["severity"] == "warning")
    );
    assert!(hidden.iter().any(|d| {
        d["file"] == "claims/trojan.toml"
            && d["line"] == 3
            && d["severity"] == "error"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("U+2067 RIGHT-TO-LEFT ISOLATE")
    }));
    assert_eq!(hidden.len(), 4, "{hidden:#?}");
}

#[test]
fn no_output_sends_a_hidden_character_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    fs::create_dir_all(&ws).unwrap();
    trojan(&ws);
    fs::write(tmp.path().join("sentinel"), "outside").unwrap();
    let outside = |t: Tree| -> Tree {
        t.into_iter()
            .filter(|(k, _)| !k.starts_with("ws"))
            .collect()
    };
    let (inside_before, outside_before) = (tree(&ws), outside(tree(tmp.path())));
    let runs: &[&[&str]] = &[
        &["check"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["check", "--format", "github"],
        &["report"],
        &["report", "--format", "html"],
        &["report", "--format", "json"],
        &["report", "--format", "w3c"],
    ];
    for args in runs {
        let out = prov(&ws, args);
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.all());
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
        for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let bidi = raw(text, &BIDI);
            assert!(
                bidi.is_empty(),
                "{args:?} {name}: raw bidi controls {bidi:?}:\n{text}"
            );
            for (_, c) in text.char_indices() {
                assert!(
                    !c.is_control() || c == '\n' || c == '\t',
                    "{args:?} {name}: a raw control {c:?}"
                );
            }
            // Every byte prov writes passes the sanitiser (`prov::escape`), the human format's
            // code snippets included.
            let invisible = raw(text, &INVISIBLE);
            assert!(
                invisible.is_empty(),
                "{args:?} {name}: raw {invisible:?}:\n{text}"
            );
        }
        // JSON keeps the data: the strings hold the characters once parsed.
        if args.contains(&"json") && args[0] == "check" {
            let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            let quotes: Vec<&str> = doc["citations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["quote"].as_str().unwrap())
                .collect();
            assert!(
                quotes.contains(&"La victime avait \u{202E}66 ans\u{202C}"),
                "{quotes:?}"
            );
            assert!(
                out.stdout.contains("\\u202e66 ans\\u202c"),
                "{}",
                out.stdout
            );
        }
        if args[0] == "report" && args.len() == 1 {
            assert!(
                out.stdout.contains("avait \\\\u{202e}66 ans\\\\u{202c}"),
                "{}",
                out.stdout
            );
        }
        if args.contains(&"html") {
            assert!(
                out.stdout.contains("avait \\u{202e}66 ans\\u{202c}"),
                "{}",
                out.stdout
            );
        }
    }
    // Read-only commands changed nothing, inside the workspace or outside it.
    let (inside_after, outside_after) = (tree(&ws), outside(tree(tmp.path())));
    assert!(
        inside_before == inside_after,
        "{:?}",
        differences(&inside_before, &inside_after)
    );
    assert!(
        outside_before == outside_after,
        "{:?}",
        differences(&outside_before, &outside_after)
    );
}

#[test]
fn joiners_inside_persian_words_and_emoji_are_not_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    tiny(ws);
    let text = "او گفت: «می\u{200C}خواهم بروم» 👨\u{200D}👩\u{200D}👧\n";
    fs::write(ws.join("snapshots/fa.txt"), text).unwrap();
    let sha: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sources = fs::read_to_string(ws.join("sources.toml")).unwrap();
    fs::write(
        ws.join("sources.toml"),
        format!("{sources}\n[sources.fa]\noutlet = \"example.ir\"\ncaptured = 2026-11-22T10:00:00Z\nsha256 = \"{sha}\"\n"),
    )
    .unwrap();
    fs::write(
        ws.join("claims/fa.toml"),
        "[[claim]]\nid = \"fa\"\nfact = \"He wanted to go.\"\n\n[[claim.cite]]\nsource = \"fa\"\nquote = \"می\u{200C}خواهم بروم» 👨\u{200D}👩\u{200D}👧\"\n",
    )
    .unwrap();
    let out = prov(ws, &["check", "--format", "json"]);
    assert!(!out.stdout.contains("hidden-character"), "{}", out.stdout);
}
