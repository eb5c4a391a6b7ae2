//! Completion, from the buffer as it is (no check needed):
//! - keys of the table the cursor is in (`[[claim]]`, `[[claim.cite]]`, `[sources.<id>]`, …),
//!   those not already there;
//! - values: source ids in `source = "…"`, `supports`/`contradicts` in `stance`, fact flags in
//!   `deny = [...]`, the cited source's captures in `revision`, a capture's `mode` and `method`;
//! - in `quote = "…"`: passages of the cited snapshot that begin with what has been typed (the
//!   typed text is matched exactly, or after folding typography: a straight `'` finds a curly
//!   `’`). Choosing one writes the source's exact characters and sets `span` as well, so the
//!   quote comes from the source and not from the keyboard. At least
//!   [`MIN_TYPED`] characters are needed.
//!
//! The cursor's context is read lexically from the current line and the lines above it (the
//! nearest table header), since a buffer being typed rarely parses.

use std::path::Path;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit,
    InsertTextFormat, Position, Range, TextEdit,
};

use crate::anchor::text::CharText;
use crate::diag::clip;
use crate::escape;
use crate::workspace::keys::{
    CAPTURE_KEYS, CITE_KEYS, CLAIM_KEYS, FETCH_KEYS, POLICY_KEYS, REVISION_KEYS, SOURCE_KEYS,
};
use crate::workspace::tree::valid_id;
use crate::workspace::{Flag, Workspace, revision_path, snapshot_path};

use super::Ctx;
use super::documents::Document;
use super::locate::Role;

/// Characters typed in a quote before passages are offered.
pub const MIN_TYPED: usize = 3;
/// Passages offered at most.
const MAX_PASSAGES: usize = 20;
/// The longest passage offered, in code points.
const MAX_PASSAGE: usize = 400;

/// The table the cursor is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    /// The top level of a claim file or of sources.toml.
    Top,
    Claim,
    Cite,
    Source,
    Revision,
    Capture,
    Policy,
    Fetch,
    Unknown,
}

impl Table {
    fn keys(self) -> &'static [&'static str] {
        match self {
            // The top level holds only tables, completed as headers.
            Table::Top | Table::Unknown => &[],
            Table::Claim => CLAIM_KEYS,
            Table::Cite => CITE_KEYS,
            Table::Source => SOURCE_KEYS,
            Table::Revision => REVISION_KEYS,
            Table::Capture => CAPTURE_KEYS,
            Table::Policy => POLICY_KEYS,
            Table::Fetch => FETCH_KEYS,
        }
    }
}

/// The table a header (`[[claim.cite]]`, `[sources.x]`) opens.
fn table_of(header: &str) -> Table {
    let name = header
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim();
    let parts: Vec<&str> = name.split('.').map(str::trim).collect();
    match parts.as_slice() {
        ["claim"] => Table::Claim,
        ["claim", "cite"] => Table::Cite,
        ["policy"] => Table::Policy,
        ["sources", _] => Table::Source,
        ["sources", _, "revisions"] => Table::Revision,
        ["sources", _, "capture"] | ["sources", _, "revisions", "capture"] => Table::Capture,
        ["fetch"] => Table::Fetch,
        _ => Table::Unknown,
    }
}

/// The header line at or above `line`: its line number and table.
fn section(lines: &[&str], line: usize) -> (usize, Table) {
    for k in (0..=line.min(lines.len().saturating_sub(1))).rev() {
        let t = lines[k].trim_start();
        if t.starts_with('[') {
            let header = t.split('#').next().unwrap_or(t);
            return (k, table_of(header));
        }
    }
    (0, Table::Top)
}

/// The lines of the table the cursor is in: from its header to the next one.
fn section_lines<'a>(lines: &[&'a str], line: usize) -> Vec<&'a str> {
    let (start, _) = section(lines, line);
    let mut out = Vec::new();
    for (k, l) in lines.iter().enumerate().skip(start) {
        if k > start && l.trim_start().starts_with('[') {
            break;
        }
        out.push(*l);
    }
    out
}

/// What the text before the cursor, on its line, ends in.
#[derive(Debug, PartialEq, Eq)]
enum Lex {
    /// A bare key being typed (maybe empty), from byte `start` of the line.
    Key {
        start: usize,
    },
    /// Inside a string whose content starts at byte `open` of the line, the value of `key` (or
    /// an item of the array `key`); `inline`: inside an inline table.
    Str {
        key: Option<String>,
        open: usize,
        basic: bool,
        inline: bool,
        in_array: bool,
    },
    /// A table header being typed.
    Header,
    Nothing,
}

fn lex(prefix: &str) -> Lex {
    let bare = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut key: Option<String> = None; // the key of the value being written
    let mut token = String::new();
    let mut token_start = 0;
    let mut after_eq = false;
    let mut arrays: Vec<Option<String>> = Vec::new();
    let mut braces = 0usize;
    let mut chars = prefix.char_indices();
    if prefix.trim_start().starts_with('[') && !prefix.contains('=') {
        return Lex::Header;
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => return Lex::Nothing,
            '"' | '\'' => {
                if prefix[i..].starts_with("\"\"\"") || prefix[i..].starts_with("'''") {
                    return Lex::Nothing; // multi-line strings are not completed
                }
                let open = i + 1;
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if c == '"' && d == '\\' {
                        chars.next();
                    } else if d == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    let (owner, in_array) = match arrays.last() {
                        Some(k) if !after_eq => (k.clone(), true),
                        _ => (key.clone(), false),
                    };
                    return Lex::Str {
                        key: owner,
                        open,
                        basic: c == '"',
                        inline: braces > 0,
                        in_array,
                    };
                }
                after_eq = false;
                token.clear();
            }
            '=' => {
                key = Some(std::mem::take(&mut token));
                after_eq = true;
            }
            '[' => {
                arrays.push(if after_eq { key.clone() } else { None });
                after_eq = false;
            }
            ']' => {
                arrays.pop();
            }
            '{' => {
                braces += 1;
                after_eq = false;
                key = None;
            }
            '}' => braces = braces.saturating_sub(1),
            ',' => {
                after_eq = false;
                token.clear();
            }
            c if bare(c) => {
                if token.is_empty() {
                    token_start = i;
                }
                token.push(c);
            }
            // `key =`: the space keeps the key's token.
            c if c.is_whitespace() => {}
            _ => token.clear(),
        }
    }
    let typing_key = !after_eq
        && (arrays.is_empty() || braces > 0)
        && prefix[token_start.min(prefix.len())..].chars().all(bare);
    if token.is_empty() && !after_eq && prefix.trim().is_empty() {
        return Lex::Key {
            start: prefix.len(),
        };
    }
    if typing_key && !token.is_empty() {
        return Lex::Key { start: token_start };
    }
    if braces > 0 && !after_eq && prefix.trim_end().ends_with(['{', ',']) {
        return Lex::Key {
            start: prefix.len(),
        };
    }
    Lex::Nothing
}

/// The value of `key = "…"` in the section's lines (or in an inline table on the line).
fn string_value(lines: &[&str], key: &str) -> Option<String> {
    for line in lines {
        let mut rest = *line;
        while let Some(at) = rest.find(key) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + key.len()..].trim_start();
            rest = &rest[at + key.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                continue;
            }
            let Some(v) = after.strip_prefix('=') else {
                continue;
            };
            let v = v.trim_start();
            if let Some(body) = v.strip_prefix('"') {
                let end = body.find('"')?;
                return Some(unescape(&body[..end]));
            }
        }
    }
    None
}

/// A TOML basic string's content, unescaped (an unfinished escape at the end is dropped).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('e') => out.push('\u{1b}'),
            Some(u @ ('u' | 'U' | 'x')) => {
                let n = match u {
                    'u' => 4,
                    'U' => 8,
                    _ => 2,
                };
                let hex: String = chars.by_ref().take(n).collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// Text as the content of a TOML basic string: `"` and `\` escaped, and every control or
/// invisible character written as `\uXXXX`, so that the value is the text and shows it.
pub fn escape_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if escape::is_unsafe(c) && !crate::hidden::excused(s, i, c) => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08X}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out
}

pub fn completion(
    ctx: &mut Ctx<'_>,
    doc: &Document,
    pos: Position,
    ws: Option<&Workspace>,
) -> Option<CompletionResponse> {
    let root = doc.role.root()?.to_path_buf();
    let index = doc.index();
    let offset = index.offset(&doc.text, pos, ctx.enc);
    let line_no = index.position(&doc.text, offset, ctx.enc).line as usize;
    let line = index.line_range(&doc.text, line_no);
    let prefix = doc.text.get(line.start..offset)?;
    let rest = doc.text.get(offset..line.end)?;
    let lines: Vec<&str> = (0..index.lines())
        .map(|k| &doc.text[index.line_range(&doc.text, k)])
        .collect();
    let (_, table) = section(&lines, line_no);
    let here = section_lines(&lines, line_no);
    let at = |start: usize, end: usize| {
        index.range(&doc.text, line.start + start..line.start + end, ctx.enc)
    };
    let mut incomplete = false;
    let items = match lex(prefix) {
        Lex::Header => {
            let start = prefix.len() - prefix.trim_start().len();
            let end = prefix.len()
                + rest
                    .find(|c: char| c.is_whitespace() || c == '#')
                    .unwrap_or(rest.len());
            headers(&doc.role, at(start, end))
        }
        Lex::Key { start } => {
            let table = if lex_inline(prefix) {
                Table::Cite
            } else {
                table
            };
            let present: Vec<String> = if lex_inline(prefix) {
                keys_in(&[&doc.text[line.clone()]])
            } else {
                keys_in(&here)
            };
            let end = prefix.len()
                + rest
                    .char_indices()
                    .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .map_or(rest.len(), |(i, _)| i);
            table
                .keys()
                .iter()
                .filter(|k| !present.iter().any(|p| p == *k))
                .map(|k| key_item(ctx, k, at(start, end)))
                .collect()
        }
        Lex::Str {
            key,
            open,
            basic,
            inline,
            in_array,
        } => {
            let table = if inline { Table::Cite } else { table };
            // The value's end: the closing quote, if the line has it.
            let close = rest.find(if basic { '"' } else { '\'' });
            let typed = &prefix[open..];
            let value_range = at(open, prefix.len() + close.unwrap_or(0));
            let closing = if close.is_some() {
                ""
            } else if basic {
                "\""
            } else {
                "'"
            };
            let scope: Vec<&str> = if inline {
                vec![&doc.text[line.clone()]]
            } else {
                here.clone()
            };
            // The members of a closed set of values (`stance`, `mode`, `method`).
            let members = |values: &[&str]| -> Vec<CompletionItem> {
                values
                    .iter()
                    .map(|v| {
                        value_item(
                            v,
                            None,
                            None,
                            value_range,
                            closing,
                            CompletionItemKind::ENUM_MEMBER,
                        )
                    })
                    .collect()
            };
            match (table, key.as_deref(), in_array) {
                (Table::Cite, Some("source"), false) => ws
                    .map(|ws| {
                        ws.sources
                            .iter()
                            .map(|s| {
                                let mut detail = s.outlet.clone();
                                if let Some(o) = &s.origin {
                                    detail.push_str(&format!(" (origin {o})"));
                                }
                                value_item(
                                    &s.id,
                                    Some(escape::inline(&detail).into_owned()),
                                    s.title.as_deref().map(|t| escape::inline(t).into_owned()),
                                    value_range,
                                    closing,
                                    CompletionItemKind::REFERENCE,
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                (Table::Cite, Some("stance"), false) => members(&["supports", "contradicts"]),
                (Table::Capture, Some("mode"), false) => members(&["article", "page", "none"]),
                (Table::Capture, Some("method"), false) => members(&["fetch", "archive", "file"]),
                (Table::Policy, Some("deny"), true) => Flag::ALL
                    .iter()
                    .map(|f| {
                        value_item(
                            f.as_str(),
                            Some(f.code().description().to_string()),
                            None,
                            value_range,
                            closing,
                            CompletionItemKind::ENUM_MEMBER,
                        )
                    })
                    .collect(),
                (Table::Cite, Some("revision"), false) => {
                    let source = string_value(&scope, "source");
                    source
                        .and_then(|id| ws?.source(&id).cloned())
                        .map(|s| {
                            let mut items = vec![value_item(
                                s.sha256.get(..12).unwrap_or(&s.sha256),
                                Some("the current capture".into()),
                                s.captured.clone(),
                                value_range,
                                closing,
                                CompletionItemKind::VALUE,
                            )];
                            for r in &s.revisions {
                                items.push(value_item(
                                    r.sha256.get(..12).unwrap_or(&r.sha256),
                                    Some("a superseded capture".into()),
                                    r.captured.clone(),
                                    value_range,
                                    closing,
                                    CompletionItemKind::VALUE,
                                ));
                            }
                            items
                        })
                        .unwrap_or_default()
                }
                (Table::Cite, Some("quote"), false) if basic => {
                    incomplete = true;
                    let q = QuoteAt {
                        typed,
                        open,
                        rest,
                        close,
                        inline,
                        line: line.clone(),
                        line_no,
                        lines: &lines,
                        scope: &scope,
                    };
                    passages(ctx, doc, &root, ws, &q)
                }
                _ => Vec::new(),
            }
        }
        Lex::Nothing => Vec::new(),
    };
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: incomplete,
        items,
    }))
}

/// Is the cursor inside an inline table (`cite = [{ … }]`)?
fn lex_inline(prefix: &str) -> bool {
    let opens = prefix.matches('{').count();
    let closes = prefix.matches('}').count();
    opens > closes
}

/// The keys already written in these lines.
fn keys_in(lines: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for l in lines {
        for part in l.split([',', '{']) {
            if let Some((k, _)) = part.split_once('=') {
                let k = k.trim();
                if !k.is_empty() && !k.starts_with('[') {
                    out.push(k.to_string());
                }
            }
        }
    }
    out
}

fn headers(role: &Role, range: Range) -> Vec<CompletionItem> {
    let list: &[&str] = match role {
        Role::Claims { .. } => &["[[claim]]", "[[claim.cite]]"],
        Role::Sources { .. } => &["[policy]", "[fetch]", "[sources.]"],
        _ => &[],
    };
    list.iter()
        .map(|h| CompletionItem {
            label: h.to_string(),
            kind: Some(CompletionItemKind::MODULE),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range,
                new_text: h.to_string(),
            })),
            ..Default::default()
        })
        .collect()
}

fn key_item(ctx: &Ctx<'_>, key: &str, range: Range) -> CompletionItem {
    let string_key = !matches!(
        key,
        "span"
            | "cite"
            | "revisions"
            | "min_origins"
            | "deny"
            | "captured"
            | "published"
            | "superseded"
    );
    let (text, format) = match (string_key, ctx.client.snippets) {
        (true, true) => (format!("{key} = \"$1\""), InsertTextFormat::SNIPPET),
        (false, true) if key == "span" || key == "deny" => {
            (format!("{key} = [$1]"), InsertTextFormat::SNIPPET)
        }
        _ => (format!("{key} = "), InsertTextFormat::PLAIN_TEXT),
    };
    CompletionItem {
        label: key.to_string(),
        kind: Some(CompletionItemKind::PROPERTY),
        insert_text_format: Some(format),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range,
            new_text: text,
        })),
        ..Default::default()
    }
}

fn value_item(
    value: &str,
    detail: Option<String>,
    documentation: Option<String>,
    range: Range,
    closing: &str,
    kind: CompletionItemKind,
) -> CompletionItem {
    CompletionItem {
        label: value.to_string(),
        kind: Some(kind),
        detail,
        documentation: documentation.map(lsp_types::Documentation::String),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range,
            new_text: format!("{}{closing}", escape_basic(value)),
        })),
        ..Default::default()
    }
}

/// A `quote = "…` being typed.
struct QuoteAt<'a> {
    /// The string's content so far, as written (escapes and all).
    typed: &'a str,
    /// Where the content starts on the line (bytes).
    open: usize,
    /// The line after the cursor.
    rest: &'a str,
    /// The closing quote's offset in `rest`.
    close: Option<usize>,
    inline: bool,
    /// The line's byte range in the document, and its number.
    line: std::ops::Range<usize>,
    line_no: usize,
    lines: &'a [&'a str],
    /// The lines of the citation (its table, or the line of its inline table).
    scope: &'a [&'a str],
}

/// Passages of the cited snapshot that begin with what has been typed.
fn passages(
    ctx: &mut Ctx<'_>,
    doc: &Document,
    root: &Path,
    ws: Option<&Workspace>,
    q: &QuoteAt<'_>,
) -> Vec<CompletionItem> {
    let typed = unescape(q.typed);
    if typed.trim().chars().count() < MIN_TYPED {
        return Vec::new();
    }
    let Some(id) = string_value(q.scope, "source").filter(|id| valid_id(id)) else {
        return Vec::new();
    };
    let revision = string_value(q.scope, "revision");
    let path = match (ws.and_then(|w| w.source(&id)), revision) {
        (Some(s), Some(prefix)) if !s.sha256.starts_with(&prefix.to_ascii_lowercase()) => {
            let found: Vec<_> = s
                .revisions
                .iter()
                .filter(|r| r.sha256.starts_with(&prefix.to_ascii_lowercase()))
                .collect();
            match found.as_slice() {
                [one] => revision_path(root, &id, &one.sha256),
                _ => return Vec::new(),
            }
        }
        _ => snapshot_path(root, &id),
    };
    let Some(t) = ctx.snapshots.get(root, &path) else {
        return Vec::new();
    };
    let chars = CharText::new(&t.text);
    // Exact matches first, then those equal after folding typography.
    let mut starts: Vec<(usize, usize)> = chars.find_all(&typed);
    for m in t.folded().find_folded(&typed) {
        if !starts.iter().any(|s| s.0 == m.0) {
            starts.push(m);
        }
    }
    starts.truncate(MAX_PASSAGES);
    let mut seen = Vec::new();
    let mut items = Vec::new();
    for (s, e) in starts {
        for end in ends(&chars, e) {
            if seen.contains(&(s, end)) {
                continue;
            }
            seen.push((s, end));
            let Some(passage) = chars.slice(s, end) else {
                continue;
            };
            items.push(passage_item(
                ctx,
                doc,
                q,
                &id,
                passage,
                (s, end),
                items.len(),
            ));
        }
    }
    items
}

/// Where a passage that reaches at least char `from` may end: the end of its clause and of its
/// sentence (before the punctuation), or of its line.
fn ends(chars: &CharText<'_>, from: usize) -> Vec<usize> {
    let Some(b) = chars.byte_of(from) else {
        return Vec::new();
    };
    let tail = &chars.as_str()[b..];
    let mut out = Vec::new();
    let mut it = tail.chars().peekable();
    let mut n = 0;
    let mut last_word_end = from;
    while let Some(c) = it.next() {
        let at = from + n;
        match c {
            '\n' | '\r' => break,
            ',' | ';' | ':' | '—' | '(' | ')' if out.is_empty() && at > from => {
                out.push(last_word_end);
            }
            '.' | '!' | '?' | '…' if it.peek().is_none_or(|d| d.is_whitespace()) => {
                out.push(at);
                return tidy(out, from);
            }
            _ => {}
        }
        n += 1;
        if !c.is_whitespace() {
            last_word_end = from + n;
        }
        if n >= MAX_PASSAGE {
            break;
        }
    }
    out.push(last_word_end);
    tidy(out, from)
}

fn tidy(mut ends: Vec<usize>, from: usize) -> Vec<usize> {
    if ends.is_empty() {
        ends.push(from);
    }
    ends.sort_unstable();
    ends.dedup();
    ends
}

fn passage_item(
    ctx: &Ctx<'_>,
    doc: &Document,
    q: &QuoteAt<'_>,
    source: &str,
    passage: &str,
    (s, e): (usize, usize),
    rank: usize,
) -> CompletionItem {
    let span = format!("span = [{s}, {e}]");
    let after_close = match q.close {
        Some(c) => &q.rest[c + 1..],
        None => "",
    };
    let index = doc.index();
    let mut additional = Vec::new();
    let mut new_text = format!("{}\"", escape_basic(passage));
    if q.inline {
        // `{ source = "x", quote = "…", span = [a, b] }`: the span is on this line.
        if let Some(r) = span_in(after_close) {
            new_text.push_str(&after_close[..r.start]);
            new_text.push_str(&span);
            new_text.push_str(&after_close[r.end..]);
        } else {
            let before = &doc.text[q.line.start..q.line.start + q.open];
            if let Some(r) = span_in(before) {
                additional.push(TextEdit {
                    range: index.range(
                        &doc.text,
                        q.line.start + r.start..q.line.start + r.end,
                        ctx.enc,
                    ),
                    new_text: span.clone(),
                });
            } else {
                new_text.push_str(", ");
                new_text.push_str(&span);
            }
            new_text.push_str(after_close);
        }
    } else {
        new_text.push_str(after_close);
        // The citation's `span = …` line, if it has one.
        let (start, _) = section(q.lines, q.line_no);
        let existing = q
            .lines
            .iter()
            .enumerate()
            .skip(start + 1)
            .take_while(|(k, l)| *k == start + 1 || !l.trim_start().starts_with('['))
            .filter(|(k, _)| *k != q.line_no)
            .find_map(|(k, l)| {
                span_in(l)
                    .filter(|r| l[..r.start].trim().is_empty())
                    .map(|r| (k, r))
            });
        match existing {
            Some((k, r)) => {
                let line = index.line_range(&doc.text, k);
                additional.push(TextEdit {
                    range: index.range(
                        &doc.text,
                        line.start + r.start..line.start + r.end,
                        ctx.enc,
                    ),
                    new_text: span.clone(),
                });
            }
            None => {
                let line = &doc.text[q.line.clone()];
                let indent = &line[..line.len() - line.trim_start().len()];
                new_text.push('\n');
                new_text.push_str(indent);
                new_text.push_str(&span);
            }
        }
    }
    CompletionItem {
        label: escape::inline(&clip(passage, 80)).into_owned(),
        kind: Some(CompletionItemKind::TEXT),
        detail: Some(format!("[{s}, {e}] in {source}")),
        documentation: Some(lsp_types::Documentation::String(
            escape::text(passage).into_owned(),
        )),
        sort_text: Some(format!("{rank:04}")),
        // The client filters by what was typed: every passage begins with it (folded or not).
        filter_text: Some(q.typed.to_string()),
        insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: index.range(&doc.text, q.line.start + q.open..q.line.end, ctx.enc),
            new_text,
        })),
        additional_text_edits: (!additional.is_empty()).then_some(additional),
        ..Default::default()
    }
}

/// The bytes of `span = [a, b]` in `s`, if it holds one.
fn span_in(s: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(at) = s[from..].find("span") {
        let start = from + at;
        from = start + 4;
        if s[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let rest = &s[start + 4..];
        let trimmed = rest.trim_start();
        let Some(v) = trimmed.strip_prefix('=') else {
            continue;
        };
        let v_at = start + 4 + (rest.len() - trimmed.len()) + 1;
        let v = v.trim_start();
        let open = v_at + (s[v_at..].len() - v.len());
        if !v.starts_with('[') {
            continue;
        }
        let close = s[open..].find(']')?;
        return Some(start..open + close + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_before_the_cursor_says_what_to_complete() {
        assert_eq!(lex(""), Lex::Key { start: 0 });
        assert_eq!(lex("  qu"), Lex::Key { start: 2 });
        assert_eq!(lex("[[cl"), Lex::Header);
        assert_eq!(
            lex("source = \"afp"),
            Lex::Str {
                key: Some("source".into()),
                open: 10,
                basic: true,
                inline: false,
                in_array: false
            }
        );
        assert_eq!(
            lex("deny = [\"single-origin\", \"con"),
            Lex::Str {
                key: Some("deny".into()),
                open: 26,
                basic: true,
                inline: false,
                in_array: true
            }
        );
        assert_eq!(
            lex("cite = [{ source = \"a\", quote = \"L\\\"Alb"),
            Lex::Str {
                key: Some("quote".into()),
                open: 33,
                basic: true,
                inline: true,
                in_array: false
            }
        );
        assert_eq!(lex("cite = [{ source = \"a\", "), Lex::Key { start: 24 });
        assert_eq!(lex("quote = \"done\" # a comment \""), Lex::Nothing);
        assert_eq!(lex("quote = \"done\""), Lex::Nothing);
        assert_eq!(lex("quote = \"\"\"long"), Lex::Nothing);
    }

    #[test]
    fn strings_are_unescaped_and_escaped_as_toml_writes_them() {
        assert_eq!(unescape(r#"L\"Alb\u00E9 \\ \n"#), "L\"Albé \\ \n");
        assert_eq!(unescape("unfinished \\"), "unfinished ");
        assert_eq!(
            escape_basic("a \"b\" \\ c\u{202e}\u{1F600}"),
            "a \\\"b\\\" \\\\ c\\u202E\u{1F600}"
        );
        assert_eq!(
            unescape(&escape_basic("x\u{202e}y\u{E0041}")),
            "x\u{202e}y\u{E0041}"
        );
    }

    #[test]
    fn spans_are_found_on_a_line() {
        let l = "{ source = \"a\", quote = \"b\", span = [1, 2] }";
        let r = span_in(l).unwrap();
        assert_eq!(&l[r], "span = [1, 2]");
        assert_eq!(span_in("said_by = \"x\", myspan = [1]"), None);
        assert_eq!(span_in("span=[3,4]"), Some(0..10));
    }

    #[test]
    fn passages_end_at_clause_sentence_or_line() {
        let text = "Il a dit: les diplomates sont partis jeudi, selon l'AFP. Puis rien.";
        let chars = CharText::new(text);
        let from = text.find("les").unwrap() + 3;
        let ends = ends(&chars, from);
        let s = text.find("les").unwrap();
        let got: Vec<&str> = ends.iter().map(|&e| chars.slice(s, e).unwrap()).collect();
        assert_eq!(
            got,
            [
                "les diplomates sont partis jeudi",
                "les diplomates sont partis jeudi, selon l'AFP"
            ]
        );
    }

    /// The completion tables name exactly the keys docs/formats.md documents.
    #[test]
    fn keys_are_those_of_the_formats_page() {
        let doc = include_str!("../../docs/formats.md");
        let keys_of = |heading: &str| -> Vec<String> {
            let at = doc.find(heading).unwrap();
            let after = &doc[at + heading.len()..];
            let end = after.find("\n#").unwrap_or(after.len());
            after[..end]
                .lines()
                .filter_map(|l| l.strip_prefix("| `"))
                .filter_map(|l| l.split('`').next())
                .map(str::to_string)
                .collect()
        };
        let sorted = |k: &[&str]| {
            let mut v: Vec<String> = k.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        for (heading, keys) in [
            ("### [policy]", POLICY_KEYS),
            ("### [sources.\\<id>]", SOURCE_KEYS),
            ("### [[sources.\\<id>.revisions]]", REVISION_KEYS),
            ("### [sources.\\<id>.capture]", CAPTURE_KEYS),
            ("### [fetch]", FETCH_KEYS),
            ("### [[claim]]", CLAIM_KEYS),
            ("### [[claim.cite]]", CITE_KEYS),
        ] {
            let mut documented = keys_of(heading);
            documented.sort();
            assert_eq!(documented, sorted(keys), "{heading}");
        }
    }
}
