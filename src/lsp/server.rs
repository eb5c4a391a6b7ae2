//! The server's loop: the handshake, then every message from the client and every result of
//! the checker thread, one at a time, on one thread that owns all state.
//!
//! - Notifications (`didOpen`, `didChange`, `didSave`, `didClose`, watched files) update the
//!   open documents and send the checker a job: the whole workspace when it is small (its last
//!   full check took at most [`Options::scoped_above`]), when sources.toml changes, on save and
//!   when files change on disk; otherwise only the claim files that changed (`prov check FILE`).
//! - A result is kept per workspace and per file, and its diagnostics are published: always for
//!   an open document, for other files only when they changed.
//! - Hover, definition and code actions need the check of the document as it is now: a request
//!   that arrives before it waits (the loop goes on) until the check is in, at most
//!   [`WAIT_FOR_CHECK`]. Completion and symbols read the buffer and are answered at once.
//! - Every handler runs under `catch_unwind`: a panic answers its request with an internal
//!   error and the server goes on. A malformed request gets an error response. Only `exit` or
//!   the end of the input ends the loop.

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CompletionOptions, CompletionParams, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentSymbolParams, FileSystemWatcher, GlobPattern, GotoDefinitionParams, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, LogMessageParams, MessageType,
    OneOf, PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;

use crate::workspace::Workspace;

use super::analysis::{Analysis, FileView, Job, Scope};
use super::checker::{self, Checker, Done, panic_message};
use super::documents::{Document, Documents};
use super::locate::{self, Role};
use super::position::Encoding;
use super::transport::Incoming;
use super::{Client, Ctx, actions, completion, definition, hover, snapshots, symbols, transport};

/// How long a request waits for the check of its document.
pub const WAIT_FOR_CHECK: Duration = Duration::from_secs(5);

/// Settings (the client may change them in `initializationOptions`: `debounceMs`,
/// `scopedAboveMs`).
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Quiet time after a change before the check starts.
    pub debounce: Duration,
    /// A workspace whose full check took longer is re-checked as you type one file at a time.
    pub scoped_above: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(20),
            scoped_above: Duration::from_millis(100),
        }
    }
}

/// Serve one client on `input` and `output` until it says `exit` or closes `input`. Returns the
/// exit status LSP asks for: 0 after `shutdown` then `exit`, 1 otherwise (2 if the server
/// could not start its threads).
pub fn serve<R, W>(input: R, output: W, options: Options) -> u8
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let wire = match transport::start(input, output) {
        Ok(w) => w,
        Err(e) => {
            let _ = std::io::stderr()
                .write_all(format!("prov lsp: cannot start its threads: {e}\n").as_bytes());
            return 2;
        }
    };
    let transport::Wire {
        incoming,
        outgoing,
        writer,
    } = wire;
    let code = run(&incoming, outgoing, options);
    // Every sender of frames is gone now: the writer flushes the last ones and ends.
    let _ = writer.join();
    code
}

fn send(out: &Sender<Vec<u8>>, msg: Message) {
    let _ = out.send(transport::frame(&msg));
}

fn error(out: &Sender<Vec<u8>>, id: RequestId, code: ErrorCode, message: String) {
    send(out, Response::new_err(id, code as i32, message).into());
}

fn run(incoming: &Receiver<Incoming>, out: Sender<Vec<u8>>, mut options: Options) -> u8 {
    // The handshake: nothing but `initialize` (or `exit`) is served before it.
    let params = loop {
        let m = match incoming.recv() {
            Err(_) => return 1,
            Ok(Incoming::Malformed(reply)) => {
                let _ = out.send(transport::frame_value(&reply));
                continue;
            }
            Ok(Incoming::Message(m)) => m,
        };
        match m {
            Message::Request(r) if r.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(r.params) {
                    Ok(p) => {
                        let (client, enc) = (
                            Client::from_capabilities(&p.capabilities),
                            Encoding::negotiate(
                                p.capabilities
                                    .general
                                    .as_ref()
                                    .and_then(|g| g.position_encodings.as_deref()),
                            ),
                        );
                        let result = InitializeResult {
                            capabilities: capabilities(&client, enc),
                            server_info: Some(ServerInfo {
                                name: "prov".into(),
                                version: Some(env!("CARGO_PKG_VERSION").into()),
                            }),
                        };
                        send(&out, Response::new_ok(r.id, result).into());
                        break (p, client, enc);
                    }
                    Err(e) => error(
                        &out,
                        r.id,
                        ErrorCode::InvalidParams,
                        format!("invalid initialize parameters: {e}"),
                    ),
                }
            }
            Message::Request(r) => error(
                &out,
                r.id,
                ErrorCode::ServerNotInitialized,
                "the server is not initialized: send `initialize` first".into(),
            ),
            Message::Notification(n) if n.method == "exit" => return 1,
            _ => {}
        }
    };
    let (init, client, enc) = params;
    if let Some(o) = &init.initialization_options {
        let ms = |key: &str| {
            o.get(key)
                .and_then(Value::as_u64)
                .map(Duration::from_millis)
        };
        if let Some(d) = ms("debounceMs") {
            options.debounce = d.min(Duration::from_secs(10));
        }
        if let Some(d) = ms("scopedAboveMs") {
            options.scoped_above = d;
        }
    }
    let Checker { jobs, done } = match checker::start(options.debounce) {
        Ok(c) => c,
        Err(e) => {
            let _ = std::io::stderr()
                .write_all(format!("prov lsp: cannot start the checker: {e}\n").as_bytes());
            return 2;
        }
    };
    let mut server = Server {
        out,
        options,
        enc,
        client,
        trace: init.trace.is_some_and(|t| t != lsp_types::TraceValue::Off),
        docs: Documents::default(),
        roots: HashMap::new(),
        jobs,
        generation: 0,
        deferred: Vec::new(),
        shutdown: false,
        snapshots: snapshots::Cache::default(),
        next_id: 0,
    };
    loop {
        let wait = if server.deferred.is_empty() {
            Duration::from_secs(3600)
        } else {
            Duration::from_millis(100)
        };
        select! {
            recv(incoming) -> m => match m {
                Ok(Incoming::Message(m)) => {
                    if let Some(code) = server.on_message(m) {
                        return code;
                    }
                }
                Ok(Incoming::Malformed(reply)) => {
                    let _ = server.out.send(transport::frame_value(&reply));
                }
                Err(_) => return 1,
            },
            recv(done) -> d => {
                if let Ok(d) = d {
                    server.on_done(d);
                }
            },
            default(wait) => {},
        }
        server.retry_deferred();
    }
}

fn capabilities(client: &Client, enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "[".into()]),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(if client.code_action_literals {
            CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(actions::FIX_ALL),
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            })
        } else {
            CodeActionProviderCapability::Simple(true)
        }),
        ..Default::default()
    }
}

/// What the server knows of one workspace.
#[derive(Debug, Default)]
struct RootState {
    /// The last workspace loaded (sources and policy), for completion.
    latest: Option<Arc<Workspace>>,
    /// Per file: the version last checked and what the check found.
    files: HashMap<String, FileState>,
    /// Per file: the diagnostics last published.
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    /// How long the last full check took.
    last_full: Option<Duration>,
    /// The generation of the last job sent, and of the last result received.
    sent: u64,
    done: u64,
}

#[derive(Debug)]
struct FileState {
    version: Option<i32>,
    view: Option<FileView>,
}

struct Server {
    out: Sender<Vec<u8>>,
    options: Options,
    enc: Encoding,
    client: Client,
    trace: bool,
    docs: Documents,
    roots: HashMap<PathBuf, RootState>,
    jobs: Sender<Job>,
    generation: u64,
    /// Requests waiting for the check of their document, with when they came.
    deferred: Vec<(Request, Instant)>,
    shutdown: bool,
    snapshots: snapshots::Cache,
    next_id: i32,
}

type Answer = Result<Value, (ErrorCode, String)>;

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(v)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn to_value<T: serde::Serialize>(v: T) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

impl Server {
    fn send(&self, msg: Message) {
        send(&self.out, msg);
    }

    fn notify<P: serde::Serialize>(&self, method: &str, params: P) {
        self.send(Notification::new(method.to_string(), params).into());
    }

    fn log(&self, typ: MessageType, message: String) {
        if typ == MessageType::ERROR {
            let _ = std::io::stderr()
                .write_all(format!("prov lsp: {}\n", crate::escape::text(&message)).as_bytes());
        }
        self.notify("window/logMessage", LogMessageParams { typ, message });
    }

    /// Handle one message; `Some(code)` ends the server.
    fn on_message(&mut self, m: Message) -> Option<u8> {
        match m {
            Message::Request(r) => {
                if self.shutdown {
                    error(
                        &self.out,
                        r.id,
                        ErrorCode::InvalidRequest,
                        "the server is shutting down: only `exit` is accepted".into(),
                    );
                } else {
                    self.on_request(r);
                }
            }
            Message::Notification(n) if n.method == "exit" => {
                return Some(if self.shutdown { 0 } else { 1 });
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.on_notification(n))) {
                    self.log(
                        MessageType::ERROR,
                        format!(
                            "internal error (a bug) while handling {method}: {}",
                            panic_message(panic.as_ref())
                        ),
                    );
                }
            }
            Message::Response(_) => {} // to registerCapability: nothing to do
        }
        None
    }

    fn on_request(&mut self, r: Request) {
        match r.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                self.send(Response::new_ok(r.id, Value::Null).into());
            }
            "initialize" => error(
                &self.out,
                r.id,
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            ),
            "textDocument/hover" | "textDocument/definition" | "textDocument/codeAction" => {
                if self.ready(&r) {
                    self.answer(r);
                } else {
                    self.deferred.push((r, Instant::now()));
                }
            }
            "textDocument/completion" | "textDocument/documentSymbol" => self.answer(r),
            m if m.starts_with("$/") => {} // optional requests: no answer is due
            _ => error(
                &self.out,
                r.id,
                ErrorCode::MethodNotFound,
                format!("prov lsp does not implement {}", r.method),
            ),
        }
    }

    /// Can `r` be answered now: its document's check is in, or none is coming?
    fn ready(&self, r: &Request) -> bool {
        let Some(uri) = uri_param(&r.params) else {
            return true;
        };
        let Some(doc) = self.docs.get(&uri) else {
            return true;
        };
        let (Some(root), Some(rel)) = (doc.role.root(), doc.role.rel()) else {
            return true;
        };
        let Some(state) = self.roots.get(root) else {
            return true;
        };
        let fresh = state
            .files
            .get(rel)
            .is_some_and(|f| f.version == Some(doc.version));
        fresh || state.done >= state.sent
    }

    fn retry_deferred(&mut self) {
        if self.deferred.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut self.deferred);
        for (r, since) in waiting {
            if self.ready(&r) || since.elapsed() >= WAIT_FOR_CHECK {
                self.answer(r);
            } else {
                self.deferred.push((r, since));
            }
        }
    }

    /// Answer a request, whatever happens in its handler.
    fn answer(&mut self, r: Request) {
        let id = r.id.clone();
        let method = r.method.clone();
        let result = catch_unwind(AssertUnwindSafe(|| self.handle(r)));
        let response = match result {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err((code, msg))) => Response::new_err(id, code as i32, msg),
            Err(panic) => {
                let msg = format!(
                    "internal error (a bug) while handling {method}: {}",
                    panic_message(panic.as_ref())
                );
                self.log(MessageType::ERROR, msg.clone());
                Response::new_err(id, ErrorCode::InternalError as i32, msg)
            }
        };
        self.send(response.into());
    }

    /// The document at `uri` and the view of its current version, when the check is in.
    fn fresh<'a>(
        docs: &'a Documents,
        roots: &'a HashMap<PathBuf, RootState>,
        uri: &Uri,
    ) -> Option<(&'a Document, &'a FileView)> {
        let doc = docs.get(uri)?;
        let state = roots.get(doc.role.root()?)?;
        let file = state.files.get(doc.role.rel()?)?;
        if file.version != Some(doc.version) {
            return None;
        }
        Some((doc, file.view.as_ref()?))
    }

    fn handle(&mut self, r: Request) -> Answer {
        crate::failpoint::panic_point(&r.method);
        let Server {
            docs,
            roots,
            snapshots,
            client,
            enc,
            ..
        } = self;
        let mut ctx = Ctx {
            enc: *enc,
            client,
            snapshots,
        };
        match r.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(r.params)?;
                let at = p.text_document_position_params;
                let Some((doc, view)) = Self::fresh(docs, roots, &at.text_document.uri) else {
                    return Ok(Value::Null);
                };
                to_value(hover::hover(&mut ctx, doc, view, at.position))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(r.params)?;
                let at = p.text_document_position_params;
                let Some((doc, view)) = Self::fresh(docs, roots, &at.text_document.uri) else {
                    return Ok(Value::Null);
                };
                to_value(definition::definition(&mut ctx, doc, view, at.position))
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(r.params)?;
                let Some((doc, view)) = Self::fresh(docs, roots, &p.text_document.uri) else {
                    return Ok(Value::Array(Vec::new()));
                };
                to_value(actions::actions(
                    &ctx,
                    doc,
                    view,
                    p.range,
                    &p.context.diagnostics,
                    p.context.only.as_deref(),
                ))
            }
            "textDocument/completion" => {
                let p: CompletionParams = params(r.params)?;
                let at = p.text_document_position;
                let Some(doc) = docs.get(&at.text_document.uri) else {
                    return Ok(Value::Null);
                };
                let ws = doc
                    .role
                    .root()
                    .and_then(|root| roots.get(root))
                    .and_then(|s| s.latest.as_deref());
                to_value(completion::completion(&mut ctx, doc, at.position, ws))
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params(r.params)?;
                let Some(doc) = docs.get(&p.text_document.uri) else {
                    return Ok(Value::Null);
                };
                to_value(symbols::symbols(&ctx, doc))
            }
            m => Err((
                ErrorCode::MethodNotFound,
                format!("prov lsp does not implement {m}"),
            )),
        }
    }

    fn on_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "initialized" => self.watch_files(),
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return self.bad_params(&n.method);
                };
                let d = p.text_document;
                let role = locate::role(&d.uri);
                let doc = Document::new(d.uri.clone(), d.version, d.text, role.clone());
                self.docs.open(doc);
                match role {
                    Role::Outside => self.message(
                        &d.uri,
                        "prov: this file is not in a prov workspace (no sources.toml in its folder or any folder above it), so prov checks nothing here",
                    ),
                    Role::Unread { .. } => self.message(
                        &d.uri,
                        "prov does not read this file: claim files are the .toml files under claims/ (names starting with a dot are skipped), and the registry is sources.toml",
                    ),
                    Role::Ignored => {}
                    Role::Claims { root, rel } => self.schedule(&root, Scope::Files([rel].into())),
                    Role::Sources { root } => self.schedule(&root, Scope::Full),
                }
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return self.bad_params(&n.method);
                };
                let enc = self.enc;
                let Some(doc) = self.docs.get_mut(&p.text_document.uri) else {
                    return;
                };
                doc.change(p.text_document.version, p.content_changes, enc);
                let role = doc.role.clone();
                self.on_edit(&role);
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else {
                    return self.bad_params(&n.method);
                };
                if let Some(root) = self
                    .docs
                    .get(&p.text_document.uri)
                    .and_then(|d| d.role.root())
                {
                    let root = root.to_path_buf();
                    self.schedule_full(&root);
                }
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return self.bad_params(&n.method);
                };
                let Some(doc) = self.docs.close(&p.text_document.uri) else {
                    return;
                };
                match doc.role {
                    Role::Outside | Role::Unread { .. } => self.notify(
                        "textDocument/publishDiagnostics",
                        PublishDiagnosticsParams::new(doc.uri, Vec::new(), None),
                    ),
                    // From now on the file is read from disk.
                    ref role @ (Role::Claims { .. } | Role::Sources { .. }) => self.on_edit(role),
                    Role::Ignored => {}
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let Ok(p) = serde_json::from_value::<DidChangeWatchedFilesParams>(n.params) else {
                    return self.bad_params(&n.method);
                };
                let mut roots = BTreeSet::new();
                for change in p.changes {
                    let Some(path) = locate::path_of(&change.uri) else {
                        continue;
                    };
                    roots.extend(self.roots.keys().filter(|r| path.starts_with(r)).cloned());
                }
                for root in roots {
                    self.schedule_full(&root);
                }
            }
            "$/cancelRequest" => {
                let id: Option<RequestId> = n
                    .params
                    .get("id")
                    .and_then(|v| serde_json::from_value(v.clone()).ok());
                if let Some(id) = id
                    && let Some(at) = self.deferred.iter().position(|(r, _)| r.id == id)
                {
                    let (r, _) = self.deferred.remove(at);
                    error(
                        &self.out,
                        r.id,
                        ErrorCode::RequestCanceled,
                        "cancelled".into(),
                    );
                }
            }
            "$/setTrace" => {
                self.trace = n.params.get("value").and_then(Value::as_str) != Some("off");
            }
            _ => {}
        }
    }

    fn bad_params(&self, method: &str) {
        self.log(
            MessageType::WARNING,
            format!("ignored a {method} notification with invalid parameters"),
        );
    }

    /// One diagnostic saying why a file gets no others.
    fn message(&self, uri: &Uri, text: &str) {
        let d = lsp_types::Diagnostic {
            severity: Some(DiagnosticSeverity::INFORMATION),
            source: Some("prov".into()),
            message: text.into(),
            ..Default::default()
        };
        self.notify(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams::new(uri.clone(), vec![d], None),
        );
    }

    fn watch_files(&mut self) {
        if !self.client.watch_files {
            return;
        }
        let watcher = |glob: &str| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.into()),
            kind: None,
        };
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![
                watcher("**/sources.toml"),
                watcher("**/snapshots/**"),
                watcher("**/claims/**/*.toml"),
                watcher("**/.prov-journal.json"),
            ],
        };
        self.next_id += 1;
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "prov-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.send(
            Request::new(
                RequestId::from(format!("prov-{}", self.next_id)),
                "client/registerCapability".into(),
                params,
            )
            .into(),
        );
    }

    /// A document changed (or was closed): check it, or the whole workspace.
    fn on_edit(&mut self, role: &Role) {
        match role {
            Role::Claims { root, rel } => self.schedule(root, Scope::Files([rel.clone()].into())),
            Role::Sources { root } => self.schedule_full(root),
            _ => {}
        }
    }

    fn schedule_full(&mut self, root: &Path) {
        self.schedule(root, Scope::Full);
    }

    /// Send the checker a job: `scope`, or the whole workspace while it is small enough.
    fn schedule(&mut self, root: &Path, scope: Scope) {
        let state = self.roots.entry(root.to_path_buf()).or_default();
        let small = state
            .last_full
            .is_none_or(|d| d <= self.options.scoped_above);
        let scope = if small { Scope::Full } else { scope };
        self.generation += 1;
        state.sent = self.generation;
        // A buffer of a file reached through a symbolic link is not read from the editor:
        // prov reads such a file from disk, with its rules for links.
        let buffers = self
            .docs
            .in_root(root)
            .filter_map(|d| {
                let rel = d.role.rel()?;
                crate::files::symlink_on_the_way(root, rel)
                    .is_none()
                    .then(|| (rel.to_string(), (d.version, d.text.clone())))
            })
            .collect();
        let _ = self.jobs.send(Job {
            root: root.to_path_buf(),
            scope,
            buffers,
            generation: self.generation,
            encoding: self.enc,
            sent: Instant::now(),
        });
    }

    fn on_done(&mut self, d: Done) {
        match d {
            Done::Checked(a) => self.take(*a),
            Done::Failed {
                root,
                generation,
                message,
            } => {
                if let Some(state) = self.roots.get_mut(&root) {
                    state.done = state.done.max(generation);
                }
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error (a bug) while checking {}: {message}",
                        root.display()
                    ),
                );
            }
        }
    }

    /// Keep a check's result and publish its diagnostics.
    fn take(&mut self, a: Analysis) {
        let Analysis {
            root,
            generation,
            full,
            ws,
            files,
            took,
        } = a;
        if self.trace {
            self.log(
                MessageType::LOG,
                format!(
                    "checked {} ({}) in {:.1} ms",
                    root.display(),
                    if full {
                        "the whole workspace".to_string()
                    } else {
                        format!("{} file(s)", files.len())
                    },
                    took.as_secs_f64() * 1000.0
                ),
            );
        }
        let state = self.roots.entry(root.clone()).or_default();
        state.done = state.done.max(generation);
        if ws.is_some() {
            state.latest = ws;
        }
        if full {
            state.last_full = Some(took);
        }
        let mut publish = Vec::new();
        let gone: Vec<String> = if full {
            state
                .published
                .keys()
                .filter(|rel| !files.contains_key(*rel))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        for (rel, fa) in files {
            if let Some(diags) = fa.diagnostics {
                publish.push((rel.clone(), diags, fa.version));
            }
            state.files.insert(
                rel,
                FileState {
                    version: fa.version,
                    view: fa.view,
                },
            );
        }
        for rel in gone {
            state.files.remove(&rel);
            publish.push((rel, Vec::new(), None));
        }
        for (rel, diags, version) in publish {
            self.publish(&root, &rel, diags, version);
        }
    }

    fn publish(
        &mut self,
        root: &Path,
        rel: &str,
        diags: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        let open = self
            .docs
            .find(root, rel)
            .map(|d| (d.uri.clone(), d.version));
        let Some(state) = self.roots.get_mut(root) else {
            return;
        };
        let before = state.published.get(rel);
        if open.is_none() && before.map_or(diags.is_empty(), |b| *b == diags) {
            return;
        }
        let uri = match &open {
            Some((uri, _)) => uri.clone(),
            None => match locate::uri_of(&root.join(rel)) {
                Some(u) => u,
                None => return,
            },
        };
        // The version checked, when it is the open document's.
        let version = match (open, version) {
            (Some(_), Some(v)) => Some(v),
            _ => None,
        };
        if diags.is_empty() {
            state.published.remove(rel);
        } else {
            state.published.insert(rel.to_string(), diags.clone());
        }
        self.notify(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams::new(uri, diags, version),
        );
    }
}

/// `params.textDocument.uri`, when the request has one.
fn uri_param(params: &Value) -> Option<Uri> {
    let s = params.pointer("/textDocument/uri")?.as_str()?;
    s.parse().ok()
}
