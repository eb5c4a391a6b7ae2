//! A fact's entry of `prov report --format json`, written by hand as its derive writes it (on
//! `render::pretty`), and sanitised as it is written: the entries hold every quote with its
//! context, and serde_json escapes a string a byte at a time (then the sanitiser scanned it
//! again: together half of the report's output time). Each field in the order of its
//! declaration, under its name; the tests hold the writer to the derive.

use crate::render::pretty::{self, Object};
use crate::verdict::Verdict;

use super::{CitationEntry, FactEntry, MatrixRow};

impl FactEntry<'_> {
    /// Append it, pretty-printed `level` levels in.
    pub(super) fn write_json(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        let inner = o.inner();
        o.str("claim", self.claim);
        o.str("statement", self.statement);
        o.str("file", self.file);
        o.uint("line", self.line);
        o.str("verdict", self.verdict);
        o.strs("flags", self.flags.iter().map(|f| f.as_str()));
        o.strs("errors", self.errors.iter().map(|f| f.as_str()));
        pretty::array(o.key("matrix"), inner, &self.matrix, |out, level, m| {
            m.write_json(out, level);
        });
        pretty::array(
            o.key("citations"),
            inner,
            &self.citations,
            |out, level, c| {
                c.write_json(out, level);
            },
        );
        o.opt_str("note", self.note);
        o.end();
    }
}

impl MatrixRow<'_> {
    fn write_json(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        o.str("origin", &self.origin);
        o.strs("outlets", &self.outlets);
        o.uint("supports", self.supports);
        o.strs("reports", &self.reports);
        o.uint("contradicts", self.contradicts);
        o.uint("not_holding", self.not_holding);
        o.end();
    }
}

impl CitationEntry<'_> {
    fn write_json(&self, out: &mut Vec<u8>, level: usize) {
        let mut o = Object::new(out, level);
        o.str("source", self.source);
        o.str("outlet", self.outlet);
        o.str("origin", self.origin);
        o.opt_str("title", self.title);
        o.opt_str("url", self.url);
        o.opt_str("published", self.published);
        o.str("stance", self.stance.as_str());
        o.opt_str("said_by", self.said_by);
        o.str("quote", self.quote);
        o.opt_pair("span", self.span);
        o.opt_pair("found", self.found);
        o.opt_str("verdict", self.verdict.map(Verdict::as_str));
        o.opt_str("problem", self.problem.as_deref());
        o.str("before", &self.before);
        o.str("text", &self.text);
        o.str("after", &self.after);
        o.opt_str("verified_sha256", self.verified_sha256);
        o.opt_str("revision", self.revision);
        o.opt_str("fragment_link", self.fragment_link.as_deref());
        o.opt_str("pending", self.pending.as_deref());
        o.end();
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use super::*;
    use crate::workspace::{Flag, Stance};

    /// What prov writes for a value: serde_json's pretty document, sanitised.
    fn by_derive<T: serde::Serialize>(v: &T) -> String {
        let plain = serde_json::to_string_pretty(v).expect("serialises");
        crate::escape::json(&plain).into_owned()
    }

    fn by_hand(e: &FactEntry<'_>) -> String {
        let mut out = Vec::new();
        e.write_json(&mut out, 0);
        String::from_utf8(out).expect("UTF-8")
    }

    fn text() -> impl Strategy<Value = String> {
        // Plain words, escapes, wide and unsafe characters, joiners between letters.
        "([a-z é’\"\\\\\n\u{7f}\u{85}\u{202e}ب\u{200c}ی\u{200d}😀]{0,8}){0,4}"
    }

    fn opt_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(text())
    }

    fn opt_pair() -> impl Strategy<Value = Option<[usize; 2]>> {
        proptest::option::of((0usize..100_000, 0usize..100_000).prop_map(|(a, b)| [a, b]))
    }

    proptest! {
        /// Any fact entry, with none, one or several origins and citations, every optional
        /// field present or absent, strings with anything in them: as its derive writes it,
        /// sanitised.
        #[test]
        fn a_fact_entry_is_written_as_its_derive_writes_it(
            strs in proptest::collection::vec(text(), 8),
            opts in proptest::collection::vec(opt_text(), 10),
            spans in proptest::collection::vec((opt_pair(), opt_pair()), 0..3),
            rows in proptest::collection::vec((0usize..5, 0usize..5, 0usize..5, 0usize..3), 0..3),
            flags in prop::sample::subsequence(Flag::ALL.to_vec(), 0..=3),
            errors in prop::sample::subsequence(Flag::ALL.to_vec(), 0..=2),
            verdict in prop::sample::select(Verdict::ALL.to_vec()),
            some in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let s = |i: usize| strs[i % strs.len()].as_str();
            let o = |i: usize| opts[i % opts.len()].as_deref();
            let matrix = rows
                .iter()
                .map(|&(supports, contradicts, not_holding, n)| MatrixRow {
                    origin: s(n).to_string(),
                    outlets: (0..n).map(s).collect(),
                    supports,
                    reports: (0..n).map(|i| s(i + 3)).collect(),
                    contradicts,
                    not_holding,
                })
                .collect();
            let citations = spans
                .iter()
                .enumerate()
                .map(|(i, &(span, found))| CitationEntry {
                    source: s(i),
                    outlet: s(i + 1),
                    origin: s(i + 2),
                    title: o(i),
                    url: o(i + 1),
                    published: o(i + 2),
                    stance: if some[0] { Stance::Supports } else { Stance::Contradicts },
                    said_by: o(i + 3),
                    quote: s(i + 3),
                    span,
                    found,
                    verdict: some[1].then_some(verdict),
                    problem: o(i + 4).map(|p| Cow::Owned(p.to_string())),
                    before: Cow::Borrowed(s(i + 4)),
                    text: Cow::Owned(s(i + 5).to_string()),
                    after: Cow::Borrowed(s(i + 6)),
                    verified_sha256: o(i + 5),
                    revision: o(i + 6),
                    fragment_link: o(i + 7).map(Cow::Borrowed),
                    pending: o(i + 8).map(str::to_string),
                })
                .collect();
            let entry = FactEntry {
                claim: s(0),
                statement: s(1),
                file: s(2),
                line: strs.len(),
                verdict: if some[2] { "supported" } else { "failing" },
                flags,
                errors,
                matrix,
                citations,
                note: if some[3] { o(9) } else { None },
            };
            prop_assert_eq!(by_hand(&entry), by_derive(&entry));
        }
    }
}
