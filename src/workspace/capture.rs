//! The capture evidence recorded in sources.toml: `[sources.<id>.capture]` (and the same table
//! under a revision), which pins the WARC file kept beside a snapshot and says how its text was
//! made; and `[fetch]`, how prov fetches for this workspace (docs/formats.md).

use std::path::{Path, PathBuf};

use toml_edit::{Table, value};

use super::SNAPSHOTS_DIR;
use super::keys::{CAPTURE_KEYS, FETCH_KEYS};
use super::tree::{Check, Entry, Node, datetime, get};
use crate::diag::{Code, Loc};

/// How the bytes of a capture came to prov.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Fetched from the web by prov (`prov add --url`, `capture --fetch`, `refresh`).
    Fetch,
    /// A response taken from a WARC or WACZ file made by another tool (`--warc`).
    Archive,
    /// A local file (`prov add page.html`, a Wayback Machine raw download).
    File,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Fetch, Method::Archive, Method::File];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Fetch => "fetch",
            Method::Archive => "archive",
            Method::File => "file",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// `[sources.<id>.capture]`: the evidence of one capture. Everything but `warc` is what the
/// WARC file itself says; sources.toml repeats it so that a reader (and a reviewer of a diff)
/// sees it, and so that `prov report --verify` can re-extract with the recorded extractor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRecord {
    /// The sha256 of the WARC file (`snapshots/<id>.warc.gz`, or `…@<sha12>.warc.gz`).
    pub warc: String,
    pub warc_loc: Option<Loc>,
    pub method: Method,
    /// The URL the text came from: the final URL after redirects (absent for a local file
    /// registered without `--url`).
    pub url: Option<String>,
    /// The HTTP status of that response (absent for a body without an HTTP head).
    pub status: Option<u16>,
    /// The content type the extractor was given.
    pub content_type: Option<String>,
    /// When the response was fetched (a WARC record's date), RFC 3339.
    pub fetched: Option<String>,
    pub extractor: String,
    pub extractor_version: String,
    /// `article`, `page` or `none`.
    pub mode: String,
    /// The text was re-extracted from an earlier capture's response (`prov refresh
    /// --re-extract`): not a new version from the publisher.
    pub re_extraction: bool,
    /// The table (or its key).
    pub loc: Option<Loc>,
}

impl CaptureRecord {
    /// The table prov writes for it, keys in a fixed order.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new();
        t.insert("warc", value(self.warc.as_str()));
        t.insert("method", value(self.method.as_str()));
        if let Some(u) = &self.url {
            t.insert("url", value(u.as_str()));
        }
        if let Some(s) = self.status {
            t.insert("status", value(i64::from(s)));
        }
        if let Some(c) = &self.content_type {
            t.insert("content_type", value(c.as_str()));
        }
        if let Some(d) = self
            .fetched
            .as_deref()
            .and_then(|f| f.parse::<toml_edit::Datetime>().ok())
        {
            t.insert("fetched", value(d));
        }
        t.insert("extractor", value(self.extractor.as_str()));
        t.insert("extractor_version", value(self.extractor_version.as_str()));
        t.insert("mode", value(self.mode.as_str()));
        if self.re_extraction {
            t.insert("re_extraction", value(true));
        }
        t
    }

    /// `prov-html 1 (article)`.
    pub fn extractor_label(&self) -> String {
        format!(
            "{} {} ({})",
            self.extractor, self.extractor_version, self.mode
        )
    }
}

/// `[fetch]`: how prov fetches pages for this workspace. Command-line flags override it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchSettings {
    /// A URL (or `mailto:`) naming who runs prov, sent in the User-Agent.
    pub contact: Option<String>,
    /// Seconds between two requests to one host.
    pub delay: Option<f64>,
    /// Honour robots.txt (default: yes).
    pub robots: Option<bool>,
    /// Seconds for one whole fetch, redirects and retries included.
    pub timeout: Option<u64>,
}

/// `snapshots/<id>.warc.gz`: the evidence of the current capture.
pub fn warc_path(root: &Path, id: &str) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{id}.warc.gz"))
}

/// `snapshots/<id>@<sha12>.warc.gz`: the evidence of a superseded capture, named like its text
/// (`<sha12>`: the first 12 hex digits of the superseded text's sha256).
pub fn warc_revision_path(root: &Path, id: &str, text_sha256: &str) -> PathBuf {
    let short: String = text_sha256.chars().take(12).collect();
    root.join(SNAPSHOTS_DIR)
        .join(format!("{id}@{short}.warc.gz"))
}

/// `snapshots/<id>.new.warc.gz`: the evidence of a pending capture.
pub fn warc_pending_path(root: &Path, id: &str) -> PathBuf {
    root.join(SNAPSHOTS_DIR).join(format!("{id}.new.warc.gz"))
}

/// The longest delay between requests to a host, and the longest timeout, prov accepts.
const MAX_DELAY: f64 = 60.0;
const MAX_TIMEOUT: i64 = 3600;

/// `capture` of a source or a revision (`what` names it for messages).
pub(super) fn load_capture(c: &mut Check<'_>, e: &Entry, what: &str) -> Option<CaptureRecord> {
    let Node::Table(t) = &e.value.node else {
        c.wrong_type(e, "a table ([sources.<id>.capture])", &e.value.node);
        return None;
    };
    let what = format!("the capture of {what}");
    c.unknown_keys(t, CAPTURE_KEYS, &what);
    let span = if e.value.span.is_empty() {
        e.key_span.clone()
    } else {
        e.value.span.clone()
    };
    let warc_e = c.required(
        t,
        "warc",
        &span,
        &what,
        "pin the WARC file: warc = \"<sha256 of snapshots/<id>.warc.gz>\" (prov writes it with the capture)",
    );
    let warc = warc_e.and_then(|e| {
        let s = c.string(e)?;
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(s.to_ascii_lowercase());
        }
        c.invalid(
            Code::InvalidHash,
            &e.value.span,
            format!("`warc` must be 64 hex digits, the sha256 of the WARC file; this is {s:?}"),
            "prov writes it with the capture; to pin a WARC by hand, paste the output of `sha256sum snapshots/<id>.warc.gz`".into(),
        );
        None
    });
    let method = c
        .required(
            t,
            "method",
            &span,
            &what,
            "say how the bytes came: method = \"fetch\", \"archive\" or \"file\"",
        )
        .and_then(|e| {
            let s = c.string(e)?;
            let m = Method::parse(&s);
            if m.is_none() {
                c.invalid(
                    Code::InvalidValue,
                    &e.value.span,
                    format!("`method` must be \"fetch\", \"archive\" or \"file\", not {s:?}"),
                    "fetch: prov fetched it; archive: taken from a WARC or WACZ; file: a local file"
                        .into(),
                );
            }
            m
        });
    let url = get(t, "url").and_then(|e| {
        let u = c.nonempty_string(e)?;
        match super::check_url(&u) {
            Ok(()) => Some(u),
            Err(bad) => {
                c.invalid(Code::InvalidValue, &e.value.span, bad.message, bad.help);
                None
            }
        }
    });
    let status = get(t, "status").and_then(|e| match e.value.node {
        Node::Int(n) if (100..=599).contains(&n) => u16::try_from(n).ok(),
        Node::Int(n) => {
            c.invalid(
                Code::InvalidValue,
                &e.value.span,
                format!("`status` must be an HTTP status, from 100 to 599, not {n}"),
                "the status of the response the text came from, e.g. status = 200".into(),
            );
            None
        }
        ref other => {
            c.wrong_type(e, "an integer", other);
            None
        }
    });
    let content_type = get(t, "content_type").and_then(|e| c.name_string(e));
    let fetched = get(t, "fetched").and_then(|e| datetime(c, e));
    let extractor = c
        .required(
            t,
            "extractor",
            &span,
            &what,
            "name the extractor that made the text: extractor = \"prov-html\"",
        )
        .and_then(|e| c.name_string(e));
    let extractor_version = c
        .required(
            t,
            "extractor_version",
            &span,
            &what,
            "give the extractor's version: extractor_version = \"1\"",
        )
        .and_then(|e| c.name_string(e));
    let mode = c
        .required(
            t,
            "mode",
            &span,
            &what,
            "say how much of the page became the text: mode = \"article\", \"page\" or \"none\"",
        )
        .and_then(|e| {
            let s = c.string(e)?;
            if crate::capture::extract::Mode::parse(&s).is_none() {
                c.invalid(
                    Code::InvalidValue,
                    &e.value.span,
                    format!("`mode` must be \"article\", \"page\" or \"none\", not {s:?}"),
                    "the extraction mode the text was made with (docs/capture.md)".into(),
                );
                return None;
            }
            Some(s)
        });
    let re_extraction = match get(t, "re_extraction") {
        None => Some(false),
        Some(e) => match e.value.node {
            Node::Bool(b) => Some(b),
            ref other => {
                c.wrong_type(e, "a boolean", other);
                None
            }
        },
    };
    Some(CaptureRecord {
        warc: warc?,
        warc_loc: warc_e.map(|e| c.loc(&e.value.span)),
        method: method?,
        url,
        status,
        content_type,
        fetched,
        extractor: extractor?,
        extractor_version: extractor_version?,
        mode: mode?,
        re_extraction: re_extraction?,
        loc: Some(c.loc(&span)),
    })
}

/// `[fetch]`.
pub(super) fn load_fetch(c: &mut Check<'_>, e: &Entry) -> FetchSettings {
    let mut f = FetchSettings::default();
    let Node::Table(t) = &e.value.node else {
        c.wrong_type(e, "a table", &e.value.node);
        return f;
    };
    c.unknown_keys(t, FETCH_KEYS, "[fetch]");
    if let Some(e) = get(t, "contact")
        && let Some(s) = c.nonempty_string(e)
    {
        let mailto = s.strip_prefix("mailto:").is_some_and(|m| {
            m.contains('@')
                && m.bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
        });
        match super::check_url(&s) {
            Ok(()) => f.contact = Some(s),
            Err(_) if mailto => f.contact = Some(s),
            Err(_) => c.invalid(
                Code::InvalidValue,
                &e.value.span,
                format!("`contact` must be an http(s) URL or a mailto: address, not {s:?}"),
                "a page saying who runs prov and how to reach them, e.g. contact = \"https://newsroom.example/about-our-bots\"".into(),
            ),
        }
    }
    if let Some(e) = get(t, "delay") {
        let n = match e.value.node {
            Node::Int(n) => Some(n as f64),
            Node::Float(x) => Some(x),
            ref other => {
                c.wrong_type(e, "a number of seconds", other);
                None
            }
        };
        match n {
            Some(x) if (0.0..=MAX_DELAY).contains(&x) => f.delay = Some(x),
            Some(x) => c.invalid(
                Code::InvalidValue,
                &e.value.span,
                format!("`delay` must be from 0 to {MAX_DELAY} seconds, not {x}"),
                "the pause between two requests to one host, e.g. delay = 1".into(),
            ),
            None => {}
        }
    }
    if let Some(e) = get(t, "robots") {
        match e.value.node {
            Node::Bool(b) => f.robots = Some(b),
            ref other => c.wrong_type(e, "a boolean", other),
        }
    }
    if let Some(e) = get(t, "timeout") {
        match e.value.node {
            Node::Int(n) if (1..=MAX_TIMEOUT).contains(&n) => f.timeout = u64::try_from(n).ok(),
            Node::Int(n) => c.invalid(
                Code::InvalidValue,
                &e.value.span,
                format!("`timeout` must be from 1 to {MAX_TIMEOUT} seconds, not {n}"),
                "the longest one fetch may take, redirects and retries included, e.g. timeout = 120".into(),
            ),
            ref other => c.wrong_type(e, "an integer number of seconds", other),
        }
    }
    f
}
