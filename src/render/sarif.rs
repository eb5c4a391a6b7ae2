//! The `sarif` format: SARIF 2.1.0, as GitHub code scanning accepts it and as Microsoft's SARIF
//! Multitool validates it (its SARIF and GitHub rules). Every code is a rule (with its
//! description, default level and a PascalCase `name`); every finding a result located in the
//! claim file or sources.toml (or, for a file that cannot be read, that file, at line 1), with
//! columns in UTF-16 code units (`columnKind: utf16CodeUnits`, GitHub's default). Artifact URIs
//! are percent-encoded relative references. Each result carries `primaryLocationLineHash`,
//! computed as GitHub's upload action computes it, which is the fingerprint code scanning uses
//! to follow an alert when lines above it move, and `provFinding/v1`, a hash of what the finding
//! is about (claim, source, quote), for other consumers.

use std::collections::HashMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic, Severity};
use crate::files::{File, FileId, Files};
use crate::outcome::Outcome;
use crate::render::human::word_diff;
use crate::snapshot::sha256_hex;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The rule's `name`: a PascalCase identifier for people, which SARIF wants different from the
/// `id` (the stable code). Citation verdicts are named for the quote, fact flags for the fact.
pub fn rule_name(c: Code) -> &'static str {
    match c {
        Code::TomlSyntax => "TomlSyntax",
        Code::UnknownKey => "UnknownKey",
        Code::MissingKey => "MissingKey",
        Code::InvalidValue => "InvalidValue",
        Code::InvalidId => "InvalidId",
        Code::DuplicateId => "DuplicateId",
        Code::InvalidSpan => "InvalidSpan",
        Code::EmptyQuote => "EmptyQuote",
        Code::InvalidHash => "InvalidHash",
        Code::FileUnreadable => "FileUnreadable",
        Code::SourceUnknown => "SourceUnknown",
        Code::SnapshotMissing => "SnapshotMissing",
        Code::SnapshotModified => "SnapshotModified",
        Code::PinModified => "PinModified",
        Code::SnapshotInvalid => "SnapshotInvalid",
        Code::RevisionUnknown => "RevisionUnknown",
        Code::SourceUnused => "SourceUnused",
        Code::CapturePending => "CapturePending",
        Code::InterruptedWrite => "InterruptedWrite",
        Code::Unanchored => "QuoteUnanchored",
        Code::Moved => "QuoteMoved",
        Code::Typography => "QuoteTypography",
        Code::Changed => "QuoteChanged",
        Code::Ambiguous => "QuoteAmbiguous",
        Code::Missing => "QuoteMissing",
        Code::Unsupported => "FactUnsupported",
        Code::SingleOrigin => "FactSingleOrigin",
        Code::AttributedOnly => "FactAttributedOnly",
        Code::Contested => "FactContested",
        Code::UnknownOrigin => "FactUnknownOrigin",
        Code::HiddenCharacter => "HiddenCharacter",
        Code::PartialWord => "QuotePartialWord",
        Code::WarcMissing => "WarcMissing",
        Code::WarcModified => "WarcModified",
    }
}

/// The rules: one per code, in `Code::ALL` order (results refer to them by index).
fn rules() -> Vec<Value> {
    Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": rule_name(*c),
                "shortDescription": { "text": c.description() },
                "fullDescription": { "text": c.description() },
                "help": {
                    "text": format!("{} See docs/codes.md, section `{}`.", c.description(), c.as_str()),
                    "markdown": format!("{}\n\nSee `docs/codes.md`, section `{}`.", c.description(), c.as_str()),
                },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect()
}

/// A workspace path as a relative URI reference: every byte percent-encoded except the
/// unreserved characters of RFC 3986 and `/` (`claims/my claims.toml` → `claims/my%20claims.toml`).
pub fn uri_path(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
    out
}

/// 1-based line and 1-based column in UTF-16 code units of a byte offset (a char boundary).
pub fn line_col_utf16(f: &File, offset: usize) -> (usize, usize) {
    let offset = offset.min(f.text.len());
    let (line, _) = f.line_col(offset);
    let start = f.line_start(line);
    let col = f
        .text
        .get(start..offset)
        .map_or(offset.saturating_sub(start), |s| s.encode_utf16().count());
    (line, col + 1)
}

/// The region of a byte range: UTF-16 columns, never empty (an empty range marks the
/// character at its start, or one column at the end of the text).
fn region(f: &File, range: &std::ops::Range<usize>) -> Value {
    let start = range.start.min(f.text.len());
    let end = if range.end > start {
        range.end.min(f.text.len())
    } else {
        f.text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8())
    };
    let (l, c) = line_col_utf16(f, start);
    let (el, ec) = line_col_utf16(f, end);
    let ec = if el == l { ec.max(c + 1) } else { ec };
    json!({ "startLine": l, "startColumn": c, "endLine": el, "endColumn": ec })
}

/// GitHub's `primaryLocationLineHash` of every line of a file (index 0 is line 1), computed as
/// github/codeql-action's upload step computes it (`src/fingerprints.ts`): a rolling hash,
/// modulo 2^64 with base 37, of the 100 UTF-16 code units from the start of the line on,
/// skipping spaces and tabs, with CR, LF and CRLF all read as LF, the end of the text as 65535
/// and zeros after it; written in hexadecimal, then `:n` for its n-th occurrence in the file.
/// `None` for a text with a CR that is not followed by LF: GitHub counts it as a line break and
/// prov does not, so the lines would not be the same.
pub fn line_hashes(text: &str) -> Option<Vec<String>> {
    if text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || text.ends_with('\r')
    {
        return None;
    }
    let mut h = LineHasher::new();
    for unit in text.encode_utf16() {
        h.process(i64::from(unit));
    }
    h.process(65535);
    for _ in 0..BLOCK {
        h.flush_one();
        h.update(0);
    }
    Some(h.out)
}

const BLOCK: usize = 100;
const BASE: i64 = 37;

struct LineHasher {
    window: [i64; BLOCK],
    /// The line that starts at each place of the window, or 0.
    starts: [usize; BLOCK],
    hash: i64,
    first_mod: i64,
    index: usize,
    line: usize,
    line_start: bool,
    prev_cr: bool,
    counts: HashMap<u64, usize>,
    out: Vec<String>,
}

impl LineHasher {
    fn new() -> Self {
        LineHasher {
            window: [0; BLOCK],
            starts: [0; BLOCK],
            hash: 0,
            first_mod: (0..BLOCK).fold(1i64, |m, _| m.wrapping_mul(BASE)),
            index: 0,
            line: 0,
            line_start: true,
            prev_cr: false,
            counts: HashMap::new(),
            out: Vec::new(),
        }
    }

    /// The hash of the line starting at the current place of the window, if one does.
    fn flush_one(&mut self) {
        let Some(start) = self.starts.get_mut(self.index) else {
            return;
        };
        if *start == 0 {
            return;
        }
        *start = 0;
        let value = self.hash as u64;
        let n = self.counts.entry(value).or_insert(0);
        *n += 1;
        self.out.push(format!("{value:x}:{n}"));
    }

    fn update(&mut self, current: i64) {
        let Some(slot) = self.window.get_mut(self.index) else {
            return;
        };
        let begin = std::mem::replace(slot, current);
        self.hash = BASE
            .wrapping_mul(self.hash)
            .wrapping_add(current)
            .wrapping_sub(self.first_mod.wrapping_mul(begin));
        self.index = (self.index + 1) % BLOCK;
    }

    fn process(&mut self, mut current: i64) {
        const SPACE: i64 = b' ' as i64;
        const TAB: i64 = b'\t' as i64;
        const LF: i64 = b'\n' as i64;
        const CR: i64 = b'\r' as i64;
        if current == SPACE || current == TAB || (self.prev_cr && current == LF) {
            self.prev_cr = false;
            return;
        }
        self.prev_cr = current == CR;
        if current == CR {
            current = LF;
        }
        self.flush_one();
        if self.line_start {
            self.line_start = false;
            self.line += 1;
            if let Some(s) = self.starts.get_mut(self.index) {
                *s = self.line;
            }
        }
        if current == LF {
            self.line_start = true;
        }
        self.update(current);
    }
}

/// What a finding is about, for its fingerprint.
fn identity(d: &Diagnostic, outcome: Option<&Outcome>, files: &Files) -> String {
    if let (Some(i), Some(o)) = (d.citation, outcome)
        && let Some(c) = o.citations.get(i)
    {
        return format!(
            "{}|{}|{}|{}|{}",
            d.code,
            c.claim(o.workspace()).id(),
            c.cite.source(),
            c.cite.quote(),
            d.message.starts_with("the pending capture")
        );
    }
    let file = d
        .loc
        .as_ref()
        .map(|l| files.get(l.file).path.as_str())
        .unwrap_or("");
    let at = d
        .loc
        .as_ref()
        .and_then(|l| files.get(l.file).text.get(l.range()))
        .unwrap_or("");
    format!("{}|{file}|{at}|{}", d.code, d.message)
}

/// The SARIF log. `prefix` makes workspace paths relative to the repository root; `docs`, when
/// given, is the absolute URL of prov's `docs/` directory (ending with `/`), from which the
/// driver's `informationUri` (`codes.md`) is made.
///
/// Serialised lazily: each result is built as it is written, so a run with 100,000 findings
/// never holds them all as JSON values. Keys are written in sorted order, as a JSON value would.
pub fn render<'a>(
    files: &'a Files,
    diags: &'a [Diagnostic],
    outcome: Option<&'a Outcome<'a>>,
    prefix: &'a str,
    docs: Option<&'a str>,
) -> Log<'a> {
    Log {
        files,
        diags,
        outcome,
        prefix,
        docs,
    }
}

/// A SARIF log, written by its `Serialize` implementation.
pub struct Log<'a> {
    files: &'a Files,
    diags: &'a [Diagnostic],
    outcome: Option<&'a Outcome<'a>>,
    prefix: &'a str,
    docs: Option<&'a str>,
}

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        m.serialize_entry("runs", &[Run(self)])?;
        m.serialize_entry("version", "2.1.0")?;
        m.end()
    }
}

struct Run<'a>(&'a Log<'a>);

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut driver = json!({
            "name": "prov",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules(),
        });
        if let Some(docs) = self.0.docs {
            driver["informationUri"] = json!(format!("{docs}codes.md"));
        }
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("columnKind", "utf16CodeUnits")?;
        m.serialize_entry("results", &Results(self.0))?;
        m.serialize_entry("tool", &json!({ "driver": driver }))?;
        m.end()
    }
}

struct Results<'a>(&'a Log<'a>);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let log = self.0;
        // The line hashes each result needs, computed one file at a time.
        let mut wanted: HashMap<FileId, Vec<usize>> = HashMap::new();
        for d in log.diags {
            if let Place::In(id, line) = place(log.files, d) {
                wanted.entry(id).or_default().push(line);
            }
        }
        let mut hashes: HashMap<(FileId, usize), String> = HashMap::new();
        for (id, lines) in wanted {
            let Some(all) = line_hashes(&log.files.get(id).text) else {
                continue;
            };
            for line in lines {
                if let Some(h) = all.get(line.saturating_sub(1)) {
                    hashes.insert((id, line), h.clone());
                }
            }
        }
        s.collect_seq(log.diags.iter().map(|d| {
            let line_hash = match place(log.files, d) {
                Place::In(id, line) => hashes.get(&(id, line)).map(String::as_str),
                Place::Unreadable(_) => None,
            };
            result(log, d, line_hash)
        }))
    }
}

/// Where a result is: a line of a loaded file, or a file that could not be read.
enum Place<'a> {
    In(FileId, usize),
    Unreadable(&'a str),
}

fn place<'a>(files: &'a Files, d: &'a Diagnostic) -> Place<'a> {
    match (&d.loc, &d.unreadable) {
        (Some(loc), _) => Place::In(loc.file, files.get(loc.file).line(loc.start())),
        (None, Some(path)) => Place::Unreadable(path),
        // Code scanning needs a location: a workspace-wide finding points at sources.toml.
        (None, None) => match files.find(crate::workspace::SOURCES_FILE) {
            Some(id) => Place::In(id, 1),
            None => Place::Unreadable(crate::workspace::SOURCES_FILE),
        },
    }
}

/// One finding as a SARIF result.
fn result(log: &Log, d: &Diagnostic, line_hash: Option<&str>) -> Value {
    let files = log.files;
    let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
    let mut text = d.message.clone();
    for n in &d.notes {
        text.push('\n');
        text.push_str(n);
    }
    if let Some((old, new)) = d.diff.as_deref() {
        text.push_str("\nquote → source: ");
        text.push_str(&word_diff(old, new, false));
    }
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let (uri, region) = match (&d.loc, place(files, d)) {
        (Some(loc), _) => {
            let f = files.get(loc.file);
            (f.path.as_str(), region(f, &loc.range()))
        }
        (None, Place::In(id, _)) => (
            files.get(id).path.as_str(),
            json!({ "startLine": 1, "startColumn": 1 }),
        ),
        // A file that could not be read: its first line (a region GitHub requires).
        (None, Place::Unreadable(path)) => (path, json!({ "startLine": 1 })),
    };
    let fingerprint = sha256_hex(identity(d, log.outcome, files).as_bytes());
    let mut fingerprints = json!({ "provFinding/v1": &fingerprint[..32] });
    if let Some(h) = line_hash {
        fingerprints["primaryLocationLineHash"] = json!(h);
    }
    json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": index,
        "level": level(d.severity),
        // Shown to people by code scanning: hidden and control characters as visible escapes.
        "message": { "text": crate::escape::text(&text) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {
                    "uri": format!("{}{}", uri_path(log.prefix), uri_path(uri)),
                    "uriBaseId": "%SRCROOT%",
                },
                "region": region,
            }
        }],
        "partialFingerprints": fingerprints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vectors of github/codeql-action (`src/fingerprints.test.ts`): the hashes its
    /// upload step computes, line by line.
    #[test]
    fn line_hashes_are_githubs() {
        let cases: &[(&str, &[&str])] = &[
            ("", &["c129715d7a2bc9a3:1"]),
            (
                " a\nb\n  \t\tc\n d",
                &[
                    "271789c17abda88f:1",
                    "54703d4cd895b18:1",
                    "180aee12dab6264:1",
                    "a23a3dc5e078b07b:1",
                ],
            ),
            (
                " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
                &[
                    "8b7cf3e952e7aeb2:1",
                    "b1ae1287ec4718d9:1",
                    "bff680108adb0fcc:1",
                    "c6805c5e1288b612:1",
                    "b86d3392aea1be30:1",
                    "e6ceba753e1a442:1",
                ],
            ),
            (
                " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                &[
                    "e9496ae3ebfced30:1",
                    "fb7c023a8b9ccb3f:1",
                    "ce8ba1a563dcdaca:1",
                    "e20e36e16fcb0cc8:1",
                    "b3edc88f2938467e:1",
                    "c8e28b0b4002a3a0:1",
                    "c129715d7a2bc9a3:1",
                ],
            ),
            (
                "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
                &[
                    "e54938cc54b302f1:1",
                    "bb609acbe9138d60:1",
                    "1131fd5871777f34:1",
                    "5c482a0f8b35ea28:1",
                    "54517377da7028d2:1",
                    "2c644846cb18d53e:1",
                    "f1b89f20de0d133:1",
                    "c129715d7a2bc9a3:1",
                ],
            ),
        ];
        for (text, want) in cases {
            let got = line_hashes(text).unwrap();
            assert_eq!(got, want.to_vec(), "{text:?}");
        }
        let lorem = "Lorem ipsum dolor sit amet.\n".repeat(10);
        let got = line_hashes(&lorem).unwrap();
        assert_eq!(got[0], "a7f2ff13bc495cf2:1");
        assert_eq!(got[5], "a7f2ff13bc495cf2:6");
        assert_eq!(got[6], "a7f2ff1481e87703:1");
        assert_eq!(got[10], "c129715d7a2bc9a3:1");
        // A lone CR is a line break for GitHub, not for prov: no hash rather than a wrong one.
        assert_eq!(line_hashes("a\rb\n"), None);
        assert_eq!(line_hashes("a\r"), None);
    }

    #[test]
    fn columns_are_utf16_code_units() {
        // é is one unit, 😀 two (a surrogate pair), ’ one.
        let f = File::new(
            "claims/x.toml".into(),
            "quote = \"é😀 l’Albanie\"\nnext = 1\n".into(),
        );
        let text = &f.text;
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(line_col_utf16(&f, 0), (1, 1));
        assert_eq!(line_col_utf16(&f, at("é")), (1, 10));
        assert_eq!(line_col_utf16(&f, at("😀")), (1, 11));
        assert_eq!(line_col_utf16(&f, at(" l’")), (1, 13));
        assert_eq!(line_col_utf16(&f, at("Albanie")), (1, 16));
        assert_eq!(line_col_utf16(&f, at("next")), (2, 1));
        // The quote's value, as a region: end column just past the closing quote.
        let r = region(&f, &(at("\"é")..at("\n")));
        assert_eq!(
            r,
            json!({"startLine": 1, "startColumn": 9, "endLine": 1, "endColumn": 24})
        );
        // An empty range marks the character at its start (two units for an emoji).
        let e = at("😀");
        assert_eq!(
            region(&f, &(e..e)),
            json!({"startLine": 1, "startColumn": 11, "endLine": 1, "endColumn": 13})
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("claims/my claims.toml"), "claims/my%20claims.toml");
        assert_eq!(
            uri_path("claims/we,ird:na%me.toml"),
            "claims/we%2Cird%3Ana%25me.toml"
        );
        assert_eq!(uri_path("claims/café.toml"), "claims/caf%C3%A9.toml");
        assert_eq!(uri_path("a-b_c.d~/x"), "a-b_c.d~/x");
    }

    #[test]
    fn rule_names_differ_from_ids_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            let name = rule_name(*c);
            assert_ne!(name, c.as_str());
            assert!(name.chars().all(|ch| ch.is_ascii_alphanumeric()), "{name}");
            assert!(
                name.starts_with(|ch: char| ch.is_ascii_uppercase()),
                "{name}"
            );
            assert!(seen.insert(name), "{name} twice");
        }
    }
}
