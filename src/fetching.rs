//! What the commands that capture from the web or from files share (`add`, `capture`,
//! `refresh`): the fetcher's settings, from `[fetch]` in sources.toml and the command line; a
//! failed capture as a refusal; the lines that say what was captured.

use std::path::Path;
use std::time::Duration;

use prov::capture::http::FetchConfig;
use prov::evidence::{Failure, Taken};
use prov::files;
use prov::refusal::Refusal;
use prov::render::human;
use prov::workspace::{self, FetchSettings};

use crate::app::{Stop, err, invalid};
use crate::cli::{FetchArgs, Format};

/// `[fetch]` of the workspace at `root`, every problem printed when it is invalid.
pub(crate) fn settings(root: &Path, style: human::Style) -> Result<FetchSettings, Stop> {
    workspace::fetch_settings(root).map_err(|e| invalid(root, &e, Format::Human, style))
}

/// The fetcher's configuration: the command line over `[fetch]` over the defaults.
pub(crate) fn config(settings: &FetchSettings, args: &FetchArgs) -> Result<FetchConfig, Stop> {
    if let Some(c) = &args.contact {
        let mailto = c.strip_prefix("mailto:").is_some_and(|m| m.contains('@'));
        if !mailto && let Err(bad) = workspace::check_url(c) {
            return Err(Refusal::new(bad.message.replacen("`url`", "--contact", 1))
                .help("a page saying who runs prov and how to reach them, or a mailto: address")
                .into());
        }
    }
    let contact = args.contact.as_deref().or(settings.contact.as_deref());
    let mut config = FetchConfig::new(contact);
    if let Some(d) = args.delay.or(settings.delay) {
        if !(0.0..=60.0).contains(&d) {
            return Err(
                Refusal::new(format!("--delay must be from 0 to 60 seconds, not {d}")).into(),
            );
        }
        config.host_delay = Duration::from_secs_f64(d);
    }
    config.honour_robots = !args.no_robots && settings.robots.unwrap_or(true);
    if let Some(t) = args.timeout.or(settings.timeout) {
        if !(1..=3600).contains(&t) {
            return Err(
                Refusal::new(format!("--timeout must be from 1 to 3600 seconds, not {t}")).into(),
            );
        }
        config.overall_timeout = Duration::from_secs(t);
        config.connect_timeout = config.connect_timeout.min(config.overall_timeout);
        config.read_timeout = config.read_timeout.min(config.overall_timeout);
    }
    Ok(config)
}

/// A failed capture, as prov refuses it: what happened, and what to do.
pub(crate) fn refusal(failure: &Failure, what: &str) -> Refusal {
    Refusal::new(format!("{what}: {failure}")).help(failure.help())
}

/// Print what a user should know about a capture though nothing failed.
pub(crate) fn warn(taken: &Taken) {
    for w in &taken.warnings {
        err(&format!("warning: {w}\n"));
    }
}

/// "from https://… (HTTP 200, text/html; charset=utf-8, 48213 bytes), article text by
/// prov-html 1": where the text came from and how it was made.
pub(crate) fn provenance(taken: &Taken) -> String {
    let ex = &taken.exchange;
    let mut s = match taken.warc.as_ref().map(|(_, r)| r.method) {
        Some(workspace::Method::File) if ex.response.head.len == 0 => {
            format!("a local file ({} bytes)", ex.body().len())
        }
        _ => {
            let mut parts = Vec::new();
            if ex.response.head.len > 0 {
                parts.push(format!("HTTP {}", ex.status()));
            }
            if let Some(ct) = ex.content_type() {
                parts.push(ct);
            }
            parts.push(format!("{} bytes", ex.body().len()));
            format!("{} ({})", ex.final_url, parts.join(", "))
        }
    };
    if let Some((_, r)) = &taken.warc {
        s.push_str(&format!(
            ", {} text by {} {}",
            r.mode, r.extractor, r.extractor_version
        ));
        if taken.charset != "UTF-8" {
            s.push_str(&format!(" (decoded from {})", taken.charset));
        }
    }
    s
}

/// "evidence: snapshots/x.warc.gz (14 kB), sha256 …".
pub(crate) fn evidence_line(root: &Path, path: &Path, taken: &Taken) -> String {
    match &taken.warc {
        Some((bytes, record)) => format!(
            "evidence: {} ({} bytes, the exchange as WARC), sha256 {}\n",
            files::rel_display(root, path),
            bytes.len(),
            record.warc
        ),
        None => String::new(),
    }
}
