//! What every command shares: the exit codes (0 no error, 1 error-level findings, 2 could not
//! run), finding the workspace, taking the lock, loading it, and writing to stdout. Nothing
//! below the binary prints.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use prov::diag::{Diagnostic, Severity};
use prov::files::{self, Files};
use prov::fix;
use prov::refusal::Refusal;
use prov::render::{human, json};
use prov::workspace::{self, SOURCES_FILE, Workspace};

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

/// Write to stdout; a closed pipe (`prov check | head`) is not an error.
pub fn out(text: &str) {
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
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

/// Start a command on the workspace: complete an interrupted accept (under the exclusive
/// lock), then hold the lock the command needs: exclusive to write, shared to read.
pub(crate) fn begin(root: &Path, write: bool) -> Result<prov::lock::Guard, Stop> {
    if root.join(prov::journal::JOURNAL).exists() {
        let _g = prov::lock::exclusive(root)?;
        if let Some(command) = prov::journal::recover(root)? {
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
pub(crate) fn out_json<T: serde::Serialize>(v: &T) {
    out_with(|w| prov::render::json::to_writer_pretty(w, v).map_err(io::Error::from));
}

/// Write a document to stdout with `write`, then a line break.
pub(crate) fn out_with(
    write: impl FnOnce(&mut io::BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) {
    let stdout = io::stdout().lock();
    let mut w = io::BufWriter::with_capacity(1 << 16, stdout);
    let _ = write(&mut w)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s = prov::render::json::to_vec_pretty(v)
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

pub(crate) fn exit_code(diags: &[Diagnostic]) -> u8 {
    if diags.iter().any(|d| d.severity == Severity::Error) {
        FINDINGS
    } else {
        OK
    }
}

pub(crate) fn describe(files: &Files, c: &fix::Change) -> String {
    let f = files.get(c.file);
    let span = |(s, e): (usize, usize)| format!("[{s}, {e}]");
    let what = match (&c.new_quote, c.old_span) {
        (Some(q), _) => format!(
            "quote set to the source's exact text {:?}, span {}",
            prov::diag::clip(q, 80),
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
