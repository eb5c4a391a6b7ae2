//! prov: a source-provenance and citation checker.
//!
//! A workspace holds `sources.toml` (the registry: one entry per captured document, its bytes
//! pinned by sha256), `snapshots/` (the captured texts) and `claims/*.toml` (facts, each citing
//! exact spans of sources). The data flows one way (ARCHITECTURE.md is the map):
//!
//! ```text
//!  sources.toml ─┐                                  ┌─ snapshots/<id>.txt (read and hashed once each)
//!  claims/*.toml ┴─▶ workspace::load ─▶ check::check ─▶ Outcome ─▶ render::{human,json,sarif,github}
//!                    (spanned, validated)  │ verdict::anchor (each citation)      report::{md,html,json,w3c}
//!                                          │ reanchor (in a pending capture)
//!                                          └ facts::analyse (each claim)
//!  Outcome ─▶ fix::plan / accept::plan ─▶ journal::commit / edit::atomic_write ─▶ files on disk
//! ```
//!
//! Findings are data ([`diag::Diagnostic`]); only "could not run" is an error
//! ([`refusal::Refusal`]). The library never prints: the `prov` binary renders, and passes
//! every byte it writes through [`escape`].

#![warn(clippy::print_stdout, clippy::print_stderr)]
// No panic reachable from input: `unwrap`, `expect` and `panic!` are refused outside tests;
// the few `expect`s left state, next to an `allow`, the invariant that makes them unreachable.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod accept;
pub mod anchor;
pub mod capture;
pub mod check;
pub mod clock;
pub mod diag;
pub mod edit;
pub mod escape;
pub mod evidence;
pub mod facts;
pub mod failpoint;
pub mod files;
pub mod fix;
pub mod hidden;
pub mod hook;
pub mod journal;
pub mod lock;
pub mod lsp;
pub mod outcome;
pub mod pending;
pub mod reanchor;
pub mod refusal;
pub mod registry;
pub mod render;
pub mod report;
pub mod snapshot;
pub mod swar;
pub mod verdict;
pub mod workspace;
