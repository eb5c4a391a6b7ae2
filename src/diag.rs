//! Findings as data: the stable diagnostic codes, their default severities, and the
//! [`Diagnostic`] type every stage produces. Nothing here prints; renderers live in
//! [`crate::render`]. A diagnostic points at a byte range of a workspace file; [`crate::files`]
//! turns that into line:column when it is rendered.

use std::borrow::Cow;
use std::ops::Range;

use rayon::slice::ParallelSliceMut;
use serde::Serialize;

use crate::files::FileId;

/// How bad a finding is. Errors fail the gate (exit 1, or exit 2 for configuration errors).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $sev:ident, $kind:ident; )*) => {
        /// Every diagnostic code prov emits. Codes are stable, kebab-case and documented in
        /// docs/codes.md; a test checks that each one is documented and unique.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $(#[doc = $doc])* $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// Severity unless policy raises it.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// What stage the code belongs to.
            pub fn kind(self) -> CodeKind {
                match self { $( Code::$variant => CodeKind::$kind, )* }
            }

            /// One sentence saying when the code is reported (its doc comment), for SARIF
            /// rules and `--help`-like listings.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => concat!($($doc),*).trim_ascii(), )* }
            }
        }
    };
}

/// The stage a code belongs to. Configuration errors mean the workspace could not be
/// interpreted: prov exits 2 and checks nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Config,
    Source,
    Citation,
    Fact,
}

codes! {
    // --- the workspace cannot be read or interpreted (exit 2) ---
    /// A TOML file does not parse.
    TomlSyntax = "toml-syntax", Error, Config;
    /// A key prov does not know (a typo, usually).
    UnknownKey = "unknown-key", Error, Config;
    /// A required key is absent.
    MissingKey = "missing-key", Error, Config;
    /// A value has the wrong TOML type or an invalid form.
    InvalidValue = "invalid-value", Error, Config;
    /// A source or claim id does not follow `[a-z0-9][a-z0-9_-]*` (at most 64 chars).
    InvalidId = "invalid-id", Error, Config;
    /// Two claims share an id (across all claim files).
    DuplicateId = "duplicate-id", Error, Config;
    /// A `span` that is not `[start, end]` with start < end.
    InvalidSpan = "invalid-span", Error, Config;
    /// A citation's quote is empty.
    EmptyQuote = "empty-quote", Error, Config;
    /// A sha256 that is not 64 hex digits, or a revision that is not a hex prefix.
    InvalidHash = "invalid-hash", Error, Config;
    /// A workspace file cannot be read: missing, not UTF-8, too large, a symlink leaving the
    /// workspace, or an I/O error.
    FileUnreadable = "file-unreadable", Error, Config;

    // --- sources (and citations naming one that cannot be used) ---
    /// A citation names a source that sources.toml does not register.
    SourceUnknown = "source-unknown", Error, Citation;
    /// `snapshots/<id>.txt` does not exist.
    SnapshotMissing = "snapshot-missing", Error, Source;
    /// The snapshot's bytes differ from the pinned sha256.
    SnapshotModified = "snapshot-modified", Error, Source;
    /// A pin breaks the chain of captures: a revision says it was superseded by another
    /// sha256 than the next capture's (a pin edited by hand).
    PinModified = "pin-modified", Error, Source;
    /// The snapshot exists but cannot be used as evidence: not UTF-8, too large, a symlink
    /// leaving the workspace, unreadable.
    SnapshotInvalid = "snapshot-invalid", Error, Source;
    /// A citation pins a `revision` the source does not record, or whose capture is not kept.
    RevisionUnknown = "revision-unknown", Error, Citation;
    /// A registered source no claim cites.
    SourceUnused = "source-unused", Warning, Source;
    /// A new capture of a source awaits review (`prov diff`, `prov accept`).
    CapturePending = "capture-pending", Warning, Source;
    /// A change of several files was interrupted: its journal (`.prov-journal.json`) is there.
    /// Read-only commands never apply it; `prov recover` (or any writing command) completes it.
    InterruptedWrite = "interrupted-write", Error, Source;

    // --- citations ---
    /// No span given; the quote occurs exactly once (`prov fix` fills the span).
    Unanchored = "unanchored", Warning, Citation;
    /// The quote is exact, but at another place (`prov fix` rewrites the span).
    Moved = "moved", Error, Citation;
    /// The quote equals the source only after folding typography.
    Typography = "typography", Error, Citation;
    /// The cited passage says something else: a word diff shows what.
    Changed = "changed", Error, Citation;
    /// Several equally good places; none is picked.
    Ambiguous = "ambiguous", Error, Citation;
    /// Nothing close enough in the source.
    Missing = "missing", Error, Citation;

    // --- facts (DESIGN §6) ---
    /// No citation that holds supports the fact.
    Unsupported = "unsupported", Error, Fact;
    /// The supporting citations come from fewer independent origins than `policy.min_origins`.
    SingleOrigin = "single-origin", Warning, Fact;
    /// Every supporting citation only reports a party's statement (`said_by`).
    AttributedOnly = "attributed-only", Warning, Fact;
    /// A citation that holds contradicts the fact.
    Contested = "contested", Warning, Fact;
    /// A supporting source's origin is "unknown".
    UnknownOrigin = "unknown-origin", Warning, Fact;

    // --- text a reader cannot see (a citation's kind: one per quote, or per file) ---
    /// A quote, or anything else in a claim file or sources.toml, holds a character a reader
    /// cannot see: a bidi control, which reorders the text a reader sees (an error), or a
    /// zero-width or other invisible character (a warning).
    HiddenCharacter = "hidden-character", Error, Citation;

    // --- added later; each kept last so that SARIF rule indexes of older codes stay put ---
    /// The quote is exact but begins or ends inside a word of the source (`prov fix` leaves
    /// its span alone).
    PartialWord = "partial-word", Warning, Citation;
    /// The WARC file a capture pins (`[sources.<id>.capture] warc`) is missing or unreadable.
    WarcMissing = "warc-missing", Error, Source;
    /// The WARC file's bytes differ from the sha256 its capture pins.
    WarcModified = "warc-modified", Error, Source;
}

impl Code {
    /// Does the code mean the workspace cannot be interpreted (exit 2)?
    pub fn is_config(self) -> bool {
        self.kind() == CodeKind::Config
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A place in a workspace file: a byte range of its text.
///
/// Offsets are `u32`: a workspace file is at most [`crate::files::MAX_FILE_BYTES`] (256 MiB),
/// and a large workspace holds half a million of these (12 bytes each, not 24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: FileId,
    start: u32,
    end: u32,
}

impl Loc {
    /// The place `range` of `file`; offsets past `u32::MAX` (never in a file prov reads) are
    /// clamped to it.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Loc {
            file,
            start: clamp(range.start),
            end: clamp(range.end),
        }
    }

    /// Its offsets as held, for a structure that keeps many places in one file apart from
    /// the file's id ([`Loc::from_offsets`] makes it again).
    pub(crate) fn offsets(&self) -> (u32, u32) {
        (self.start, self.end)
    }

    /// The place at `offsets` (from [`Loc::offsets`]) of `file`.
    pub(crate) fn from_offsets(file: FileId, (start, end): (u32, u32)) -> Self {
        Loc { file, start, end }
    }

    /// Its byte range in the file's text.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Its first byte.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// The byte after its last.
    pub fn end(&self) -> usize {
        self.end as usize
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// Where it is, when it is somewhere in a workspace file.
    pub loc: Option<Loc>,
    /// Text shown under the underline.
    pub label: Option<Cow<'static, str>>,
    /// Further facts (`= note: …`), each one line or a short block.
    pub notes: Vec<Cow<'static, str>>,
    /// What to do (`= help: …`).
    pub help: Option<Cow<'static, str>>,
    /// A word diff to show, as (old, new) text (boxed: rare, and a check keeps every finding).
    pub diff: Option<Box<(String, String)>>,
    /// The citation this finding belongs to (index into the check's citation list).
    pub citation: Option<usize>,
    /// It is about a pending capture (what accepting it would do), not the current evidence.
    pub about_pending: bool,
    /// The workspace-relative path of the file it is about, when it has no position in one
    /// (a claim file that cannot be read): SARIF and GitHub annotations point at that file.
    pub unreadable: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            loc: None,
            label: None,
            notes: Vec::new(),
            help: None,
            diff: None,
            citation: None,
            about_pending: false,
            unreadable: None,
        }
    }

    pub fn at(mut self, loc: Loc) -> Self {
        self.loc = Some(loc);
        self
    }

    pub fn at_opt(mut self, loc: Option<Loc>) -> Self {
        self.loc = loc;
        self
    }

    pub fn label(mut self, label: impl Into<Cow<'static, str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn note(mut self, note: impl Into<Cow<'static, str>>) -> Self {
        // Most findings have one note: room for exactly one (a push reserves four), since a
        // 100k-citation check keeps 50,000 findings.
        if self.notes.capacity() == 0 {
            self.notes.reserve_exact(1);
        }
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn diff(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.diff = Some(Box::new((old.into(), new.into())));
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn about_pending(mut self) -> Self {
        self.about_pending = true;
        self
    }

    pub fn citation(mut self, index: usize) -> Self {
        self.citation = Some(index);
        self
    }

    /// The finding is about the file at `path`, which could not be read.
    pub fn unreadable(mut self, path: impl Into<String>) -> Self {
        self.unreadable = Some(path.into());
        self
    }
}

/// Which findings come first: causes before their consequences. A source that fails its pin
/// (or a pending capture, an interrupted write) explains why its citations are not checked;
/// a citation that does not hold explains why its fact is unsupported.
fn tier(code: Code) -> u8 {
    match code.kind() {
        CodeKind::Config | CodeKind::Source => 0,
        CodeKind::Citation => 1,
        CodeKind::Fact => 2,
    }
}

/// Sort findings so that causes come first: the sources' integrity (and every configuration
/// problem), then the citations, then the facts. Within each, by file path, then position;
/// findings without a location first. The sort is stable and total over what it compares, so
/// the order is the same on every run.
pub fn sort(files: &crate::files::Files, diags: &mut [Diagnostic]) {
    // Rank files by path once; comparisons then compare numbers.
    let ranks = file_ranks(
        files,
        diags.iter().filter_map(|d| d.loc.as_ref().map(|l| l.file)),
    );
    // Stable, each key made once, on every core (a large workspace has 500,000 findings).
    diags.par_sort_by_cached_key(|d| {
        (
            tier(d.code),
            d.loc
                .as_ref()
                .map(|l| (ranks.get(&l.file).copied().unwrap_or(usize::MAX), l.start())),
            d.code,
        )
    });
}

/// The rank of each of `ids` among them by path: the order [`sort`] puts files in (the
/// check's facts' findings, made on demand, are put in the same order with it).
pub fn file_ranks(
    files: &crate::files::Files,
    ids: impl Iterator<Item = crate::files::FileId>,
) -> std::collections::HashMap<crate::files::FileId, usize> {
    let mut ids: Vec<crate::files::FileId> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids.sort_by(|a, b| files.get(*a).path.cmp(&files.get(*b).path));
    ids.iter()
        .enumerate()
        .map(|(rank, &id)| (id, rank))
        .collect()
}

/// The closest candidate to `word` among `candidates`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// At most `n` chars of `s`, with an ellipsis when cut.
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name} is not kebab-case"
            );
        }
    }

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/codes.md");
        for code in Code::ALL {
            assert!(
                doc.contains(&format!("`{}`", code.as_str())),
                "docs/codes.md does not document `{}`",
                code.as_str()
            );
        }
    }

    #[test]
    fn suggestions_find_typos_only() {
        let keys = ["source", "quote", "span", "stance", "said_by", "revision"];
        assert_eq!(suggest("qoute", keys), Some("quote"));
        assert_eq!(suggest("saidby", keys), Some("said_by"));
        assert_eq!(suggest("zzz", keys), None);
    }
}
