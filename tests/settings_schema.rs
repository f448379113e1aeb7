//! `schema/cilint-toml.schema.json` describes `.cilint.toml`: the README's example validates, and
//! the schema agrees with cilint's own reading of settings files on good and bad samples.

mod common;

use common::root;
use serde_json::Value;
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schema/cilint-toml.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).expect("a valid draft-7 schema")
}

fn as_json(toml_text: &str) -> Value {
    toml_edit::de::from_str(toml_text).expect("TOML")
}

/// The README's ```toml blocks (not those whose info string names another file, such as
/// ```` ```toml languages.toml ````, Helix's configuration).
fn readme_toml_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut rest = readme.as_str();
    while let Some(i) = rest.find("```toml\n") {
        let body = &rest[i + "```toml\n".len()..];
        let end = body.find("```").unwrap();
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    blocks
}

#[test]
fn readme_example_validates() {
    let v = validator();
    let blocks = readme_toml_blocks();
    assert!(!blocks.is_empty(), "the README shows a .cilint.toml");
    for block in &blocks {
        let json = as_json(block);
        let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{block}\n{errors:?}");
        // cilint reads it too.
        cilint::Settings::from_toml(block, Path::new("/repo/.cilint.toml")).unwrap();
    }
    // The example uses every section the schema knows.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/cilint-toml.schema.json")).unwrap(),
    )
    .unwrap();
    let sections: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    for s in sections {
        assert!(
            blocks.iter().any(|b| b.contains(&format!("[{s}]"))),
            "the README's example shows [{s}]"
        );
    }
}

#[test]
fn schema_and_cilint_agree() {
    let v = validator();
    let samples = [
        ("", true),
        ("[rules]\nduplicate-key = \"off\"\n", true),
        ("[rules]\nduplicate-key = \"warn\"\n", false),
        ("[rulez]\n", false),
        ("[env]\nproject = [\"A_B\", \"C\"]\n", true),
        ("[env]\nprojects = []\n", false),
        ("[env]\nproject = \"A\"\n", false),
        ("[contexts]\nprod = [\"AWS_KEY\"]\n", true),
        ("[contexts]\nprod = \"AWS_KEY\"\n", false),
        ("[orbs]\ncache = \".cilint/orbs\"\n", true),
        ("[orbs]\ncash = \"x\"\n", false),
    ];
    for (text, good) in samples {
        let by_schema = v.is_valid(&as_json(text));
        let by_cilint = cilint::Settings::from_toml(text, Path::new("/r/.cilint.toml")).is_ok();
        assert_eq!(by_schema, good, "schema on {text:?}");
        assert_eq!(by_cilint, good, "cilint on {text:?}");
    }
}

#[test]
fn every_rule_id_fits_the_schema() {
    let v = validator();
    for rule in cilint::rules() {
        let json = as_json(&format!("[rules]\n\"{}\" = \"off\"\n", rule.id));
        assert!(v.is_valid(&json), "{}", rule.id);
    }
}
