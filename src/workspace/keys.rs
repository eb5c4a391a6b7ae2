//! The keys each table of the formats may hold (docs/formats.md): what the loader accepts, and
//! what the language server offers as completions.

pub const SOURCE_KEYS: &[&str] = &[
    "title",
    "outlet",
    "origin",
    "url",
    "language",
    "published",
    "captured",
    "sha256",
    "revisions",
    "capture",
    "note",
];
pub const REVISION_KEYS: &[&str] = &[
    "sha256",
    "captured",
    "superseded",
    "superseded_by",
    "capture",
    "note",
];
pub const POLICY_KEYS: &[&str] = &["min_origins", "deny"];
pub const CLAIM_KEYS: &[&str] = &["id", "fact", "cite", "note"];
pub const CITE_KEYS: &[&str] = &[
    "source", "quote", "span", "stance", "said_by", "origin", "revision", "note",
];
pub const CAPTURE_KEYS: &[&str] = &[
    "warc",
    "method",
    "url",
    "status",
    "content_type",
    "fetched",
    "extractor",
    "extractor_version",
    "mode",
    "re_extraction",
];

pub const FETCH_KEYS: &[&str] = &["contact", "delay", "robots", "timeout"];
