//! Machine-readable outputs against the schemas others validate them with: every JSON document
//! the end-to-end cases snapshot, and the example's `check` and `report` JSON, against the
//! schemas prov ships (docs/schema/); the W3C Web Annotation export against the W3C's own
//! test assertions (every MUST, tests/data/web-annotation-tests/).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{example, prov, repo, tiny};

fn schema(name: &str) -> jsonschema::Validator {
    let text = fs::read_to_string(repo().join("docs/schema").join(name)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every JSON document in a snapshot: each line that is exactly `{` starts one.
fn documents(snap: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in snap.split_inclusive('\n') {
        if line.trim_end() == "{" {
            let mut stream = serde_json::Deserializer::from_str(&snap[at..]).into_iter::<Value>();
            if let Some(Ok(v)) = stream.next() {
                out.push(v);
            }
        }
        at += line.len();
    }
    out
}

/// The JSON that the end-to-end cases snapshot, and so docs/json.md and docs/report.md
/// describe, validates against the schemas prov ships.
#[test]
fn every_snapshotted_json_document_matches_its_schema() {
    let check = schema("prov-check-1.json");
    let report = schema("prov-report-1.json");
    let mut seen = (0, 0);
    let mut paths: Vec<PathBuf> = fs::read_dir(repo().join("tests/cases/snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .collect();
    paths.sort();
    for path in paths {
        let snap = fs::read_to_string(&path).unwrap();
        for doc in documents(&snap) {
            let (validator, count) = match doc["schema"].as_str() {
                Some("prov-check/1") => (&check, &mut seen.0),
                Some("prov-report/1") => (&report, &mut seen.1),
                _ => continue,
            };
            *count += 1;
            let errs = errors(validator, &doc);
            assert!(errs.is_empty(), "{}: {errs:#?}", path.display());
        }
    }
    assert!(seen.0 >= 8, "prov-check/1 documents found: {}", seen.0);
    assert!(seen.1 >= 1, "prov-report/1 documents found: {}", seen.1);
}

/// The example workspace's documents, with a pending capture and a moved span so that most
/// fields are set, validate too.
#[test]
fn the_examples_json_matches_the_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    example(tmp.path());
    common::edit(
        tmp.path(),
        "claims/ashraf-raid.toml",
        "span = [235, 339]",
        "span = [230, 334]",
    );
    let snap = fs::read_to_string(tmp.path().join("snapshots/fox-ashraf-raid.txt")).unwrap();
    fs::write(
        tmp.path().join("snapshots/fox-ashraf-raid.new.txt"),
        snap.replace("66 ans", "65 ans"),
    )
    .unwrap();
    let out = prov(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let errs = errors(&schema("prov-check-1.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    assert!(doc["citations"].as_array().unwrap().len() > 80);

    let out = prov(tmp.path(), &["report", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let errs = errors(&schema("prov-report-1.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    assert!(!doc["findings"].as_array().unwrap().is_empty());

    // Negative controls: the schemas are closed, so a missing or an unknown field fails.
    let mut broken = doc.clone();
    broken["facts"][0].as_object_mut().unwrap().remove("matrix");
    broken["summary"]["surprise"] = Value::Bool(true);
    let errs = errors(&schema("prov-report-1.json"), &broken);
    assert_eq!(errs.len(), 2, "{errs:#?}");

    // An invalid workspace's document is the other shape the schema allows.
    fs::write(tmp.path().join("claims/bad.toml"), "[[claim]]\nid = \n").unwrap();
    let out = prov(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, Some(2));
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let errs = errors(&schema("prov-check-1.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
}

/// The W3C test assertions (draft 04 schemas) and the definitions they refer to, resolved
/// offline from tests/data/web-annotation-tests.
struct W3c {
    dir: PathBuf,
}

const W3C_BASE: &str = "https://w3c.invalid/web-annotation-tests/";

impl jsonschema::Retrieve for W3c {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        // Every `$ref` names a file of definitions/ (relative to the assertion, which sits
        // anywhere in the tree): map it there by name.
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let name = name.split('#').next().unwrap_or_default();
        let text = fs::read_to_string(self.dir.join("definitions").join(name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// The assertions a `.test` file lists, compiled.
fn assertions(list: &str) -> Vec<(String, jsonschema::Validator)> {
    let dir = repo().join("tests/data/web-annotation-tests");
    let test: Value = serde_json::from_str(&fs::read_to_string(dir.join(list)).unwrap()).unwrap();
    test["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_str().unwrap();
            let schema: Value =
                serde_json::from_str(&fs::read_to_string(dir.join(a)).unwrap()).unwrap();
            assert_eq!(schema["expectedResult"], "valid", "{a}");
            assert_eq!(schema["assertionType"], "must", "{a}");
            let base = format!("{W3C_BASE}{a}");
            let v = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(true)
                .with_base_uri(base)
                .with_retriever(W3c { dir: dir.clone() })
                .build(&schema)
                .unwrap_or_else(|e| panic!("{a}: {e}"));
            (a.to_string(), v)
        })
        .collect()
}

fn w3c_failures(doc: &Value) -> Vec<String> {
    let mut failed = Vec::new();
    // The page assertions apply to a collection whose page is embedded as `first` (the
    // assertions say so); a collection without annotations has no page to check.
    let lists: &[&str] = if doc.get("first").is_some() {
        &[
            "collections/collectionMusts.test",
            "collections/pages/pageMusts.test",
        ]
    } else {
        &["collections/collectionMusts.test"]
    };
    for &list in lists {
        for (name, v) in assertions(list) {
            if !v.is_valid(doc) {
                failed.push(format!("collection: {name}"));
            }
        }
    }
    let annotation = assertions("annotations/annotationMusts.test");
    if let Some(items) = doc["first"]["items"].as_array() {
        for item in items {
            for (name, v) in &annotation {
                if !v.is_valid(item) {
                    failed.push(format!("{}: {name}", item["id"]));
                }
            }
        }
    }
    failed
}

fn w3c(dir: &Path) -> Value {
    let out = prov(dir, &["report", "--format", "w3c"]);
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// The export passes every MUST of the W3C's Web Annotation test suite: the collection, its
/// page (§5.2: an `id`, at least one item) and each annotation.
#[test]
fn w3c_export_passes_the_w3c_musts() {
    let tmp = tempfile::tempdir().unwrap();
    example(tmp.path());
    let doc = w3c(tmp.path());
    let failed = w3c_failures(&doc);
    assert!(failed.is_empty(), "{failed:#?}");
    let total = doc["total"].as_u64().unwrap();
    assert!(total > 80);
    let page = &doc["first"];
    assert_eq!(page["items"].as_array().unwrap().len() as u64, total);
    assert_eq!(page["partOf"], doc["id"]);
    assert_eq!(doc["last"], page["id"]);
    // The source's language is on the target's source (the snapshot), not on the body (the
    // fact, whose language is not recorded).
    let first = &page["items"][0];
    assert!(first["body"].get("language").is_none());
    assert_eq!(first["target"]["source"]["format"], "text/plain");

    // A negative control: without the page's id the §5.2 assertion fails, so the check is
    // not vacuous.
    let mut broken = doc.clone();
    broken["first"].as_object_mut().unwrap().remove("id");
    let failed = w3c_failures(&broken);
    assert!(
        failed.iter().any(|f| f.contains("5.2-pageIdValidated")),
        "{failed:#?}"
    );
}

/// With no citation that holds, the collection has no page: a page must hold at least one
/// annotation, and `first` is needed only when `total` is more than zero.
#[test]
fn w3c_export_without_annotations_has_no_page() {
    let tmp = tempfile::tempdir().unwrap();
    tiny(tmp.path());
    for f in ["claims/facts.toml", "claims/embassy.toml"] {
        let p = tmp.path().join(f);
        let t = fs::read_to_string(&p).unwrap();
        // Every quote broken: nothing holds.
        let t = t.replace("quote = \"", "quote = \"zzz ");
        fs::write(&p, t).unwrap();
    }
    let doc = w3c(tmp.path());
    assert_eq!(doc["total"], 0);
    assert!(
        doc.get("first").is_none() && doc.get("last").is_none(),
        "{doc:#}"
    );
    let failed = w3c_failures(&doc);
    assert!(failed.is_empty(), "{failed:#?}");
}
