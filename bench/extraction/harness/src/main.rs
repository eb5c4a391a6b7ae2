//! The extraction bench: every candidate on the pages of bench/extraction/data, scored with the
//! data README's metric (4-word shingles of `\w+` Unicode tokens, multiset; per-page precision
//! and recall averaged over the pages; F1 of the two averages), timed on one thread.
//!
//!     prov-extraction-bench DATA_DIR [--rounds N] [--only NAME] [--python OUT.json ...]
//!         [--dump DIR] [--markdown]

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Page {
    sha: String,
    url: String,
    html: Vec<u8>,
    truth: String,
}

fn load(data: &Path) -> Vec<Page> {
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("ground-truth.json")).unwrap()).unwrap();
    let mut pages: Vec<Page> = truth
        .as_object()
        .unwrap()
        .iter()
        .map(|(sha, v)| {
            let gz = std::fs::read(data.join("html").join(format!("{sha}.html.gz"))).unwrap();
            let mut html = Vec::new();
            flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut html).unwrap();
            Page {
                sha: sha.clone(),
                url: v["url"].as_str().unwrap_or_default().to_string(),
                html,
                truth: v["articleBody"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect();
    pages.sort_by(|a, b| a.sha.cmp(&b.sha));
    pages
}

/// The metric's shingles: every run of 4 consecutive `\w+` tokens, counted.
fn shingles(text: &str, re: &regex::Regex) -> HashMap<[String; 4], u32> {
    let words: Vec<&str> = re.find_iter(text).map(|m| m.as_str()).collect();
    let mut m = HashMap::new();
    for w in words.windows(4) {
        *m.entry([w[0].into(), w[1].into(), w[2].into(), w[3].into()]).or_insert(0) += 1;
    }
    m
}

/// (precision, recall) of one page.
fn score(extracted: &str, truth: &str, re: &regex::Regex) -> (f64, f64) {
    let e = shingles(extracted, re);
    let t = shingles(truth, re);
    let mut tp = 0u64;
    for (k, &n) in &e {
        tp += u64::from(n.min(*t.get(k).unwrap_or(&0)));
    }
    let ne: u64 = e.values().map(|&n| u64::from(n)).sum();
    let nt: u64 = t.values().map(|&n| u64::from(n)).sum();
    let (fp, fn_) = (ne - tp, nt - tp);
    // The README: divide by the sum; an empty extraction has precision 0 where the truth is not
    // empty; both empty counts as perfect.
    let p = if tp + fp == 0 {
        if fn_ == 0 { 1.0 } else { 0.0 }
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let r = if tp + fn_ == 0 { 1.0 } else { tp as f64 / (tp + fn_) as f64 };
    (p, r)
}

struct Row {
    name: String,
    version: String,
    f1: f64,
    p: f64,
    r: f64,
    pages_per_s: f64,
    failed: usize,
}

fn evaluate(
    name: &str,
    version: &str,
    pages: &[Page],
    texts: &[String],
    failed: usize,
    elapsed: Duration,
    runs: usize,
    re: &regex::Regex,
    dump: Option<&Path>,
) -> Row {
    let (mut sp, mut sr) = (0.0, 0.0);
    let mut per_page = Vec::new();
    for (page, text) in pages.iter().zip(texts) {
        let (p, r) = score(text, &page.truth, re);
        sp += p;
        sr += r;
        per_page.push(format!("{}\t{p:.3}\t{r:.3}", page.sha));
    }
    let n = pages.len() as f64;
    let (p, r) = (sp / n, sr / n);
    if let Some(dir) = dump {
        let d = dir.join(name.replace([' ', '(', ')', '/'], "_"));
        std::fs::create_dir_all(&d).unwrap();
        for (page, text) in pages.iter().zip(texts) {
            std::fs::write(d.join(format!("{}.txt", page.sha)), text).unwrap();
        }
        std::fs::write(d.join("scores.tsv"), per_page.join("\n") + "\n").unwrap();
    }
    Row {
        name: name.into(),
        version: version.into(),
        f1: if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) },
        p,
        r,
        pages_per_s: (pages.len() * runs) as f64 / elapsed.as_secs_f64(),
        failed,
    }
}

/// The bytes as text for the crates that take `&str`: prov's charset decoding (BOM, meta
/// prescan, detection), counted in their time as it is in prov's.
fn decode(bytes: &[u8]) -> String {
    prov::capture::extract::decode(bytes, None).map(|(t, _)| t).unwrap_or_default()
}

type Extractor<'a> = Box<dyn Fn(&Page) -> Option<String> + 'a>;

fn candidates() -> Vec<(&'static str, &'static str, Extractor<'static>)> {
    use prov::capture::extract::{Mode, extract};
    vec![
        (
            "prov article",
            "",
            Box::new(|p: &Page| {
                extract(&p.html, Some("text/html"), Some(&p.url), Mode::Article).ok().map(|e| e.text)
            }),
        ),
        (
            "prov article, headline line removed (for comparison: the truth has no headline)",
            "",
            Box::new(|p: &Page| {
                let e = extract(&p.html, Some("text/html"), Some(&p.url), Mode::Article).ok()?;
                match (&e.title, e.text.split_once("\n\n")) {
                    (Some(t), Some((first, rest))) if first == t => Some(rest.to_string()),
                    _ => Some(e.text),
                }
            }),
        ),
        (
            "prov page (all visible text)",
            "",
            Box::new(|p: &Page| {
                extract(&p.html, Some("text/html"), Some(&p.url), Mode::Page).ok().map(|e| e.text)
            }),
        ),
        (
            "rs-trafilatura",
            "0.2.2",
            Box::new(|p: &Page| {
                let opts = rs_trafilatura::Options {
                    url: Some(p.url.clone()),
                    ..rs_trafilatura::Options::default()
                };
                rs_trafilatura::extract_bytes_with_options(&p.html, &opts).ok().map(|r| r.content_text)
            }),
        ),
        (
            "dom_smoothie",
            "0.19.0",
            Box::new(|p: &Page| {
                let html = decode(&p.html);
                let mut r = dom_smoothie::Readability::new(html, Some(p.url.as_str()), None).ok()?;
                r.parse().ok().map(|a| a.text_content.to_string())
            }),
        ),
        (
            "readability",
            "0.3.0",
            Box::new(|p: &Page| {
                let url = url::Url::parse(&p.url).ok()?;
                let html = decode(&p.html);
                readability::extractor::extract(&mut html.as_bytes(), &url).ok().map(|r| r.text)
            }),
        ),
        (
            "llm_readability",
            "0.0.17",
            Box::new(|p: &Page| {
                let url = url::Url::parse(&p.url).ok()?;
                let html = decode(&p.html);
                llm_readability::extractor::extract(&mut html.as_bytes(), &url).ok().map(|r| r.text)
            }),
        ),
    ]
}

struct NoSink;
impl html5ever::tokenizer::TokenSink for NoSink {
    type Handle = ();
    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        _line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        std::hint::black_box(token);
        html5ever::tokenizer::TokenSinkResult::Continue
    }
}

/// Parsers alone: the floor under any extractor built on them.
fn parsers() -> Vec<(&'static str, &'static str, Extractor<'static>)> {
    vec![
        (
            "parse only: scraper (html5ever tree)",
            "0.29",
            Box::new(|p: &Page| {
                let html = decode(&p.html);
                let d = scraper::Html::parse_document(&html);
                Some(format!("{}", d.tree.nodes().count()))
            }),
        ),
        (
            "parse only: html5ever tokenizer",
            "0.40",
            Box::new(|p: &Page| {
                use html5ever::tendril::StrTendril;
                use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
                let html = decode(&p.html);
                let tok = Tokenizer::new(NoSink, TokenizerOpts::default());
                let q = BufferQueue::default();
                q.push_back(StrTendril::from_slice(&html));
                let _ = tok.feed(&q);
                tok.end();
                Some(String::new())
            }),
        ),
        (
            "parse only: lol_html (every element and text chunk)",
            "3",
            Box::new(|p: &Page| {
                use lol_html::{HtmlRewriter, Settings, element};
                let html = decode(&p.html);
                {
                    let n = std::cell::Cell::new(0usize);
                    let t = std::cell::Cell::new(0usize);
                    let mut rw = HtmlRewriter::new(
                        Settings::new()
                            .append_element_content_handler(element!("*", |_el| {
                                n.set(n.get() + 1);
                                Ok(())
                            }))
                            .append_document_content_handler(lol_html::doc_text!(|c| {
                                t.set(t.get() + c.as_str().len());
                                Ok(())
                            })),
                        |_: &[u8]| {},
                    );
                    rw.write(html.as_bytes()).ok()?;
                    rw.end().ok()?;
                }
                Some(String::new())
            }),
        ),
        (
            "parse only: tl",
            "0.7",
            Box::new(|p: &Page| {
                let html = decode(&p.html);
                let d = tl::parse(&html, tl::ParserOptions::default()).ok()?;
                Some(format!("{}", d.nodes().len()))
            }),
        ),
        (
            "decode only",
            "",
            Box::new(|p: &Page| Some(format!("{}", decode(&p.html).len()))),
        ),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args[0] == "--file" {
        // --file PATH MODE: one file's text, for looking at the rules.
        let bytes = std::fs::read(&args[1]).unwrap();
        let mode = prov::capture::extract::Mode::parse(&args[2]).unwrap();
        match prov::capture::extract::extract(&bytes, None, None, mode) {
            Ok(e) => print!("{}", e.text),
            Err(e) => println!("error: {e}"),
        }
        if mode == prov::capture::extract::Mode::Article {
            println!("----\n{}", prov::capture::extract::explain(&bytes));
        }
        return;
    }
    let data = PathBuf::from(&args[0]);
    let mut rounds = 3usize;
    let mut only: Vec<String> = Vec::new();
    let mut python: Vec<PathBuf> = Vec::new();
    let mut dump: Option<PathBuf> = None;
    let mut markdown = false;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--rounds" => {
                rounds = args[i + 1].parse().unwrap();
                i += 1;
            }
            "--only" => {
                only.push(args[i + 1].clone());
                i += 1;
            }
            "--python" => {
                python.push(args[i + 1].clone().into());
                i += 1;
            }
            "--dump" => {
                dump = Some(args[i + 1].clone().into());
                i += 1;
            }
            "--markdown" => markdown = true,
            "--parsers" | "--digests" => {}
            "--explain" => i += 1,
            a => panic!("unknown argument {a}"),
        }
        i += 1;
    }
    let pages = load(&data);
    if let Some(i) = args.iter().position(|a| a == "--explain") {
        for p in pages.iter().filter(|p| p.sha.starts_with(args[i + 1].as_str())) {
            println!("{}", prov::capture::extract::explain(&p.html));
        }
        return;
    }
    let re = regex::Regex::new(r"\w+").unwrap();
    let mut rows = Vec::new();
    if args.iter().any(|a| a == "--digests") {
        // One pass per candidate; the sha256 of all its texts (run.sh compares two processes).
        for (name, _, f) in candidates() {
            let mut all = String::new();
            for p in &pages {
                all.push_str(&f(p).unwrap_or_default());
                all.push('\u{0}');
            }
            println!("{}\t{}", prov::snapshot::sha256_hex(all.as_bytes()), name);
        }
        return;
    }
    let list = if args.iter().any(|a| a == "--parsers") { parsers() } else { candidates() };
    for (name, version, f) in list {
        if !only.is_empty() && !only.iter().any(|o| name.starts_with(o.as_str())) {
            continue;
        }
        let version = if version.is_empty() {
            prov::capture::extract::VERSION
        } else {
            version
        };
        // One untimed warm-up round, then `rounds` timed ones; the fastest round counts (the
        // machine is shared: the others measure its load, not the extractor).
        let mut texts: Vec<String> = pages.iter().map(|p| f(p).unwrap_or_default()).collect();
        let mut elapsed = Duration::MAX;
        let mut failed = 0;
        for _ in 0..rounds.max(1) {
            failed = 0;
            let start = Instant::now();
            texts = pages
                .iter()
                .map(|p| {
                    f(p).unwrap_or_else(|| {
                        failed += 1;
                        String::new()
                    })
                })
                .collect();
            elapsed = elapsed.min(start.elapsed());
        }
        let row = evaluate(name, version, &pages, &texts, failed, elapsed, 1, &re, dump.as_deref());
        eprintln!(
            "{:<32} F1 {:.3}  P {:.3}  R {:.3}  {:>8.1} pages/s  ({} failed)",
            row.name, row.f1, row.p, row.r, row.pages_per_s, row.failed
        );
        rows.push(row);
    }
    for path in python {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let texts: Vec<String> = pages
            .iter()
            .map(|p| v["texts"][&p.sha].as_str().unwrap_or_default().to_string())
            .collect();
        let secs = v["seconds"].as_f64().unwrap();
        let runs = v["pages"].as_u64().unwrap() as usize / pages.len();
        let row = evaluate(
            v["name"].as_str().unwrap(),
            v["version"].as_str().unwrap(),
            &pages,
            &texts,
            texts.iter().filter(|t| t.is_empty()).count(),
            Duration::from_secs_f64(secs),
            runs,
            &re,
            dump.as_deref(),
        );
        eprintln!(
            "{:<32} F1 {:.3}  P {:.3}  R {:.3}  {:>8.1} pages/s  ({} empty)",
            row.name, row.f1, row.p, row.r, row.pages_per_s, row.failed
        );
        rows.push(row);
    }
    if markdown {
        let base = rows
            .iter()
            .find(|r| r.name.starts_with("trafilatura"))
            .map(|r| r.pages_per_s);
        println!("| extractor | version | F1 | precision | recall | pages/s | × trafilatura (Python) | failed/empty |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|");
        for r in &rows {
            let ratio = base.map_or("—".to_string(), |b| format!("{:.1}×", r.pages_per_s / b));
            println!(
                "| {} | {} | {:.3} | {:.3} | {:.3} | {:.1} | {} | {} |",
                r.name, r.version, r.f1, r.p, r.r, r.pages_per_s, ratio, r.failed
            );
        }
    }
}
