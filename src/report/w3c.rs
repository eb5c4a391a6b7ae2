//! Citations as W3C Web Annotations (JSON-LD, <https://www.w3.org/TR/annotation-model/>): one
//! annotation per citation that holds, targeting the snapshot by its sha256 (`urn:sha256:…`,
//! the exact bytes the offsets refer to) with the page's url as scope, selected both by a
//! TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector in code points. The
//! body is the fact (its language is not recorded, so none is claimed), with the purpose
//! `assessing` for support and `questioning` for contradiction; a citation that only reports a
//! party's statement says so.

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

pub fn render(r: &Report) -> Value {
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
            let mut target = json!({
                "source": format!("urn:sha256:{sha}"),
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
            let value = match (c.stance, &c.said_by) {
                (Stance::Supports, None) => f.statement.to_string(),
                (Stance::Supports, Some(p)) => {
                    format!("{} (as reported: {p} said so)", f.statement)
                }
                (Stance::Contradicts, None) => format!("Contradicts: {}", f.statement),
                (Stance::Contradicts, Some(p)) => {
                    format!(
                        "Contradicts, as reported ({p} said otherwise): {}",
                        f.statement
                    )
                }
            };
            let body = json!({
                "type": "TextualBody",
                "value": value,
                "format": "text/plain",
                "purpose": purpose,
            });
            items.push(json!({
                "id": format!("urn:prov:claim:{}:{}", f.claim, i + 1),
                "type": "Annotation",
                "motivation": purpose,
                "body": body,
                "target": target,
            }));
        }
    }
    json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": format!("urn:prov:workspace:{}", r.workspace.sha256),
        "type": "AnnotationCollection",
        "label": "Citations verified by prov",
        "total": items.len(),
        "first": {
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    })
}
