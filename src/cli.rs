//! The command line, clap derive only. `main` resolves these into library calls; the library
//! never sees clap types.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Prove every quote is still in its source.
///
/// prov checks claim files: each fact cites exact spans of captured source documents whose
/// bytes are pinned by sha256. Exit codes: 0 no error, 1 error-level findings, 2 could not run.
#[derive(Debug, Parser)]
#[command(name = "prov", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Run in this workspace instead of the one containing the current directory.
    #[arg(short = 'C', long = "workspace", global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty workspace: a commented sources.toml, claims/ and snapshots/.
    Init {
        /// Where to create it (default: the current directory).
        dir: Option<PathBuf>,
    },
    /// Register a source from a file, a URL or a WARC: its text pinned in snapshots/<ID>.txt.
    Add(AddArgs),
    /// Verify every citation and source; the gate for pre-commit and CI.
    Check(CheckArgs),
    /// Fill in and repair spans (and with --typography, quotes) that prov can place exactly.
    Fix(FixArgs),
    /// Store a new version of a registered source as a pending capture, for review; or restore
    /// a lost snapshot from a copy whose sha256 is the pinned one.
    Capture(CaptureArgs),
    /// Fetch sources again; stage each page whose text changed, and say what that breaks.
    Refresh(RefreshArgs),
    /// Show what pending captures do to the evidence: citations, facts, and the edited text.
    Diff(DiffArgs),
    /// Adopt pending captures: keep the old text as a revision, rewrite moved spans.
    Accept(AcceptArgs),
    /// Write the audit trail: every fact, who asserts it, each quote in context, every capture.
    Report(ReportArgs),
    /// Complete a change of several files that was interrupted (`prov accept`, `prov fix`),
    /// after checking its journal (.prov-journal.json) whole.
    Recover,
    /// Install or remove a plain git pre-commit hook that runs `prov check`.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `prov man > prov.1`.
    Man,
    /// Run the language server for editors: LSP on standard input and output.
    ///
    /// Diagnostics as you type, span and typography fixes as code actions, the source passage
    /// on hover, quotes completed from the source, go to definition (docs/editors.md).
    Lsp(LspArgs),
}

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Talk on standard input and output (the only transport; accepted because editors pass it).
    #[arg(long)]
    pub stdio: bool,
    /// Quiet time after a change before the check starts, in milliseconds (an editor may also
    /// set `debounceMs` in its initialization options).
    #[arg(long, value_name = "MS", default_value_t = 20)]
    pub debounce_ms: u64,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write .git/hooks/pre-commit (or core.hooksPath's); refuses to replace a hook prov did
    /// not write.
    Install {
        /// Replace an existing hook (it is kept as pre-commit.prov-backup).
        #[arg(long)]
        force: bool,
    },
    /// Remove the hook, if prov wrote it.
    Uninstall,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Report only these claim files (the digest still covers the whole workspace).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Check that a JSON report describes this workspace: recompute the digest and name every
    /// file that differs. Writes no report.
    #[arg(long, value_name = "REPORT.json", conflicts_with_all = ["format", "output", "paths"])]
    pub verify: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown, for a pull-request comment or a CI job summary.
    Md,
    /// One self-contained HTML page (no scripts, no external assets).
    Html,
    /// JSON, schema prov-report/1 (docs/report.md).
    Json,
    /// The citations as W3C Web Annotations (JSON-LD).
    W3c,
}

#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    /// The source's id, as registered in sources.toml.
    pub id: String,
    /// The new version: a text (UTF-8) or HTML file, or - to read standard input.
    #[arg(required_unless_present_any = ["fetch", "warc"], conflicts_with_all = ["fetch", "warc"])]
    pub file: Option<PathBuf>,
    /// Fetch the source's url again (or --url) and stage what it says now.
    #[arg(long, conflicts_with = "warc")]
    pub fetch: bool,
    /// Take the new version from this WARC or WACZ file (the response for the source's url, or
    /// --url).
    #[arg(long, value_name = "FILE")]
    pub warc: Option<PathBuf>,
    /// The URL to fetch or to look up in the archive, instead of the source's url.
    #[arg(long, conflicts_with = "file")]
    pub url: Option<String>,
    #[command(flatten)]
    pub extract: ExtractArgs,
    #[command(flatten)]
    pub fetching: FetchArgs,
}

/// How a page becomes text.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// How much of an HTML page becomes the text: the article (default for HTML), the whole
    /// page, or none (the bytes as text). For a capture, the source's recorded mode by default.
    #[arg(long, value_enum, value_name = "MODE")]
    pub extract: Option<ExtractMode>,
    /// Take the page even when it looks like a wall, a login page or a text that shrank.
    #[arg(long)]
    pub force: bool,
}

/// `article`: the headline and the article's body; `page`: all the visible text; `none`: the
/// bytes decoded as text, unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractMode {
    Article,
    Page,
    None,
}

impl From<ExtractMode> for prov::capture::extract::Mode {
    fn from(m: ExtractMode) -> Self {
        use prov::capture::extract::Mode;
        match m {
            ExtractMode::Article => Mode::Article,
            ExtractMode::Page => Mode::Page,
            ExtractMode::None => Mode::None,
        }
    }
}

/// How prov fetches; each overrides `[fetch]` in sources.toml.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// A URL (or mailto:) saying who runs prov, sent in the User-Agent.
    #[arg(long, value_name = "URL")]
    pub contact: Option<String>,
    /// Seconds between two requests to one host (default 1).
    #[arg(long, value_name = "SECONDS")]
    pub delay: Option<f64>,
    /// Do not fetch or obey robots.txt (only where you have the right to).
    #[arg(long)]
    pub no_robots: bool,
    /// Seconds one fetch may take in all, redirects and retries included (default 120).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct RefreshArgs {
    /// Only these sources (default: every source with a url).
    pub ids: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RefreshFormat::Human)]
    pub format: RefreshFormat,
    /// Fetches at once (each host still gets one request at a time).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Refresh shard K of N (for CI matrices): sources are split by host, deterministically, so
    /// that each host is fetched by one shard only.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<(usize, usize)>,
    /// Fetch nothing: re-extract each capture's kept WARC with this prov's extractor, and stage
    /// the text where it differs (labelled a re-extraction, not a publisher's edit).
    #[arg(long)]
    pub re_extract: bool,
    #[command(flatten)]
    pub fetching: FetchArgs,
}

/// `human`: one line per source, then what the changes do to the citations; `json`: schema
/// prov-refresh/1 (docs/json.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RefreshFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Only these sources (default: every source with a pending capture).
    pub ids: Vec<String>,
    /// Lines of unchanged text around each hunk.
    #[arg(long, default_value_t = 1)]
    pub context: usize,
}

#[derive(Debug, clap::Args)]
pub struct AcceptArgs {
    /// Only these sources (default: every source with a pending capture).
    pub ids: Vec<String>,
    /// Accept even if citations would become changed, ambiguous, missing or typography; they
    /// then fail the gate until their quotes are updated or pinned to the old `revision`.
    #[arg(long)]
    pub keep_broken: bool,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The document: a text (UTF-8) or HTML file (its text is extracted), or - to read standard
    /// input. Without it, prov fetches --url, or takes it from --warc.
    #[arg(required_unless_present_any = ["url", "warc"], conflicts_with = "warc")]
    pub file: Option<PathBuf>,
    /// Take the document from this WARC or WACZ file: the response for --url (or a Wayback
    /// Machine raw download, with its id_ URL as --url).
    #[arg(long, value_name = "FILE", requires = "url")]
    pub warc: Option<PathBuf>,
    /// The source's id: lowercase letters, digits, - and _ (names snapshots/<ID>.txt).
    #[arg(long)]
    pub id: String,
    /// Who published this document ("unknown" is allowed, and flagged).
    #[arg(long)]
    pub outlet: String,
    /// Who first published it, when the outlet republished a wire or a translation.
    #[arg(long)]
    pub origin: Option<String>,
    /// The document's title.
    #[arg(long)]
    pub title: Option<String>,
    /// Where it was captured from; without FILE or --warc, prov fetches it.
    #[arg(long)]
    pub url: Option<String>,
    /// Its language, as a BCP 47 tag (fr, en, pt-BR).
    #[arg(long)]
    pub language: Option<String>,
    /// When it was published, YYYY-MM-DD.
    #[arg(long)]
    pub published: Option<String>,
    #[command(flatten)]
    pub extract: ExtractArgs,
    #[command(flatten)]
    pub fetching: FetchArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Check only these claim files and the sources they cite. A path to sources.toml or a
    /// snapshot checks everything.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Raise a fact flag to an error (repeatable), on top of `deny` in sources.toml.
    #[arg(long, value_enum, value_name = "FLAG")]
    pub deny: Vec<DenyFlag>,
    /// Check shard K of N (for CI matrices): claim files are split deterministically, balanced
    /// by citations; shard 1 also reports workspace-wide findings. The shards' findings
    /// together are those of a whole run.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<(usize, usize)>,
}

fn parse_partition(s: &str) -> Result<(usize, usize), String> {
    let err = || format!("expected K/N with 1 <= K <= N, like 2/4, not {s:?}");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| err())?,
        n.trim().parse().map_err(|_| err())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(err());
    }
    Ok((k, n))
}

/// A fact flag, as `--deny` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyFlag {
    /// No citation that holds supports the fact (always an error).
    Unsupported,
    /// Fewer independent origins than `min_origins`.
    SingleOrigin,
    /// Every supporting citation only reports a party's statement.
    AttributedOnly,
    /// A citation that holds contradicts the fact.
    Contested,
    /// A supporting source's origin is "unknown".
    UnknownOrigin,
}

impl From<DenyFlag> for prov::workspace::Flag {
    fn from(f: DenyFlag) -> Self {
        use prov::workspace::Flag;
        match f {
            DenyFlag::Unsupported => Flag::Unsupported,
            DenyFlag::SingleOrigin => Flag::SingleOrigin,
            DenyFlag::AttributedOnly => Flag::AttributedOnly,
            DenyFlag::Contested => Flag::Contested,
            DenyFlag::UnknownOrigin => Flag::UnknownOrigin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics and a summary.
    Human,
    /// One JSON document (schema prov-check/1, see docs/json.md).
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// Fix only these claim files.
    pub paths: Vec<PathBuf>,
    /// Also rewrite quotes that differ from the source only in typography to the source's
    /// exact characters.
    #[arg(long)]
    pub typography: bool,
    /// Print the changes as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}
