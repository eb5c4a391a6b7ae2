//! The re-anchoring bench's cases and prov's own answers (bench/reanchor/run.sh).
//!
//! Builds the same cases as `tests/reanchor_revisions.rs`: for each document of
//! `tests/data/revisions` and each pair of versions (v01→v03, v03→v06, v01→v06), up to 150
//! sentences (30–300 code points) of the old version, evenly spread. Writes to `OUT_DIR`:
//! - `cases.json`: `{pairs: [{doc, from, to, old, new, cases: [{quote, old_start, old_end}]}]}`,
//!   offsets in code points, `[old_start, old_end)` in `old`;
//! - `prov.json`: prov's answer per case, in order (`{start, end, verdict, strategy,
//!   candidates}`, offsets in code points into `new`), and the time per citation: the median
//!   of 5 runs of the whole set, each run preparing every pair (`Reanchorer::new`: the line
//!   diff) and, per case, checking the citation in the old text and re-anchoring it; and where
//!   that time goes (the line diffs, the diff mapping of each span, the time by verdict).
//!
//! Run it in release mode: `cargo run --release --example reanchor_cases -- OUT_DIR`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use prov::reanchor::Reanchorer;
use prov::verdict::{Anchor, anchor};
use serde_json::{Value, json};

#[path = "../tests/common/sentences.rs"]
mod sentences;
use sentences::{sentences, spread};

const DOCUMENTS: [&str; 4] = [
    "github-privacy",
    "bluesky-terms",
    "parler-community",
    "spotify-terms",
];
const PAIRS: [(&str, &str); 3] = [("v01", "v03"), ("v03", "v06"), ("v01", "v06")];
const PER_PAIR: usize = 150;
const RUNS: usize = 5;

struct Pair {
    doc: &'static str,
    from: &'static str,
    to: &'static str,
    old: String,
    new: String,
    spans: Vec<(usize, usize)>,
}

fn slice(text: &str, (s, e): (usize, usize)) -> String {
    text.chars().skip(s).take(e - s).collect()
}

/// Re-anchor every case of every pair; the answers, in order.
fn run_all(pairs: &[Pair]) -> Vec<Anchor> {
    let mut out = Vec::new();
    for p in pairs {
        let r = Reanchorer::new(&p.old, &p.new);
        let old_chars: Vec<char> = p.old.chars().collect();
        for &(s, e) in &p.spans {
            let quote: String = old_chars[s..e].iter().collect();
            let a_old = anchor(&r.old, &quote, Some((s, e)));
            out.push(r.reanchor(&quote, a_old.found, &a_old));
        }
    }
    out
}

fn write(path: &Path, value: &Value) {
    let text = serde_json::to_string(value).expect("JSON");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn main() {
    let out_dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: reanchor_cases OUT_DIR");
        std::process::exit(2)
    }));
    std::fs::create_dir_all(&out_dir).expect("create OUT_DIR");
    let data: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/data/revisions"]
        .iter()
        .collect();
    let read = |doc: &str, v: &str| {
        let path = data.join(doc).join(format!("{v}.md"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut pairs = Vec::new();
    for doc in DOCUMENTS {
        for (from, to) in PAIRS {
            let old = read(doc, from);
            let new = read(doc, to);
            let spans = spread(&sentences(&old), PER_PAIR);
            pairs.push(Pair {
                doc,
                from,
                to,
                old,
                new,
                spans,
            });
        }
    }
    let n: usize = pairs.iter().map(|p| p.spans.len()).sum();

    let cases = json!({
        "pairs": pairs.iter().map(|p| json!({
            "doc": p.doc,
            "from": p.from,
            "to": p.to,
            "old": p.old,
            "new": p.new,
            "cases": p.spans.iter().map(|&(s, e)| json!({
                "quote": slice(&p.old, (s, e)),
                "old_start": s,
                "old_end": e,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    write(&out_dir.join("cases.json"), &cases);

    // Warm up once, then time RUNS runs of the whole set.
    let answers = run_all(&pairs);
    let mut runs_ns = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        black_box(run_all(black_box(&pairs)));
        runs_ns.push(t.elapsed().as_nanos() as f64);
    }
    // The share of the line diffs alone.
    let t = Instant::now();
    for p in &pairs {
        black_box(Reanchorer::new(black_box(&p.old), black_box(&p.new)));
    }
    let setup_ns = t.elapsed().as_nanos() as f64;
    // Where the time goes: the diff mapping alone, and each citation timed on its own, by
    // verdict (one run; indicative only).
    let mut map_ns = 0.0;
    let mut by_verdict: std::collections::BTreeMap<&'static str, (usize, f64)> =
        std::collections::BTreeMap::new();
    for p in &pairs {
        let r = Reanchorer::new(&p.old, &p.new);
        let old_chars: Vec<char> = p.old.chars().collect();
        for &(s, e) in &p.spans {
            let t = Instant::now();
            black_box(r.map(black_box(s), black_box(e)));
            map_ns += t.elapsed().as_nanos() as f64;
            let quote: String = old_chars[s..e].iter().collect();
            let t = Instant::now();
            let a_old = anchor(&r.old, &quote, Some((s, e)));
            let a = black_box(r.reanchor(&quote, a_old.found, &a_old));
            let entry = by_verdict.entry(a.verdict.as_str()).or_default();
            entry.0 += 1;
            entry.1 += t.elapsed().as_nanos() as f64;
        }
    }
    let mut sorted = runs_ns.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[RUNS / 2];

    let prov = json!({
        "tool": "prov",
        "cases": n,
        "runs_ns": runs_ns,
        "ns_per_citation": median / n as f64,
        "setup_ns_per_citation": setup_ns / n as f64,
        "map_ns_per_citation": map_ns / n as f64,
        "by_verdict": by_verdict.iter().map(|(v, (count, ns))| json!({
            "verdict": v,
            "cases": count,
            "ns_total": ns,
        })).collect::<Vec<_>>(),
        "answers": answers.iter().map(|a| json!({
            "start": a.found.map(|f| f.0),
            "end": a.found.map(|f| f.1),
            "verdict": a.verdict.as_str(),
            "strategy": format!("{:?}", a.strategy).to_lowercase(),
            "candidates": a.candidates,
        })).collect::<Vec<_>>(),
    });
    write(&out_dir.join("prov.json"), &prov);
    println!(
        "prov: {n} citations, {:.0} ns per citation (median of {RUNS} runs; line diffs {:.0} ns of it)",
        median / n as f64,
        setup_ns / n as f64
    );
}
