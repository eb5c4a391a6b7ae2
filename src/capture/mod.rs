//! Capturing sources from the web and from files: fetching a page over HTTP (robots.txt,
//! limits, politeness), keeping the exchange as WARC 1.1 evidence (and reading responses back
//! from WARC and WACZ files made by other tools), and turning what a server sent into the text
//! of a snapshot ([`extract`]: HTML to text, content sniffing, charsets). Never writes a
//! workspace file and never prints: the commands hand what it returns to [`crate::registry`].
//! See docs/capture.md.

pub mod charset;
pub mod extract;
mod html;
mod html_article;
pub mod http;
pub mod message;
pub mod politeness;
pub mod robots;
pub mod warc;
