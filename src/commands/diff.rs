//! `prov diff [IDS]`: what pending captures do to the evidence, and the edited text.

use std::path::Path;

use prov::check;
use prov::diag::Code;
use prov::files;
use prov::outcome::SourceReport;
use prov::refusal::Refusal;
use prov::render::human;

use crate::app::{Access, FINDINGS, OK, Stop, begin, load, out};
use crate::cli::{DiffArgs, Format};

pub fn run(root: &Path, args: DiffArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, Access::Read)?;
    let ws = load(root, Format::Human, style)?;
    for id in &args.ids {
        if ws.source(id).is_none() {
            return Err(Refusal::new(format!("unknown source `{id}`")).into());
        }
        if std::fs::symlink_metadata(prov::pending::capture_path(root, id)).is_err() {
            return Err(Refusal::new(format!("`{id}` has no pending capture"))
                .help(format!("store a new version first: prov capture {id} FILE"))
                .into());
        }
    }
    let outcome = check::check(&ws, &check::Options::default());
    // An interrupted write comes first: until it is completed, what diff compares may be half
    // of a change.
    let interrupted: String = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::InterruptedWrite)
        .map(|d| human::diagnostic(&ws.files, d, style) + "\n\n")
        .collect();
    let pending: Vec<&SourceReport> = outcome
        .sources
        .iter()
        .filter(|s| s.pending.is_some() && (args.ids.is_empty() || args.ids.contains(&s.id)))
        .collect();
    if pending.is_empty() {
        out(&format!("{interrupted}no pending captures\n"));
        return Ok(if interrupted.is_empty() { OK } else { FINDINGS });
    }
    let mut s = interrupted.clone();
    for src in &pending {
        let old_path = ws.snapshot_path(&src.id);
        let new_path = prov::pending::capture_path(root, &src.id);
        let (Ok(old), Ok(new)) = (
            files::read_text(root, &old_path),
            files::read_text(root, &new_path),
        ) else {
            continue;
        };
        let cited: Vec<(usize, usize)> = outcome
            .citations
            .iter()
            .filter(|c| *c.cite.source() == *src.id && !c.is_pinned())
            .filter_map(|c| c.found())
            .collect();
        s.push_str(&prov::render::pending::text_hunks(
            &files::rel_display(root, &old_path),
            &old,
            &new,
            &cited,
            args.context,
            style.color,
        ));
        s.push('\n');
    }
    s.push_str(&prov::render::pending::section(
        &ws,
        &outcome,
        &args.ids,
        style.color,
        false,
    ));
    let broken = outcome
        .citations
        .iter()
        .filter(|c| args.ids.is_empty() || args.ids.iter().any(|id| **id == *c.cite.source()))
        .filter(|c| c.pending.as_ref().is_some_and(|p| p.breaks()))
        .count();
    if broken > 0 {
        s.push_str(&format!(
            "{broken} citation{} would break: `prov check` shows each with what to do\n",
            human::plural(broken)
        ));
    }
    let unusable = pending
        .iter()
        .any(|s| s.pending.as_ref().is_some_and(|p| p.error.is_some()));
    if unusable {
        s.push_str("a pending capture cannot be used: `prov check` says why\n");
    }
    out(&s);
    Ok(if broken > 0 || unusable || !interrupted.is_empty() {
        FINDINGS
    } else {
        OK
    })
}
