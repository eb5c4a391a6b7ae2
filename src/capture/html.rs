//! HTML → blocks of text, as a browser renders them (docs/capture.md, "Text rules").
//!
//! The page is parsed by html5ever (through scraper, whose tree is an arena: no recursion
//! anywhere, so nesting depth costs nothing but memory) and walked once, in document order.
//! The walk keeps, for every element it enters, a compact record (tag, parent, end of its
//! subtree, class/id hints), and cuts the rendered text into blocks at every block-level
//! element. [`super::html_article`] chooses which blocks are the article; page mode keeps all.

/// What kind of element a record is, as far as extraction cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Root,
    Body,
    P,
    Div,
    H(u8),
    Li,
    List,
    Pre,
    Blockquote,
    Table,
    Tr,
    Cell,
    Article,
    Main,
    Section,
    Nav,
    Aside,
    Header,
    Footer,
    Form,
    Figure,
    Figcaption,
    Dl,
    Dt,
    Dd,
    A,
    Button,
    OtherBlock,
    Inline,
}

impl Tag {
    fn of(name: &str) -> Tag {
        match name {
            "body" => Tag::Body,
            "p" => Tag::P,
            "div" => Tag::Div,
            "h1" => Tag::H(1),
            "h2" => Tag::H(2),
            "h3" => Tag::H(3),
            "h4" => Tag::H(4),
            "h5" => Tag::H(5),
            "h6" => Tag::H(6),
            "li" => Tag::Li,
            "ul" | "ol" | "menu" | "dir" => Tag::List,
            "pre" | "listing" | "plaintext" | "xmp" => Tag::Pre,
            "blockquote" => Tag::Blockquote,
            "table" => Tag::Table,
            "tr" => Tag::Tr,
            "td" | "th" => Tag::Cell,
            "article" => Tag::Article,
            "main" => Tag::Main,
            "section" => Tag::Section,
            "nav" => Tag::Nav,
            "aside" => Tag::Aside,
            "header" => Tag::Header,
            "footer" => Tag::Footer,
            "form" => Tag::Form,
            "figure" => Tag::Figure,
            "figcaption" => Tag::Figcaption,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "dd" => Tag::Dd,
            "a" => Tag::A,
            "button" => Tag::Button,
            "html" | "address" | "center" | "details" | "dialog" | "fieldset" | "frameset"
            | "hgroup" | "hr" | "legend" | "summary" | "caption" | "thead" | "tbody" | "tfoot"
            | "option" | "optgroup" | "search" => Tag::OtherBlock,
            _ => Tag::Inline,
        }
    }

    /// Whether the element starts and ends a block of text (a `<td>` does not: cells of a row
    /// are one block, separated by tabs).
    pub fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::Inline | Tag::A | Tag::Button | Tag::Cell | Tag::Root
        )
    }
}

/// Elements whose content a browser does not render as text.
fn is_unrendered(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "canvas"
            | "video"
            | "audio"
            | "select"
            | "datalist"
            | "textarea"
            | "input"
            | "img"
            | "map"
            | "noembed"
            | "noframes"
            | "title"
    )
}

/// Hints from an element's tag, class, id, role and itemprop, used by article extraction.
pub mod hint {
    /// Boilerplate: navigation, sharing, comments, related links, ads, …
    pub const NEG: u8 = 1;
    /// Names that content containers use: article, content, post, story, …
    pub const POS: u8 = 2;
    /// `itemprop=articleBody` and the like: the page says this is the article.
    pub const BODY: u8 = 4;
}

/// One element the walk entered.
#[derive(Debug, Clone)]
pub struct El {
    pub tag: Tag,
    /// The parent record (the root is its own parent).
    pub parent: u32,
    /// One past the last record of this element's subtree (records are in document order).
    pub end: u32,
    pub hints: u8,
    /// Its position on the stack of open elements while open.
    pos: u32,
    open: bool,
}

/// A block of rendered text.
#[derive(Debug, Clone)]
pub struct Block {
    /// Byte range in [`Doc::text`].
    pub start: usize,
    pub end: usize,
    /// The innermost block-level element holding it.
    pub el: u32,
    /// Non-whitespace characters, and those of them inside links.
    pub chars: u32,
    pub link_chars: u32,
    /// Commas (`,` `،` `、` `，`), a sign of prose.
    pub commas: u32,
}

/// A rendered page.
#[derive(Debug, Default)]
pub struct Doc {
    pub els: Vec<El>,
    pub blocks: Vec<Block>,
    pub text: String,
    /// The `<title>`, whitespace collapsed.
    pub title: Option<String>,
}

impl Doc {
    pub fn block_text(&self, b: &Block) -> &str {
        self.text.get(b.start..b.end).unwrap_or_default()
    }

    /// Whether record `inner` is `outer` or inside it.
    pub fn contains(&self, outer: u32, inner: u32) -> bool {
        let o = &self.els[outer as usize];
        inner >= outer && inner < o.end
    }
}

/// Words in class names and ids that mark boilerplate (any of them inside the name counts).
const NEG: &[&str] = &[
    "comment",
    "share",
    "sharing",
    // Not "social" alone: an embedded post ("social-media-embed") is part of the article.
    "social-share",
    "social-link",
    "social-icon",
    "social-button",
    "social-bar",
    "social-nav",
    "social-follow",
    "socials",
    "related",
    "sidebar",
    "footer",
    "masthead",
    "navbar",
    "nav-",
    "menu",
    "breadcrumb",
    "promo",
    "advert",
    "sponsor",
    "banner",
    "cookie",
    "consent",
    "newsletter",
    "subscribe",
    "signup",
    "sign-up",
    "popup",
    "modal",
    "outbrain",
    "taboola",
    "recirc",
    "more-stories",
    "most-popular",
    "mostpopular",
    "trending",
    "recommend",
    "widget",
    "toolbar",
    "skip-link",
    "skiplink",
    "hidden",
    "visually-hidden",
    "sr-only",
    "screen-reader",
    "tags",
    "byline",
    "author",
    "dateline",
    "timestamp",
    "caption",
    "credit",
    "recent",
    "popular",
    "read-more",
    "readmore",
    "pagination",
    "pager",
    "disqus",
    "community",
    "supplemental",
    "skyscraper",
    "gdpr",
    "agegate",
    "-ad-",
    "ad-slot",
    "adslot",
    "ad-container",
    "ad-wrapper",
    "ads-",
    "print-only",
    "print-header",
    "printheader",
    "rss",
    "shoutbox",
    "subnav",
    "topnav",
];

/// Words that content containers use.
const POS: &[&str] = &[
    "article", "content", "entry", "main", "post", "story", "text", "body", "blog",
];

/// Names that say "this is the article body".
const BODY: &[&str] = &[
    "articlebody",
    "article-body",
    "article__body",
    "story-body",
    "entry-content",
    "post-content",
];

/// All the words above in one automaton (one pass over a name, ASCII case ignored), and the
/// hint each pattern gives.
fn hint_matcher() -> Option<&'static (aho_corasick::AhoCorasick, Vec<u8>)> {
    static MATCHER: std::sync::OnceLock<Option<(aho_corasick::AhoCorasick, Vec<u8>)>> =
        std::sync::OnceLock::new();
    MATCHER
        .get_or_init(|| {
            let mut words = Vec::new();
            let mut hints = Vec::new();
            for (list, h) in [(NEG, hint::NEG), (POS, hint::POS), (BODY, hint::BODY)] {
                for w in list {
                    words.push(*w);
                    hints.push(h);
                }
            }
            let ac = aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&words)
                .ok()?;
            Some((ac, hints))
        })
        .as_ref()
}

fn class_hints(attr: &str) -> u8 {
    let Some((ac, hints)) = hint_matcher() else {
        return 0;
    };
    let mut h = 0;
    for m in ac.find_overlapping_iter(attr) {
        h |= hints.get(m.pattern().as_usize()).copied().unwrap_or(0);
    }
    h
}

fn style_hidden(style: &str) -> bool {
    let s: String = style
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    s.contains("display:none") || s.contains("visibility:hidden")
}

/// The state of the walk while it renders.
struct Render {
    doc: Doc,
    /// Where the current block starts in `doc.text`.
    block_start: usize,
    chars: u32,
    link_chars: u32,
    commas: u32,
    pending_space: bool,
    pending_newlines: u8,
    pending_tab: bool,
    pre: usize,
    links: usize,
    /// The open block records, innermost last.
    block_owner: Vec<u32>,
}

impl Render {
    fn has_text(&self) -> bool {
        self.chars > 0 || self.doc.text.len() > self.block_start
    }

    fn trim_line_end(&mut self) {
        let keep = self.doc.text[self.block_start..]
            .trim_end_matches([' ', '\t'])
            .len();
        self.doc.text.truncate(self.block_start + keep);
    }

    fn push_char(&mut self, c: char) {
        if self.pending_newlines > 0 {
            self.trim_line_end();
            for _ in 0..self.pending_newlines {
                self.doc.text.push('\n');
            }
            self.pending_newlines = 0;
            self.pending_space = false;
            self.pending_tab = false;
        } else if self.pending_tab {
            self.trim_line_end();
            self.doc.text.push('\t');
            self.pending_tab = false;
            self.pending_space = false;
        } else if self.pending_space {
            self.doc.text.push(' ');
            self.pending_space = false;
        }
        self.doc.text.push(c);
        if !c.is_whitespace() {
            self.chars += 1;
            if self.links > 0 {
                self.link_chars += 1;
            }
            if matches!(c, ',' | '\u{60C}' | '\u{3001}' | '\u{FF0C}') {
                self.commas += 1;
            }
        }
    }

    fn text(&mut self, s: &str) {
        if self.pre > 0 {
            for c in s.chars() {
                if c == '\n' {
                    if self.has_text() {
                        self.pending_newlines = self.pending_newlines.saturating_add(1);
                    }
                    self.pending_space = false;
                } else {
                    self.push_char(c);
                }
            }
            return;
        }
        for c in s.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C') {
                if self.has_text() && self.pending_newlines == 0 && !self.pending_tab {
                    self.pending_space = true;
                }
            } else {
                self.push_char(c);
            }
        }
    }

    fn line_break(&mut self) {
        if self.has_text() && self.pending_newlines < 2 {
            self.pending_newlines += 1;
        }
        self.pending_space = false;
    }

    fn cell(&mut self) {
        if self.has_text() && self.pending_newlines == 0 {
            self.pending_tab = true;
            self.pending_space = false;
        }
    }

    /// Ends the current block, owned by record `el`.
    fn flush(&mut self, el: u32) {
        self.trim_line_end();
        let text = &self.doc.text[self.block_start..];
        if text.chars().any(|c| !c.is_whitespace()) {
            self.doc.blocks.push(Block {
                start: self.block_start,
                end: self.doc.text.len(),
                el,
                chars: self.chars,
                link_chars: self.link_chars,
                commas: self.commas,
            });
        } else {
            self.doc.text.truncate(self.block_start);
        }
        self.block_start = self.doc.text.len();
        self.chars = 0;
        self.link_chars = 0;
        self.commas = 0;
        self.pending_space = false;
        self.pending_newlines = 0;
        self.pending_tab = false;
    }
}

/// Collapses runs of ASCII whitespace to one space and trims (for the title).
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split([' ', '\t', '\n', '\r', '\x0C'])
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// An element on the walk's stack of open elements.
struct Open {
    /// Its record in [`Doc::els`].
    rec: u32,
    /// What the tree-building rules need to know about it.
    kind: Kind,
}

/// Elements the simplified tree-building rules look for (the WHATWG "in body" rules that
/// close elements implicitly: a `<p>` by a block, an `<li>` by the next, a cell by the next…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    P,
    Li,
    DdDt,
    Tr,
    Cell,
    Option,
    A,
    Head,
    Heading,
    /// `ul`, `ol`, `dl`: a list item does not close an item of an outer list.
    List,
    Table,
    /// `caption`, `button`, `template`, `object`, `marquee`, `applet`: as a table, nothing
    /// inside closes anything outside.
    Barrier,
    Other,
}

const KINDS: usize = 12;

impl Kind {
    fn of(name: &str) -> Kind {
        match name {
            "p" => Kind::P,
            "li" => Kind::Li,
            "dd" | "dt" => Kind::DdDt,
            "tr" => Kind::Tr,
            "td" | "th" => Kind::Cell,
            "option" | "optgroup" => Kind::Option,
            "a" => Kind::A,
            "head" => Kind::Head,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
            "ul" | "ol" | "dl" | "menu" => Kind::List,
            "table" => Kind::Table,
            "caption" | "button" | "template" | "object" | "marquee" | "applet" => Kind::Barrier,
            _ => Kind::Other,
        }
    }

    fn index(self) -> Option<usize> {
        Some(match self {
            Kind::P => 0,
            Kind::Li => 1,
            Kind::DdDt => 2,
            Kind::Tr => 3,
            Kind::Cell => 4,
            Kind::Option => 5,
            Kind::A => 6,
            Kind::Head => 7,
            Kind::Heading => 8,
            Kind::List => 9,
            Kind::Table => 10,
            Kind::Barrier => 11,
            Kind::Other => return None,
        })
    }
}

/// Start tags that close an open `<p>` (WHATWG "in body").
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "listing"
            | "xmp"
            | "plaintext"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "li"
            | "dd"
            | "dt"
    )
}

/// The walk: lol_html's tokens in, records and blocks out.
struct Builder {
    r: Render,
    stack: Vec<Open>,
    /// For each tracked [`Kind`], the stack positions of its open elements, innermost last.
    open: [Vec<u32>; KINDS],
    /// Stack position of the outermost element not rendered (script, style, hidden…): every
    /// text inside is ignored until it closes.
    skip: Option<u32>,
    /// Raw text of the current text node (lol_html may cut one into several chunks).
    raw: String,
    /// Inside `<title>` (its stack position).
    in_title: Option<u32>,
    title: String,
}

impl Builder {
    fn top(&self, k: Kind) -> Option<u32> {
        k.index().and_then(|i| self.open[i].last().copied())
    }

    /// Whether an open element of kind `k` is in scope: above the innermost table or other
    /// barrier (and, for list items, above the innermost list). Its stack position if so.
    fn in_scope(&self, k: Kind, lists_bar: bool) -> Option<u32> {
        let at = self.top(k)?;
        let mut bar = self.top(Kind::Barrier).max(self.top(Kind::Table));
        if lists_bar {
            bar = bar.max(self.top(Kind::List));
        }
        match bar {
            Some(b) if b > at => None,
            _ => Some(at),
        }
    }

    /// Closes the element at stack position `pos` and everything above it.
    fn pop_to(&mut self, pos: u32) {
        while self.stack.len() > pos as usize {
            let Some(o) = self.stack.pop() else {
                break;
            };
            let depth = u32::try_from(self.stack.len()).unwrap_or(u32::MAX);
            if let Some(i) = o.kind.index() {
                self.open[i].pop();
            }
            if self.in_title == Some(depth) {
                self.in_title = None;
            }
            let end = u32::try_from(self.r.doc.els.len()).unwrap_or(u32::MAX);
            let Some(el) = self.r.doc.els.get_mut(o.rec as usize) else {
                continue;
            };
            el.end = end;
            el.open = false;
            let tag = el.tag;
            if self.skip == Some(depth) {
                self.skip = None;
                continue;
            }
            if self.skip.is_some() {
                continue;
            }
            if tag.is_block() {
                self.r.flush(o.rec);
                self.r.block_owner.pop();
            }
            if tag == Tag::Pre {
                self.r.pre = self.r.pre.saturating_sub(1);
            }
            if tag == Tag::A {
                self.r.links = self.r.links.saturating_sub(1);
            }
        }
    }

    /// The record of the innermost open block element (the owner of text rendered now).
    fn block_owner(&self) -> u32 {
        self.r.block_owner.last().copied().unwrap_or(0)
    }

    fn start(&mut self, el: &lol_html::html_content::Element<'_, '_>) -> Option<u32> {
        let name = el.tag_name();
        let name = name.as_str();
        // Implied end tags.
        if closes_p(name)
            && let Some(p) = self.in_scope(Kind::P, false)
        {
            self.pop_to(p);
        }
        match name {
            "li" => {
                if let Some(at) = self.in_scope(Kind::Li, true) {
                    self.pop_to(at);
                }
            }
            "dd" | "dt" => {
                if let Some(at) = self.in_scope(Kind::DdDt, true) {
                    self.pop_to(at);
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some(at) = self.top(Kind::Heading)
                    && at as usize + 1 == self.stack.len()
                {
                    self.pop_to(at);
                }
            }
            "tr" => {
                if let Some(at) = self.in_scope(Kind::Tr, false) {
                    self.pop_to(at);
                } else if let Some(at) = self.in_scope(Kind::Cell, false) {
                    self.pop_to(at);
                }
            }
            "td" | "th" => {
                if let Some(at) = self.in_scope(Kind::Cell, false) {
                    self.pop_to(at);
                }
            }
            "option" | "optgroup" => {
                if let Some(at) = self.top(Kind::Option) {
                    self.pop_to(at);
                }
            }
            "a" => {
                if let Some(at) = self.top(Kind::A) {
                    self.pop_to(at);
                }
            }
            "body" => {
                if let Some(at) = self.top(Kind::Head) {
                    self.pop_to(at);
                }
                return None;
            }
            "html" => return None,
            _ => {}
        }
        let depth = u32::try_from(self.stack.len()).unwrap_or(u32::MAX);
        let void = !el.can_have_content();
        if self.skip.is_some() {
            if name == "title" && self.title.is_empty() && self.in_title.is_none() {
                self.in_title = Some(depth);
            }
            return if void {
                None
            } else {
                self.push(Tag::Inline, 0, Kind::of(name))
            };
        }
        if is_unrendered(name)
            || el.has_attribute("hidden")
            || (name == "dialog" && !el.has_attribute("open"))
            || el.get_attribute("style").is_some_and(|s| style_hidden(&s))
        {
            if void {
                return None;
            }
            if name == "title" && self.title.is_empty() {
                self.in_title = Some(depth);
            }
            let rec = self.push(Tag::Inline, 0, Kind::of(name));
            self.skip = Some(depth);
            return rec;
        }
        if name == "br" {
            self.r.line_break();
            return None;
        }
        let tag = Tag::of(name);
        let hints = element_hints(el);
        if tag.is_block() {
            let owner = self.block_owner();
            self.r.flush(owner);
        } else if tag == Tag::Cell {
            self.r.cell();
        }
        if void {
            // <hr> and the like: a block boundary with nothing inside.
            return None;
        }
        let rec = self.push(tag, hints, Kind::of(name));
        if tag.is_block()
            && let Some(rec) = rec
        {
            self.r.block_owner.push(rec);
        }
        if tag == Tag::Pre {
            self.r.pre += 1;
        }
        if tag == Tag::A {
            self.r.links += 1;
        }
        rec
    }

    fn push(&mut self, tag: Tag, hints: u8, kind: Kind) -> Option<u32> {
        let parent = self.stack.last().map_or(0, |o| o.rec);
        let rec = u32::try_from(self.r.doc.els.len()).ok()?;
        let pos = u32::try_from(self.stack.len()).ok()?;
        self.r.doc.els.push(El {
            tag,
            parent,
            end: rec.saturating_add(1),
            hints,
            pos,
            open: true,
        });
        if let Some(i) = kind.index() {
            self.open[i].push(pos);
        }
        self.stack.push(Open { rec, kind });
        Some(rec)
    }

    /// An end tag lol_html matched to the element of record `rec`.
    fn end(&mut self, rec: u32) {
        if let Some(el) = self.r.doc.els.get(rec as usize)
            && el.open
        {
            let pos = el.pos;
            self.pop_to(pos);
        }
    }

    fn text(&mut self, chunk: &str, last: bool, decode: bool) {
        if self.skip.is_some() && self.in_title.is_none() {
            return;
        }
        self.raw.push_str(chunk);
        if !last {
            return;
        }
        let raw = std::mem::take(&mut self.raw);
        let text = if decode {
            htmlize::unescape(raw.as_str())
        } else {
            std::borrow::Cow::Borrowed(raw.as_str())
        };
        if self.in_title.is_some() {
            self.title.push_str(&text);
        } else {
            // The input stream's newline normalisation, which lol_html leaves to its user:
            // CR LF and lone CR are LF (it matters inside <pre>).
            if text.contains('\r') {
                self.r.text(&text.replace("\r\n", "\n").replace('\r', "\n"));
            } else {
                self.r.text(&text);
            }
        }
        let mut raw = raw;
        raw.clear();
        self.raw = raw;
    }
}

fn element_hints(el: &lol_html::html_content::Element<'_, '_>) -> u8 {
    let mut hints = 0;
    for a in ["class", "id"] {
        if let Some(v) = el.get_attribute(a) {
            hints |= class_hints(&v);
        }
    }
    if let Some(role) = el.get_attribute("role") {
        let role = role.trim().to_ascii_lowercase();
        if matches!(
            role.as_str(),
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "menu"
                | "menubar"
                | "dialog"
                | "alertdialog"
        ) {
            hints |= hint::NEG;
        } else if role == "main" || role == "article" {
            hints |= hint::POS;
        }
    }
    if el
        .get_attribute("itemprop")
        .is_some_and(|p| p.to_ascii_lowercase().contains("articlebody"))
    {
        hints |= hint::BODY;
    }
    if el
        .get_attribute("aria-hidden")
        .is_some_and(|v| v.trim() == "true")
    {
        hints |= hint::NEG;
    }
    hints
}

/// Parses `html` and renders it into blocks.
pub fn render(html: &str) -> Doc {
    use lol_html::{HtmlRewriter, Settings, doc_text, element};
    use std::cell::RefCell;
    use std::rc::Rc;

    let mut r = Render {
        doc: Doc::default(),
        block_start: 0,
        chars: 0,
        link_chars: 0,
        commas: 0,
        pending_space: false,
        pending_newlines: 0,
        pending_tab: false,
        pre: 0,
        links: 0,
        block_owner: Vec::new(),
    };
    r.doc.els.push(El {
        tag: Tag::Root,
        parent: 0,
        end: 1,
        hints: 0,
        pos: u32::MAX,
        open: false,
    });
    let b = Rc::new(RefCell::new(Builder {
        r,
        stack: Vec::new(),
        open: Default::default(),
        skip: None,
        raw: String::new(),
        in_title: None,
        title: String::new(),
    }));
    {
        let on_start = Rc::clone(&b);
        let on_text = Rc::clone(&b);
        let mut rewriter = HtmlRewriter::new(
            Settings::new()
                .append_element_content_handler(element!("*", move |el| {
                    let rec = match on_start.try_borrow_mut() {
                        Ok(mut b) => b.start(el),
                        Err(_) => None,
                    };
                    if let Some(rec) = rec {
                        let on_end = Rc::clone(&on_start);
                        let _ = el.on_end_tag(Box::new(move |_| {
                            if let Ok(mut b) = on_end.try_borrow_mut() {
                                b.end(rec);
                            }
                            Ok(())
                        }));
                    }
                    Ok(())
                }))
                .append_document_content_handler(doc_text!(move |t| {
                    use lol_html::html_content::TextType;
                    if let Ok(mut b) = on_text.try_borrow_mut() {
                        let decode = matches!(t.text_type(), TextType::Data | TextType::RCData);
                        b.text(t.as_str(), t.last_in_text_node(), decode);
                    }
                    Ok(())
                })),
            |_: &[u8]| {},
        );
        // Our handlers never fail and no memory limit is set: an error would leave the text
        // rendered so far, which is all there is to have.
        let _ = rewriter.write(html.as_bytes());
        let _ = rewriter.end();
    }
    let Ok(cell) = Rc::try_unwrap(b) else {
        return Doc::default();
    };
    let mut b = cell.into_inner();
    b.pop_to(0);
    b.r.flush(0);
    let mut doc = b.r.doc;
    doc.els[0].end = u32::try_from(doc.els.len()).unwrap_or(u32::MAX);
    let title = collapse(&b.title);
    doc.title = (!title.is_empty()).then_some(title);
    doc
}
