//! Checks each request against GitHub's own OpenAPI description
//! (`tests/fixtures/github/rest/openapi-subset.json`): the method and path must be
//! an operation GitHub has, and the JSON body must satisfy its schema.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = super::super::webhooks::fixtures_dir().join("github/rest/openapi-subset.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("read openapi-subset.json"))
            .expect("spec is JSON")
    })
}

fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    // `{path}` of the contents API may span several segments.
    if t.last() == Some(&"{path}") && p.len() >= t.len() {
        return t[..t.len() - 1]
            .iter()
            .zip(&p)
            .all(|(a, b)| a.starts_with('{') || a == b);
    }
    t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a.starts_with('{') || a == b)
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// Why GitHub would reject this request, if it would.
pub fn violation(method: &str, path: &str, body: Option<&Value>) -> Option<String> {
    let method = method.to_ascii_lowercase();
    let paths = spec().get("paths")?.as_object()?;
    let Some((template, op)) = paths
        .iter()
        .find(|(t, ops)| matches(t, path) && ops.get(&method).is_some())
    else {
        return Some(format!(
            "{} {path} is not an operation in GitHub's API description",
            method.to_uppercase()
        ));
    };
    let op = op.get(&method)?;
    let has_schema = op
        .pointer("/requestBody/content/application~1json/schema")
        .is_some();
    match (body, has_schema) {
        (None, _) => None,
        (Some(_), false) => Some(format!(
            "{} {template} takes no request body",
            method.to_uppercase()
        )),
        (Some(body), true) => {
            let pointer = format!(
                "#/paths/{}/{method}/requestBody/content/application~1json/schema",
                pointer_escape(template)
            );
            validate(&pointer, body).map(|e| format!("{} {template}: {e}", method.to_uppercase()))
        }
    }
}

fn validate(pointer: &str, body: &Value) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<String, jsonschema::Validator>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    if !cache.contains_key(pointer) {
        let mut root = spec().clone();
        root.as_object_mut()?
            .insert("$ref".into(), Value::String(pointer.to_string()));
        let validator =
            jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema {pointer}: {e}"));
        cache.insert(pointer.to_string(), validator);
    }
    let v = cache.get(pointer)?;
    let errors: Vec<String> = v
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}
