//! Citations as W3C Web Annotations (JSON-LD, <https://www.w3.org/TR/annotation-model/>): one
//! annotation per citation that holds, targeting the snapshot by its sha256 (`urn:sha256:…`,
//! the exact bytes the offsets refer to, plain text in the source's `language` when it has one)
//! with the page's url as scope, selected both by a TextQuoteSelector (exact, prefix, suffix)
//! and a TextPositionSelector in code points. The body is the fact (its language is not
//! recorded, so none is claimed), with the purpose `assessing` for support and `questioning`
//! for contradiction; a citation that only reports a party's statement says so. The collection
//! has one page, embedded as `first`, when it has annotations (a page must have at least one),
//! and none otherwise.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Report;
use crate::workspace::Stance;

fn tail(s: &str, n: usize) -> String {
    let c: Vec<char> = s.chars().collect();
    c[c.len().saturating_sub(n)..].iter().collect()
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The body's text: the fact, saying how the citation relates to it.
pub fn body_value(statement: &str, stance: Stance, said_by: Option<&str>) -> String {
    let head = match stance {
        Stance::Supports => statement.to_string(),
        Stance::Contradicts => format!("Contradicts: {statement}"),
    };
    match (stance, said_by) {
        (_, None) => head,
        (Stance::Supports, Some(p)) => format!("{head} (as reported: {p} said so)"),
        (Stance::Contradicts, Some(p)) => format!("{head} (as reported: {p} said otherwise)"),
    }
}

const CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";

pub fn render(r: &Report) -> Value {
    let language: HashMap<&str, &str> = r
        .sources
        .iter()
        .filter_map(|s| Some((s.id, s.language?)))
        .collect();
    let mut items = Vec::new();
    for f in &r.facts {
        for (i, c) in f.citations.iter().enumerate() {
            let (Some([start, end]), Some(sha)) = (c.found, &c.verified_sha256) else {
                continue;
            };
            let purpose = match c.stance {
                Stance::Supports => "assessing",
                Stance::Contradicts => "questioning",
            };
            let mut source = json!({
                "id": format!("urn:sha256:{sha}"),
                "type": "Text",
                "format": "text/plain",
            });
            if let Some(l) = language.get(c.source) {
                source["language"] = json!(l);
            }
            let mut target = json!({
                "source": source,
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": c.text,
                        "prefix": tail(&c.before, 32),
                        "suffix": head(&c.after, 32),
                    },
                    { "type": "TextPositionSelector", "start": start, "end": end },
                ],
            });
            if let Some(url) = &c.url {
                target["scope"] = json!(url);
            }
            let body = json!({
                "type": "TextualBody",
                "value": body_value(f.statement, c.stance, c.said_by),
                "format": "text/plain",
                "purpose": purpose,
            });
            items.push(json!({
                // Each annotation stands on its own (§3.1: it MUST have a @context).
                "@context": CONTEXT,
                "id": format!("urn:prov:claim:{}:{}", f.claim, i + 1),
                "type": "Annotation",
                "motivation": purpose,
                "body": body,
                "target": target,
            }));
        }
    }
    let id = format!("urn:prov:workspace:{}", r.workspace.sha256);
    let mut collection = json!({
        "@context": CONTEXT,
        "id": id,
        "type": "AnnotationCollection",
        "label": "Citations verified by prov",
        "total": items.len(),
    });
    if !items.is_empty() {
        let page = format!("{id}:page:1");
        collection["first"] = json!({
            "id": page,
            "type": "AnnotationPage",
            "partOf": id,
            "startIndex": 0,
            "items": items,
        });
        collection["last"] = json!(page);
    }
    collection
}
