//! What every command shares: the exit codes (0 no error, 1 error-level findings, 2 could not
//! run), finding the workspace, taking the lock, loading it, and writing to stdout. Nothing
//! below the binary prints.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use prov::diag::{Diagnostic, Severity};
use prov::files::{self, Files};
use prov::fix;
use prov::refusal::Refusal;
use prov::render::{human, json};
use prov::workspace::{self, SOURCES_FILE, Workspace};
use prov::{escape, journal, lock};

use crate::cli::Format;

pub const OK: u8 = 0;
pub const FINDINGS: u8 = 1;
pub const CANNOT_RUN: u8 = 2;

/// Why a command stopped early.
pub enum Stop {
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

/// Is colour on? Set once by `main` from `--color`, the terminal and NO_COLOR.
static COLOR: AtomicBool = AtomicBool::new(false);

pub fn set_color(on: bool) {
    COLOR.store(on, Ordering::Relaxed);
}

/// Write text to stdout through the sanitiser ([`escape::terminal`]): no character from the
/// workspace reaches the terminal as a control. A closed pipe (`prov check | head`) is not an
/// error.
pub fn out(text: &str) {
    let text = escape::terminal(text, COLOR.load(Ordering::Relaxed));
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

/// Write text to stderr through the same sanitiser.
pub fn err(text: &str) {
    let text = escape::terminal(text, COLOR.load(Ordering::Relaxed));
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

pub fn cwd() -> Result<PathBuf, Stop> {
    std::env::current_dir()
        .map_err(|e| Refusal::new(format!("cannot read the current directory: {e}")).into())
}

/// The workspace root: -C DIR, or the nearest directory upwards holding sources.toml.
pub(crate) fn root(given: Option<&Path>) -> Result<PathBuf, Stop> {
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

/// What a command does to the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It only reads: the lock shared (when a writer ever made it), never a write, never a
    /// journal applied (an interrupted write is a finding of `check` instead).
    Read,
    /// It writes: the lock held exclusively, and an interrupted write completed first, after
    /// its journal is validated whole ([`prov::journal::recover`]).
    Write,
}

/// Start a command on the workspace, holding the lock its access needs.
pub(crate) fn begin(root: &Path, access: Access) -> Result<lock::Guard, Stop> {
    match access {
        Access::Read => Ok(lock::shared(root)?),
        Access::Write => {
            refuse_symlinked_dirs(root)?;
            let guard = lock::exclusive(root)?;
            if let Some(done) = journal::recover(root)? {
                err(&recovered_note(&done));
            }
            Ok(guard)
        }
    }
}

/// A writer writes into claims/ and snapshots/: either one as a symbolic link could lead it
/// anywhere on the machine, so it refuses to start.
fn refuse_symlinked_dirs(root: &Path) -> Result<(), Refusal> {
    for dir in [workspace::CLAIMS_DIR, workspace::SNAPSHOTS_DIR] {
        if files::symlink_on_the_way(root, dir).is_some() {
            return Err(Refusal::new(format!(
                "{dir}/ is a symbolic link; prov never writes through one, since it could lead anywhere"
            ))
            .help(format!(
                "make {dir}/ a real directory inside the workspace (move the files into it)"
            )));
        }
    }
    Ok(())
}

/// "note: completed an interrupted `prov accept`: wrote sources.toml, …"
pub(crate) fn recovered_note(done: &journal::Recovered) -> String {
    format!(
        "note: completed an interrupted `prov {}` from {}: {}\n",
        done.command,
        journal::JOURNAL,
        if done.files.is_empty() {
            "nothing was left to write".to_string()
        } else {
            format!("wrote {}", done.files.join(", "))
        }
    )
}

/// Load the workspace, printing every problem when it is invalid.
pub(crate) fn load(root: &Path, format: Format, style: human::Style) -> Result<Workspace, Stop> {
    load_some(root, None, format, style)
}

pub(crate) fn load_some(
    root: &Path,
    only: Option<&(dyn Fn(&str) -> bool + Sync)>,
    format: Format,
    style: human::Style,
) -> Result<Workspace, Stop> {
    match workspace::load_some(root, only) {
        Ok(ws) => Ok(ws),
        Err(e) => Err(invalid(root, &e, format, style)),
    }
}

/// Print every problem of a workspace that could not be loaded, in `format`; exit 2.
pub(crate) fn invalid(
    root: &Path,
    e: &workspace::LoadError,
    format: Format,
    style: human::Style,
) -> Stop {
    match format {
        Format::Json => out_json(&json::invalid(&e.files, &e.diagnostics)),
        Format::Github => match path_prefix(root) {
            Ok(prefix) => out_github(&e.files, &e.diagnostics, &prefix, ""),
            Err(stop) => return stop,
        },
        Format::Sarif => match (path_prefix(root), docs_url()) {
            (Ok(prefix), Ok(docs)) => out_json(&prov::render::sarif::render(
                &e.files,
                &e.diagnostics,
                None,
                &prefix,
                docs.as_deref(),
            )),
            (Err(stop), _) | (_, Err(stop)) => return stop,
        },
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
            err(&s);
        }
    }
    Stop::Code(CANNOT_RUN)
}

/// Write a JSON document to stdout as it is serialised (a large workspace's document is big;
/// it is never held whole in memory). A closed pipe is not an error.
pub(crate) fn out_json<T: serde::Serialize>(v: &T) {
    out_json_with(|w| {
        // serde_json writes a token at a time: the sanitiser, whose every call has a cost of
        // its own, takes them in pieces of 64 kB (its output does not depend on the cuts).
        let mut pieces = io::BufWriter::with_capacity(1 << 16, w);
        serde_json::to_writer_pretty(&mut pieces, v).map_err(io::Error::from)?;
        pieces.flush()
    });
}

/// The JSON writer: stdout, buffered, through [`escape::JsonSafe`] (every unsafe character
/// that JSON leaves raw is written as `\uXXXX`: the same document, safe on a terminal).
pub(crate) type JsonOut = escape::JsonSafe<io::BufWriter<io::StdoutLock<'static>>>;

/// Write a JSON document to stdout with `write`, then a line break.
pub(crate) fn out_json_with(write: impl FnOnce(&mut JsonOut) -> io::Result<()>) {
    let stdout = io::stdout().lock();
    let mut w = escape::JsonSafe::new(io::BufWriter::with_capacity(1 << 16, stdout));
    let _ = write(&mut w)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.finish())
        .and_then(|mut inner| inner.flush());
}

/// A JSON document as text, sanitised like [`out_json`]'s.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    escape::json(&s).into_owned()
}

/// The exit status of a command that ran a check: any error among its findings, those the
/// check made on demand (`check --format json`'s facts) included.
pub(crate) fn exit_code(outcome: &prov::outcome::Outcome<'_>) -> u8 {
    if outcome.errors() > 0 { FINDINGS } else { OK }
}

pub(crate) fn describe(files: &Files, c: &fix::Change) -> String {
    let f = files.get(c.file);
    let span = |(s, e): (usize, usize)| format!("[{s}, {e}]");
    let what = match (&c.new_quote, c.old_span) {
        (Some(q), _) => format!(
            "quote set to the source's exact text {}, span {}",
            prov::escape::toml_basic(&prov::diag::clip(q, 80)),
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

/// Read a document to register or capture: FILE, or standard input for `-`.
pub(crate) fn read_input(file: &Path) -> Result<(Vec<u8>, String), Stop> {
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

/// `--format github`: the workflow commands, most important first, then `checked` (the summary
/// line, if any). When GitHub would not show them all as annotations, every finding is appended
/// to the job summary (`GITHUB_STEP_SUMMARY`) and a notice says how many are not shown and
/// where they are.
pub(crate) fn out_github(files: &Files, diags: &[Diagnostic], prefix: &str, checked: &str) {
    use prov::render::github;
    let mut s = github::render(files, diags, prefix);
    s.push_str(checked);
    let hidden = github::Hidden::of(diags);
    if hidden.any() {
        let summary = prov::report::md::job_summary(files, diags, prefix, checked);
        s.push_str(&github::overflow_notice(
            &hidden,
            append_step_summary(&summary),
        ));
    }
    out(&s);
}

/// Append `markdown` to the job summary, the file `GITHUB_STEP_SUMMARY` names: the one file
/// outside the workspace prov writes, at the CI's request. Appended, as GitHub's runner
/// expects, never created or truncated, and only if it is a regular file (not a symbolic
/// link, which could lead anywhere). Why it was not written, otherwise.
fn append_step_summary(markdown: &str) -> Result<(), String> {
    use std::fs;
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Err("GITHUB_STEP_SUMMARY is not set (not running in GitHub Actions)".to_string());
    };
    let path = PathBuf::from(path);
    let shown = escape::inline(&path.to_string_lossy()).into_owned();
    let not_written = |why: String| format!("the job summary {shown} was not written: {why}");
    let before = fs::symlink_metadata(&path).map_err(|e| not_written(e.to_string()))?;
    if !before.file_type().is_file() {
        return Err(not_written("it is not a regular file".to_string()));
    }
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| not_written(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let after = file.metadata().map_err(|e| not_written(e.to_string()))?;
        if (after.dev(), after.ino()) != (before.dev(), before.ino()) {
            return Err(not_written(
                "it was replaced while it was opened".to_string(),
            ));
        }
    }
    file.write_all(escape::text(markdown).as_bytes())
        .map_err(|e| not_written(e.to_string()))
}

/// `PROV_DOCS_URL`: the absolute http(s) URL of prov's `docs/` directory for this version, which
/// SARIF names as the tool's `informationUri` (prov has no public address of its own). Unset or
/// empty: none. A `/` is added when the path does not end with one.
pub(crate) fn docs_url() -> Result<Option<String>, Stop> {
    let Some(given) = std::env::var_os("PROV_DOCS_URL").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let refuse = |why: String| {
        Stop::from(
            Refusal::new(format!("PROV_DOCS_URL {why}"))
                .help("set it to where prov's docs/ directory is published, e.g. https://example.org/prov/v0.1.0/docs/, or unset it"),
        )
    };
    let given = given
        .into_string()
        .map_err(|_| refuse("is not UTF-8".to_string()))?;
    let mut url = url::Url::parse(&given).map_err(|e| {
        refuse(format!(
            "is not an absolute URL ({e}): {}",
            escape::inline(&given)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(refuse(format!(
            "must be an http or https URL: {}",
            escape::inline(&given)
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(Some(url.into()))
}

/// Workspace paths as the repository sees them: relative to the current directory when the
/// workspace lies below it (CI runs from the repository root), else as they are.
pub(crate) fn path_prefix(root: &Path) -> Result<String, Stop> {
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
