//! Loading: read sources.toml and claims/**/*.toml, parse them with spans, and validate them into
//! the model. Every problem is collected (the whole workspace is walked) before giving up.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::keys::{CITE_KEYS, CLAIM_KEYS, POLICY_KEYS, REVISION_KEYS, SOURCE_KEYS};
use super::tree::{
    self, Check, Entry, Node, date, datetime, get, suggest_free_id, suggest_id, valid_id,
};
use super::{
    CLAIMS_DIR, Cite, CiteExtra, CitePlaces, Claim, ClaimPlaces, FetchSettings, Policy, Revision,
    SNAPSHOTS_DIR, SOURCES_FILE, Source, Stance, Workspace,
};
use crate::diag::{Code, Diagnostic, Loc, suggest};
use crate::escape;
use crate::files::{self, FileId, Files, ReadError, Text};
use crate::workspace::Flag;

/// The workspace could not be loaded; the diagnostics say why, pointing into `files`.
#[derive(Debug)]
pub struct LoadError {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
}

/// Load and validate the workspace rooted at `root`.
pub fn load(root: &Path) -> Result<Workspace, LoadError> {
    load_some(root, None)
}

/// Only `[fetch]` of sources.toml, validated (what `prov add --url` needs, without loading
/// every claim file). A sources.toml that cannot be read or parsed gives the defaults: the
/// command that writes it reports that itself.
pub fn fetch_settings(root: &Path) -> Result<FetchSettings, LoadError> {
    let mut files = Files::default();
    let Ok(text) = files::read_text(root, &root.join(SOURCES_FILE)) else {
        return Ok(FetchSettings::default());
    };
    let file = files.add(SOURCES_FILE.to_string(), text);
    let mut diagnostics = Vec::new();
    let mut ignored = Vec::new();
    let Some(entries) = parse(&files, file, &mut ignored) else {
        return Ok(FetchSettings::default());
    };
    let settings = match get(&entries, "fetch") {
        Some(e) => super::capture::load_fetch(
            &mut Check {
                file,
                diags: &mut diagnostics,
            },
            e,
        ),
        None => FetchSettings::default(),
    };
    if diagnostics.is_empty() {
        Ok(settings)
    } else {
        Err(LoadError { files, diagnostics })
    }
}

/// Load the workspace with only the claim files whose workspace-relative path `only` accepts
/// (all of them when `None`): the pre-commit path, which checks a few files of a large workspace.
///
/// sources.toml and the chosen files are validated as by [`load`]. The other claim files are not
/// validated; they are only scanned for the chosen files' claim ids (ids are unique across the
/// workspace), and a file that may define one is parsed to report the duplicate.
pub fn load_some(
    root: &Path,
    only: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Workspace, LoadError> {
    load_overlaid(root, only, &Overlay::new())
}

/// Text read instead of a file on disk, by workspace-relative path (`sources.toml`,
/// `claims/a.toml`): an editor's unsaved buffers (`prov lsp`). Only sources.toml and claim
/// files are read through it; snapshots are evidence and always come from disk.
pub type Overlay = HashMap<String, String>;

/// [`load_some`], with the files `overlay` holds read from it instead of from disk. The claim
/// files are still those listed under claims/ on disk.
pub fn load_overlaid(
    root: &Path,
    only: Option<&(dyn Fn(&str) -> bool + Sync)>,
    overlay: &Overlay,
) -> Result<Workspace, LoadError> {
    let mut files = Files::default();
    let mut diags = Vec::new();

    let sources_path = root.join(SOURCES_FILE);
    let sources_text = match read_text(root, overlay, SOURCES_FILE, &sources_path) {
        Ok(t) => t,
        Err(e) => {
            let help = match e {
                ReadError::NotFound => "run `prov init` to create a workspace here".to_string(),
                ReadError::NotUtf8(_) => "save the file as UTF-8".to_string(),
                _ => "make sources.toml a readable regular file inside the workspace".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    Code::FileUnreadable,
                    format!("cannot read {SOURCES_FILE}: {e}"),
                )
                .help(help)
                .unreadable(SOURCES_FILE),
            );
            return Err(LoadError {
                files,
                diagnostics: diags,
            });
        }
    };
    let sources_file = files.add(SOURCES_FILE.to_string(), sources_text);

    // A snapshots/ that is not a directory makes every snapshot unreadable: one finding, not an
    // OS error per source.
    if fs::metadata(root.join(SNAPSHOTS_DIR)).is_ok_and(|m| !m.is_dir()) {
        diags.push(
            Diagnostic::new(
                Code::FileUnreadable,
                format!("{SNAPSHOTS_DIR} is not a directory"),
            )
            .help(format!(
                "snapshots live in the directory {SNAPSHOTS_DIR}/, one <id>.txt per source: move the file aside and restore the directory (from version control, or `prov add` each source again)"
            )),
        );
    }

    // Claim files are read, indexed and parsed on every core; the results are kept in path order.
    let paths = claim_paths(root, &mut diags);
    let rels: Vec<String> = paths.iter().map(|p| files::rel_display(root, p)).collect();
    let chosen = |rel: &str| only.is_none_or(|f| f(rel));
    let read: Vec<Result<files::File, ReadError>> = paths
        .par_iter()
        .zip(&rels)
        .filter(|(_, rel)| chosen(rel))
        .map(|(path, rel)| {
            read_text(root, overlay, rel, path).map(|t| files::File::new(rel.clone(), t))
        })
        .collect();
    let mut claim_files = Vec::new();
    for (rel, file) in rels.iter().filter(|r| chosen(r)).zip(read) {
        match file {
            Ok(f) => claim_files.push(files.push(f)),
            Err(e) => diags.push(
                Diagnostic::new(Code::FileUnreadable, format!("cannot read {rel}: {e}"))
                    .help(read_help(&e))
                    .unreadable(rel.clone()),
            ),
        }
    }
    // sources.toml is validated while the claim files are parsed.
    let ((policy, fetch, sources, source_diags), claimed) = rayon::join(
        || {
            let mut d = Vec::new();
            let (policy, fetch, sources) = match parse(&files, sources_file, &mut d) {
                Some(entries) => load_sources(&entries, sources_file, &mut d),
                None => (Policy::default(), FetchSettings::default(), Vec::new()),
            };
            (policy, fetch, sources, d)
        },
        || {
            let mut d = Vec::new();
            let claims = parse_claims(&files, &claim_files, &mut d);
            // The other claim files matter only if they reuse an id of the chosen ones: they
            // are scanned for those ids, and parsed (for the duplicate check alone) only on a
            // hit, below.
            let hits: Vec<files::File> = match only {
                None => Vec::new(),
                Some(_) => {
                    let ids: HashSet<&str> = claims.iter().map(|c| c.id()).collect();
                    paths
                        .par_iter()
                        .zip(&rels)
                        .filter(|(_, rel)| !chosen(rel))
                        .filter_map(|(path, rel)| {
                            let bytes = match overlay.get(rel.as_str()) {
                                Some(text) => text.as_bytes().to_vec(),
                                None => files::read_bytes(root, path).ok()?,
                            };
                            if !may_define(&bytes, &ids) {
                                return None;
                            }
                            let text = String::from_utf8(bytes).ok()?;
                            Some(files::File::new(rel.clone(), text))
                        })
                        .collect()
                }
            };
            (claims, d, hits)
        },
    );
    let (mut claims, claim_diags, hits) = claimed;
    diags.extend(source_diags);
    diags.extend(claim_diags);

    if only.is_some() {
        let others: Vec<FileId> = hits.into_iter().map(|f| files.push(f)).collect();
        if !others.is_empty() {
            // Their own problems are for a check of them; only the duplicates are reported.
            let mut ignored = Vec::new();
            let mut all = parse_claims(&files, &others, &mut ignored);
            let n = claims.len();
            all.append(&mut claims);
            // Path order decides which use is the second one.
            let order: HashMap<&str, usize> = rels
                .iter()
                .enumerate()
                .map(|(i, r)| (r.as_str(), i))
                .collect();
            let rank = |c: &Claim| order.get(files.get(c.file).path.as_str()).copied();
            all.sort_by_key(|c| rank(c));
            let relevant = |c: &Claim| claim_files.contains(&c.file);
            check_duplicate_claims(&files, &all, &relevant, &mut diags);
            claims = all
                .into_iter()
                .filter(|c| claim_files.contains(&c.file))
                .collect();
            debug_assert_eq!(claims.len(), n);
        } else {
            check_duplicate_claims(&files, &claims, &|_| true, &mut diags);
        }
    } else {
        check_duplicate_claims(&files, &claims, &|_| true, &mut diags);
    }

    if diags.iter().any(|d| d.code.is_config()) {
        crate::diag::sort(&files, &mut diags);
        return Err(LoadError {
            files,
            diagnostics: diags,
        });
    }
    let source_index = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    Ok(Workspace {
        root: root.to_path_buf(),
        files,
        sources_file,
        policy,
        fetch,
        sources,
        claim_files,
        claims,
        source_index,
    })
}

/// Parse and validate claim files on every core; claims in file order.
fn parse_claims(files: &Files, ids: &[FileId], diags: &mut Vec<Diagnostic>) -> Vec<Claim> {
    let parsed: Vec<(Vec<Claim>, Vec<Diagnostic>)> = ids
        .par_iter()
        .map(|&file| {
            let (mut claims, mut diags) = (Vec::new(), Vec::new());
            if let Some(entries) = parse(files, file, &mut diags) {
                let text = &files.get(file).text;
                load_claims(&entries, file, text, &mut claims, &mut diags);
            }
            (claims, diags)
        })
        .collect();
    let mut claims = Vec::with_capacity(parsed.iter().map(|(c, _)| c.len()).sum());
    for (c, d) in parsed {
        claims.extend(c);
        diags.extend(d);
    }
    claims
}

/// Whether a TOML file may define a string equal to one of `ids` (valid ids: `[a-z0-9_-]`).
///
/// Never wrong when it says no: a TOML string equal to an id is the id between two `"` or two
/// `'` (every quote char is tried as an opening one), unless it is spelt with escapes (`\u`,
/// `\U`) or a line-ending backslash, and a file with either is always a maybe.
fn may_define(bytes: &[u8], ids: &HashSet<&str>) -> bool {
    if ids.is_empty() {
        return false;
    }
    let (min, max) = ids.iter().fold((usize::MAX, 0), |(lo, hi), id| {
        (lo.min(id.len()), hi.max(id.len()))
    });
    // One pass over the bytes: the last `"` and the last `'` seen, and every backslash.
    let (mut last_double, mut last_single) = (None, None);
    for at in memchr::memchr3_iter(b'"', b'\'', b'\\', bytes) {
        let last = match bytes[at] {
            b'"' => &mut last_double,
            b'\'' => &mut last_single,
            _ => {
                if matches!(
                    bytes.get(at + 1),
                    Some(b'u' | b'U' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    return true;
                }
                continue;
            }
        };
        if let Some(open) = *last {
            let len = at - open - 1;
            if (min..=max).contains(&len)
                && let Some(s) = bytes
                    .get(open + 1..at)
                    .and_then(|b| std::str::from_utf8(b).ok())
                && ids.contains(s)
            {
                return true;
            }
        }
        *last = Some(at);
    }
    false
}

/// A file's text: from the overlay when it holds the file (within the same size limit), else
/// from disk.
fn read_text(root: &Path, overlay: &Overlay, rel: &str, path: &Path) -> Result<String, ReadError> {
    match overlay.get(rel) {
        Some(text) if text.len() as u64 > files::MAX_FILE_BYTES => {
            Err(ReadError::TooLarge(text.len() as u64))
        }
        Some(text) => Ok(text.clone()),
        None => files::read_text(root, path),
    }
}

fn read_help(e: &ReadError) -> String {
    match e {
        ReadError::NotUtf8(_) => "save the file as UTF-8".into(),
        ReadError::OutsideWorkspace(_) => {
            "copy the file into the workspace instead of linking to it".into()
        }
        ReadError::TooLarge(_) => "split it into smaller files".into(),
        _ => "check the file's permissions and type".into(),
    }
}

/// Every `*.toml` under claims/, sorted by path. A claims/ that is not a directory is reported.
fn claim_paths(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let dir = root.join(CLAIMS_DIR);
    let mut out = Vec::new();
    match fs::symlink_metadata(&dir) {
        Err(_) => return out,
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            diags.push(
                Diagnostic::new(
                    Code::FileUnreadable,
                    format!("{CLAIMS_DIR} is not a directory"),
                )
                .help(format!(
                    "claim files live in the directory {CLAIMS_DIR}/; move the file into it"
                )),
            );
            return out;
        }
    }
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        Code::FileUnreadable,
                        format!("cannot list {}: {e}", files::rel_display(root, &dir)),
                    )
                    .help("check the directory's permissions"),
                );
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let shown = files::rel_display(root, &path);
            if let Some(bad) = shown
                .chars()
                .find(|&c| c.is_control() || escape::is_unsafe(c))
            {
                // A line feed or an escape sequence in a path would let a file name forge
                // prov's output (a fake `file:line:` or erased lines).
                diags.push(
                    Diagnostic::new(
                        Code::FileUnreadable,
                        format!(
                            "{} has {} (U+{:04X}) in its name",
                            escape::inline(&shown),
                            escape::name(bad).unwrap_or("a control character"),
                            bad as u32
                        ),
                    )
                    .help("rename it: prov reads claim files whose names are plain text"),
                );
                continue;
            }
            if ft.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Parse a file as TOML into the spanned tree; a syntax error becomes a diagnostic.
fn parse<'f>(
    files: &'f Files,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Entry<'f>>> {
    let text = &files.get(file).text;
    match super::parse::parse(text) {
        Ok(entries) => Some(entries),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            diags.push(
                Diagnostic::new(Code::TomlSyntax, format!("invalid TOML: {message}"))
                    .at(Loc::new(file, span))
                    .label(message)
                    .help("fix the TOML syntax; prov reads nothing else from this file until then"),
            );
            None
        }
    }
}

fn load_sources(
    entries: &[Entry],
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> (Policy, FetchSettings, Vec<Source>) {
    let mut c = Check { file, diags };
    c.unknown_keys(entries, &["policy", "fetch", "sources"], SOURCES_FILE);
    let fetch = get(entries, "fetch")
        .map(|e| super::capture::load_fetch(&mut c, e))
        .unwrap_or_default();
    let policy = match get(entries, "policy") {
        Some(e) => match &e.value.node {
            Node::Table(t) => load_policy(&mut c, t),
            other => {
                c.wrong_type(e, "a table", other);
                Policy::default()
            }
        },
        None => Policy::default(),
    };
    let mut sources = Vec::new();
    if let Some(e) = get(entries, "sources") {
        match &e.value.node {
            Node::Table(t) => {
                let ids: HashSet<&str> = t.iter().map(|e| e.key.as_ref()).collect();
                for entry in t {
                    if let Some(s) = load_source(&mut c, entry, &ids) {
                        sources.push(s);
                    }
                }
            }
            other => c.wrong_type(e, "a table of sources", other),
        }
    }
    (policy, fetch, sources)
}

fn load_policy(c: &mut Check<'_>, t: &[Entry]) -> Policy {
    c.unknown_keys(t, POLICY_KEYS, "[policy]");
    let mut policy = Policy::default();
    if let Some(e) = get(t, "min_origins") {
        match e.value.node {
            Node::Int(n) if n >= 1 && n <= u32::MAX as i64 => policy.min_origins = n as u32,
            Node::Int(n) => c.invalid(
                Code::InvalidValue,
                &e.value.span,
                format!("`min_origins` must be a whole number from 1 to {}, not {n}", u32::MAX),
                "set min_origins = 1 to accept single-origin facts, 2 (the default) to want corroboration".into(),
            ),
            ref other => c.wrong_type(e, "an integer", other),
        }
    }
    let flags: Vec<&str> = Flag::ALL.iter().map(|f| f.as_str()).collect();
    let flag_list = flags.join(", ");
    if let Some(e) = get(t, "deny") {
        match &e.value.node {
            Node::Array(items) => {
                for item in items {
                    match &item.node {
                        Node::Str(s) => match Flag::parse(s) {
                            Some(flag) if policy.deny.contains(&flag) => {}
                            Some(flag) => policy.deny.push(flag),
                            None => {
                                let help = match suggest(s, flags.iter().copied()) {
                                    Some(f) => format!("did you mean \"{f}\"? flags: {flag_list}"),
                                    None => format!("the flags are: {flag_list}"),
                                };
                                c.invalid(
                                    Code::InvalidValue,
                                    &item.span,
                                    format!("unknown flag \"{s}\" in `deny`"),
                                    help,
                                );
                            }
                        },
                        other => c.invalid(
                            Code::InvalidValue,
                            &item.span,
                            format!("`deny` lists flag names, not {}", other.type_name()),
                            format!("the flags are: {flag_list}"),
                        ),
                    }
                }
            }
            other => c.wrong_type(e, "an array of flag names", other),
        }
    }
    policy
}

/// One `[sources.<id>]` table; `ids` are every id in the file (an id suggested for an invalid
/// one is not among them).
fn load_source(c: &mut Check<'_>, entry: &Entry, ids: &HashSet<&str>) -> Option<Source> {
    let id = entry.key.to_string();
    let t = match &entry.value.node {
        Node::Table(t) => t,
        other => {
            c.invalid(
                Code::InvalidValue,
                &entry.value.span,
                format!("source `{id}` must be a table, not {}", other.type_name()),
                format!("write it as a table: [sources.{}]", suggest_id(&id)),
            );
            return None;
        }
    };
    let header = if entry.value.span.is_empty() {
        entry.key_span.clone()
    } else {
        entry.value.span.clone()
    };
    let mut ok = true;
    if !valid_id(&id) {
        c.invalid(
            Code::InvalidId,
            &entry.key_span,
            format!("invalid source id `{id}`"),
            format!(
                "ids are lowercase letters, digits, `-` and `_`, starting with a letter or digit, at most 64 characters: try `{}` (and rename snapshots/{id}.txt to match)",
                suggest_free_id(&id, |s| ids.contains(s))
            ),
        );
        ok = false;
    }
    let what = format!("source `{id}`");
    c.unknown_keys(t, SOURCE_KEYS, &what);
    let outlet = c
        .required(
            t,
            "outlet",
            &header,
            &what,
            "say who published it: outlet = \"example.org\" (or \"unknown\", which prov flags)",
        )
        .and_then(|e| c.name_string(e));
    let sha = c.required(
        t,
        "sha256",
        &header,
        &what,
        "pin the snapshot's bytes: `prov add` records it, or paste the output of `sha256sum`",
    );
    let sha256 = sha.and_then(|e| sha256_value(c, e));
    let captured = c
        .required(
            t,
            "captured",
            &header,
            &what,
            "say when the snapshot was taken: captured = 2026-11-22T10:00:00Z",
        )
        .and_then(|e| datetime(c, e));
    let title = opt_name(c, t, "title");
    let origin = opt_name(c, t, "origin");
    let url = opt_string(c, t, "url");
    if let (Some(u), Some(e)) = (&url, get(t, "url"))
        && let Err(bad) = super::check_url(u)
    {
        c.invalid(Code::InvalidValue, &e.value.span, bad.message, bad.help);
    }
    let language = opt_string(c, t, "language");
    if let (Some(l), Some(e)) = (&language, get(t, "language"))
        && !super::valid_language(l)
    {
        c.invalid(
            Code::InvalidValue,
            &e.value.span,
            format!("`language` must be a BCP 47 tag, not \"{l}\""),
            "for example \"fr\", \"en\", \"pt-BR\"".into(),
        );
    }
    let published = get(t, "published").and_then(|e| date(c, e));
    let _note = opt_string(c, t, "note");
    let mut revisions = Vec::new();
    if let Some(e) = get(t, "revisions") {
        match &e.value.node {
            Node::Array(items) => {
                for item in items {
                    if let Some(r) = load_revision(c, item, &id) {
                        revisions.push(r);
                    }
                }
            }
            other => c.wrong_type(e, "an array of tables ([[sources.<id>.revisions]])", other),
        }
    }
    let capture = get(t, "capture")
        .and_then(|e| super::capture::load_capture(c, e, &format!("source `{id}`")));
    let (Some(outlet), Some(sha256), Some(sha)) = (outlet, sha256, sha) else {
        return None;
    };
    ok.then(|| Source {
        loc: c.loc(&header),
        id,
        title,
        outlet,
        origin,
        url,
        language,
        published,
        captured,
        sha256,
        sha256_loc: c.loc(&sha.value.span),
        revisions,
        capture,
    })
}

fn load_revision(c: &mut Check<'_>, item: &tree::Spanned, id: &str) -> Option<Revision> {
    let Node::Table(t) = &item.node else {
        c.invalid(
            Code::InvalidValue,
            &item.span,
            format!(
                "a revision of `{id}` must be a table, not {}",
                item.node.type_name()
            ),
            format!("write it as [[sources.{id}.revisions]]"),
        );
        return None;
    };
    let what = format!("a revision of `{id}`");
    c.unknown_keys(t, REVISION_KEYS, &what);
    // Every field is checked before giving up on a bad or missing sha256: one run shows them all.
    let sha256 = c
        .required(
            t,
            "sha256",
            &item.span,
            &what,
            "a revision records the sha256 of the superseded capture",
        )
        .and_then(|e| sha256_value(c, e));
    let captured = get(t, "captured").and_then(|e| datetime(c, e));
    let superseded = get(t, "superseded").and_then(|e| datetime(c, e));
    let by_entry = get(t, "superseded_by");
    let superseded_by = by_entry.and_then(|e| sha256_value(c, e));
    let _note = opt_string(c, t, "note");
    let capture = get(t, "capture")
        .and_then(|e| super::capture::load_capture(c, e, &format!("a revision of `{id}`")));
    let sha256 = sha256?;
    Some(Revision {
        sha256,
        loc: c.loc(&item.span),
        captured,
        superseded,
        superseded_by,
        superseded_by_loc: by_entry.map(|e| c.loc(&e.value.span)),
        capture,
    })
}

fn opt_string(c: &mut Check<'_>, t: &[Entry], key: &str) -> Option<String> {
    get(t, key).and_then(|e| c.nonempty_string(e))
}

fn opt_name(c: &mut Check<'_>, t: &[Entry], key: &str) -> Option<String> {
    get(t, key).and_then(|e| c.name_string(e))
}

fn sha256_value(c: &mut Check<'_>, e: &Entry) -> Option<String> {
    let s = c.string(e)?;
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(s.to_ascii_lowercase());
    }
    let what = if s.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{} hex digits", s.len())
    } else {
        "characters that are not hex digits".to_string()
    };
    c.invalid(
        Code::InvalidHash,
        &e.value.span,
        format!("`{}` must be 64 hex digits; this has {what}", e.key),
        "paste the full digest printed by `sha256sum snapshots/<id>.txt`, or re-add the source with `prov add`".into(),
    );
    None
}

fn load_claims(
    entries: &[Entry],
    file: FileId,
    text: &Arc<String>,
    claims: &mut Vec<Claim>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut c = Check { file, diags };
    c.unknown_keys(entries, &["claim"], "a claim file");
    let Some(e) = get(entries, "claim") else {
        return;
    };
    let Node::Array(items) = &e.value.node else {
        c.wrong_type(e, "an array of tables ([[claim]])", &e.value.node);
        return;
    };
    claims.reserve_exact(items.len());
    for (claim_index, item) in items.iter().enumerate() {
        if let Some(claim) = load_claim(&mut c, text, item, claim_index) {
            claims.push(claim);
        }
    }
}

/// A claim; its fact and its citations' quotes are slices of the file's `text` where they can be.
fn load_claim(
    c: &mut Check<'_>,
    text: &Arc<String>,
    item: &tree::Spanned,
    claim_index: usize,
) -> Option<Claim> {
    let Node::Table(t) = &item.node else {
        c.invalid(
            Code::InvalidValue,
            &item.span,
            format!("a claim must be a table, not {}", item.node.type_name()),
            "write each claim as a [[claim]] table".into(),
        );
        return None;
    };
    c.unknown_keys(t, CLAIM_KEYS, "a claim");
    let id_entry = c.required(
        t,
        "id",
        &item.span,
        "this claim",
        "give the claim a unique id: id = \"albania-breaks-ties\"",
    );
    let id = id_entry.and_then(|e| c.str(e));
    if let (Some(id), Some(e)) = (id, id_entry)
        && !valid_id(id)
    {
        c.invalid(
            Code::InvalidId,
            &e.value.span,
            format!("invalid claim id \"{id}\""),
            format!(
                "ids are lowercase letters, digits, `-` and `_`, starting with a letter or digit, at most 64 characters: try \"{}\"",
                suggest_id(id)
            ),
        );
    }
    let what = match &id {
        Some(id) => format!("claim `{id}`"),
        None => "this claim".to_string(),
    };
    let fact = c
        .required(
            t,
            "fact",
            &item.span,
            &what,
            "state the fact the citations support: fact = \"…\"",
        )
        .and_then(|e| {
            c.nonempty_str(e)
                .map(|s| (Text::read(text, &e.value.span, s), c.loc(&e.value.span)))
        });
    let note = opt_string(c, t, "note");
    let mut cites = Vec::new();
    if let Some(e) = get(t, "cite") {
        match &e.value.node {
            Node::Array(items) => {
                // Exactly sized: a claim has one to three citations, and a growing Vec would keep
                // room for four (300 bytes each, 60 % of the workspace's memory on 100k citations).
                cites.reserve_exact(items.len());
                for (index, item) in items.iter().enumerate() {
                    if let Some(cite) = load_cite(c, text, item, &what, index, claim_index) {
                        cites.push(cite);
                    }
                }
            }
            other => c.wrong_type(e, "an array of tables ([[claim.cite]])", other),
        }
    }
    let (Some(id), Some(e), Some((fact, fact_loc))) = (id, id_entry, fact) else {
        return None;
    };
    let places = ClaimPlaces {
        loc: c.loc(&item.span),
        id_loc: c.loc(&e.value.span),
        fact_loc,
    };
    valid_id(id).then(|| {
        Claim::new(
            Text::read(text, &e.value.span, id),
            fact,
            &places,
            cites.into_boxed_slice(),
            note.map(String::into_boxed_str),
        )
    })
}

fn load_cite(
    c: &mut Check<'_>,
    text: &Arc<String>,
    item: &tree::Spanned,
    claim: &str,
    index: usize,
    claim_index: usize,
) -> Option<Cite> {
    let Node::Table(t) = &item.node else {
        c.invalid(
            Code::InvalidValue,
            &item.span,
            format!("a citation must be a table, not {}", item.node.type_name()),
            "write each citation as a [[claim.cite]] table".into(),
        );
        return None;
    };
    let what = format!("a citation of {claim}");
    c.unknown_keys(t, CITE_KEYS, "a citation");
    let source_e = c.required(
        t,
        "source",
        &item.span,
        &what,
        "name the cited source's id from sources.toml: source = \"…\"",
    );
    let source = source_e.and_then(|e| c.nonempty_str(e));
    let quote_e = c.required(
        t,
        "quote",
        &item.span,
        &what,
        "copy the cited words exactly from the snapshot: quote = \"…\"",
    );
    let quote = quote_e.and_then(|e| c.str(e));
    if let (Some(q), Some(e)) = (&quote, quote_e)
        && q.is_empty()
    {
        c.invalid(
            Code::EmptyQuote,
            &e.value.span,
            "the quote is empty".into(),
            "copy the cited words exactly from the snapshot; an empty quote proves nothing".into(),
        );
    }
    let span_e = get(t, "span");
    let span = span_e.and_then(|e| span_value(c, e));
    let stance = match get(t, "stance") {
        None => Some(Stance::Supports),
        Some(e) => match c.string(e).as_deref() {
            Some("supports") => Some(Stance::Supports),
            Some("contradicts") => Some(Stance::Contradicts),
            Some(other) => {
                let help = match suggest(other, ["supports", "contradicts"]) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "stance is \"supports\" (the default) or \"contradicts\"".into(),
                };
                c.invalid(
                    Code::InvalidValue,
                    &e.value.span,
                    format!("unknown stance \"{other}\""),
                    help,
                );
                None
            }
            None => None,
        },
    };
    let said_by = opt_name(c, t, "said_by");
    let origin = opt_name(c, t, "origin");
    let rev_e = get(t, "revision");
    let revision = rev_e.and_then(|e| {
        let s = c.string(e)?;
        if (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Some(s.to_ascii_lowercase())
        } else {
            c.invalid(
                Code::InvalidHash,
                &e.value.span,
                format!("`revision` must be a sha256 prefix of 7 to 64 hex digits, not \"{s}\""),
                "copy the sha256 (or its first 12 digits) of a revision recorded in sources.toml"
                    .into(),
            );
            None
        }
    });
    let note = opt_string(c, t, "note");
    let (Some(source), Some(se), Some(quote), Some(qe), Some(stance)) =
        (source, source_e, quote, quote_e, stance)
    else {
        return None;
    };
    if quote.is_empty()
        || (span_e.is_some() && span.is_none())
        || (rev_e.is_some() && revision.is_none())
    {
        return None;
    }
    let places = CitePlaces {
        loc: c.loc(&item.span),
        source_loc: c.loc(&se.value.span),
        quote_loc: c.loc(&qe.value.span),
        span_loc: span_e.map(|e| c.loc(&e.value.span)),
        index,
        claim_index,
    };
    let extra = CiteExtra {
        said_by,
        origin,
        revision,
        revision_loc: rev_e.map(|e| c.loc(&e.value.span)),
        note,
        ..CiteExtra::default()
    };
    Some(Cite::new(
        Text::read(text, &se.value.span, source),
        Text::read(text, &qe.value.span, quote),
        span,
        stance,
        places,
        extra,
    ))
}

fn span_value(c: &mut Check<'_>, e: &Entry) -> Option<(usize, usize)> {
    let bad = |c: &mut Check<'_>, span: &Range<usize>, msg: String| {
        c.invalid(
            Code::InvalidSpan,
            span,
            msg,
            "a span is [start, end]: code point offsets into the snapshot with start < end; remove it and run `prov fix` to fill it in".into(),
        );
        None
    };
    let Node::Array(items) = &e.value.node else {
        return bad(
            c,
            &e.value.span,
            format!(
                "`span` must be an array [start, end], not {}",
                e.value.node.type_name()
            ),
        );
    };
    let nums: Vec<Option<i64>> = items
        .iter()
        .map(|i| match i.node {
            Node::Int(n) => Some(n),
            _ => None,
        })
        .collect();
    match nums.as_slice() {
        [Some(s), Some(e2)] => {
            if *s < 0 || *e2 < 0 {
                bad(
                    c,
                    &e.value.span,
                    format!("span [{s}, {e2}] has a negative offset"),
                )
            } else if s > e2 {
                bad(
                    c,
                    &e.value.span,
                    format!("span [{s}, {e2}] is reversed: its start is after its end"),
                )
            } else if s == e2 {
                bad(c, &e.value.span, format!("span [{s}, {e2}] is empty"))
            } else {
                Some((*s as usize, *e2 as usize))
            }
        }
        _ => bad(
            c,
            &e.value.span,
            format!(
                "`span` must hold exactly two integers [start, end]; this has {} item(s){}",
                items.len(),
                if nums.iter().any(Option::is_none) {
                    ", not all integers"
                } else {
                    ""
                }
            ),
        ),
    }
}

/// A claim id used twice; with `relevant`, only pairs where it accepts one of the two claims.
fn check_duplicate_claims(
    files: &Files,
    claims: &[Claim],
    relevant: &dyn Fn(&Claim) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    // Every id hashed and sorted by hash on every core (keyed SipHash: no one can make ids
    // collide on purpose); equal ids are neighbours in a run of equal hashes, each run put in
    // id order. (A map filled on one thread was 12 ms of a 58,654-claim load.)
    let state = std::collections::hash_map::RandomState::new();
    let mut hashed: Vec<(u64, usize)> = claims
        .par_iter()
        .enumerate()
        .map(|(at, c)| (state.hash_one(c.id()), at))
        .collect();
    hashed.par_sort_unstable();
    // (second use, first use) of each id used twice, by the second.
    let mut twice: Vec<(usize, usize)> = Vec::new();
    for run in hashed.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() < 2 {
            continue;
        }
        run.sort_unstable_by_key(|&(_, at)| (claims[at].id(), at));
        for same in run.chunk_by(|a, b| claims[a.1].id() == claims[b.1].id()) {
            twice.extend(same[1..].iter().map(|&(_, second)| (second, same[0].1)));
        }
    }
    twice.sort_unstable();
    for (second, first) in twice {
        let (claim, first) = (&claims[second], &claims[first]);
        if !relevant(first) && !relevant(claim) {
            continue;
        }
        let f = files.get(first.file);
        let (line, col) = f.line_col(first.id_loc().start());
        diags.push(
            Diagnostic::new(
                Code::DuplicateId,
                format!("claim id `{}` is used twice", claim.id()),
            )
            .at(claim.id_loc())
            .label("second use")
            .note(format!("first used at {}:{line}:{col}", f.path))
            .help("claim ids are unique across all claim files: rename one"),
        );
    }
}

#[cfg(test)]
mod load_tests {
    use super::*;

    /// Load a workspace of an empty sources.toml and the claim files `claims` (name, bytes),
    /// which must fail: its problems.
    fn failed_load(claims: &[(&str, &[u8])]) -> LoadError {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("snapshots")).unwrap();
        std::fs::create_dir_all(root.join("claims")).unwrap();
        std::fs::write(root.join("sources.toml"), "").unwrap();
        for (name, bytes) in claims {
            std::fs::write(root.join("claims").join(name), bytes).unwrap();
        }
        match crate::workspace::load(root) {
            Ok(_) => panic!("the workspace loads"),
            Err(e) => e,
        }
    }

    /// Each later use of an id is reported once, in file order, against the first use, however
    /// many there are and however they interleave; across files too.
    #[test]
    fn every_later_use_points_at_the_first() {
        let claim = |id: &str| format!("[[claim]]\nid = \"{id}\"\nfact = \"f\"\n\n");
        let one: String = ["a", "b", "a", "c"].map(claim).concat();
        let two: String = ["b", "d", "a"].map(claim).concat();
        let err = failed_load(&[("1.toml", one.as_bytes()), ("2.toml", two.as_bytes())]);
        let found: Vec<String> = err
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::DuplicateId)
            .map(|d| {
                let at = d.loc.as_ref().unwrap();
                let f = err.files.get(at.file);
                let (line, _) = f.line_col(at.start());
                format!("{}:{line} {} ({})", f.path, d.message, d.notes[0])
            })
            .collect();
        assert_eq!(
            found,
            [
                "claims/1.toml:10 claim id `a` is used twice (first used at claims/1.toml:2:6)",
                "claims/2.toml:2 claim id `b` is used twice (first used at claims/1.toml:6:6)",
                "claims/2.toml:10 claim id `a` is used twice (first used at claims/1.toml:2:6)",
            ]
        );
    }

    /// A claim file that cannot be read takes no id: the problems of the files after it are
    /// still named in them.
    #[test]
    fn problems_are_named_in_their_files_with_or_without_an_unreadable_file_before_them() {
        for unreadable in [false, true] {
            let first: &[u8] = if unreadable { b"id = \"\xff\"\n" } else { b"" };
            let err = failed_load(&[
                ("a.toml", first),
                ("b.toml", b"[[claim]]\nid = \"b\"\n"),
                ("c.toml", b"[[claim]]\nfact = 1\n"),
            ]);
            let named: Vec<String> = err
                .diagnostics
                .iter()
                .map(|d| match &d.loc {
                    Some(at) => {
                        let f = err.files.get(at.file);
                        let (line, _) = f.line_col(at.start());
                        format!("{} {}:{line}", d.code, f.path)
                    }
                    None => format!("{} -", d.code),
                })
                .collect();
            let mut want = vec![
                "missing-key claims/b.toml:1".to_string(),
                "missing-key claims/c.toml:1".to_string(),
                "invalid-value claims/c.toml:2".to_string(),
            ];
            if unreadable {
                want.insert(0, "file-unreadable -".to_string());
            }
            assert_eq!(named, want, "unreadable: {unreadable}");
        }
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    fn ids(list: &[&'static str]) -> HashSet<&'static str> {
        list.iter().copied().collect()
    }

    #[test]
    fn finds_an_id_in_any_string_form() {
        let set = ids(&["victim-age", "c1"]);
        assert!(may_define(b"id = \"victim-age\"\n", &set));
        assert!(may_define(b"id = 'victim-age'\n", &set));
        assert!(may_define(b"id = \"\"\"victim-age\"\"\"\n", &set));
        assert!(may_define(b"[[claim]]\nid=\"c1\"", &set));
        // Escapes and line-ending backslashes can spell anything: always a maybe.
        assert!(may_define(b"id = \"victim\\u002Dage\"", &set));
        assert!(may_define(b"note = \"\"\"a \\\n b\"\"\"", &set));
    }

    #[test]
    fn rules_out_files_without_the_id() {
        let set = ids(&["victim-age"]);
        assert!(!may_define(
            b"id = \"victim-ages\"\nquote = \"the victim-age\"",
            &set
        ));
        assert!(!may_define(b"quote = \"l'\\\"age\\\"\"", &set));
        assert!(!may_define(b"", &set));
        assert!(!may_define(b"id = \"victim-age\"", &ids(&[])));
    }
}
