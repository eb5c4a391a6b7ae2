//! `prov fix [PATHS]`: repair the spans (and with `--typography`, the quotes) prov can place exactly.

use std::path::Path;

use prov::check;
use prov::diag::{Code, CodeKind, Diagnostic, Severity};
use prov::files::FileId;
use prov::fix;
use prov::render::human;

use crate::app::{Access, FINDINGS, OK, Stop, begin, describe, load, out};
use crate::cli::{FixArgs, Format};
use crate::scope::select;

pub fn run(root: &Path, args: FixArgs, style: human::Style) -> Result<u8, Stop> {
    // A dry run only reads: it never takes the write lock, never completes a journal.
    let access = if args.dry_run {
        Access::Read
    } else {
        Access::Write
    };
    let _lock = begin(root, access)?;
    let ws = load(root, Format::Human, style)?;
    let only_files = select(&ws, &args.paths)?;
    let outcome = check::check(
        &ws,
        &check::Options {
            only_files,
            ..Default::default()
        },
    );
    let changes = fix::plan(&outcome, args.typography);
    let edits = fix::apply(&ws, changes)?;
    let mut s = String::new();
    if args.dry_run {
        for e in &edits {
            let diff = similar::TextDiff::from_lines(&e.old, &e.new);
            s.push_str(
                &diff
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/{}", e.path), &format!("b/{}", e.path))
                    .to_string(),
            );
        }
    } else {
        fix::write(&ws, &edits)?;
    }
    let mut n = 0;
    for e in &edits {
        for c in &e.changes {
            n += 1;
            s.push_str(&describe(&ws.files, c));
        }
    }
    // What is left for an editor: after writing, the workspace checked again; in a dry run,
    // the findings of citations not fixed (fact flags of repaired claims are re-evaluated then).
    let (ws2, out2);
    let (left_ws, left_outcome) = if args.dry_run {
        (&ws, &outcome)
    } else {
        ws2 = load(root, Format::Human, style)?;
        out2 = check::check(
            &ws2,
            &check::Options {
                only_files: select(&ws2, &args.paths)?,
                ..Default::default()
            },
        );
        (&ws2, &out2)
    };
    let touched: Vec<(usize, usize, FileId)> = edits
        .iter()
        .flat_map(|e| {
            e.changes
                .iter()
                .map(|c| (c.claim_index, c.cite_index, c.file))
        })
        .collect();
    let left: Vec<&Diagnostic> = left_outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| {
            if !args.dry_run {
                return true;
            }
            match (d.citation, &d.loc) {
                // A hidden character stays in a quote whatever fix does to its span.
                (Some(i), _) if d.code != Code::HiddenCharacter => {
                    let c = &left_outcome.citations[i];
                    !touched.contains(&(c.cite.claim_index(), c.cite.index(), c.cite.file()))
                }
                (None, Some(loc)) if d.code.kind() == CodeKind::Fact => {
                    // A fact flag: re-evaluated after the fix if any of its citations changes.
                    !left_ws.claims.iter().any(|cl| {
                        cl.id_loc() == *loc
                            && edits
                                .iter()
                                .flat_map(|e| &e.changes)
                                .any(|c| *c.claim == *cl.id())
                    })
                }
                _ => true,
            }
        })
        .collect();
    let verb = if args.dry_run { "would fix" } else { "fixed" };
    s.push_str(&format!("{verb} {n} citation{}", human::plural(n)));
    if left.is_empty() {
        s.push('\n');
    } else {
        s.push_str(&format!(
            "; {} error{} need{} an editor (`prov check` shows the details):\n",
            left.len(),
            human::plural(left.len()),
            if left.len() == 1 { "s" } else { "" }
        ));
        for d in &left {
            let at = d.loc.as_ref().map_or_else(String::new, |l| {
                let f = left_ws.files.get(l.file);
                format!("{}:{}: ", f.path, f.line_col(l.start()).0)
            });
            s.push_str(&format!("  {at}{}: {}\n", d.code, d.message));
        }
        let typo = left.iter().filter(|d| d.code == Code::Typography).count();
        if typo > 0 && !args.typography {
            s.push_str(&format!(
                "  = help: {typo} of them differ only in typography: `prov fix --typography` copies the source's exact characters\n"
            ));
        }
    }
    out(&s);
    Ok(if left.is_empty() { OK } else { FINDINGS })
}
