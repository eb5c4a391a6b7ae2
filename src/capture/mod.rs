//! Capturing sources: turning what a server sent into the text of a snapshot.
//!
//! [`extract`] is the entry point (HTML → text, content sniffing, charsets); the other
//! modules are its parts.

pub mod charset;
pub mod extract;
mod html;
mod html_article;
