//! Which blocks of a rendered page are its article (docs/capture.md, "Article extraction").
//!
//! A Readability-style choice of the content container, on the blocks [`super::html`] cut:
//! every prose block scores its nearest ancestors; the best-scoring container (discounted by
//! its share of link text) is the article, together with those of its siblings that score
//! well or read as prose. Inside it, boilerplate (navigation, sharing, related links, link
//! lists) is dropped block by block. Every step is a pass over arrays in document order, so
//! the cost is linear in the size of the page, whatever its nesting.

use super::html::{Block, Doc, Tag, hint};

/// All blocks: page mode. The `<title>` comes first unless the page's first block repeats it.
pub fn page(doc: &Doc) -> (String, Option<String>) {
    let mut out = Out::default();
    if let Some(t) = &doc.title {
        out.headline(t);
    }
    for b in &doc.blocks {
        out.push(doc.block_text(b));
    }
    (out.finish(), doc.title.clone())
}

/// Joins blocks with a blank line, skipping a first block equal to the headline before it
/// (a page that repeats its title), and ends the text with one newline.
#[derive(Default)]
struct Out {
    text: String,
    /// Only the headline so far.
    headline_only: bool,
}

impl Out {
    fn headline(&mut self, h: &str) {
        self.push(h);
        self.headline_only = !h.is_empty();
    }

    fn push(&mut self, block: &str) {
        if block.is_empty() || (self.headline_only && self.text == block) {
            self.headline_only = false;
            return;
        }
        self.headline_only = false;
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.text.push_str(block);
    }

    fn finish(mut self) -> String {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text
    }
}

/// Per-record figures the choice needs.
struct Figures {
    /// Non-whitespace characters of the blocks inside, and those inside links.
    chars: Vec<u32>,
    links: Vec<u32>,
    /// Inside an element that is boilerplate by its tag or name.
    boiler: Vec<bool>,
    score: Vec<f64>,
    scored: Vec<bool>,
    /// Characters of the prose blocks inside (those that score).
    prose: Vec<u32>,
}

fn base_score(tag: Tag, hints: u8) -> f64 {
    let t = match tag {
        Tag::Div | Tag::Article | Tag::Main | Tag::Section => 5.0,
        Tag::Pre | Tag::Cell | Tag::Blockquote => 3.0,
        Tag::List | Tag::Li | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Form => -3.0,
        Tag::H(_) => -5.0,
        _ => 0.0,
    };
    let mut w = 0.0;
    if hints & hint::NEG != 0 {
        w -= 25.0;
    }
    if hints & hint::POS != 0 {
        w += 25.0;
    }
    if hints & hint::BODY != 0 {
        w += 50.0;
    }
    t + w
}

fn is_boiler_el(tag: Tag, hints: u8) -> bool {
    // Figures are images with their captions and credits, not the article's text.
    matches!(
        tag,
        Tag::Nav
            | Tag::Aside
            | Tag::Footer
            | Tag::Form
            | Tag::Button
            | Tag::Figure
            | Tag::Figcaption
    ) || (hints & hint::NEG != 0 && hints & (hint::POS | hint::BODY) == 0)
}

fn figures(doc: &Doc, strip: bool) -> Figures {
    let n = doc.els.len();
    let mut f = Figures {
        chars: vec![0; n],
        links: vec![0; n],
        boiler: vec![false; n],
        score: vec![0.0; n],
        scored: vec![false; n],
        prose: vec![0; n],
    };
    for b in &doc.blocks {
        f.chars[b.el as usize] += b.chars;
        f.links[b.el as usize] += b.link_chars;
    }
    // Whether an element holds the article by the page's own word (itemprop=articleBody,
    // entry-content, <article>, <main>): a "sidebar" class around it does not make it
    // boilerplate.
    let mut holds_body = vec![false; n];
    for i in (1..n).rev() {
        let el = &doc.els[i];
        holds_body[i] |= el.hints & hint::BODY != 0
            || (matches!(el.tag, Tag::Article | Tag::Main) && el.hints & hint::NEG == 0);
        let p = el.parent as usize;
        f.chars[p] = f.chars[p].saturating_add(f.chars[i]);
        f.links[p] = f.links[p].saturating_add(f.links[i]);
        holds_body[p] |= holds_body[i];
    }
    let half = f.chars[0] / 2;
    for (i, el) in doc.els.iter().enumerate().skip(1) {
        f.boiler[i] = f.boiler[el.parent as usize]
            || (strip && is_boiler_el(el.tag, el.hints) && !holds_body[i] && f.chars[i] <= half);
    }
    for b in &doc.blocks {
        if f.boiler[b.el as usize]
            || b.chars < 25
            || matches!(doc.els[b.el as usize].tag, Tag::H(_))
        {
            continue;
        }
        f.prose[b.el as usize] += b.chars;
        let content = 1.0 + f64::from(b.commas) + (f64::from(b.chars) / 100.0).min(3.0);
        // A paragraph scores its ancestors; text straight in a container scores the container
        // too (as Readability does, having wrapped such text in a <p>).
        let owner = b.el as usize;
        let mut el = if is_paragraph(doc.els[owner].tag) {
            owner
        } else {
            usize::MAX
        };
        for level in 0..5 {
            let p = if el == usize::MAX {
                owner
            } else {
                doc.els[el].parent as usize
            };
            if p == el || p == 0 {
                break;
            }
            if !f.scored[p] {
                f.scored[p] = true;
                f.score[p] = base_score(doc.els[p].tag, doc.els[p].hints);
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => f64::from(l) * 3.0,
            };
            f.score[p] += content / div;
            el = p;
        }
    }
    for i in (1..n).rev() {
        let p = doc.els[i].parent as usize;
        f.prose[p] = f.prose[p].saturating_add(f.prose[i]);
    }
    for i in 0..n {
        if f.scored[i] {
            f.score[i] *= 1.0 - link_density(&f, i);
        }
    }
    f
}

/// Elements whose text is one paragraph (their container is the one to score).
fn is_paragraph(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::P | Tag::H(_) | Tag::Li | Tag::Pre | Tag::Dt | Tag::Dd | Tag::Figcaption | Tag::Tr
    )
}

fn link_density(f: &Figures, i: usize) -> f64 {
    if f.chars[i] == 0 {
        0.0
    } else {
        f64::from(f.links[i]) / f64::from(f.chars[i])
    }
}

/// The records that make the article: the top candidate and the siblings that go with it.
fn choose(doc: &Doc, f: &Figures) -> Vec<u32> {
    let n = doc.els.len();
    let mut top: Option<usize> = None;
    for i in 1..n {
        if f.scored[i] && !f.boiler[i] && top.is_none_or(|t| f.score[i] > f.score[t]) {
            top = Some(i);
        }
    }
    let Some(mut top) = top else {
        return Vec::new();
    };
    // Climb while the parent holds most of the text as well as a better score, or while
    // the candidate is an only child.
    loop {
        let p = doc.els[top].parent as usize;
        if p == 0 || doc.els[p].tag == Tag::Body || f.boiler[p] {
            break;
        }
        // An article cut into several containers: the parent adds prose, little else.
        let gain = f.chars[p].saturating_sub(f.chars[top]);
        let gain_prose = f.prose[p].saturating_sub(f.prose[top]);
        let gain_links = f.links[p].saturating_sub(f.links[top]);
        let adds_prose = gain_prose > 0
            && f64::from(gain_prose) >= 0.6 * f64::from(gain)
            && f64::from(gain_links) <= 0.2 * f64::from(gain);
        if gain == 0 || adds_prose || (f.scored[p] && f.score[p] > f.score[top]) {
            top = p;
        } else {
            break;
        }
    }
    let threshold = (f.score[top] * 0.2).max(10.0);
    let p = doc.els[top].parent as usize;
    let mut chosen = Vec::new();
    let end = doc.els[p].end as usize;
    let mut j = p + 1;
    while j < end {
        let sib = &doc.els[j];
        if sib.parent as usize == p && !f.boiler[j] {
            let ld = link_density(f, j);
            let take = j == top
                || (f.scored[j] && f.score[j] >= threshold && ld < 0.25)
                || (f.chars[j] > 80 && ld < 0.25 && is_paragraph(sib.tag));
            if take {
                chosen.push(j as u32);
            }
        }
        j = (sib.end as usize).max(j + 1);
    }
    chosen
}

/// Labels that stand alone between an article's paragraphs without being part of it.
fn is_label(text: &str) -> bool {
    const LABELS: &[&str] = &[
        "advertisement",
        "advert",
        "ad",
        "sponsored",
        "sponsored content",
        "story continues below advertisement",
        "article continues below advertisement",
        "continue reading below",
        "continue reading",
        "read more",
        "read more:",
        "related",
        "related:",
        "related articles",
        "related stories",
        "related content",
        "more on this",
        "don't miss",
        "don’t miss",
        "explore further",
        "also read",
        "see also",
        "recommended",
        "most popular",
        "trending",
        "share",
        "share this",
        "share this article",
        "share on facebook",
        "share on twitter",
        "tweet",
        "email",
        "print",
        "comments",
        "skip to main content",
        "skip to content",
        "close",
        "menu",
    ];
    if text.len() > 40 {
        return false;
    }
    let t = text.trim().trim_end_matches(['.', '…']).to_lowercase();
    LABELS.contains(&t.as_str())
}

/// A short line that only dates the article: "Updated 5:27 am CST, Wednesday, November 20,
/// 2019", "Posted by A. Smith on November 19, 2019, 6:21 AM EST", "October 12, 2017".
fn is_dateline(text: &str) -> bool {
    const MONTHS: &[&str] = &[
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    const LEADS: &[&str] = &[
        "updated",
        "posted",
        "published",
        "last",
        "first",
        "by",
        "on",
    ];
    if text.len() > 160 {
        return false;
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() || words.len() > 20 {
        return false;
    }
    let is_year = |w: &str| w.len() == 4 && (w.starts_with("19") || w.starts_with("20"));
    let has_date = words.iter().any(|w| MONTHS.contains(&w.as_str()))
        && (words.iter().any(|w| is_year(w)) || text.contains(':'));
    let has_time = text
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    if !(has_date || has_time) {
        return false;
    }
    if LEADS.contains(&words[0].as_str()) {
        return true;
    }
    // Nothing but a date and a time.
    const DAYS: &[&str] = &[
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "am",
        "pm",
        "at",
        "et",
        "est",
        "edt",
        "pst",
        "pdt",
        "cst",
        "cdt",
        "gmt",
        "utc",
        "bst",
        "cet",
        "hst",
        "a",
        "p",
        "m",
    ];
    words.iter().all(|w| {
        w.chars().all(|c| c.is_ascii_digit())
            || MONTHS.contains(&w.as_str())
            || DAYS.contains(&w.as_str())
    })
}

fn keep_block(doc: &Doc, f: &Figures, b: &Block) -> bool {
    if f.boiler[b.el as usize] {
        return false;
    }
    let text = doc.block_text(b);
    // A count, a page number, a lone symbol: nothing to read.
    if b.chars < 12 && !text.chars().any(char::is_alphabetic) {
        return false;
    }
    if is_label(text) || is_dateline(text) {
        return false;
    }
    let ld = if b.chars == 0 {
        0.0
    } else {
        f64::from(b.link_chars) / f64::from(b.chars)
    };
    // A link list, or a teaser: mostly link, little text of its own.
    !(ld > 0.5 && b.chars < 200 && b.chars.saturating_sub(b.link_chars) < 50)
}

/// The article: headline, then the chosen blocks. The title returned is the headline.
pub fn article(doc: &Doc) -> (String, Option<String>) {
    let mut f = figures(doc, true);
    let mut chosen = choose(doc, &f);
    let total: u32 = chosen.iter().map(|&c| f.chars[c as usize]).sum();
    if total == 0 {
        f = figures(doc, false);
        chosen = choose(doc, &f);
    }
    let headline = doc
        .blocks
        .iter()
        .find(|b| doc.els[b.el as usize].tag == Tag::H(1))
        .map(|b| doc.block_text(b).to_string())
        .or_else(|| doc.title.clone());
    let mut kept: Vec<&Block> = Vec::new();
    let mut c = 0;
    for b in &doc.blocks {
        while c < chosen.len() && doc.els[chosen[c] as usize].end <= b.el {
            c += 1;
        }
        let Some(&root) = chosen.get(c) else {
            break;
        };
        if doc.contains(root, b.el) && keep_block(doc, &f, b) {
            kept.push(b);
        }
    }
    if kept.is_empty() {
        return (String::new(), headline);
    }
    let mut out = Out::default();
    if let Some(h) = &headline {
        out.headline(h);
    }
    for b in kept {
        let text = doc.block_text(b);
        // The page repeating its headline inside the article (print headers, hero blocks).
        if headline.as_deref() == Some(text) && !out.headline_only {
            continue;
        }
        out.push(text);
    }
    (out.finish(), headline)
}

/// How article extraction saw a page: the best-scoring candidates and the chosen records
/// (for tuning with bench/extraction; not a stable format).
pub fn explain(doc: &Doc) -> String {
    use std::fmt::Write;
    let f = figures(doc, true);
    let mut order: Vec<usize> = (1..doc.els.len()).filter(|&i| f.scored[i]).collect();
    order.sort_by(|&a, &b| f.score[b].total_cmp(&f.score[a]));
    let mut out = String::new();
    let first_text = |i: usize| {
        doc.blocks
            .iter()
            .find(|b| doc.contains(i as u32, b.el))
            .map(|b| doc.block_text(b).chars().take(60).collect::<String>())
            .unwrap_or_default()
    };
    for &i in order.iter().take(8) {
        let el = &doc.els[i];
        let _ = writeln!(
            out,
            "#{i} {:?} hints {} score {:.1} chars {} links {} boiler {} parent #{} | {}",
            el.tag,
            el.hints,
            f.score[i],
            f.chars[i],
            f.links[i],
            f.boiler[i],
            el.parent,
            first_text(i)
        );
    }
    for c in choose(doc, &f) {
        let _ = writeln!(
            out,
            "chosen #{c} {:?} chars {} | {}",
            doc.els[c as usize].tag,
            f.chars[c as usize],
            first_text(c as usize)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines() {
        for yes in [
            "Updated 5:27 am CST, Wednesday, November 20, 2019",
            "Posted by Michael David Smith on November 19, 2019, 6:21 AM EST",
            "October 12, 2017",
            "Published: Fri 6:45 PM, Feb 16, 2018",
            "By HNN Staff | November 18, 2019 at 2:26 PM HST - Updated November 18 at 4:46 PM",
        ] {
            assert!(is_dateline(yes), "{yes}");
        }
        for no in [
            "The council met on November 19, 2019, and voted to keep the library open.",
            "By the end of the day, nobody knew.",
            "In 2019 the share price rose by 40%.",
            "Updated",
        ] {
            assert!(!is_dateline(no), "{no}");
        }
    }

    #[test]
    fn labels() {
        assert!(is_label("Advertisement"));
        assert!(is_label("READ MORE…"));
        assert!(is_label("Don’t miss"));
        assert!(!is_label("Advertisement revenue fell by half."));
    }
}
