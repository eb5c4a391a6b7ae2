//! `prov report`: write the audit trail, or `--verify` a report against the workspace.

use std::io::Write;
use std::path::Path;

use prov::check;
use prov::escape;
use prov::files;
use prov::refusal::Refusal;
use prov::render::human;

use crate::app::{
    Access, FINDINGS, OK, Stop, begin, cwd, err, exit_code, load, out, out_json, out_json_with,
    to_json,
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
        // The evidence chains: each capture's WARC → its text, re-verified now.
        let (chains, broken) = evidence_chains(root);
        if now.sha256 == recorded.workspace.sha256 {
            out(&format!(
                "the report matches this workspace: digest {}\n{chains}",
                now.sha256
            ));
            return Ok(if broken { FINDINGS } else { OK });
        }
        let mut s = format!(
            "the report does not match this workspace: it names digest {}, the workspace has {}\n",
            recorded.workspace.sha256, now.sha256
        );
        for (path, what) in digest::differences(&recorded.workspace, &now) {
            s.push_str(&format!("  {path}: {what}\n"));
        }
        s.push_str(&chains);
        out(&s);
        return Ok(FINDINGS);
    }
    let ws = load(root, Format::Human, style)?;
    let only_files = select(&ws, &args.paths)?;
    // The quotes' context is taken from each text as the check reads and verifies it.
    let (outcome, quotes) = report::check(
        &ws,
        &check::Options {
            only_files,
            between_phases: Some(crate::give_back_memory),
            ..Default::default()
        },
    );
    // The snapshots the check read are not read and hashed again for the digest.
    let known: digest::Known = outcome
        .sources
        .iter()
        .filter_map(|s| {
            let rel = files::rel_display(root, &ws.snapshot_path(&s.id));
            Some((rel, (s.bytes?, s.actual.clone()?)))
        })
        .collect();
    let digest = digest::compute_knowing(root, &known).map_err(Refusal::new)?;
    let parents = files::Parents::default();
    let text_of = |id: &str, revision: Option<&str>| -> Option<String> {
        report::pinned_text(&ws, id, revision, &parents)
    };
    if args.output.is_none() && matches!(args.format, ReportFormat::Json) {
        // Straight to standard output, each fact's entry made as it is written: the report is
        // never held whole.
        let mut p = report::prepare(&ws, (&outcome, quotes), digest, &text_of);
        report::attach_evidence(&mut p.head, &ws);
        out_json_with(|w| report::write_json_prepared(w, &p));
        let code = exit_code(&outcome);
        // As in `check`: the process ends here, the OS frees the memory at once.
        std::mem::forget(p);
        std::mem::forget(outcome);
        std::mem::forget(ws);
        return Ok(code);
    }
    if matches!(args.format, ReportFormat::Md | ReportFormat::Html) {
        // Each fact's entry is made as it is laid out, not all held at once. Written files get
        // the same sanitiser as the terminal: no raw control or invisible character from the
        // workspace in a report.
        let mut p = report::prepare(&ws, (&outcome, quotes), digest, &text_of);
        report::attach_evidence(&mut p.head, &ws);
        let text = match args.format {
            ReportFormat::Md => sanitised(report::md::render(&p)),
            _ => sanitised(report::html::render(&p)),
        };
        write_report(&args, &text, p.len(), &p.head.workspace.sha256)?;
        let code = exit_code(&outcome);
        std::mem::forget(p);
        std::mem::forget(outcome);
        std::mem::forget(ws);
        return Ok(code);
    }
    let mut r = report::build(&ws, (&outcome, quotes), digest, &text_of);
    report::attach_evidence(&mut r, &ws);
    if args.output.is_none() && matches!(args.format, ReportFormat::W3c) {
        // Straight to standard output, without the whole document as one string first.
        out_json(&report::w3c::render(&r));
        let code = exit_code(&outcome);
        std::mem::forget(r);
        std::mem::forget(outcome);
        std::mem::forget(ws);
        return Ok(code);
    }
    // JSON through `to_json`'s sanitiser (the Markdown and HTML reports are laid out above).
    let text = match args.format {
        ReportFormat::W3c => to_json(&report::w3c::render(&r)),
        _ => to_json(&r),
    };
    write_report(&args, &text, r.facts.len(), &r.workspace.sha256)?;
    Ok(exit_code(&outcome))
}

/// Write a report's `text` (of `facts` facts, workspace digest `digest`) to standard output, or
/// to the file `-o` names.
fn write_report(args: &ReportArgs, text: &str, facts: usize, digest: &str) -> Result<(), Stop> {
    match &args.output {
        None => out(text),
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
                "wrote the report ({facts} facts, digest {}) to {}\n",
                &digest[..12.min(digest.len())],
                path.display()
            ));
        }
    }
    Ok(())
}

/// Re-verify the chain of every capture with WARC evidence (current and superseded): one line
/// each, and whether one is broken. Nothing to say for a workspace without WARC evidence.
fn evidence_chains(root: &Path) -> (String, bool) {
    use prov::workspace::{revision_path, warc_path, warc_revision_path};
    let ws = match prov::workspace::load(root) {
        Ok(ws) => ws,
        Err(_) => {
            return (
                "the evidence chains were not re-verified: the workspace is invalid (`prov check` says why)\n".to_string(),
                true,
            );
        }
    };
    let mut s = String::new();
    let mut broken = false;
    for src in &ws.sources {
        let mut each = |record: &prov::workspace::CaptureRecord,
                        warc: std::path::PathBuf,
                        text: std::path::PathBuf,
                        which: String| {
            let bytes = files::read_bytes(root, &warc).ok();
            let snapshot = files::read_bytes(root, &text).unwrap_or_default();
            let chain = prov::evidence::verify(record, bytes.as_deref(), &snapshot);
            broken |= chain.broken();
            let mark = match chain {
                prov::evidence::Chain::Proven => "proven",
                prov::evidence::Chain::OtherExtractor { .. } => "not re-verified",
                _ => "BROKEN",
            };
            s.push_str(&format!(
                "evidence of {which}: {mark}: {}\n",
                chain.describe(
                    record,
                    &files::rel_display(root, &warc),
                    &files::rel_display(root, &text)
                )
            ));
        };
        if let Some(c) = &src.capture {
            each(
                c,
                warc_path(root, &src.id),
                ws.snapshot_path(&src.id),
                format!("`{}`", src.id),
            );
        }
        for rev in &src.revisions {
            if let Some(c) = &rev.capture {
                each(
                    c,
                    warc_revision_path(root, &src.id, &rev.sha256),
                    revision_path(root, &src.id, &rev.sha256),
                    format!("`{}` revision {}", src.id, &rev.sha256[..12]),
                );
            }
        }
    }
    (s, broken)
}

/// `text` through [`escape::text`], copied only when the sanitiser changed something (a large
/// workspace's HTML report is 160 MB: a copy of it doubled the command's peak memory).
fn sanitised(text: String) -> String {
    let changed = match escape::text(&text) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(changed) => Some(changed),
    };
    changed.unwrap_or(text)
}
