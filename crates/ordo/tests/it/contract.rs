//! The API's contract, checked on every answer the suite receives: each
//! response of an API route is validated against the OpenAPI document
//! (its status must be documented for that operation, and a JSON body
//! must match the schema generated from the type that wrote it). The
//! test client calls [`check`] on everything it receives, so every API
//! test of the suite is also a contract test.

use jsonschema::Validator;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

static DOC: LazyLock<Value> = LazyLock::new(ordo_web::openapi::document);

type Key = (String, String, u16);
static VALIDATORS: LazyLock<Mutex<HashMap<Key, Arc<Validator>>>> = LazyLock::new(Default::default);

/// The documented path a concrete API path answers to (literal segments
/// preferred over parameters).
fn template_of(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, String)> = None;
    for template in DOC["paths"].as_object()?.keys() {
        let t: Vec<&str> = template.split('/').collect();
        if t.len() != segs.len() {
            continue;
        }
        let mut literal = 0;
        let fits = t.iter().zip(&segs).all(|(a, b)| {
            if a.starts_with('{') {
                true
            } else {
                literal += 1;
                a == b
            }
        });
        if fits && best.as_ref().is_none_or(|(n, _)| literal > *n) {
            best = Some((literal, template.clone()));
        }
    }
    best.map(|(_, t)| t)
}

fn media_fits(documented: &str, got: &str) -> bool {
    let got = got.split(';').next().unwrap_or("").trim();
    match documented.strip_suffix("/*") {
        Some(prefix) => got.split('/').next() == Some(prefix),
        None => documented == got,
    }
}

fn validator(template: &str, method: &str, status: u16, schema: &Value) -> Arc<Validator> {
    let key = (template.to_owned(), method.to_owned(), status);
    let mut cache = VALIDATORS.lock().unwrap();
    cache
        .entry(key)
        .or_insert_with(|| {
            // The operation's schema, with the document's components at the
            // root so that `#/components/schemas/...` resolves.
            let wrapper = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": DOC["components"],
                "allOf": [schema],
            });
            Arc::new(jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&wrapper).unwrap_or_else(
                |e| panic!("{method} {template} {status}: the document's schema does not compile: {e}"),
            ))
        })
        .clone()
}

/// Check one answer of the server against the document.
pub fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &[u8]) {
    if !path.contains("/api/v1/") {
        return;
    }
    let method = if method == "HEAD" { "get".to_owned() } else { method.to_lowercase() };
    let Some(template) = template_of(path) else {
        // No such route: not found, whatever the method.
        assert_eq!(status, 404, "{method} {path}: an undocumented path answered {status}");
        return;
    };
    let op = &DOC["paths"][&template][&method];
    if !op.is_object() {
        // The path exists, not with this method: refused with 405.
        assert_eq!(status, 405, "{method} {template}: an undocumented operation answered {status}");
        return;
    }
    let response = &op["responses"][status.to_string()];
    assert!(response.is_object(), "{method} {template} answered {status}, which its documentation does not list");
    let Some(content) = response["content"].as_object() else {
        assert!(body.is_empty(), "{method} {template} {status}: a body where the document says none");
        return;
    };
    let got = content_type.unwrap_or("");
    let (media, documented) = content
        .iter()
        .find(|(m, _)| media_fits(m, got))
        .unwrap_or_else(|| panic!("{method} {template} {status}: answered {got:?}, documented {:?}", content.keys()));
    if media != "application/json" {
        return;
    }
    let value: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{method} {template} {status}: not JSON ({e}): {}", String::from_utf8_lossy(body)));
    let v = validator(&template, &method, status, &documented["schema"]);
    if let Err(e) = v.validate(&value) {
        panic!("{method} {template} {status}: the answer does not match its schema: {e}\n{value:#}");
    }
}

/// Every API route of the route table is in the document with its bodies:
/// a request schema for every write that reads one (and the declaration
/// says when it reads nothing), a schema for every answer but 204.
#[test]
fn every_api_route_is_documented_with_its_bodies() {
    let mut ops = 0;
    for d in ordo_web::routes::tenant_decls() {
        let r = d.route;
        if !r.path.contains("/api/") {
            assert!(d.doc.is_none(), "{} {}: a page documented as API", r.method, r.path);
            continue;
        }
        let doc = d.doc.unwrap_or_else(|| panic!("{} {} is not documented", r.method, r.path));
        let op = &DOC["paths"][r.path][r.method.to_lowercase()];
        assert!(op.is_object(), "{} {} missing from the OpenAPI document", r.method, r.path);
        if !matches!(r.method, "GET" | "DELETE") {
            let has_body =
                op["requestBody"]["content"].as_object().is_some_and(|c| c.values().all(|m| m["schema"].is_object()));
            assert!(has_body || doc.reads_nothing(), "{} {}: a write without its request schema", r.method, r.path);
        }
        let responses = op["responses"].as_object().unwrap();
        let ok: Vec<_> = responses.keys().filter(|s| s.starts_with('2')).collect();
        assert!(!ok.is_empty(), "{} {}: no success answer documented", r.method, r.path);
        for (status, resp) in responses {
            if status == "204" {
                continue;
            }
            let content = resp["content"].as_object();
            assert!(
                content.is_some_and(|c| !c.is_empty() && c.values().all(|m| m["schema"].is_object())),
                "{} {} {status}: no schema",
                r.method,
                r.path
            );
        }
        ops += 1;
    }
    assert!(ops >= 60, "{ops} API operations");
    // JSON request bodies refuse unknown fields, and say so.
    let mut json_inputs = 0;
    for item in DOC["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(r) = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str() else {
                continue;
            };
            let name = r.trim_start_matches("#/components/schemas/");
            let schema = &DOC["components"]["schemas"][name];
            if schema["type"] == "object" {
                assert_eq!(schema["additionalProperties"], false, "{name} accepts unknown fields in the document");
                json_inputs += 1;
            }
        }
    }
    assert!(json_inputs >= 20, "{json_inputs} JSON request bodies");
}
