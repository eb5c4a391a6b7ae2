//! Changing the registry: `prov init` (a new workspace) and `prov add` (a new source). Both
//! validate everything before writing anything, then write atomically: the snapshot first,
//! sources.toml last, so an interrupted add leaves at most an unregistered snapshot that the
//! same `prov add` will adopt (when its bytes are identical) and complete.

use std::fs;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, value};

use crate::clock::now_rfc3339;
use crate::edit::{atomic_create, atomic_write};
use crate::failpoint::failpoint;
use crate::files::{self, MAX_FILE_BYTES, ReadError};
use crate::refusal::Refusal;
use crate::snapshot::sha256_hex;
use crate::workspace::tree::{suggest_free_id, valid_id};
use crate::workspace::{
    CLAIMS_DIR, CaptureRecord, SNAPSHOTS_DIR, SOURCES_FILE, snapshot_path, warc_path,
    warc_pending_path,
};

pub const SOURCES_TEMPLATE: &str = r#"# The sources this workspace cites: one entry per captured document.
# `prov add FILE --id ID --outlet NAME` copies a document into snapshots/<id>.txt and appends
# its entry here; `prov check` verifies every snapshot against its sha256.

[policy]
min_origins = 2          # a fact needs support from at least this many independent origins
deny = []                # fact flags that fail the gate, e.g. ["single-origin"]

# [sources.example-id]
# title = "…"
# outlet = "example.org"          # who published this document ("unknown" is allowed, and flagged)
# origin = "AFP"                  # optional: who first published it (a wire, a translated original)
# url = "https://…"               # optional
# language = "en"                 # optional, BCP 47
# published = 2023-06-21          # optional
# captured = 2026-11-22T10:00:00Z # when the snapshot was taken
# sha256 = "…"                    # the snapshot's bytes, exactly
"#;

const CLAIMS_README: &str = r#"# Claim files: one or more [[claim]] tables per file, each citing exact spans of sources.
#
# [[claim]]
# id = "albania-breaks-ties"
# fact = "Albania broke off diplomatic relations with Iran on 7 September 2022."
#
# [[claim.cite]]
# source = "afp-breaks-ties"
# quote = "L’Albanie a rompu mercredi ses relations avec l’Iran"
# span = [90, 142]        # code points [start, end); omit it and `prov fix` fills it in
"#;

/// Create an empty workspace in `dir`. Returns the files created.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Refusal> {
    let sources = dir.join(SOURCES_FILE);
    if fs::symlink_metadata(&sources).is_ok() {
        return Err(Refusal::new(format!(
            "{} is already a prov workspace: it has a {SOURCES_FILE}",
            dir.display()
        ))
        .help("run `prov check` there, or choose another directory"));
    }
    let io = |what: &str, e: std::io::Error| Refusal::new(format!("cannot create {what}: {e}"));
    for sub in [CLAIMS_DIR, SNAPSHOTS_DIR] {
        if files::symlink_on_the_way(dir, sub).is_some() {
            return Err(Refusal::new(format!(
                "{} is a symbolic link; prov never writes through one",
                dir.join(sub).display()
            ))
            .help("make it a real directory, or choose another directory"));
        }
    }
    fs::create_dir_all(dir).map_err(|e| io(&dir.display().to_string(), e))?;
    let mut created = Vec::new();
    for sub in [CLAIMS_DIR, SNAPSHOTS_DIR] {
        let p = dir.join(sub);
        if !p.is_dir() {
            fs::create_dir(&p).map_err(|e| io(&p.display().to_string(), e))?;
            created.push(p);
        }
    }
    failpoint("init-dirs");
    let ignore = dir.join(".gitignore");
    if fs::symlink_metadata(&ignore).is_err() {
        atomic_create(
            &ignore,
            b"# prov's lock and the journal of an interrupted change: never commit them\n.prov.lock\n.prov-journal.json\n",
        )
        .map_err(|e| io(&ignore.display().to_string(), e))?;
        created.push(ignore);
    }
    let example = dir.join(CLAIMS_DIR).join("example.toml");
    if fs::symlink_metadata(&example).is_err() {
        atomic_create(&example, CLAIMS_README.as_bytes())
            .map_err(|e| io(&example.display().to_string(), e))?;
        created.push(example);
    }
    failpoint("init-files");
    // sources.toml last: its presence is what makes the directory a workspace.
    atomic_create(&sources, SOURCES_TEMPLATE.as_bytes())
        .map_err(|e| io(&sources.display().to_string(), e))?;
    created.push(sources);
    Ok(created)
}

/// Metadata for `prov add`.
#[derive(Debug, Clone, Default)]
pub struct NewSource {
    pub id: String,
    pub outlet: String,
    pub origin: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub published: Option<String>,
}

/// What `prov add` did.
#[derive(Debug, Clone)]
pub struct Added {
    pub snapshot: PathBuf,
    pub bytes: usize,
    pub sha256: String,
    pub captured: String,
    /// An identical unregistered snapshot was already there (an earlier add was interrupted).
    pub adopted: bool,
}

/// Check input bytes are usable as a snapshot.
pub fn validate_text(bytes: &[u8], what: &str) -> Result<(), Refusal> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refusal::new(format!(
            "{what}: {}",
            crate::files::too_large(bytes.len() as u64)
        ))
        .help("capture the article's text, not a whole archive"));
    }
    if bytes.is_empty() {
        return Err(
            Refusal::new(format!("{what} is empty: there is nothing to cite"))
                .help("capture the document's text first"),
        );
    }
    if let Err(e) = simdutf8::compat::from_utf8(bytes) {
        return Err(Refusal::new(format!(
            "{what} is not UTF-8 text: invalid byte sequence at byte offset {}",
            e.valid_up_to()
        ))
        .help("convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.txt`, then add the converted file"));
    }
    if bytes.contains(&0) {
        let at = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        return Err(Refusal::new(format!(
            "{what} contains a NUL byte at byte offset {at}: it looks like a binary file, not text"
        ))
        .help("extract the document's text first (e.g. pdftotext), then add that"));
    }
    Ok(())
}

/// Validate the metadata of a new source; `taken` says whether an id is already in use (the
/// id suggested for an invalid one is not).
fn validate_meta(
    new: &NewSource,
    taken: impl Fn(&str) -> bool,
) -> Result<Option<toml_edit::Date>, Refusal> {
    if !valid_id(&new.id) {
        return Err(Refusal::new(format!("invalid source id `{}`", new.id)).help(format!(
            "ids are lowercase letters, digits, `-` and `_`, starting with a letter or digit, at most 64 characters: try --id {}",
            suggest_free_id(&new.id, taken)
        )));
    }
    if new.outlet.trim().is_empty() {
        return Err(Refusal::new("--outlet is empty")
            .help("name who published the document, or --outlet unknown"));
    }
    if let Some(u) = &new.url
        && let Err(bad) = crate::workspace::check_url(u)
    {
        return Err(Refusal::new(bad.message.replacen("`url`", "--url", 1)).help(bad.help));
    }
    if let Some(l) = &new.language
        && !crate::workspace::valid_language(l)
    {
        return Err(
            Refusal::new(format!("--language must be a BCP 47 tag, not {l:?}"))
                .help("for example fr, en, pt-BR"),
        );
    }
    match &new.published {
        None => Ok(None),
        Some(p) => match p.parse::<toml_edit::Datetime>() {
            Ok(d) if d.time.is_none() && d.date.is_some() => Ok(d.date),
            _ => Err(Refusal::new(format!(
                "--published must be a date YYYY-MM-DD, not {p:?}"
            ))),
        },
    }
}

/// Check what `prov add` can check before it has the document (before a fetch, which may take
/// long): the id, the metadata, and that the id is not registered yet. Reads only.
pub fn precheck(root: &Path, new: &NewSource) -> Result<(), Refusal> {
    let text = files::read_text(root, &root.join(SOURCES_FILE))
        .map_err(|e| Refusal::new(format!("cannot read {SOURCES_FILE}: {e}")))?;
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Refusal::new(format!(
            "{SOURCES_FILE} is not valid TOML: {}",
            e.message().trim()
        ))
        .help("run `prov check` to see where, and fix it first")
    })?;
    let registered = |id: &str| {
        doc.get("sources")
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key(id))
    };
    validate_meta(new, |id| {
        registered(id) || fs::symlink_metadata(snapshot_path(root, id)).is_ok()
    })?;
    if registered(&new.id) {
        return Err(Refusal::new(format!("source `{}` is already registered", new.id))
            .help("choose another --id; to record a new version of the same document, `prov capture` it"));
    }
    Ok(())
}

/// Register a new source from `bytes` (already read from FILE or stdin).
pub fn add(root: &Path, new: &NewSource, bytes: &[u8], what: &str) -> Result<Added, Refusal> {
    add_with(root, new, bytes, what, None)
}

/// Register a new source from `bytes`, with the WARC evidence it was extracted from (written
/// as `snapshots/<id>.warc.gz`, pinned by `[sources.<id>.capture]`), when there is one.
pub fn add_with(
    root: &Path,
    new: &NewSource,
    bytes: &[u8],
    what: &str,
    evidence: Option<(&[u8], &CaptureRecord)>,
) -> Result<Added, Refusal> {
    let sources_path = root.join(SOURCES_FILE);
    let text = files::read_text(root, &sources_path).map_err(|e| {
        Refusal::new(format!("cannot read {SOURCES_FILE}: {e}")).help(if e == ReadError::NotFound {
            "run `prov init` first"
        } else {
            "fix the file first"
        })
    })?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Refusal::new(format!(
            "{SOURCES_FILE} is not valid TOML: {}",
            e.message().trim()
        ))
        .help("run `prov check` to see where, and fix it first")
    })?;
    let registered = |id: &str| {
        doc.get("sources")
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key(id))
    };
    let published = validate_meta(new, |id| {
        registered(id) || fs::symlink_metadata(snapshot_path(root, id)).is_ok()
    })?;
    validate_text(bytes, what)?;
    if registered(&new.id) {
        return Err(Refusal::new(format!("source `{}` is already registered", new.id))
            .help("choose another --id; to record a new version of the same document, capture it instead"));
    }

    let snapshot = snapshot_path(root, &new.id);
    let sha256 = sha256_hex(bytes);
    let mut adopted = false;
    match fs::symlink_metadata(&snapshot) {
        Ok(_) => {
            let existing = files::read_bytes(root, &snapshot).ok();
            if existing.as_deref() == Some(bytes) {
                adopted = true;
            } else {
                return Err(Refusal::new(format!(
                    "{SNAPSHOTS_DIR}/{}.txt already exists with other contents",
                    new.id
                ))
                .help("it is not registered in sources.toml: remove it, or choose another --id"));
            }
        }
        Err(_) => {
            fs::create_dir_all(root.join(SNAPSHOTS_DIR))
                .map_err(|e| Refusal::new(format!("cannot create {SNAPSHOTS_DIR}/: {e}")))?;
        }
    }

    let captured = now_rfc3339();
    let mut entry = Table::new();
    entry.decor_mut().set_prefix("\n");
    if let Some(t) = &new.title {
        entry.insert("title", value(t.as_str()));
    }
    entry.insert("outlet", value(new.outlet.as_str()));
    if let Some(o) = &new.origin {
        entry.insert("origin", value(o.as_str()));
    }
    if let Some(u) = &new.url {
        entry.insert("url", value(u.as_str()));
    }
    if let Some(l) = &new.language {
        entry.insert("language", value(l.as_str()));
    }
    if let Some(d) = published {
        entry.insert(
            "published",
            value(toml_edit::Datetime {
                date: Some(d),
                time: None,
                offset: None,
            }),
        );
    }
    let captured_value: toml_edit::Datetime = captured
        .parse()
        .map_err(|_| Refusal::new(format!("internal error: bad capture time {captured}")))?;
    entry.insert("captured", value(captured_value));
    entry.insert("sha256", value(sha256.as_str()));
    if let Some((_, record)) = evidence {
        entry.insert("capture", Item::Table(record.to_table()));
    }

    let sources = doc.entry("sources").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let Some(sources) = sources.as_table_mut() else {
        return Err(
            Refusal::new(format!("`sources` in {SOURCES_FILE} is not a table"))
                .help("run `prov check` to see where, and fix it first"),
        );
    };
    sources.insert(&new.id, Item::Table(entry));

    failpoint("add-planned");
    if let Some((warc, _)) = evidence {
        // An unregistered WARC by this name is what an interrupted add left (nothing pins
        // it): it is replaced.
        let path = warc_path(root, &new.id);
        atomic_write(&path, warc)
            .map_err(|e| Refusal::new(format!("cannot write {}: {e}", path.display())))?;
    }
    if !adopted {
        atomic_create(&snapshot, bytes)
            .map_err(|e| Refusal::new(format!("cannot write {}: {e}", snapshot.display())))?;
    }
    failpoint("add-snapshot-written");
    // Refuse to clobber a concurrent edit of sources.toml.
    let now = files::read_text(root, &sources_path).unwrap_or_default();
    if now != text {
        return Err(Refusal::new(format!(
            "{SOURCES_FILE} changed while prov was adding the source"
        ))
        .help("run the same `prov add` again"));
    }
    atomic_write(&sources_path, doc.to_string().as_bytes())
        .map_err(|e| Refusal::new(format!("cannot write {SOURCES_FILE}: {e}")))?;
    Ok(Added {
        snapshot,
        bytes: bytes.len(),
        sha256,
        captured,
        adopted,
    })
}

/// What `prov capture` did.
#[derive(Debug, Clone)]
pub struct Captured {
    pub path: PathBuf,
    pub bytes: usize,
    pub sha256: String,
    /// A previous pending capture was replaced.
    pub replaced: bool,
    /// The capture is byte-identical to the pinned snapshot: nothing was stored.
    pub identical: bool,
    /// The bytes are a capture the source pins (the current one, or a recorded revision)
    /// whose file was lost or altered: they were written back to `path`, and nothing else.
    pub restored: Option<Restored>,
}

/// What a restoring `prov capture` put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// `None`: the current snapshot; else the full sha256 of the recorded revision.
    pub revision: Option<String>,
    /// A file was there, with other bytes (it was replaced); else the file was missing.
    pub over_other_bytes: bool,
}

/// Store a new version of source `id` as its pending capture, `snapshots/<id>.new.txt`; or,
/// when `bytes` are a capture the source already pins and its file is missing or altered,
/// restore that file (`snapshots/<id>.txt`, or `snapshots/<id>@<sha12>.txt` for a recorded
/// revision).
pub fn capture(
    ws: &crate::workspace::Workspace,
    id: &str,
    bytes: &[u8],
    what: &str,
) -> Result<Captured, Refusal> {
    capture_with(ws, id, bytes, what, None)
}

/// [`capture`], with the WARC evidence the text was extracted from, stored as
/// `snapshots/<id>.new.warc.gz` before the text (the text is written last: a pending capture
/// is its `.new.txt`). Without evidence, a pending WARC left by an earlier capture is removed,
/// so that it is never taken for this text's.
pub fn capture_with(
    ws: &crate::workspace::Workspace,
    id: &str,
    bytes: &[u8],
    what: &str,
    warc: Option<&[u8]>,
) -> Result<Captured, Refusal> {
    let Some(source) = ws.source(id) else {
        let mut r = Refusal::new(format!("unknown source `{id}`"));
        r = match crate::diag::suggest(id, ws.sources.iter().map(|s| s.id.as_str())) {
            Some(s) => r.help(format!("did you mean `{s}`?")),
            None => r.help("register a new document with `prov add`; capture records a new version of a registered one"),
        };
        return Err(r);
    };
    validate_text(bytes, what)?;
    let sha256 = sha256_hex(bytes);
    if let Some(done) = restore(ws, source, bytes, &sha256)? {
        return Ok(done);
    }
    let path = crate::pending::capture_path(&ws.root, id);
    let replaced = fs::symlink_metadata(&path).is_ok();
    let warc_pending = warc_pending_path(&ws.root, id);
    let remove = |p: &Path| -> Result<(), Refusal> {
        match fs::symlink_metadata(p) {
            Ok(_) => fs::remove_file(p)
                .map_err(|e| Refusal::new(format!("cannot remove {}: {e}", p.display()))),
            Err(_) => Ok(()),
        }
    };
    if sha256 == source.sha256 {
        if replaced {
            remove(&path)?;
        }
        remove(&warc_pending)?;
        return Ok(Captured {
            path,
            bytes: bytes.len(),
            sha256,
            replaced,
            identical: true,
            restored: None,
        });
    }
    failpoint("capture-planned");
    match warc {
        Some(w) => atomic_write(&warc_pending, w)
            .map_err(|e| Refusal::new(format!("cannot write {}: {e}", warc_pending.display())))?,
        None => remove(&warc_pending)?,
    }
    atomic_write(&path, bytes)
        .map_err(|e| Refusal::new(format!("cannot write {}: {e}", path.display())))?;
    failpoint("capture-written");
    Ok(Captured {
        path,
        bytes: bytes.len(),
        sha256,
        replaced,
        identical: false,
        restored: None,
    })
}

/// Write `bytes` back where the source keeps the capture whose sha256 they have, when that
/// file is missing or holds other bytes. `None` when the bytes are no capture the source pins,
/// or its file is intact. The sha256 is the proof: nothing but the pinned bytes is restored.
fn restore(
    ws: &crate::workspace::Workspace,
    source: &crate::workspace::Source,
    bytes: &[u8],
    sha256: &str,
) -> Result<Option<Captured>, Refusal> {
    let (path, revision) = if sha256 == source.sha256 {
        (snapshot_path(&ws.root, &source.id), None)
    } else if source.revisions.iter().any(|r| r.sha256 == sha256) {
        (
            crate::workspace::revision_path(&ws.root, &source.id, sha256),
            Some(sha256.to_string()),
        )
    } else {
        return Ok(None);
    };
    let over_other_bytes = match fs::symlink_metadata(&path) {
        Err(_) => false,
        Ok(_) if files::read_bytes(&ws.root, &path).ok().as_deref() == Some(bytes) => {
            return Ok(None);
        }
        Ok(_) => true,
    };
    let rel = crate::files::rel_display(&ws.root, &path);
    if let Some(link) = files::symlink_on_the_way(&ws.root, &rel) {
        return Err(Refusal::new(format!(
            "{link} is a symbolic link; prov never writes through one, so {rel} was not restored"
        ))
        .help("make it a real file or directory inside the workspace (remove the link), then run the same command again"));
    }
    fs::create_dir_all(ws.root.join(SNAPSHOTS_DIR))
        .map_err(|e| Refusal::new(format!("cannot create {SNAPSHOTS_DIR}/: {e}")))?;
    let written = if over_other_bytes {
        atomic_write(&path, bytes)
    } else {
        atomic_create(&path, bytes)
    };
    written.map_err(|e| Refusal::new(format!("cannot write {rel}: {e}")))?;
    Ok(Some(Captured {
        path,
        bytes: bytes.len(),
        sha256: sha256.to_string(),
        replaced: false,
        identical: false,
        restored: Some(Restored {
            revision,
            over_other_bytes,
        }),
    }))
}

/// The sha256 `sources.toml` pins for source `id` now, read from the file (not from a loaded
/// workspace, which may be older): `prov refresh` checks it before it stages a capture.
pub fn pinned_sha256(root: &Path, id: &str) -> Option<String> {
    use crate::workspace::tree::{Node, get, table};
    let text = files::read_text(root, &root.join(SOURCES_FILE)).ok()?;
    let entries = crate::workspace::parse::parse(&text).ok()?;
    let source = table(get(table(get(&entries, "sources")?)?, id)?)?;
    match &get(source, "sha256")?.value.node {
        Node::Str(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}
