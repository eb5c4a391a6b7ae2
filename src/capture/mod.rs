//! Capturing sources from the web: fetching a page over HTTP (robots.txt, limits, politeness),
//! keeping the exchange as WARC 1.1 evidence, and reading responses back from WARC and WACZ
//! files made by other tools. See docs/capture.md.

pub mod http;
pub mod message;
pub mod politeness;
pub mod robots;
pub mod warc;
