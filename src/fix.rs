//! `prov fix`: repair what prov can place exactly. It fills the span of `unanchored`
//! citations, rewrites the span of `moved` ones and, when asked, replaces a `typography` quote
//! by the source's exact characters. It never touches `changed`, `ambiguous` or `missing`
//! citations: those need an editor. Edits keep comments and layout (toml_edit) and each file
//! is written atomically, after checking nobody changed it meanwhile.

use std::collections::BTreeMap;

use toml_edit::{Array, DocumentMut, Item, TableLike, Value};

use crate::edit::{atomic_write, replace_value};
use crate::escape;
use crate::files::{self, FileId};
use crate::journal::{self, Journal, WriteStep};
use crate::outcome::Outcome;
use crate::refusal::Refusal;
use crate::verdict::Verdict;
use crate::workspace::Workspace;

/// One change to one citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub file: FileId,
    /// 1-based line of the quote.
    pub line: usize,
    pub claim: String,
    pub source: String,
    pub claim_index: usize,
    pub cite_index: usize,
    pub old_span: Option<(usize, usize)>,
    pub new_span: (usize, usize),
    /// The source's exact text, when the quote is rewritten.
    pub new_quote: Option<String>,
    pub verdict: Verdict,
}

/// The edits of one file: the new text, and the changes it makes.
#[derive(Debug, Clone)]
pub struct FileEdit {
    pub file: FileId,
    pub path: String,
    pub old: String,
    pub new: String,
    pub changes: Vec<Change>,
}

/// Decide the changes from a check outcome.
pub fn plan(outcome: &Outcome, typography: bool) -> Vec<Change> {
    let ws = outcome.workspace();
    let mut changes = Vec::new();
    for c in &outcome.citations {
        let Some(a) = c.anchor() else { continue };
        let Some(found) = a.found else { continue };
        let pending = c
            .pending
            .as_ref()
            .map(|p| (p.anchor.verdict, p.found_text.as_ref()));
        let mut verdict = a.verdict;
        let new_quote = match (a.verdict, pending) {
            // A quote that begins or ends inside a word of the source: an editor completes it.
            (Verdict::Unanchored | Verdict::Moved, _) if a.partial_word.is_some() => continue,
            (Verdict::Unanchored | Verdict::Moved, _) => None,
            // Already in the pending capture's characters: it follows the new version.
            (Verdict::Typography, Some((v, _))) if v.holds() => continue,
            (Verdict::Typography, _) if typography => c.found_text().map(str::to_string),
            // Holds now, and only its typography differs in the pending capture: take the new
            // version's characters (the span stays; `prov accept` moves it).
            (v, Some((Verdict::Typography, Some(text)))) if typography && v.holds() => {
                verdict = Verdict::Typography;
                Some(text.clone())
            }
            _ => continue,
        };
        if new_quote.as_deref() == Some(c.cite.quote()) && Some(found) == c.cite.span() {
            continue;
        }
        changes.push(Change {
            file: c.cite.file(),
            line: c.line(ws) as usize,
            claim: c.claim(ws).id().to_string(),
            source: c.cite.source().to_string(),
            claim_index: c.cite.claim_index(),
            cite_index: c.cite.index(),
            old_span: c.cite.span(),
            new_span: found,
            new_quote,
            verdict,
        });
    }
    changes
}

/// Apply the changes to the claim files' text (in memory).
pub fn apply(ws: &Workspace, changes: Vec<Change>) -> Result<Vec<FileEdit>, Refusal> {
    let mut by_file: BTreeMap<FileId, Vec<Change>> = BTreeMap::new();
    for c in changes {
        by_file.entry(c.file).or_default().push(c);
    }
    let mut edits = Vec::new();
    for (file, changes) in by_file {
        let f = ws.files.get(file);
        let mut doc: DocumentMut = f.text.parse().map_err(|e: toml_edit::TomlError| {
            Refusal::new(format!(
                "{} no longer parses: {}",
                f.path,
                e.message().trim()
            ))
        })?;
        for c in &changes {
            edit_cite(&mut doc, c).ok_or_else(|| {
                Refusal::new(format!(
                    "{}:{}: cannot find the citation of claim `{}` to edit",
                    f.path, c.line, c.claim
                ))
                .help("the file's layout is unusual; apply the change by hand")
            })?;
        }
        edits.push(FileEdit {
            file,
            path: f.path.clone(),
            old: f.text.to_string(),
            new: doc.to_string(),
            changes,
        });
    }
    Ok(edits)
}

/// Write the edited files, refusing any that changed on disk since they were read. Several
/// files change all together or not at all (through the accept journal).
pub fn write(ws: &Workspace, edits: &[FileEdit]) -> Result<(), Refusal> {
    if edits.len() > 1 {
        let journal = Journal {
            version: 1,
            command: "fix".to_string(),
            copies: Vec::new(),
            writes: edits
                .iter()
                .map(|e| WriteStep {
                    path: e.path.clone(),
                    old: e.old.clone(),
                    new: e.new.clone(),
                })
                .collect(),
            renames: Vec::new(),
            removes: Vec::new(),
        };
        return journal::commit(&ws.root, &journal);
    }
    for e in edits {
        if let Some(link) = files::symlink_on_the_way(&ws.root, &e.path) {
            return Err(Refusal::new(format!(
                "{link} is a symbolic link; prov never writes through one, so {} was left as it is",
                e.path
            ))
            .help("make it a real file or directory inside the workspace"));
        }
        let path = ws.root.join(&e.path);
        let now = files::read_text(&ws.root, &path)
            .map_err(|err| Refusal::new(format!("cannot read {}: {err}", e.path)))?;
        if now != e.old {
            return Err(Refusal::new(format!(
                "{} changed while prov was fixing it; it was left as it is",
                e.path
            ))
            .help("run `prov fix` again"));
        }
        atomic_write(&path, e.new.as_bytes())
            .map_err(|err| Refusal::new(format!("cannot write {}: {err}", e.path)))?;
    }
    Ok(())
}

fn span_value((s, e): (usize, usize)) -> Value {
    let mut a = Array::new();
    a.push(s as i64);
    a.push(e as i64);
    Value::Array(a)
}

/// Element `index` of an array of tables (`[[x]]`) or an array of inline tables (`x = [{…}]`).
/// Also says whether it is inline.
pub(crate) fn nth_table(item: &mut Item, index: usize) -> Option<(&mut dyn TableLike, bool)> {
    match item {
        Item::ArrayOfTables(a) => a.get_mut(index).map(|t| (t as &mut dyn TableLike, false)),
        Item::Value(Value::Array(a)) => a
            .get_mut(index)?
            .as_inline_table_mut()
            .map(|t| (t as &mut dyn TableLike, true)),
        _ => None,
    }
}

/// Add `key = value` last in a table. In an inline table (`{ a = 1, b = 2 }`) the new key takes
/// over the space the last value had before the closing brace.
pub(crate) fn insert_last(table: &mut dyn TableLike, inline: bool, key: &str, mut v: Value) {
    if inline {
        let last_key = table.iter().last().map(|(k, _)| k.to_string());
        if let Some(last) = last_key
            .and_then(|k| table.get_mut(&k))
            .and_then(Item::as_value_mut)
        {
            let suffix = last.decor().suffix().cloned();
            last.decor_mut().set_suffix("");
            v.decor_mut().set_prefix(" ");
            if let Some(s) = suffix {
                v.decor_mut().set_suffix(s);
            }
        }
    }
    table.insert(key, Item::Value(v));
}

/// Find claim number `claim_index`, its citation `cite_index`, and set its span and quote.
fn edit_cite(doc: &mut DocumentMut, c: &Change) -> Option<()> {
    let (claim, _) = nth_table(doc.get_mut("claim")?, c.claim_index)?;
    let (cite, inline) = nth_table(claim.get_mut("cite")?, c.cite_index)?;
    match cite.get_mut("span") {
        Some(slot) => replace_value(slot.as_value_mut()?, span_value(c.new_span)),
        None => insert_last(cite, inline, "span", span_value(c.new_span)),
    }
    if let Some(q) = &c.new_quote {
        let slot = cite.get_mut("quote")?.as_value_mut()?;
        replace_value(slot, quote_value(q)?);
    }
    Some(())
}

/// The quote as a TOML basic string whose characters a reader can tell apart: a no-break
/// space, a zero-width or a bidi character is written as an escape (`\u00A0`), so that the
/// line `git diff` shows differs visibly from the one it replaces ([`escape::toml_basic`]).
/// toml_edit keeps the written form of a parsed value, so the value is made by parsing it.
fn quote_value(q: &str) -> Option<Value> {
    let v: Value = escape::toml_basic(q).parse().ok()?;
    (v.as_str() == Some(q)).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_is_written_with_its_invisible_characters_escaped() {
        let q = "€4.2\u{a0}million, l’Iran\u{200b}";
        let mut doc: DocumentMut = "quote = \"x\"  # kept\n".parse().unwrap();
        replace_value(
            doc["quote"].as_value_mut().unwrap(),
            quote_value(q).unwrap(),
        );
        assert_eq!(
            doc.to_string(),
            "quote = \"€4.2\\u00A0million, l’Iran\\u200B\"  # kept\n"
        );
        let back: DocumentMut = doc.to_string().parse().unwrap();
        assert_eq!(back["quote"].as_str(), Some(q));
    }
}
