//! Renderers: turn check outcomes and diagnostics into text. The only place (with `main`) that
//! knows about output formats.

pub mod github;
pub mod human;
pub mod json;
pub mod pending;
pub(crate) mod pretty;
pub mod sarif;
pub mod table;
