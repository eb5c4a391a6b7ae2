//! `prov add FILE|--url URL|--warc FILE --id ID --outlet NAME`: register a source, from a text
//! or HTML file, from the web, or from an archive.

use std::path::Path;

use prov::capture::extract::Mode;
use prov::capture::http::Fetcher;
use prov::evidence::{self, Failure, Taken};
use prov::files;
use prov::registry::{self, NewSource};
use prov::render::human;

use crate::app::{Access, OK, Stop, begin, out, read_input};
use crate::cli::AddArgs;
use crate::fetching;

pub fn run(root: &Path, args: AddArgs, style: human::Style) -> Result<u8, Stop> {
    let mut new = NewSource {
        id: args.id,
        outlet: args.outlet,
        origin: args.origin,
        title: args.title,
        url: args.url,
        language: args.language,
        published: args.published,
    };
    let mode: Option<Mode> = args.extract.extract.map(Into::into);
    // The document: a file, a fetch, or an archive's record.
    let (taken, what) = match (&args.file, &args.warc, new.url.clone()) {
        (Some(file), _, url) => {
            let _lock = begin(root, Access::Write)?;
            let (bytes, what) = read_input(file)?;
            let name = file.to_string_lossy();
            let now = prov::clock::now_rfc3339();
            let taken = evidence::from_file(&bytes, &name, url.as_deref(), mode, &now)
                .map_err(|f| fetching::refusal(&f, &what))?;
            let titled = new.title.is_none() && taken.as_ref().is_some_and(|t| t.title.is_some());
            if titled {
                new.title = taken.as_ref().and_then(|t| t.title.clone());
            }
            return register(root, &new, &bytes, &what, taken.as_ref(), titled);
        }
        (None, Some(archive), Some(url)) => {
            registry::precheck(root, &new)?;
            let what = archive.display().to_string();
            let t = evidence::from_archive(archive, &url, mode)
                .map_err(|f| fetching::refusal(&f, &what))?;
            (t, what)
        }
        (None, None, Some(url)) => {
            registry::precheck(root, &new)?;
            let settings = fetching::settings(root, style)?;
            let fetcher = Fetcher::new(fetching::config(&settings, &args.fetching)?);
            let t = evidence::fetch(&fetcher, &url, mode)
                .map_err(|f| fetching::refusal(&f, "cannot add it"))?;
            (t, url)
        }
        _ => {
            return Err(prov::refusal::Refusal::new(
                "nothing to add: give a FILE (or - for standard input), --url URL to fetch, or --warc FILE --url URL",
            )
            .into());
        }
    };
    if !args.extract.force
        && let Err(n) = evidence::judge(&taken, new.url.as_deref().unwrap_or(""), None)
    {
        return Err(fetching::refusal(&Failure::NotAVersion(n), "cannot add it")
            .help("if this really is the document, add it anyway with --force")
            .into());
    }
    let titled = new.title.is_none() && taken.title.is_some();
    if titled {
        new.title = taken.title.clone();
    }
    let _lock = begin(root, Access::Write)?;
    register(
        root,
        &new,
        taken.text.as_bytes(),
        &what,
        Some(&taken),
        titled,
    )
}

/// Register the text (and its evidence), and say what was done.
fn register(
    root: &Path,
    new: &NewSource,
    bytes: &[u8],
    what: &str,
    taken: Option<&Taken>,
    titled: bool,
) -> Result<u8, Stop> {
    let evidence = taken.and_then(|t| t.warc.as_ref().map(|(w, r)| (w.as_slice(), r)));
    let text = taken.map_or(bytes, |t| t.text.as_bytes());
    let added = registry::add_with(root, new, text, what, evidence)?;
    let mut s = String::new();
    if let Some(t) = taken {
        fetching::warn(t);
        s.push_str(&format!("captured {}\n", fetching::provenance(t)));
    }
    s.push_str(&format!(
        "added source `{}`: {} ({} bytes{}), sha256 {}\n",
        new.id,
        files::rel_display(root, &added.snapshot),
        added.bytes,
        if added.adopted {
            ", already in place"
        } else {
            ""
        },
        added.sha256
    ));
    if let Some(t) = taken {
        s.push_str(&fetching::evidence_line(
            root,
            &prov::workspace::warc_path(root, &new.id),
            t,
        ));
        if let (true, Some(title)) = (titled, &new.title) {
            s.push_str(&format!("title (the page's headline): {title}\n"));
        }
    }
    out(&s);
    Ok(OK)
}
