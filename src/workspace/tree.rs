//! A small spanned TOML tree, read straight from toml_parser's events (`super::parse`) or
//! converted from toml_edit's parsed document, and the validation helpers the loader uses on
//! it. Every node keeps the byte span of its value and every entry the span of its key, so any
//! problem can point at the exact place in the file; its keys and strings are borrowed from the
//! text where they are written as they read.

use std::borrow::Cow;
use std::ops::Range;

use toml_edit::{Item, Table, Value};

use crate::diag::{Code, Diagnostic, Loc, suggest};
use crate::files::FileId;

/// A TOML value, its strings and keys borrowed from the text parsed where they are written
/// there as they read (owned where escapes were decoded, or when toml_edit read the file).
#[derive(Debug, Clone)]
pub enum Node<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(toml_edit::Datetime),
    Array(Vec<Spanned<'a>>),
    Table(Vec<Entry<'a>>),
}

#[derive(Debug, Clone)]
pub struct Spanned<'a> {
    pub node: Node<'a>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub key: Cow<'a, str>,
    pub key_span: Range<usize>,
    pub value: Spanned<'a>,
}

impl Node<'_> {
    /// The TOML type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Str(_) => "a string",
            Node::Int(_) => "an integer",
            Node::Float(_) => "a float",
            Node::Bool(_) => "a boolean",
            Node::Datetime(_) => "a date-time",
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }
}

/// Convert a parsed document's root table.
pub fn from_document(table: &Table) -> Vec<Entry<'static>> {
    table_entries(table, 0..0)
}

fn table_entries(table: &Table, fallback: Range<usize>) -> Vec<Entry<'static>> {
    let mut out = Vec::new();
    for (key, item) in table.iter() {
        let key_span = table
            .key(key)
            .and_then(|k| k.span())
            .unwrap_or_else(|| fallback.clone());
        if let Some(value) = from_item(item, key_span.clone()) {
            out.push(Entry {
                key: Cow::Owned(key.to_string()),
                key_span,
                value,
            });
        }
    }
    out
}

fn from_item(item: &Item, fallback: Range<usize>) -> Option<Spanned<'static>> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(from_value(v, fallback)),
        Item::Table(t) => {
            let span = t.span().unwrap_or_else(|| fallback.clone());
            Some(Spanned {
                node: Node::Table(table_entries(t, span.clone())),
                span,
            })
        }
        Item::ArrayOfTables(a) => {
            let span = a.span().unwrap_or_else(|| fallback.clone());
            let tables = a
                .iter()
                .map(|t| {
                    let tspan = t.span().unwrap_or_else(|| span.clone());
                    Spanned {
                        node: Node::Table(table_entries(t, tspan.clone())),
                        span: tspan,
                    }
                })
                .collect();
            Some(Spanned {
                node: Node::Array(tables),
                span,
            })
        }
    }
}

fn from_value(value: &Value, fallback: Range<usize>) -> Spanned<'static> {
    let span = value.span().unwrap_or_else(|| fallback.clone());
    let node = match value {
        Value::String(s) => Node::Str(Cow::Owned(s.value().clone())),
        Value::Integer(i) => Node::Int(*i.value()),
        Value::Float(f) => Node::Float(*f.value()),
        Value::Boolean(b) => Node::Bool(*b.value()),
        Value::Datetime(d) => Node::Datetime(*d.value()),
        Value::Array(a) => Node::Array(
            a.iter()
                .map(|v| from_value(v, span.clone()))
                .collect::<Vec<_>>(),
        ),
        Value::InlineTable(t) => Node::Table(
            t.iter()
                .map(|(k, v)| {
                    let key_span = t
                        .key(k)
                        .and_then(|k| k.span())
                        .unwrap_or_else(|| span.clone());
                    Entry {
                        key: Cow::Owned(k.to_string()),
                        key_span: key_span.clone(),
                        value: from_value(v, key_span),
                    }
                })
                .collect(),
        ),
    };
    Spanned { node, span }
}

/// Validation context for one file: collects diagnostics.
pub struct Check<'d> {
    pub file: FileId,
    pub diags: &'d mut Vec<Diagnostic>,
}

impl Check<'_> {
    pub fn loc(&self, span: &Range<usize>) -> Loc {
        Loc::new(self.file, span.clone())
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Report keys of `table` that are not in `allowed`, suggesting the nearest.
    pub fn unknown_keys(&mut self, entries: &[Entry], allowed: &[&str], what: &str) {
        for e in entries {
            if !allowed.contains(&e.key.as_ref()) {
                let mut d = Diagnostic::new(
                    Code::UnknownKey,
                    format!("unknown key `{}` in {what}", e.key),
                )
                .at(self.loc(&e.key_span))
                .label("not a key prov knows");
                d = match suggest(&e.key, allowed.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("the keys of {what} are: {}", allowed.join(", "))),
                };
                self.push(d);
            }
        }
    }

    /// A required key; reports `missing-key` at `owner` when absent.
    pub fn required<'e, 'a>(
        &mut self,
        entries: &'e [Entry<'a>],
        key: &str,
        owner: &Range<usize>,
        what: &str,
        help: &str,
    ) -> Option<&'e Entry<'a>> {
        let found = get(entries, key);
        // A misspelt key already has its `unknown-key` finding with the suggestion.
        let misspelt = found.is_none()
            && entries
                .iter()
                .any(|e| e.key != key && suggest(&e.key, [key]).is_some());
        if found.is_none() && !misspelt {
            self.push(
                Diagnostic::new(Code::MissingKey, format!("{what} has no `{key}`"))
                    .at(self.loc(owner))
                    .label(format!("`{key}` is required here"))
                    .help(help.to_string()),
            );
        }
        found
    }

    /// The value as a string, or an `invalid-value` diagnostic.
    pub fn string(&mut self, entry: &Entry) -> Option<String> {
        self.str(entry).map(str::to_string)
    }

    /// [`Check::string`], borrowed from the tree.
    pub fn str<'e>(&mut self, entry: &'e Entry) -> Option<&'e str> {
        match &entry.value.node {
            Node::Str(s) => Some(s),
            other => {
                self.wrong_type(entry, "a string", other);
                None
            }
        }
    }

    /// A string that must not be empty or only whitespace.
    pub fn nonempty_string(&mut self, entry: &Entry) -> Option<String> {
        self.nonempty_str(entry).map(str::to_string)
    }

    /// [`Check::nonempty_string`], borrowed from the tree.
    pub fn nonempty_str<'e>(&mut self, entry: &'e Entry) -> Option<&'e str> {
        let s = self.str(entry)?;
        if s.trim().is_empty() {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("`{}` is empty", entry.key))
                    .at(self.loc(&entry.value.span))
                    .label("empty")
                    .help(format!("give `{}` a value, or remove the key", entry.key)),
            );
            return None;
        }
        Some(s)
    }

    /// A name (an outlet, an origin, a title, a party): a non-empty string on one line, with
    /// no control character. A line feed or an escape sequence in a name could make prov's
    /// output lie about what it says, so it is refused where it is.
    pub fn name_string(&mut self, entry: &Entry) -> Option<String> {
        let s = self.nonempty_string(entry)?;
        let Some((at, bad)) = s.char_indices().find(|&(_, c)| c.is_control()) else {
            return Some(s);
        };
        let column = s[..at].chars().count() + 1;
        self.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!(
                    "`{}` holds a control character, {} (U+{:04X}), at character {column}",
                    entry.key,
                    crate::escape::name(bad).unwrap_or("a control character"),
                    bad as u32
                ),
            )
            .at(self.loc(&entry.value.span))
            .label("not one line of text")
            .help(format!(
                "`{}` is a name: write it on one line, without control characters",
                entry.key
            )),
        );
        None
    }

    pub fn wrong_type(&mut self, entry: &Entry, expected: &str, found: &Node) {
        self.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!(
                    "`{}` must be {expected}, not {}",
                    entry.key,
                    found.type_name()
                ),
            )
            .at(self.loc(&entry.value.span))
            .label(format!("expected {expected}")),
        );
    }

    pub fn invalid(&mut self, code: Code, span: &Range<usize>, message: String, help: String) {
        self.push(Diagnostic::new(code, message).at(self.loc(span)).help(help));
    }
}

/// The value of `e` as an offset date-time (`2026-11-22T10:00:00Z`), or a finding.
pub fn datetime(c: &mut Check<'_>, e: &Entry) -> Option<String> {
    temporal(
        c,
        e,
        |d| d.date.is_some() && d.time.is_some() && d.offset.is_some(),
        ("a date-time", "a TOML date-time with a time zone"),
        "2026-11-22T10:00:00Z (no quotes)",
    )
}

/// The value of `e` as a local date (`2023-06-21`), or a finding.
pub fn date(c: &mut Check<'_>, e: &Entry) -> Option<String> {
    temporal(
        c,
        e,
        |d| d.date.is_some() && d.time.is_none(),
        ("a date", "a TOML date"),
        "2023-06-21 (no quotes, no time)",
    )
}

/// The value of `e` when it is a TOML date-time of the kind `fits` accepts; otherwise a finding:
/// a wrong type names `kind`, a date-time of another kind (or a string) says what it `must_be`
/// and gives the `example`.
fn temporal(
    c: &mut Check<'_>,
    e: &Entry,
    fits: fn(&toml_edit::Datetime) -> bool,
    (kind, must_be): (&str, &str),
    example: &str,
) -> Option<String> {
    match &e.value.node {
        Node::Datetime(d) if fits(d) => Some(d.to_string()),
        Node::Datetime(_) | Node::Str(_) => {
            c.invalid(
                Code::InvalidValue,
                &e.value.span,
                format!("`{}` must be {must_be}", e.key),
                format!("for example {} = {example}", e.key),
            );
            None
        }
        other => {
            c.wrong_type(e, kind, other);
            None
        }
    }
}

pub fn get<'e, 'a>(entries: &'e [Entry<'a>], key: &str) -> Option<&'e Entry<'a>> {
    entries.iter().find(|e| e.key == key)
}

/// The entries of `e` when its value is a table.
pub fn table<'e, 'a>(e: &'e Entry<'a>) -> Option<&'e [Entry<'a>]> {
    match &e.value.node {
        Node::Table(t) => Some(t),
        _ => None,
    }
}

/// Is `id` a valid source or claim id: `[a-z0-9][a-z0-9_-]*`, at most 64 chars?
pub fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    id.len() <= 64
        && (first.is_ascii_lowercase() || first.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// A suggested valid id for an invalid one (lowercased, other characters as `-`).
pub fn suggest_id(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    let mut out: String = out.chars().take(64).collect();
    if out.is_empty() {
        out.push_str("source");
    }
    out
}

/// [`suggest_id`], made unique: when the suggestion is `taken` (an id already in use), the first
/// free `<suggestion>-2`, `-3`, … (cut to stay within 64 characters).
pub fn suggest_free_id(id: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = suggest_id(id);
    if !taken(&base) {
        return base;
    }
    let mut n = 2usize;
    loop {
        let suffix = format!("-{n}");
        let stem: String = base.chars().take(64 - suffix.len()).collect();
        let candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(valid_id("afp-breaks-ties"));
        assert!(valid_id("0day_2"));
        assert!(!valid_id(""));
        assert!(!valid_id("-x"));
        assert!(!valid_id("Fox"));
        assert!(!valid_id("a b"));
        assert!(!valid_id(&"a".repeat(65)));
        assert_eq!(suggest_id("Fox News: Raid!"), "fox-news-raid");
    }

    #[test]
    fn suggestions_avoid_ids_in_use() {
        let taken = ["afp-breaks-ties", "afp-breaks-ties-2"];
        let is_taken = |s: &str| taken.contains(&s);
        assert_eq!(
            suggest_free_id("AFP-Breaks-Ties", is_taken),
            "afp-breaks-ties-3"
        );
        assert_eq!(suggest_free_id("AFP Wire", is_taken), "afp-wire");
        let long = "a".repeat(70);
        let taken_long = "a".repeat(64);
        let free = suggest_free_id(&long, |s| s == taken_long);
        assert_eq!(free, format!("{}-2", "a".repeat(62)));
        assert!(valid_id(&free));
    }
}
