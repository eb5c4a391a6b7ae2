//! `prov report`: write the audit trail, or `--verify` a report against the workspace.

use std::io::Write;
use std::path::Path;

use prov::check;
use prov::escape;
use prov::files;
use prov::refusal::Refusal;
use prov::render::human;

use crate::app::{
    Access, FINDINGS, OK, Stop, begin, cwd, err, exit_code, load, out, out_json, to_json,
};
use crate::cli::{Format, ReportArgs, ReportFormat};
use crate::scope::select;

pub fn run(root: &Path, args: ReportArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, Access::Read)?;
    use prov::report::{self, digest};
    if let Some(path) = &args.verify {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Refusal::new(format!("cannot read {}: {e}", path.display())))?;
        #[derive(serde::Deserialize)]
        struct Recorded {
            workspace: digest::Digest,
        }
        let recorded: Recorded = serde_json::from_str(&text).map_err(|e| {
            Refusal::new(format!("{} is not a prov JSON report: {e}", path.display()))
                .help("verify the report written by `prov report --format json`")
        })?;
        if recorded.workspace.algorithm != digest::ALGORITHM {
            return Err(Refusal::new(format!(
                "{} uses digest {}, which this prov does not know",
                path.display(),
                recorded.workspace.algorithm
            ))
            .into());
        }
        let now = digest::compute(root).map_err(Refusal::new)?;
        if now.sha256 == recorded.workspace.sha256 {
            out(&format!(
                "the report matches this workspace: digest {}\n",
                now.sha256
            ));
            return Ok(OK);
        }
        let mut s = format!(
            "the report does not match this workspace: it names digest {}, the workspace has {}\n",
            recorded.workspace.sha256, now.sha256
        );
        for (path, what) in digest::differences(&recorded.workspace, &now) {
            s.push_str(&format!("  {path}: {what}\n"));
        }
        out(&s);
        return Ok(FINDINGS);
    }
    let ws = load(root, Format::Human, style)?;
    let only_files = select(&ws, &args.paths)?;
    let outcome = check::check(
        &ws,
        &check::Options {
            only_files,
            ..Default::default()
        },
    );
    let digest = digest::compute(root).map_err(Refusal::new)?;
    let text_of = |id: &str, revision: Option<&str>| -> Option<String> {
        let source = ws.source(id)?;
        let path = match revision {
            Some(sha) if sha != source.sha256 => prov::workspace::revision_path(root, id, sha),
            _ => ws.snapshot_path(id),
        };
        files::read_text(root, &path).ok()
    };
    let r = report::build(&ws, &outcome, digest, &text_of);
    if args.output.is_none() && matches!(args.format, ReportFormat::Json | ReportFormat::W3c) {
        // Straight to standard output, without the whole document as one string first.
        match args.format {
            ReportFormat::W3c => out_json(&report::w3c::render(&r)),
            _ => out_json(&r),
        }
        let code = exit_code(&outcome.diagnostics);
        // As in `check`: the process ends here, the OS frees the memory at once.
        std::mem::forget(r);
        std::mem::forget(outcome);
        std::mem::forget(ws);
        return Ok(code);
    }
    let text = match args.format {
        // Written files get the same sanitiser as the terminal: no raw control or invisible
        // character from the workspace in a report (JSON through `to_json`'s).
        ReportFormat::Md => escape::text(&report::md::render(&r)).into_owned(),
        ReportFormat::Html => escape::text(&report::html::render(&r)).into_owned(),
        ReportFormat::Json => to_json(&r),
        ReportFormat::W3c => to_json(&report::w3c::render(&r)),
    };
    match &args.output {
        None => out(&text),
        Some(path) => {
            let cwd = cwd()?;
            let path = cwd.join(path);
            let special = std::fs::metadata(&path).is_ok_and(|m| !m.is_file());
            let written = if special {
                // A device or a pipe (-o /dev/stdout, a FIFO): write into it; an atomic
                // rename would replace it with a regular file.
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
            } else {
                prov::edit::atomic_write(&path, text.as_bytes())
            };
            written.map_err(|e| Refusal::new(format!("cannot write {}: {e}", path.display())))?;
            err(&format!(
                "wrote the report ({} facts, digest {}) to {}\n",
                r.facts.len(),
                &r.workspace.sha256[..12],
                path.display()
            ));
        }
    }
    Ok(exit_code(&outcome.diagnostics))
}
