//! Text anchoring: where a quote is in a snapshot text, exactly, after folding typography, or
//! approximately.
//!
//! - [`text`]: code point ↔ byte offsets ([`CharText`]) and exact search;
//! - [`fold`](mod@fold): typography folding with an offset map ([`Folded`]) and its explanation;
//! - [`fuzzy`]: bounded approximate search (Myers' bit-parallel algorithm, [`Match`]).
//!
//! All offsets are Unicode code points (Rust `char`s), half-open `[start, end)`, as in DESIGN §3.

pub mod fold;
pub mod fuzzy;
pub mod text;

pub use fold::{Folded, explain, fold, is_folded_equal};
pub use fuzzy::{Match, distance, search};
pub use text::CharText;
