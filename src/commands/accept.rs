//! `prov accept [IDS]`: adopt pending captures.

use std::path::Path;

use prov::accept;
use prov::check;
use prov::render::human;

use crate::app::{Access, CANNOT_RUN, FINDINGS, OK, Stop, begin, describe, err, load, out};
use crate::cli::{AcceptArgs, Format};

pub fn run(root: &Path, args: AcceptArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, Access::Write)?;
    let ws = load(root, Format::Human, style)?;
    let outcome = check::check(&ws, &check::Options::default());
    let (plans, journal) = match accept::plan(&ws, &outcome, &args.ids, args.keep_broken) {
        Ok(p) => p,
        Err((plans, refusal)) => {
            let mut s = String::new();
            for p in &plans {
                for (claim, path, line, verdict) in &p.broken {
                    s.push_str(&format!(
                        "  {path}:{line}: claim `{claim}` would become {verdict}\n"
                    ));
                }
            }
            let mut msg = format!("error: {}\n{s}", refusal.message);
            if let Some(h) = refusal.help {
                msg.push_str(&format!("  = help: {h}\n"));
            }
            err(&msg);
            // Broken citations are findings (exit 1); anything else means it could not run.
            let refused_for_findings = plans.iter().any(|p| !p.broken.is_empty());
            return Ok(if refused_for_findings {
                FINDINGS
            } else {
                CANNOT_RUN
            });
        }
    };
    prov::journal::commit(root, &journal)?;
    let mut s = String::new();
    for p in &plans {
        s.push_str(&format!(
            "accepted the new capture of `{}`{}: sha256 {}… → {}…; the old text is kept as {}{}\n",
            p.id,
            if p.re_extraction {
                " (a re-extraction of the same server response, not a publisher's edit)"
            } else {
                ""
            },
            &p.old_sha256[..12],
            &p.new_sha256[..12],
            p.kept_as,
            match &p.warc_kept_as {
                Some(w) => format!(", its WARC as {w}"),
                None => String::new(),
            }
        ));
        for c in &p.moved {
            s.push_str(&describe(&ws.files, c));
        }
        for (claim, path, line, verdict) in &p.broken {
            s.push_str(&format!(
                "  {path}:{line}: claim `{claim}` is now {verdict} (kept broken: update its quote, or pin `revision = \"{}\"`)\n",
                &p.old_sha256[..12]
            ));
        }
    }
    out(&s);
    let broken = plans.iter().any(|p| !p.broken.is_empty());
    Ok(if broken { FINDINGS } else { OK })
}
