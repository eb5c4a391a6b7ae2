//! The direct TOML reader (src/workspace/parse.rs) on arbitrary text: it must not panic, and
//! whenever it gives a tree, toml_edit must accept the text and give the same tree.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Some(direct) = prov::workspace::parse::direct(text) else {
        return;
    };
    let doc = toml_edit::Document::parse(text).expect("the direct reader accepted invalid TOML");
    let reference = prov::workspace::tree::from_document(doc.as_table());
    assert_eq!(format!("{direct:?}"), format!("{reference:?}"));
});
