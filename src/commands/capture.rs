//! `prov capture ID FILE|--fetch|--warc FILE`: store a new version of a registered source as a
//! pending capture, with its WARC evidence when it was extracted.

use std::path::Path;

use prov::capture::extract::Mode;
use prov::capture::http::Fetcher;
use prov::evidence::{self, Failure, Taken};
use prov::files;
use prov::refusal::Refusal;
use prov::registry;
use prov::render::human;
use prov::workspace::Workspace;

use crate::app::{Access, OK, Stop, begin, load, out, read_input};
use crate::cli::{CaptureArgs, Format};
use crate::fetching;

/// The source's id, checked against the workspace (the nearest id suggested).
fn known<'w>(ws: &'w Workspace, id: &str) -> Result<&'w prov::workspace::Source, Refusal> {
    ws.source(id).ok_or_else(|| {
        let r = Refusal::new(format!("unknown source `{id}`"));
        match prov::diag::suggest(id, ws.sources.iter().map(|s| s.id.as_str())) {
            Some(s) => r.help(format!("did you mean `{s}`?")),
            None => r.help("register a new document with `prov add`; capture records a new version of a registered one"),
        }
    })
}

pub fn run(root: &Path, args: CaptureArgs, style: human::Style) -> Result<u8, Stop> {
    let chosen: Option<Mode> = args.extract.extract.map(Into::into);
    if args.url.is_some() && !args.fetch && args.warc.is_none() {
        return Err(Refusal::new("--url goes with --fetch or --warc")
            .help(
                "give the new version as a FILE, or fetch it: prov capture ID --fetch [--url URL]",
            )
            .into());
    }
    if let Some(file) = &args.file {
        // A file: read, extracted if it is HTML, stored under the lock.
        let _lock = begin(root, Access::Write)?;
        let ws = load(root, Format::Human, style)?;
        let source = known(&ws, &args.id)?;
        let (bytes, what) = read_input(file)?;
        let mode = chosen.or_else(|| recorded_mode(source));
        let now = prov::clock::now_rfc3339();
        let taken = evidence::from_file(
            &bytes,
            &file.to_string_lossy(),
            source.url.as_deref(),
            // A recorded mode applies to HTML only: plain text stays as it is.
            chosen.or(mode.filter(|_| prov::capture::extract::sniff_html(&bytes, None))),
            &now,
        )
        .map_err(|f| fetching::refusal(&f, &what))?;
        return stage(root, &ws, &args.id, &bytes, &what, taken.as_ref());
    }
    // From the web or an archive: the workspace is read first, the page taken without holding
    // the lock (a fetch may take minutes), then staged under it.
    let (url, mode, pinned) = {
        let _lock = begin(root, Access::Write)?;
        let ws = load(root, Format::Human, style)?;
        let source = known(&ws, &args.id)?;
        let url = match (&args.url, &source.url) {
            (Some(u), _) | (None, Some(u)) => u.clone(),
            (None, None) => {
                return Err(Refusal::new(format!("`{}` has no url to fetch", args.id))
                    .help(format!(
                        "give one with --url, or record it as `url` under [sources.{}]",
                        args.id
                    ))
                    .into());
            }
        };
        let pinned = files::read_text(root, &ws.snapshot_path(&args.id)).ok();
        (url, chosen.or_else(|| recorded_mode(source)), pinned)
    };
    let (taken, what) = match &args.warc {
        Some(archive) => {
            let what = archive.display().to_string();
            let t = evidence::from_archive(archive, &url, mode)
                .map_err(|f| fetching::refusal(&f, &what))?;
            (t, what)
        }
        None => {
            let settings = fetching::settings(root, style)?;
            let fetcher = Fetcher::new(fetching::config(&settings, &args.fetching)?);
            let t = evidence::fetch(&fetcher, &url, mode)
                .map_err(|f| fetching::refusal(&f, &format!("cannot capture `{}`", args.id)))?;
            (t, url.clone())
        }
    };
    if !args.extract.force
        && let Err(n) = evidence::judge(&taken, &url, pinned.as_deref())
    {
        return Err(fetching::refusal(
            &Failure::NotAVersion(n),
            &format!("cannot capture `{}`", args.id),
        )
        .help("if this really is what the page says now, capture it anyway with --force")
        .into());
    }
    let _lock = begin(root, Access::Write)?;
    let ws = load(root, Format::Human, style)?;
    known(&ws, &args.id)?;
    stage(
        root,
        &ws,
        &args.id,
        taken.text.as_bytes(),
        &what,
        Some(&taken),
    )
}

/// The mode a source's current capture was extracted with.
fn recorded_mode(source: &prov::workspace::Source) -> Option<Mode> {
    source.capture.as_ref().and_then(|c| Mode::parse(&c.mode))
}

/// Store the pending capture (and its evidence), and say what was done.
fn stage(
    root: &Path,
    ws: &Workspace,
    id: &str,
    bytes: &[u8],
    what: &str,
    taken: Option<&Taken>,
) -> Result<u8, Stop> {
    let text = taken.map_or(bytes, |t| t.text.as_bytes());
    let warc = taken.and_then(|t| t.warc.as_ref().map(|(w, _)| w.as_slice()));
    let c = registry::capture_with(ws, id, text, what, warc)?;
    let rel = files::rel_display(root, &c.path);
    if let Some(r) = &c.restored {
        let which = match &r.revision {
            None => format!("the sha256 pinned for `{}`", id),
            Some(sha) => format!("the sha256 of revision {} of `{}`", &sha[..12], id),
        };
        out(&format!(
            "restored {rel} ({} bytes){}: its sha256 is {which}\nnothing else was changed; `prov check` verifies it\n",
            c.bytes,
            if r.over_other_bytes {
                ", replacing a file that did not match its pin"
            } else {
                ""
            }
        ));
        return Ok(OK);
    }
    let mut s = String::new();
    if let Some(t) = taken {
        fetching::warn(t);
        s.push_str(&format!("captured {}\n", fetching::provenance(t)));
    }
    if c.identical {
        s.push_str(&format!(
            "`{id}`: the new text is identical to the pinned snapshot; nothing to review{}\n",
            if c.replaced {
                " (the earlier pending capture was removed)"
            } else {
                ""
            }
        ));
        out(&s);
        return Ok(OK);
    }
    s.push_str(&format!(
        "captured a new version of `{id}`: {rel} ({} bytes, sha256 {}){}\n",
        c.bytes,
        c.sha256,
        if c.replaced {
            ", replacing the earlier pending capture"
        } else {
            ""
        },
    ));
    if let Some(t) = taken {
        s.push_str(&fetching::evidence_line(
            root,
            &prov::workspace::warc_pending_path(root, id),
            t,
        ));
    }
    s.push_str(&format!(
        "next: `prov diff {id}` to review what it does to the citations, `prov accept {id}` to adopt it\n"
    ));
    out(&s);
    Ok(OK)
}
