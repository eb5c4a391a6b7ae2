//! `prov refresh [IDS] [--jobs N] [--partition K/N] [--re-extract] [--format json]`: fetch
//! every source with a url again, stage a pending capture for each page whose text changed,
//! and say what each change does to the citations (docs/capture.md, "Watching sources").

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use prov::capture::extract::Mode;
use prov::capture::http::Fetcher;
use prov::check;
use prov::evidence::{self, Failure, Taken};
use prov::files;
use prov::outcome::Outcome;
use prov::refusal::Refusal;
use prov::registry;
use prov::render::human;
use prov::snapshot::sha256_hex;
use prov::workspace::{Source, Workspace};
use serde::Serialize;

use crate::app::{Access, FINDINGS, OK, Stop, begin, err, load, out, out_json};
use crate::cli::{Format, RefreshArgs, RefreshFormat};
use crate::fetching;

pub const SCHEMA: &str = "prov-refresh/1";

/// What refreshing one source found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Status {
    /// The text is the pinned snapshot's.
    Unchanged,
    /// The text changed: a pending capture was staged.
    Changed,
    /// The text is the pending capture's, already staged: nothing new.
    AlreadyPending,
    /// The text is an earlier capture's (a page flapping, or a correction withdrawn): nothing
    /// staged.
    Reverted,
    /// The page is gone (HTTP 404 or 410).
    Gone,
    /// The fetch failed, or gave no version of the document (a wall, a login page…).
    Failed,
    /// Nothing to do (no kept WARC to re-extract, the source changed meanwhile).
    Skipped,
}

/// What the staged (or already pending) capture does to the citations.
#[derive(Debug, Clone, Default, Serialize)]
struct Effect {
    /// Citations of the source re-anchored in the capture.
    citations: usize,
    /// Of them, those that still hold (at their place or a new one).
    hold: usize,
    /// Of them, those that hold at a new place.
    moved: usize,
    /// Those that would break.
    #[serde(rename = "break")]
    breaks: usize,
    broken: Vec<Broken>,
}

#[derive(Debug, Clone, Serialize)]
struct Broken {
    claim: String,
    file: String,
    line: usize,
    verdict: String,
}

/// One source's line in the result.
#[derive(Debug, Clone, Serialize)]
struct Row {
    id: String,
    url: Option<String>,
    status: Status,
    /// Why, for `failed`, `gone`, `skipped`, `reverted`: one line.
    reason: Option<String>,
    /// The failure's kind (`gone`, `fetch`, `robots`, `wall`, `login`, `shrunk`, …).
    kind: Option<&'static str>,
    final_url: Option<String>,
    http_status: Option<u16>,
    /// The sha256 of the text the page gives now.
    sha256: Option<String>,
    /// The pending capture (`snapshots/<id>.new.txt`), for `changed` and `already-pending`.
    pending: Option<String>,
    /// Its WARC, when one was written.
    warc: Option<String>,
    /// The text is a re-extraction of the kept WARC, not a new version from the publisher.
    re_extraction: bool,
    /// What the capture does to the citations (`changed`, `already-pending`).
    effect: Option<Effect>,
    /// Citations of the source (for `gone`).
    cited_by: usize,
    warnings: Vec<String>,
}

impl Row {
    fn new(s: &Source, status: Status) -> Row {
        Row {
            id: s.id.clone(),
            url: s.url.clone(),
            status,
            reason: None,
            kind: None,
            final_url: None,
            http_status: None,
            sha256: None,
            pending: None,
            warc: None,
            re_extraction: false,
            effect: None,
            cited_by: 0,
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Summary {
    sources: usize,
    unchanged: usize,
    changed: usize,
    already_pending: usize,
    reverted: usize,
    gone: usize,
    failed: usize,
    skipped: usize,
    /// Sources whose capture (staged or pending) would break a citation.
    breaking: usize,
}

#[derive(Debug, Serialize)]
struct Document {
    schema: &'static str,
    tool: String,
    re_extract: bool,
    partition: Option<String>,
    summary: Summary,
    sources: Vec<Row>,
}

/// The host a source's url names (`www.` removed), which the partition keeps together.
fn host_of(s: &Source) -> String {
    s.url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .map(|h| h.strip_prefix("www.").map(str::to_string).unwrap_or(h))
        .unwrap_or_default()
}

/// The sources of shard `k` of `n`: hosts, biggest first, each to the shard with the fewest
/// sources so far (as `check --partition` shards claim files); every source of a host in one
/// shard, so that politeness holds across a CI matrix.
fn partition(sources: Vec<&Source>, k: usize, n: usize) -> Vec<&Source> {
    let mut hosts: BTreeMap<String, Vec<&Source>> = BTreeMap::new();
    for s in sources {
        hosts.entry(host_of(s)).or_default().push(s);
    }
    let mut groups: Vec<(String, Vec<&Source>)> = hosts.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let weights: Vec<usize> = groups.iter().map(|g| g.1.len()).collect();
    let mine = crate::scope::assign(&weights, k, n);
    let mut out: Vec<&Source> = mine.into_iter().flat_map(|i| groups[i].1.clone()).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The order of work: one source of each host in turn, so that workers do not all queue
/// behind one host's politeness delay.
fn interleave<'w>(sources: &[&'w Source]) -> Vec<&'w Source> {
    let mut hosts: BTreeMap<String, Vec<&Source>> = BTreeMap::new();
    for s in sources {
        hosts.entry(host_of(s)).or_default().push(s);
    }
    let mut queues: Vec<std::collections::VecDeque<&Source>> =
        hosts.into_values().map(Into::into).collect();
    let mut out = Vec::with_capacity(sources.len());
    while out.len() < sources.len() {
        for q in &mut queues {
            if let Some(s) = q.pop_front() {
                out.push(s);
            }
        }
    }
    out
}

pub fn run(root: &Path, args: RefreshArgs, style: human::Style) -> Result<u8, Stop> {
    let json = args.format == RefreshFormat::Json;
    let load_format = if json { Format::Json } else { Format::Human };
    // A writer: an interrupted change is completed first. The lock is then let go while pages
    // are fetched (that may take hours), and taken again for each capture staged.
    let ws = {
        let _lock = begin(root, Access::Write)?;
        load(root, load_format, style)?
    };
    let mut selected: Vec<&Source> = Vec::new();
    if args.ids.is_empty() {
        selected.extend(ws.sources.iter().filter(|s| {
            if args.re_extract {
                s.capture.is_some()
            } else {
                s.url.is_some()
            }
        }));
    } else {
        for id in &args.ids {
            let Some(s) = ws.source(id) else {
                let r = Refusal::new(format!("unknown source `{id}`"));
                return Err(
                    match prov::diag::suggest(id, ws.sources.iter().map(|s| s.id.as_str())) {
                        Some(s) => r.help(format!("did you mean `{s}`?")),
                        None => r.help("name sources registered in sources.toml"),
                    }
                    .into(),
                );
            };
            if !selected.iter().any(|x| x.id == s.id) {
                selected.push(s);
            }
        }
    }
    selected.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some((k, n)) = args.partition {
        selected = partition(selected, k, n);
    }
    let fetcher = if args.re_extract {
        None
    } else {
        let settings = ws.fetch.clone();
        if settings.contact.is_none() && args.fetching.contact.is_none() && !json {
            err(
                "note: no contact in the User-Agent: set `contact` under [fetch] in sources.toml (or --contact URL) so that site operators can reach you\n",
            );
        }
        Some(Fetcher::new(fetching::config(&settings, &args.fetching)?))
    };

    let order = interleave(&selected);
    let rows: Vec<Mutex<Option<Row>>> = order.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let staging = Mutex::new(());
    let bar = (!json && order.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(order.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} refreshing {pos}/{len} sources [{bar:30}] {elapsed} {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    let jobs = usize::from(args.jobs).min(order.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = order.get(i) else {
                        break;
                    };
                    if let Some(b) = &bar {
                        // Ids are [a-z0-9_-]: nothing to escape.
                        b.set_message(source.id.clone());
                    }
                    let row = refresh_one(root, &ws, source, fetcher.as_ref(), &staging);
                    if let Some(slot) = rows.get(i)
                        && let Ok(mut slot) = slot.lock()
                    {
                        *slot = Some(row);
                    }
                    if let Some(b) = &bar {
                        b.inc(1);
                    }
                }
            });
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut rows: Vec<Row> = rows
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));

    // What the staged and pending captures do: the re-anchoring `check` and `diff` do, on the
    // workspace as it is now.
    let after = prov::workspace::load(root).ok();
    let outcome = after
        .as_ref()
        .map(|w| check::check(w, &check::Options::default()));
    if let (Some(w), Some(o)) = (&after, &outcome) {
        for row in &mut rows {
            if matches!(row.status, Status::Changed | Status::AlreadyPending) {
                row.effect = Some(effect(w, o, &row.id));
            }
            if row.status == Status::Gone {
                row.cited_by = w
                    .citations()
                    .filter(|(_, c)| *c.source() == *row.id)
                    .count();
            }
        }
    }
    let breaking = rows
        .iter()
        .filter(|r| r.effect.as_ref().is_some_and(|e| e.breaks > 0))
        .count();
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let summary = Summary {
        sources: rows.len(),
        unchanged: count(Status::Unchanged),
        changed: count(Status::Changed),
        already_pending: count(Status::AlreadyPending),
        reverted: count(Status::Reverted),
        gone: count(Status::Gone),
        failed: count(Status::Failed),
        skipped: count(Status::Skipped),
        breaking,
    };
    let gone_cited = rows
        .iter()
        .any(|r| r.status == Status::Gone && r.cited_by > 0);
    let code = if breaking > 0 || gone_cited {
        FINDINGS
    } else {
        OK
    };
    if json {
        out_json(&Document {
            schema: SCHEMA,
            tool: format!("prov {}", env!("CARGO_PKG_VERSION")),
            re_extract: args.re_extract,
            partition: args.partition.map(|(k, n)| format!("{k}/{n}")),
            summary,
            sources: rows,
        });
        return Ok(code);
    }
    out(&human_report(
        &rows,
        &summary,
        after.as_ref().zip(outcome.as_ref()),
        args.re_extract,
        style,
    ));
    Ok(code)
}

/// What a source's pending capture does to its citations.
fn effect(ws: &Workspace, outcome: &Outcome, id: &str) -> Effect {
    let mut e = Effect::default();
    for c in outcome.citations.iter().filter(|c| *c.cite.source() == *id) {
        let Some(p) = &c.pending else { continue };
        e.citations += 1;
        if p.breaks() {
            e.breaks += 1;
            e.broken.push(Broken {
                claim: c.claim(ws).id().to_string(),
                file: ws.files.get(c.cite.file()).path.clone(),
                line: c.line(ws) as usize,
                verdict: p.anchor.verdict.as_str().to_string(),
            });
        } else {
            e.hold += 1;
            if c.found() != p.anchor.found {
                e.moved += 1;
            }
        }
    }
    e
}

fn human_report(
    rows: &[Row],
    summary: &Summary,
    checked: Option<(&Workspace, &Outcome)>,
    re_extract: bool,
    style: human::Style,
) -> String {
    let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut s = String::new();
    for r in rows {
        let line = match r.status {
            Status::Unchanged => "unchanged".to_string(),
            Status::Changed | Status::AlreadyPending => {
                let what = match (r.status, r.re_extraction) {
                    (Status::AlreadyPending, _) => format!(
                        "changed, already pending ({}): nothing new staged",
                        r.pending.as_deref().unwrap_or("")
                    ),
                    (_, true) => format!(
                        "re-extracted: this prov's extractor gives other text from the kept WARC; staged {} (a re-extraction, not a publisher's edit)",
                        r.pending.as_deref().unwrap_or("")
                    ),
                    _ => format!("changed: staged {}", r.pending.as_deref().unwrap_or("")),
                };
                match &r.effect {
                    Some(e) if e.citations == 0 => format!("{what}; no citation cites it"),
                    Some(e) if e.breaks == 0 && e.moved == 0 => format!(
                        "{what}; the change is outside the cited passages: all {} citation{} still hold{}",
                        e.citations,
                        human::plural(e.citations),
                        if e.citations == 1 { "s" } else { "" }
                    ),
                    Some(e) if e.breaks == 0 => format!(
                        "{what}; all {} citation{} still hold ({} at new places)",
                        e.citations,
                        human::plural(e.citations),
                        e.moved
                    ),
                    Some(e) => format!(
                        "{what}; {} citation{} would break, {} still hold{}",
                        e.breaks,
                        human::plural(e.breaks),
                        e.hold,
                        if e.hold == 1 { "s" } else { "" }
                    ),
                    None => what,
                }
            }
            Status::Reverted => format!(
                "reverted: {}; nothing staged",
                r.reason.as_deref().unwrap_or("")
            ),
            Status::Gone => format!(
                "gone: {}{}",
                r.reason.as_deref().unwrap_or(""),
                match r.cited_by {
                    0 => String::new(),
                    n => format!(
                        "; {n} citation{} cite{} it: keep the capture you have, and say so",
                        human::plural(n),
                        if n == 1 { "s" } else { "" }
                    ),
                }
            ),
            Status::Failed => format!(
                "failed{}: {}",
                r.kind.map(|k| format!(" ({k})")).unwrap_or_default(),
                r.reason.as_deref().unwrap_or("")
            ),
            Status::Skipped => format!("skipped: {}", r.reason.as_deref().unwrap_or("")),
        };
        s.push_str(&format!("{:width$}  {line}\n", r.id));
        for w in &r.warnings {
            s.push_str(&format!("{:width$}  warning: {w}\n", ""));
        }
    }
    let staged: Vec<String> = rows
        .iter()
        .filter(|r| {
            matches!(r.status, Status::Changed | Status::AlreadyPending)
                && r.effect.as_ref().is_some_and(|e| e.breaks > 0)
        })
        .map(|r| r.id.clone())
        .collect();
    if let (Some((ws, outcome)), false) = (checked, staged.is_empty()) {
        s.push('\n');
        s.push_str(&prov::render::pending::section(
            ws,
            outcome,
            &staged,
            style.color,
            true,
        ));
    }
    let mut parts = vec![
        format!("{} unchanged", summary.unchanged),
        format!(
            "{} {}{}",
            summary.changed,
            if re_extract {
                "re-extracted"
            } else {
                "changed"
            },
            if summary.breaking > 0 {
                format!(
                    " ({} of them break{} citations)",
                    summary.breaking,
                    if summary.breaking == 1 { "s" } else { "" }
                )
            } else {
                String::new()
            }
        ),
    ];
    for (n, what) in [
        (summary.already_pending, "already pending"),
        (summary.reverted, "reverted"),
        (summary.gone, "gone"),
        (summary.failed, "failed"),
        (summary.skipped, "skipped"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    s.push_str(&format!(
        "\nrefreshed {} source{}: {}\n",
        summary.sources,
        human::plural(summary.sources),
        parts.join(", ")
    ));
    if summary.changed + summary.already_pending > 0 {
        s.push_str(
            "next: `prov diff` to review the pending captures, `prov accept ID` to adopt one\n",
        );
    }
    s
}

/// Refresh one source: fetch (or re-extract), judge, compare, and stage when it changed.
fn refresh_one(
    root: &Path,
    ws: &Workspace,
    source: &Source,
    fetcher: Option<&Fetcher>,
    staging: &Mutex<()>,
) -> Row {
    let pinned = files::read_text(root, &ws.snapshot_path(&source.id)).ok();
    let recorded_mode = source.capture.as_ref().and_then(|c| Mode::parse(&c.mode));
    let taken: Result<Taken, Failure> = match fetcher {
        Some(f) => {
            let Some(url) = &source.url else {
                let mut row = Row::new(source, Status::Skipped);
                row.reason = Some("it has no url to fetch".to_string());
                return row;
            };
            evidence::fetch(f, url, recorded_mode)
        }
        None => {
            let Some(record) = &source.capture else {
                let mut row = Row::new(source, Status::Skipped);
                row.reason = Some(
                    "no WARC is kept for it (it was registered from text): nothing to re-extract"
                        .to_string(),
                );
                return row;
            };
            let path = prov::workspace::warc_path(root, &source.id);
            match files::read_bytes(root, &path) {
                Ok(bytes) if sha256_hex(&bytes) == record.warc => {
                    evidence::re_extract(&bytes, recorded_mode.unwrap_or(Mode::Article))
                }
                Ok(_) => {
                    let mut row = Row::new(source, Status::Failed);
                    row.kind = Some("warc");
                    row.reason = Some(format!(
                        "{} does not match its pinned sha256: `prov check` names it",
                        files::rel_display(root, &path)
                    ));
                    return row;
                }
                Err(e) => {
                    let mut row = Row::new(source, Status::Failed);
                    row.kind = Some("warc");
                    row.reason = Some(format!("{}: {e}", files::rel_display(root, &path)));
                    return row;
                }
            }
        }
    };
    let taken = taken.and_then(|t| {
        if fetcher.is_some() {
            evidence::judge(&t, source.url.as_deref().unwrap_or(""), pinned.as_deref())
                .map_err(Failure::NotAVersion)?;
        }
        Ok(t)
    });
    let taken = match taken {
        Ok(t) => t,
        Err(f) => {
            let mut row = Row::new(
                source,
                if f.is_gone() {
                    Status::Gone
                } else {
                    Status::Failed
                },
            );
            row.kind = Some(f.kind());
            row.reason = Some(f.to_string());
            return row;
        }
    };
    let mut row = Row::new(source, Status::Unchanged);
    row.final_url = Some(taken.exchange.final_url.clone());
    row.http_status = (taken.exchange.response.head.len > 0).then(|| taken.exchange.status());
    row.warnings = taken.warnings.clone();
    row.re_extraction = fetcher.is_none();
    let sha = sha256_hex(taken.text.as_bytes());
    row.sha256 = Some(sha.clone());
    if sha == source.sha256 {
        return row;
    }
    let pending_path = prov::pending::capture_path(root, &source.id);
    let pending_sha = files::read_bytes(root, &pending_path)
        .ok()
        .map(|b| sha256_hex(&b));
    if pending_sha.as_deref() == Some(sha.as_str()) {
        row.status = Status::AlreadyPending;
        row.pending = Some(files::rel_display(root, &pending_path));
        return row;
    }
    if let Some(rev) = source.revisions.iter().find(|r| r.sha256 == sha) {
        row.status = Status::Reverted;
        row.reason = Some(format!(
            "the page gives the text of revision {} again (captured {}), an earlier capture",
            &rev.sha256[..12],
            rev.captured.as_deref().unwrap_or("before")
        ));
        return row;
    }
    // Stage it, under the lock, if the source still pins what this run read.
    let _one = staging.lock();
    let staged = (|| -> Result<(), Refusal> {
        let _lock = prov::lock::exclusive(root)?;
        if registry::pinned_sha256(root, &source.id).as_deref() != Some(source.sha256.as_str()) {
            return Err(Refusal::new(
                "sources.toml changed while prov refreshed it (another command accepted a capture?): run refresh again",
            ));
        }
        let warc = taken.warc.as_ref().map(|(w, _)| w.as_slice());
        registry::capture_with(ws, &source.id, taken.text.as_bytes(), &row.id, warc)?;
        Ok(())
    })();
    match staged {
        Ok(()) => {
            row.status = Status::Changed;
            row.pending = Some(files::rel_display(root, &pending_path));
            row.warc = taken.warc.as_ref().map(|_| {
                files::rel_display(root, &prov::workspace::warc_pending_path(root, &source.id))
            });
        }
        Err(r) => {
            row.status = Status::Skipped;
            row.reason = Some(r.message);
        }
    }
    row
}
