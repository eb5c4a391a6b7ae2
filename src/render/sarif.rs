//! The `sarif` format: SARIF 2.1.0, as GitHub code scanning accepts it. Every code is a rule
//! (with its description and default level); every finding a result located in the claim file
//! or sources.toml, columns in Unicode code points. Partial fingerprints identify a finding by
//! what it is about (claim, source, quote), not by its line, so code scanning follows it across
//! edits elsewhere in the file.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic, Severity};
use crate::files::Files;
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

/// The rules: one per code, in `Code::ALL` order (results refer to them by index).
fn rules() -> Vec<Value> {
    Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.as_str(),
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

/// What a finding is about, for its fingerprint.
fn identity(d: &Diagnostic, outcome: Option<&Outcome>, files: &Files) -> String {
    if let (Some(i), Some(o)) = (d.citation, outcome)
        && let Some(c) = o.citations.get(i)
    {
        return format!(
            "{}|{}|{}|{}|{}",
            d.code,
            c.claim.id,
            c.cite.source,
            c.cite.quote,
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
        .and_then(|l| files.get(l.file).text.get(l.range.clone()))
        .unwrap_or("");
    format!("{}|{file}|{at}|{}", d.code, d.message)
}

/// The SARIF log. `prefix` makes workspace paths relative to the repository root.
///
/// Serialised lazily: each result is built as it is written, so a run with 100,000 findings
/// never holds them all as JSON values. Keys are written in sorted order, as a JSON value would.
pub fn render<'a>(
    files: &'a Files,
    diags: &'a [Diagnostic],
    outcome: Option<&'a Outcome<'a>>,
    prefix: &'a str,
) -> Log<'a> {
    Log {
        files,
        diags,
        outcome,
        prefix,
    }
}

/// A SARIF log, written by its `Serialize` implementation.
pub struct Log<'a> {
    files: &'a Files,
    diags: &'a [Diagnostic],
    outcome: Option<&'a Outcome<'a>>,
    prefix: &'a str,
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
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("columnKind", "unicodeCodePoints")?;
        m.serialize_entry("results", &Results(self.0))?;
        m.serialize_entry(
            "tool",
            &json!({
                "driver": {
                    "name": "prov",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules(),
                }
            }),
        )?;
        m.end()
    }
}

struct Results<'a>(&'a Log<'a>);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let log = self.0;
        s.collect_seq(
            log.diags
                .iter()
                .map(|d| result(log.files, d, log.outcome, log.prefix)),
        )
    }
}

/// One finding as a SARIF result.
fn result(files: &Files, d: &Diagnostic, outcome: Option<&Outcome>, prefix: &str) -> Value {
    let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
    let mut text = d.message.clone();
    for n in &d.notes {
        text.push('\n');
        text.push_str(n);
    }
    if let Some((old, new)) = &d.diff {
        text.push_str("\nquote → source: ");
        text.push_str(&word_diff(old, new, false));
    }
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    // Code scanning needs a location: a workspace-wide finding points at sources.toml.
    let (uri, region) = match &d.loc {
        Some(loc) => {
            let f = files.get(loc.file);
            let (l, c) = f.line_col(loc.range.start);
            let (el, ec) = f.line_col(loc.range.end.max(loc.range.start + 1).min(f.text.len()));
            (
                f.path.clone(),
                json!({ "startLine": l, "startColumn": c, "endLine": el, "endColumn": ec.max(c + usize::from(el == l)) }),
            )
        }
        None => (
            crate::workspace::SOURCES_FILE.to_string(),
            json!({ "startLine": 1, "startColumn": 1 }),
        ),
    };
    let fingerprint = sha256_hex(identity(d, outcome, files).as_bytes());
    json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": index,
        "level": level(d.severity),
        // Shown to people by code scanning: hidden and control characters as visible escapes.
        "message": { "text": crate::escape::text(&text) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": format!("{prefix}{uri}"), "uriBaseId": "%SRCROOT%" },
                "region": region,
            }
        }],
        "partialFingerprints": { "provFinding/v1": &fingerprint[..32] },
    })
}
