//! prov: a source-provenance and citation checker.
//!
//! A workspace holds `sources.toml` (the registry: one entry per captured document, its bytes
//! pinned by sha256), `snapshots/` (the captured texts) and `claims/*.toml` (facts, each citing
//! exact spans of sources). The data flows one way:
//!
//! ```text
//!  sources.toml ─┐                         ┌─ snapshots/<id>.txt (read + hashed once each)
//!  claims/*.toml ┴─▶ workspace::load ──▶ check::check ──▶ Outcome ──▶ render::{human, json}
//!                    (spanned, validated)   │  verdict::anchor (per citation)
//!                                           └─ anchor::{text, fold, fuzzy}
//!  fix::plan/apply ◀── Outcome            registry::{init, add} ──▶ edit (atomic writes)
//! ```
//!
//! Findings are data ([`diag::Diagnostic`]); only "could not run" is an error. The library
//! never prints: the `prov` binary renders and prints.

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
pub mod diag;
pub mod edit;
pub mod facts;
pub mod files;
pub mod fix;
pub mod hook;
pub mod lock;
pub mod pending;
pub mod reanchor;
pub mod registry;
pub mod render;
pub mod report;
pub mod snapshot;
pub mod verdict;
pub mod workspace;
