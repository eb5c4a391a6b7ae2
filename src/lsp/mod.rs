//! `prov lsp`: a language server for claim files and sources.toml.
//!
//! ```text
//!  client ─stdin─▶ transport (reader thread) ─▶ server (main loop) ─▶ checker thread
//!                                               │  documents: open buffers    │ analysis::run:
//!                                               │  state: per workspace,      │ load_overlaid + check
//!                                               │  per file: diagnostics,     │ (debounced, merged)
//!                                               │  citations, claims  ◀───────┘
//!  client ◀─stdout─ transport (writer thread) ◀─┘ hover, completion, definition, code actions,
//!                                                 symbols
//! ```
//!
//! One file per concern: [`transport`] (the wire), [`server`] (the loop, dispatch, state),
//! [`documents`] (open buffers), [`position`] (UTF-8/16/32 positions), [`locate`] (which
//! workspace a file is in), [`checker`] (the debounced checker thread), [`analysis`] (one check
//! with the buffers overlaid, as owned data), [`diagnostics`] (findings as LSP diagnostics),
//! [`actions`] (`prov fix` as code actions), [`hover`], [`completion`], [`definition`],
//! [`symbols`], [`snapshots`] (snapshot texts read for them).
//!
//! The server never writes a file: every repair is an edit the editor applies. It writes only
//! the protocol to its output (logs go to stderr and `window/logMessage`), and no request, bad
//! message or panic in a handler stops it; only the end of its input or `exit` does.

pub mod actions;
pub mod analysis;
pub mod checker;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod documents;
pub mod hover;
pub mod locate;
pub mod position;
pub mod server;
pub mod snapshots;
pub mod symbols;
pub mod transport;

pub use server::{Options, serve};

use lsp_types::ClientCapabilities;

use position::Encoding;

/// What the client can do, as far as prov's answers depend on it.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// Hover text as Markdown (else plain text).
    pub markdown: bool,
    /// Completions may be snippets.
    pub snippets: bool,
    /// Workspace edits with document versions (`documentChanges`).
    pub document_changes: bool,
    /// Document symbols as a tree.
    pub hierarchical_symbols: bool,
    /// The server may register file watchers.
    pub watch_files: bool,
    /// Code actions as literals (else commands only, which prov does not offer).
    pub code_action_literals: bool,
}

impl Client {
    pub fn from_capabilities(c: &ClientCapabilities) -> Self {
        let td = c.text_document.as_ref();
        let ws = c.workspace.as_ref();
        Client {
            markdown: td
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|f| f.contains(&lsp_types::MarkupKind::Markdown)),
            snippets: td
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            watch_files: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            code_action_literals: td
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|a| a.code_action_literal_support.is_some()),
        }
    }
}

/// What every feature needs besides its document.
pub struct Ctx<'a> {
    pub enc: Encoding,
    pub client: &'a Client,
    pub snapshots: &'a mut snapshots::Cache,
}
