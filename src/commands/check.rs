//! `prov check [PATHS]`: verify every citation and source; the gate for pre-commit and CI.

use std::path::Path;

use prov::check;
use prov::diag::{CodeKind, Diagnostic, Severity};
use prov::outcome::Outcome;
use prov::render::{human, json, sarif, table};
use prov::workspace::Workspace;

use crate::app::{
    Access, Stop, begin, exit_code, load, load_some, out, out_github, out_json, out_json_with,
};
use crate::app::{docs_url, path_prefix};
use crate::cli::{CheckArgs, Format};
use crate::scope::{scope, select, shard};

fn render_human(ws: &Workspace, outcome: &Outcome, style: human::Style) -> String {
    let mut s = String::new();
    // Fact warnings are the table's rows; everything else is a full diagnostic.
    let in_table =
        |d: &Diagnostic| d.code.kind() == CodeKind::Fact && d.severity != Severity::Error;
    for d in outcome.diagnostics.iter().filter(|d| !in_table(d)) {
        s.push_str(&human::diagnostic(&ws.files, d, style));
        s.push_str("\n\n");
    }
    // The facts' findings made on demand, which sort after every held one: those that are
    // errors in full; the others are the table's rows.
    let mut findings = check::FactFindingMaker::new(outcome);
    for &(fact, flag) in &outcome.fact_findings.order {
        if outcome.fact_flag_severity(flag) == Severity::Error {
            let d = findings.make((fact, flag));
            s.push_str(&human::diagnostic(&ws.files, &d, style));
            s.push_str("\n\n");
        }
    }
    let pending = prov::render::pending::section(ws, outcome, &[], style.color, true);
    if !pending.is_empty() {
        s.push_str(&pending);
        s.push('\n');
    }
    let facts = outcome.facts.list();
    s.push_str(&table::facts(facts.len(), &|i| outcome.fact(&facts[i])));
    if !outcome.facts.is_empty() {
        s.push('\n');
    }
    let flagged =
        outcome.diagnostics.iter().filter(|d| in_table(d)).count() + outcome.fact_findings.warnings;
    s.push_str(&human::summary(
        outcome.sources.len(),
        outcome.claims,
        outcome.citations.len(),
        outcome.errors(),
        outcome.warnings(),
    ));
    if flagged > 0 {
        s.push_str(&format!(" ({flagged} in the table)"));
    }
    s.push('\n');
    s
}

pub fn run(root: &Path, args: CheckArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, Access::Read)?;
    let docs = match args.format {
        Format::Sarif => docs_url()?,
        _ => None,
    };
    // The pre-commit path: only the named claim files are loaded (a partition needs them all).
    let scope = match args.partition {
        None => scope(root, &args.paths)?,
        Some(_) => None,
    };
    let ws = match &scope {
        Some(named) => {
            let only = |rel: &str| {
                named
                    .iter()
                    .any(|n| rel == n || n.ends_with('/') && rel.starts_with(n.as_str()))
            };
            load_some(root, Some(&only), args.format, style)?
        }
        None => load(root, args.format, style)?,
    };
    let only_files = select(&ws, &args.paths)?;
    let deny = args.deny.iter().map(|&f| f.into()).collect();
    let (only_files, workspace_findings) = match args.partition {
        None => (only_files, false),
        Some((k, n)) => (Some(shard(&ws, only_files, k, n)), k == 1),
    };
    let outcome = check::check(
        &ws,
        &check::Options {
            only_files,
            deny,
            workspace_findings,
            // The JSON document is written element by element: the facts' findings are made
            // as they are written, not held (a large workspace has 50,000 of them). The human
            // output shows those that are errors in full, and counts the others (the table's
            // rows).
            fact_findings_on_demand: matches!(args.format, Format::Json | Format::Human),
            between_phases: Some(crate::give_back_memory),
        },
    );
    let prefix = path_prefix(root)?;
    match args.format {
        Format::Human => out(&render_human(&ws, &outcome, style)),
        Format::Json => out_json_with(|w| json::write_pretty(w, &json::document(&ws, &outcome))),
        Format::Github => {
            let mut checked = human::summary(
                outcome.sources.len(),
                outcome.claims,
                outcome.citations.len(),
                outcome.errors(),
                outcome.warnings(),
            );
            checked.push('\n');
            out_github(&ws.files, &outcome.diagnostics, &prefix, &checked);
        }
        Format::Sarif => out_json(&sarif::render(
            &ws.files,
            &outcome.diagnostics,
            Some(&outcome),
            &prefix,
            docs.as_deref(),
        )),
    }
    let code = exit_code(&outcome);
    // The process ends here: freeing a large workspace piece by piece only costs time (5 % of a
    // 100k-citation check); the OS takes the memory back at once.
    std::mem::forget(outcome);
    std::mem::forget(ws);
    Ok(code)
}
