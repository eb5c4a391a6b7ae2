//! The commands: resolve CLI arguments into library calls, print the results, and return the
//! exit code (0 no error, 1 error-level findings, 2 could not run). The only module that prints.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use prov::check::{self, Outcome};
use prov::diag::{Diagnostic, Severity};
use prov::files::{self, FileId, Files};
use prov::registry::{self, NewSource, Refusal};
use prov::render::{human, json, table};
use prov::workspace::{self, CLAIMS_DIR, SNAPSHOTS_DIR, SOURCES_FILE, Workspace};
use prov::{accept, fix};

use crate::cli::{
    AcceptArgs, AddArgs, CaptureArgs, CheckArgs, Cli, Color, Command, DiffArgs, FixArgs, Format,
    HookAction, ReportArgs, ReportFormat,
};

const OK: u8 = 0;
const FINDINGS: u8 = 1;
const CANNOT_RUN: u8 = 2;

pub fn run(cli: Cli) -> u8 {
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let style = human::Style { color };
    // SOURCE_DATE_EPOCH is the only clock of reproducible runs: a malformed one is an error.
    if let Some(v) = std::env::var_os("SOURCE_DATE_EPOCH")
        && v.to_str().is_none_or(|s| s.trim().parse::<u64>().is_err())
    {
        let _ = io::stderr().write_all(
            format!(
                "error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {v:?}\n  = help: unset it, or set it to e.g. $(git log -1 --format=%ct)\n"
            )
            .as_bytes(),
        );
        return CANNOT_RUN;
    }
    let result = match cli.command {
        Command::Init { dir } => init(dir),
        Command::Add(args) => root(cli.workspace.as_deref()).and_then(|r| add(&r, args)),
        Command::Check(args) => root(cli.workspace.as_deref()).and_then(|r| check(&r, args, style)),
        Command::Fix(args) => root(cli.workspace.as_deref()).and_then(|r| fix(&r, args, style)),
        Command::Capture(args) => {
            root(cli.workspace.as_deref()).and_then(|r| capture(&r, args, style))
        }
        Command::Diff(args) => root(cli.workspace.as_deref()).and_then(|r| diff(&r, args, style)),
        Command::Accept(args) => {
            root(cli.workspace.as_deref()).and_then(|r| accept(&r, args, style))
        }
        Command::Report(args) => {
            root(cli.workspace.as_deref()).and_then(|r| report(&r, args, style))
        }
        Command::Hook { action } => root(cli.workspace.as_deref()).and_then(|r| hook(&r, action)),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "prov", &mut buf);
            out(&String::from_utf8_lossy(&buf));
            Ok(OK)
        }
        Command::Man => {
            let mut buf = Vec::new();
            let cmd = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(cmd).render(&mut buf) {
                Ok(()) => {
                    out(&String::from_utf8_lossy(&buf));
                    Ok(OK)
                }
                Err(e) => Err(Refusal::new(format!("cannot render the man page: {e}")).into()),
            }
        }
    };
    match result {
        Ok(code) => code,
        Err(Stop::Refused(r)) => {
            let mut msg = format!("error: {}\n", r.message);
            if let Some(h) = r.help {
                msg.push_str(&format!("  = help: {h}\n"));
            }
            let _ = io::stderr().write_all(msg.as_bytes());
            CANNOT_RUN
        }
        Err(Stop::Code(c)) => c,
    }
}

/// Why a command stopped early.
enum Stop {
    /// Could not run: print and exit 2.
    Refused(Refusal),
    /// Already reported; exit with this code.
    Code(u8),
}

impl From<Refusal> for Stop {
    fn from(r: Refusal) -> Self {
        Stop::Refused(r)
    }
}

/// Write to stdout; a closed pipe (`prov check | head`) is not an error.
fn out(text: &str) {
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

fn cwd() -> Result<PathBuf, Stop> {
    std::env::current_dir()
        .map_err(|e| Refusal::new(format!("cannot read the current directory: {e}")).into())
}

/// The workspace root: -C DIR, or the nearest directory upwards holding sources.toml.
fn root(given: Option<&Path>) -> Result<PathBuf, Stop> {
    let cwd = cwd()?;
    if let Some(dir) = given {
        let dir = files::normalize(&cwd.join(dir));
        if !dir.join(SOURCES_FILE).exists() {
            return Err(Refusal::new(format!(
                "{} is not a prov workspace: it has no {SOURCES_FILE}",
                dir.display()
            ))
            .help(format!("run `prov init {}` to create one", dir.display()))
            .into());
        }
        return Ok(dir);
    }
    let mut dir = cwd.as_path();
    loop {
        if dir.join(SOURCES_FILE).exists() {
            return Ok(dir.to_path_buf());
        }
        match dir.parent() {
            Some(p) => dir = p,
            None => {
                return Err(Refusal::new(format!(
                    "not inside a prov workspace: no {SOURCES_FILE} in {} or any parent directory",
                    cwd.display()
                ))
                .help("run `prov init` to create one, or pass -C DIR")
                .into());
            }
        }
    }
}

fn init(dir: Option<PathBuf>) -> Result<u8, Stop> {
    let cwd = cwd()?;
    let dir = files::normalize(&cwd.join(dir.unwrap_or_else(|| PathBuf::from("."))));
    let created = registry::init(&dir)?;
    let mut s = format!("created a prov workspace in {}\n", dir.display());
    for p in created {
        s.push_str(&format!("  {}\n", files::rel_display(&dir, &p)));
    }
    s.push_str("next: prov add FILE --id ID --outlet NAME, then cite it from claims/*.toml\n");
    out(&s);
    Ok(OK)
}

/// Read a document to register or capture: FILE, or standard input for `-`.
fn read_input(file: &Path) -> Result<(Vec<u8>, String), Stop> {
    Ok(if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .take(files::MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Refusal::new(format!("cannot read standard input: {e}")))?;
        if buf.len() as u64 > files::MAX_FILE_BYTES {
            return Err(Refusal::new(format!(
                "standard input is larger than the {} MiB a document may have",
                files::MAX_FILE_BYTES / (1024 * 1024)
            ))
            .help("capture the document's text, not an archive or a binary")
            .into());
        }
        (buf, "standard input".to_string())
    } else {
        let meta = std::fs::metadata(file)
            .map_err(|e| Refusal::new(format!("cannot read {}: {e}", file.display())))?;
        if !meta.is_file() {
            return Err(Refusal::new(format!("{} is not a file", file.display())).into());
        }
        if meta.len() > files::MAX_FILE_BYTES {
            return Err(Refusal::new(format!(
                "{}: {}",
                file.display(),
                files::too_large(meta.len())
            ))
            .help("capture the document's text, not an archive or a binary")
            .into());
        }
        let bytes = std::fs::read(file)
            .map_err(|e| Refusal::new(format!("cannot read {}: {e}", file.display())))?;
        (bytes, file.display().to_string())
    })
}

fn add(root: &Path, args: AddArgs) -> Result<u8, Stop> {
    let _lock = begin(root, true)?;
    let (bytes, what) = read_input(&args.file)?;
    let new = NewSource {
        id: args.id,
        outlet: args.outlet,
        origin: args.origin,
        title: args.title,
        url: args.url,
        language: args.language,
        published: args.published,
    };
    let added = registry::add(root, &new, &bytes, &what)?;
    out(&format!(
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
    Ok(OK)
}

/// Load the workspace, printing every problem when it is invalid.
/// Start a command on the workspace: complete an interrupted accept (under the exclusive
/// lock), then hold the lock the command needs: exclusive to write, shared to read.
fn begin(root: &Path, write: bool) -> Result<prov::lock::Guard, Stop> {
    if root.join(accept::JOURNAL).exists() {
        let _g = prov::lock::exclusive(root)?;
        if let Some(command) = accept::recover(root)? {
            let _ = io::stderr().write_all(
                format!("note: completed an interrupted `prov {command}` (its journal was left behind)\n")
                    .as_bytes(),
            );
        }
    }
    Ok(if write {
        prov::lock::exclusive(root)?
    } else {
        prov::lock::shared(root)?
    })
}

fn load(root: &Path, format: Format, style: human::Style) -> Result<Workspace, Stop> {
    load_some(root, None, format, style)
}

/// The claim files `paths` name, as workspace-relative paths (a directory as `dir/`); `None`
/// when they name sources.toml, a snapshot, the workspace, or anything [`select`] refuses: then
/// the whole workspace is loaded (and `select` says what is wrong).
fn scope(root: &Path, paths: &[PathBuf]) -> Result<Option<Vec<String>>, Stop> {
    if paths.is_empty() {
        return Ok(None);
    }
    let cwd = cwd()?;
    let mut named = Vec::new();
    for p in paths {
        match name(root, &cwd, p) {
            Some(Named::Dir(prefix)) => named.push(prefix),
            Some(Named::File(rel)) if rel.ends_with(".toml") => named.push(rel),
            _ => return Ok(None),
        }
    }
    Ok(Some(named))
}

/// What a PATH argument names in the workspace.
enum Named {
    /// sources.toml, a snapshot or the workspace itself: everything depends on it.
    Everything,
    /// claims/ or a directory under it, as a prefix (`claims/desk/`).
    Dir(String),
    /// Anything else, workspace-relative: a claim file if it is one.
    File(String),
}

/// `None` when `p` is outside the workspace.
fn name(root: &Path, cwd: &Path, p: &Path) -> Option<Named> {
    let abs = files::within(root, cwd, p)?;
    let rel = files::rel_display(root, &abs);
    Some(
        if rel == SOURCES_FILE || rel.starts_with(&format!("{SNAPSHOTS_DIR}/")) || rel.is_empty() {
            Named::Everything
        } else if rel == CLAIMS_DIR || (abs.is_dir() && rel.starts_with(&format!("{CLAIMS_DIR}/")))
        {
            Named::Dir(format!("{rel}/"))
        } else {
            Named::File(rel)
        },
    )
}

fn load_some(
    root: &Path,
    only: Option<&(dyn Fn(&str) -> bool + Sync)>,
    format: Format,
    style: human::Style,
) -> Result<Workspace, Stop> {
    match workspace::load_some(root, only) {
        Ok(ws) => Ok(ws),
        Err(e) => {
            match format {
                Format::Json => out(&to_json(&json::invalid(&e.files, &e.diagnostics))),
                Format::Github => out(&prov::render::github::render(
                    &e.files,
                    &e.diagnostics,
                    &path_prefix(root)?,
                )),
                Format::Sarif => out(&to_json(&prov::render::sarif::render(
                    &e.files,
                    &e.diagnostics,
                    None,
                    &path_prefix(root)?,
                ))),
                Format::Human => {
                    let mut s = String::new();
                    for d in &e.diagnostics {
                        s.push_str(&human::diagnostic(&e.files, d, style));
                        s.push_str("\n\n");
                    }
                    let n = e
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count();
                    s.push_str(&format!(
                        "error: the workspace is invalid ({n} problem{}); nothing was checked\n",
                        human::plural(n)
                    ));
                    let _ = io::stderr().write_all(s.as_bytes());
                }
            }
            Err(Stop::Code(CANNOT_RUN))
        }
    }
}

/// Write a JSON document to stdout as it is serialised (a large workspace's document is big;
/// it is never held whole in memory). A closed pipe is not an error.
fn out_json<T: serde::Serialize>(v: &T) {
    out_with(|w| serde_json::to_writer_pretty(w, v).map_err(io::Error::from));
}

/// Write a document to stdout with `write`, then a line break.
fn out_with(write: impl FnOnce(&mut io::BufWriter<io::StdoutLock<'static>>) -> io::Result<()>) {
    let stdout = io::stdout().lock();
    let mut w = io::BufWriter::with_capacity(1 << 16, stdout);
    let _ = write(&mut w)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Resolve PATHS into the claim files to check; `None` means everything.
fn select(ws: &Workspace, paths: &[PathBuf]) -> Result<Option<Vec<FileId>>, Stop> {
    if paths.is_empty() {
        return Ok(None);
    }
    let cwd = cwd()?;
    let mut selected = Vec::new();
    for p in paths {
        let Some(named) = name(&ws.root, &cwd, p) else {
            return Err(Refusal::new(format!(
                "{} is outside the workspace {}",
                p.display(),
                ws.root.display()
            ))
            .help("give paths of claim files inside the workspace")
            .into());
        };
        match named {
            // The registry or evidence changed: everything that depends on it is checked.
            Named::Everything => return Ok(None),
            Named::Dir(prefix) => selected.extend(
                ws.claim_files
                    .iter()
                    .copied()
                    .filter(|f| ws.files.get(*f).path.starts_with(&prefix)),
            ),
            Named::File(rel) => match ws.files.find(&rel).filter(|f| ws.claim_files.contains(f)) {
                Some(f) => selected.push(f),
                None => {
                    return Err(Refusal::new(format!(
                        "{} is not a claim file of this workspace",
                        p.display()
                    ))
                    .help(format!(
                        "claim files are the *.toml files under {CLAIMS_DIR}/"
                    ))
                    .into());
                }
            },
        }
    }
    selected.sort();
    selected.dedup();
    Ok(Some(selected))
}

/// Shard `k` of `n` of the claim files (of `only`, or all): sorted by path, then assigned
/// greedily, biggest first, to the shard with the fewest citations so far.
fn shard(ws: &Workspace, only: Option<Vec<FileId>>, k: usize, n: usize) -> Vec<FileId> {
    let mut files: Vec<(FileId, usize)> = only
        .unwrap_or_else(|| ws.claim_files.clone())
        .into_iter()
        .map(|f| {
            let cites = ws
                .claims
                .iter()
                .filter(|c| c.file == f)
                .map(|c| c.cites.len().max(1))
                .sum();
            (f, cites)
        })
        .collect();
    files.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(ws.files.get(a.0).path.cmp(&ws.files.get(b.0).path))
    });
    let mut load = vec![0usize; n];
    let mut mine = Vec::new();
    for (f, cites) in files {
        let target = (0..n).min_by_key(|&i| (load[i], i)).unwrap_or(0);
        load[target] += cites;
        if target + 1 == k {
            mine.push(f);
        }
    }
    mine.sort();
    mine
}

/// Workspace paths as the repository sees them: relative to the current directory when the
/// workspace lies below it (CI runs from the repository root), else as they are.
fn path_prefix(root: &Path) -> Result<String, Stop> {
    let cwd = cwd()?;
    Ok(
        match files::normalize(root).strip_prefix(files::normalize(&cwd)) {
            Ok(rel) if !rel.as_os_str().is_empty() => {
                format!("{}/", files::rel_display(&cwd, root))
            }
            _ => String::new(),
        },
    )
}

fn render_human(ws: &Workspace, outcome: &Outcome, style: human::Style) -> String {
    let mut s = String::new();
    // Fact warnings are the table's rows; everything else is a full diagnostic.
    let in_table = |d: &Diagnostic| {
        d.code.kind() == prov::diag::CodeKind::Fact && d.severity != Severity::Error
    };
    for d in outcome.diagnostics.iter().filter(|d| !in_table(d)) {
        s.push_str(&human::diagnostic(&ws.files, d, style));
        s.push_str("\n\n");
    }
    let pending = prov::render::pending::section(ws, outcome, &[], style.color, true);
    if !pending.is_empty() {
        s.push_str(&pending);
        s.push('\n');
    }
    s.push_str(&table::facts(&outcome.facts));
    if !outcome.facts.is_empty() {
        s.push('\n');
    }
    let flagged = outcome.diagnostics.iter().filter(|d| in_table(d)).count();
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

fn exit_code(diags: &[Diagnostic]) -> u8 {
    if diags.iter().any(|d| d.severity == Severity::Error) {
        FINDINGS
    } else {
        OK
    }
}

fn check(root: &Path, args: CheckArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, false)?;
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
        },
    );
    let prefix = path_prefix(root)?;
    match args.format {
        Format::Human => out(&render_human(&ws, &outcome, style)),
        Format::Json => out_with(|w| json::write_pretty(w, &json::document(&ws, &outcome))),
        Format::Github => {
            let mut s = prov::render::github::render(&ws.files, &outcome.diagnostics, &prefix);
            s.push_str(&human::summary(
                outcome.sources.len(),
                outcome.claims,
                outcome.citations.len(),
                outcome.errors(),
                outcome.warnings(),
            ));
            s.push('\n');
            out(&s);
        }
        Format::Sarif => out_json(&prov::render::sarif::render(
            &ws.files,
            &outcome.diagnostics,
            Some(&outcome),
            &prefix,
        )),
    }
    let code = exit_code(&outcome.diagnostics);
    // The process ends here: freeing a large workspace piece by piece only costs time (5 % of a
    // 100k-citation check); the OS takes the memory back at once.
    std::mem::forget(outcome);
    std::mem::forget(ws);
    Ok(code)
}

fn fix(root: &Path, args: FixArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, true)?;
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
                (Some(i), _) => {
                    let c = &left_outcome.citations[i];
                    !touched.contains(&(c.cite.claim_index, c.cite.index, c.claim.file))
                }
                (None, Some(loc)) if d.code.kind() == prov::diag::CodeKind::Fact => {
                    // A fact flag: re-evaluated after the fix if any of its citations changes.
                    !left_ws.claims.iter().any(|cl| {
                        cl.id_loc == *loc
                            && edits
                                .iter()
                                .flat_map(|e| &e.changes)
                                .any(|c| c.claim == cl.id)
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
                format!("{}:{}: ", f.path, f.line_col(l.range.start).0)
            });
            s.push_str(&format!("  {at}{}: {}\n", d.code, d.message));
        }
        let typo = left
            .iter()
            .filter(|d| d.code == prov::diag::Code::Typography)
            .count();
        if typo > 0 && !args.typography {
            s.push_str(&format!(
                "  = help: {typo} of them differ only in typography: `prov fix --typography` copies the source's exact characters\n"
            ));
        }
    }
    out(&s);
    Ok(if left.is_empty() { OK } else { FINDINGS })
}

fn describe(files: &Files, c: &fix::Change) -> String {
    let f = files.get(c.file);
    let span = |(s, e): (usize, usize)| format!("[{s}, {e}]");
    let what = match (&c.new_quote, c.old_span) {
        (Some(q), _) => format!(
            "quote set to the source's exact text {:?}, span {}",
            check::clip(q, 80),
            span(c.new_span)
        ),
        (None, Some(old)) => format!("span {} → {}", span(old), span(c.new_span)),
        (None, None) => format!("span set to {}", span(c.new_span)),
    };
    format!(
        "{}:{}: claim `{}`, source `{}`: {what}\n",
        f.path, c.line, c.claim, c.source
    )
}

fn capture(root: &Path, args: CaptureArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, true)?;
    let ws = load(root, Format::Human, style)?;
    let (bytes, what) = read_input(&args.file)?;
    let c = registry::capture(&ws, &args.id, &bytes, &what)?;
    let rel = files::rel_display(root, &c.path);
    if c.identical {
        out(&format!(
            "`{}`: the new text is identical to the pinned snapshot; nothing to review{}\n",
            args.id,
            if c.replaced {
                " (the earlier pending capture was removed)"
            } else {
                ""
            }
        ));
        return Ok(OK);
    }
    out(&format!(
        "captured a new version of `{}`: {rel} ({} bytes, sha256 {}){}\nnext: `prov diff {}` to review what it does to the citations, `prov accept {}` to adopt it\n",
        args.id,
        c.bytes,
        c.sha256,
        if c.replaced {
            ", replacing the earlier pending capture"
        } else {
            ""
        },
        args.id,
        args.id
    ));
    Ok(OK)
}

fn diff(root: &Path, args: DiffArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, false)?;
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
    let pending: Vec<&check::SourceReport> = outcome
        .sources
        .iter()
        .filter(|s| s.pending.is_some() && (args.ids.is_empty() || args.ids.contains(&s.id)))
        .collect();
    if pending.is_empty() {
        out("no pending captures\n");
        return Ok(OK);
    }
    let mut s = String::new();
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
            .filter(|c| c.cite.source == src.id && c.revision.is_none())
            .filter_map(|c| c.anchor.as_ref().and_then(|a| a.found))
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
        .filter(|c| args.ids.is_empty() || args.ids.contains(&c.cite.source))
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
    Ok(if broken > 0 || unusable { FINDINGS } else { OK })
}

fn accept(root: &Path, args: AcceptArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, true)?;
    let ws = load(root, Format::Human, style)?;
    let outcome = check::check(&ws, &check::Options::default());
    let (plans, journal) = match accept::plan(&ws, &outcome, &args.ids, args.keep_broken) {
        Ok(p) => p,
        Err((plans, refusal)) => {
            let mut s = String::new();
            for p in &plans {
                for (claim, path, line, verdict) in &p.broken {
                    s.push_str(&format!(
                        "  {path}:{line}: claim `{claim}` would become {}\n",
                        verdict.as_str()
                    ));
                }
            }
            let mut msg = format!("error: {}\n{s}", refusal.message);
            if let Some(h) = refusal.help {
                msg.push_str(&format!("  = help: {h}\n"));
            }
            let _ = io::stderr().write_all(msg.as_bytes());
            // Broken citations are findings (exit 1); anything else means it could not run.
            let refused_for_findings = plans.iter().any(|p| !p.broken.is_empty());
            return Ok(if refused_for_findings {
                FINDINGS
            } else {
                CANNOT_RUN
            });
        }
    };
    accept::commit(root, &journal)?;
    let mut s = String::new();
    for p in &plans {
        s.push_str(&format!(
            "accepted the new capture of `{}`: sha256 {}… → {}…; the old text is kept as {}\n",
            p.id,
            &p.old_sha256[..12],
            &p.new_sha256[..12],
            p.kept_as
        ));
        for c in &p.moved {
            s.push_str(&describe(&ws.files, c));
        }
        for (claim, path, line, verdict) in &p.broken {
            s.push_str(&format!(
                "  {path}:{line}: claim `{claim}` is now {} (kept broken: update its quote, or pin `revision = \"{}\"`)\n",
                verdict.as_str(),
                &p.old_sha256[..12]
            ));
        }
    }
    out(&s);
    let broken = plans.iter().any(|p| !p.broken.is_empty());
    Ok(if broken { FINDINGS } else { OK })
}

fn hook(root: &Path, action: HookAction) -> Result<u8, Stop> {
    match action {
        HookAction::Install { force } => {
            let msg = match prov::hook::install(root, force)? {
                prov::hook::Installed::Created(p) => {
                    format!("installed the prov pre-commit hook: {}\n", p.display())
                }
                prov::hook::Installed::Replaced(p) => {
                    format!("replaced the pre-commit hook: {}\n", p.display())
                }
            };
            out(&msg);
        }
        HookAction::Uninstall => {
            let p = prov::hook::uninstall(root)?;
            out(&format!(
                "removed the prov pre-commit hook: {}\n",
                p.display()
            ));
        }
    }
    Ok(OK)
}

fn report(root: &Path, args: ReportArgs, style: human::Style) -> Result<u8, Stop> {
    let _lock = begin(root, false)?;
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
        ReportFormat::Md => report::md::render(&r),
        ReportFormat::Html => report::html::render(&r),
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
            let _ = io::stderr().write_all(
                format!(
                    "wrote the report ({} facts, digest {}) to {}\n",
                    r.facts.len(),
                    &r.workspace.sha256[..12],
                    path.display()
                )
                .as_bytes(),
            );
        }
    }
    Ok(exit_code(&outcome.diagnostics))
}
