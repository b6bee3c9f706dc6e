//! The OpenAPI 3.1 description of the JSON API, built from the route table
//! and the request/response shapes below, served at `/api/openapi.json`, and
//! a readable reference at `/api/docs`. A test fails if an API route of the
//! table has no description here.

use crate::routes::{Route, TENANT_ROUTES};
use serde_json::{Value, json};

struct Spec {
    summary: &'static str,
    request: Option<Value>,
    response: (u16, Value),
    /// Media types of the request and response bodies (JSON unless said).
    request_type: &'static str,
    response_type: &'static str,
}

fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "additionalProperties": false, "properties": props, "required": required })
}

fn id_obj(name: &str) -> Value {
    obj(json!({ name: { "type": "string", "format": "uuid" } }), &[name])
}

fn spec(route: &Route) -> Option<Spec> {
    let s = |summary, request, code, response| {
        Some(Spec {
            summary,
            request,
            response: (code, response),
            request_type: "application/json",
            response_type: "application/json",
        })
    };
    let done = |summary| s(summary, None, 204, Value::Null);
    let meeting = obj(
        json!({
            "id": {"type": "string", "format": "uuid"}, "title": {"type": "string"}, "objectives": {"type": "string"},
            "place": {"type": "string"}, "starts_at": {"type": "string", "format": "date-time"},
            "local_start": {"type": "string", "description": "YYYY-MM-DDTHH:MM in time_zone"},
            "time_zone": {"type": "string"}, "duration_minutes": {"type": "integer"},
            "status": {"enum": ["draft", "shared", "cancelled", "archived"]},
            "my_role": {"enum": ["organiser", "editor", "contributor", "reader"]}, "version": {"type": "integer"}
        }),
        &["id", "title", "starts_at", "time_zone", "status"],
    );
    let item = obj(
        json!({"kind": {"enum": ["discuss", "note"]}, "title": {"type": "string", "maxLength": 200}}),
        &["kind", "title"],
    );
    let sub = obj(
        json!({"title": {"type": "string", "maxLength": 200}, "items": {"type": "array", "items": item.clone()}}),
        &["title"],
    );
    let agenda = obj(
        json!({"topics": {"type": "array", "items": obj(
            json!({"title": {"type": "string", "maxLength": 200}, "items": {"type": "array", "items": item},
                   "subtopics": {"type": "array", "items": sub}}),
            &["title"],
        )}}),
        &["topics"],
    );
    match (route.method, route.path.trim_start_matches("/t/{slug}/api/v1")) {
        ("GET", "/me") => s("The signed-in user", None, 200, json!({"type": "object"})),
        ("GET", "/sessions") => s("My sessions (device, address, last activity)", None, 200, json!({"type": "object"})),
        ("DELETE", "/sessions/{id}") => s("End one of my sessions", None, 204, Value::Null),
        ("GET", "/members") => s("Members of the organisation (admins)", None, 200, json!({"type": "object"})),
        ("POST", "/members") => s(
            "Invite someone (admins); sends the activation e-mail",
            Some(obj(
                json!({"email": {"type": "string", "format": "email"}, "role": {"enum": ["owner", "admin", "member", "guest"]}}),
                &["email", "role"],
            )),
            201,
            id_obj("id"),
        ),
        ("GET", "/meetings/{id}/minutes") => Some(Spec {
            summary: "The minutes as a file: ?format=markdown (default), html or pdf",
            request: None,
            response: (200, json!({"type": "string"})),
            request_type: "application/json",
            response_type: "text/markdown",
        }),
        ("GET", "/search") => s(
            "Search the meetings you may see: ?q=words (accents and plurals folded), best first",
            None,
            200,
            json!({"type": "object", "properties": {"results": {"type": "array", "items": obj(
                json!({"meeting_id": {"type": "string", "format": "uuid"}, "meeting_title": {"type": "string"},
                       "when": {"type": "string"}, "element_id": {"type": ["string", "null"]},
                       "kind": {"type": ["string", "null"]}, "title": {"type": ["string", "null"]},
                       "excerpt": {"type": ["string", "null"]}, "score": {"type": "integer"}}),
                &["meeting_id", "meeting_title", "when", "score"],
            )}}}),
        ),
        ("GET", "/templates") => s(
            "The organisation's agenda templates (not for guests)",
            None,
            200,
            json!({"type": "object", "properties": {"templates": {"type": "array", "items": obj(
                json!({"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "agenda": agenda.clone(),
                       "created_at": {"type": "string", "format": "date-time"}}),
                &["id", "name", "agenda"],
            )}}}),
        ),
        ("POST", "/templates") => s(
            "Save an agenda template: a meeting's agenda (meeting_id) or one given (agenda), not both",
            Some(obj(
                json!({"name": {"type": "string", "maxLength": 200}, "meeting_id": {"type": "string", "format": "uuid"}, "agenda": agenda.clone()}),
                &["name"],
            )),
            201,
            id_obj("id"),
        ),
        ("DELETE", "/templates/{id}") => done("Delete an agenda template (whoever saved it, or an admin)"),
        ("GET", "/meetings") => s(
            "Meetings I take part in",
            None,
            200,
            json!({"type": "object", "properties": {"meetings": {"type": "array", "items": meeting}}}),
        ),
        ("POST", "/meetings") => s(
            "Create a meeting (I am its organiser)",
            Some(obj(
                json!({
                    "title": {"type": "string", "maxLength": 200}, "objectives": {"type": "string", "maxLength": 20000},
                    "starts_at": {"type": "string", "description": "local date and time, YYYY-MM-DDTHH:MM"},
                    "time_zone": {"type": "string", "description": "IANA name, e.g. Europe/Paris"},
                    "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 1440}, "place": {"type": "string", "maxLength": 500},
                    "template_id": {"type": "string", "format": "uuid", "description": "start with this agenda template's topics and standing items"}
                }),
                &["title", "starts_at", "time_zone", "duration_minutes"],
            )),
            201,
            id_obj("id"),
        ),
        ("GET", "/meetings/{id}") => s(
            "A meeting with its participants, topics, elements and remarks",
            None,
            200,
            json!({"type": "object", "properties": {"meeting": meeting}}),
        ),
        ("POST", "/meetings/{id}/participants") => s(
            "Add a participant (nothing is sent until access is shared)",
            Some(obj(
                json!({"email": {"type": "string", "format": "email"}, "role": {"enum": ["editor", "contributor", "reader"]}}),
                &["email", "role"],
            )),
            201,
            id_obj("user_id"),
        ),
        ("POST", "/meetings/{id}/share") => s(
            "Share access: invite every participant not yet invited",
            None,
            200,
            json!({"type": "object", "properties": {"invited": {"type": "integer"}}}),
        ),
        ("POST", "/meetings/{id}/next") => s(
            "Prepare the next meeting (of its series; else a follow-up at starts_at), carrying over open actions and unresolved topics",
            Some(obj(
                json!({"starts_at": {"type": "string", "description": "local YYYY-MM-DDTHH:MM; outside a series only"}}),
                &[],
            )),
            201,
            id_obj("id"),
        ),
        ("GET", "/series/{series}") => s(
            "A series: the meetings of it you may see, the next dates, and everything still open (the backlog)",
            None,
            200,
            json!({"type": "object", "properties": {
                "id": {"type": "string", "format": "uuid"},
                "meetings": {"type": "array", "items": {"type": "object"}},
                "upcoming": {"type": "array", "items": {"type": "string"}},
                "backlog": {"type": "array", "items": obj(json!({
                    "meeting_id": {"type": "string", "format": "uuid"}, "element_id": {"type": "string", "format": "uuid"},
                    "kind": {"type": "string", "enum": ["action", "discuss"]}, "title": {"type": "string"},
                    "owners": {"type": "string"}, "due_date": {"type": ["string", "null"]}, "since": {"type": ["string", "null"]}}),
                    &["meeting_id", "element_id", "kind", "title"])}}}),
        ),
        ("POST", "/meetings/{id}/minutes/send") => s(
            "E-mail the minutes (summary and PDF) to every invited participant",
            None,
            200,
            json!({"type": "object", "properties": {"sent": {"type": "integer"}}}),
        ),
        ("POST", "/meetings/{id}/topics") => s(
            "Add a topic, or a sub-topic with parent_id",
            Some(obj(
                json!({"title": {"type": "string", "maxLength": 200}, "parent_id": {"type": ["string", "null"], "format": "uuid"}}),
                &["title"],
            )),
            201,
            id_obj("id"),
        ),
        ("POST", "/meetings/{id}/elements") => s(
            "Add an element to a topic",
            Some(obj(
                json!({
                    "topic_id": {"type": "string", "format": "uuid"}, "kind": {"enum": ["decision", "action", "discuss", "note", "image"]},
                    "title": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "description": "HTML subset: b, i, mark, ul, ol, li, p, br, a (http, https, mailto); sanitised"},
                    "due_date": {"type": "string", "format": "date"}, "owners": {"type": "array", "items": {"type": "string", "format": "uuid"}}
                }),
                &["topic_id", "kind", "title"],
            )),
            201,
            id_obj("id"),
        ),
        ("POST", "/meetings/{id}/elements/{element}/comments") => s(
            "Add a remark on an element, or a reply with parent_id",
            Some(obj(
                json!({"body": {"type": "string", "maxLength": 20000}, "parent_id": {"type": ["string", "null"], "format": "uuid"}}),
                &["body"],
            )),
            201,
            id_obj("id"),
        ),
        ("POST", "/meetings/{id}/elements/{element}/status") => s(
            "Mark an action done or open",
            Some(obj(json!({"status": {"enum": ["open", "done"]}}), &["status"])),
            204,
            Value::Null,
        ),
        ("GET", "/actions") => s("My actions across meetings", None, 200, json!({"type": "object"})),
        ("GET", "/people") => s(
            "People I have met in a meeting I can see (the only names suggested when adding participants)",
            None,
            200,
            json!({"type": "object", "properties": {"people": {"type": "array", "items": obj(
                json!({"name": {"type": "string"}, "email": {"type": "string"}}), &["name", "email"])}}}),
        ),
        ("PATCH", "/meetings/{id}") => s(
            "Edit a meeting's details: absent fields keep their value; a stale version gets 409",
            Some(obj(
                json!({
                    "version": {"type": "integer", "description": "the version read"},
                    "title": {"type": "string", "maxLength": 200}, "objectives": {"type": "string", "maxLength": 20000},
                    "starts_at": {"type": "string", "description": "local date and time, YYYY-MM-DDTHH:MM"},
                    "time_zone": {"type": "string"}, "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 1440},
                    "place": {"type": "string", "maxLength": 500}
                }),
                &["version"],
            )),
            200,
            json!({"type": "object", "properties": {"meeting": meeting.clone()}}),
        ),
        ("POST", "/meetings/{id}/cancel") => s(
            "Cancel the meeting (it becomes read-only)",
            None,
            200,
            json!({"type": "object", "properties": {"meeting": meeting.clone()}}),
        ),
        ("POST", "/meetings/{id}/archive") => s(
            "Archive the meeting (read-only minutes)",
            None,
            200,
            json!({"type": "object", "properties": {"meeting": meeting.clone()}}),
        ),
        ("PATCH", "/meetings/{id}/participants/{user}") => s(
            "Change a participant's role (not the organiser's)",
            Some(obj(json!({"role": {"enum": ["editor", "contributor", "reader"]}}), &["role"])),
            204,
            Value::Null,
        ),
        ("DELETE", "/meetings/{id}/participants/{user}") => s(
            "Remove a participant (not the organiser); their actions and topics in this meeting are unassigned",
            None,
            204,
            Value::Null,
        ),
        ("POST", "/meetings/{id}/topics/{topic}/move") => s(
            "Move a topic to a place among the topics of its level",
            Some(obj(
                json!({"position": {"type": "integer", "minimum": 0, "description": "0-based; past the end means last"}}),
                &["position"],
            )),
            204,
            Value::Null,
        ),
        ("PATCH", "/meetings/{id}/elements/{element}") => s(
            "Edit an element: absent fields keep their value; owners (actions) replaces the list; a stale version gets 409",
            Some(obj(
                json!({
                    "version": {"type": "integer"}, "title": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "description": "HTML subset, sanitised"},
                    "due_date": {"type": "string", "format": "date"}, "topic_id": {"type": "string", "format": "uuid"},
                    "owners": {"type": "array", "items": {"type": "string", "format": "uuid"}}
                }),
                &["version"],
            )),
            204,
            Value::Null,
        ),
        ("POST", "/meetings/{id}/elements/{element}/move") => s(
            "Move an element to a place in a topic (the same one, or another of the meeting)",
            Some(obj(
                json!({"topic_id": {"type": "string", "format": "uuid"}, "position": {"type": "integer", "minimum": 0, "description": "0-based; past the end means last"}}),
                &["position"],
            )),
            204,
            Value::Null,
        ),
        ("PATCH", "/meetings/{id}/topics/{topic}") => s(
            "Rename a topic or sub-topic",
            Some(obj(json!({"title": {"type": "string", "maxLength": 200}}), &["title"])),
            204,
            Value::Null,
        ),
        ("DELETE", "/meetings/{id}/topics/{topic}") => {
            done("Delete a topic with its sub-topics and everything in them (recorded in the audit log)")
        }
        ("POST", "/meetings/{id}/topics/{topic}/contributors") => s(
            "Assign a participant as a contributor of a topic (who contributes to what)",
            Some(obj(json!({"user_id": {"type": "string", "format": "uuid"}}), &["user_id"])),
            204,
            Value::Null,
        ),
        ("DELETE", "/meetings/{id}/topics/{topic}/contributors/{user}") => {
            done("Take a participant off a topic's contributors")
        }
        ("DELETE", "/meetings/{id}/elements/{element}") => {
            done("Delete an element with its remarks and image (organiser, editors, or a contributor their own)")
        }
        ("DELETE", "/meetings/{id}/comments/{comment}") => {
            done("Delete a remark and its replies (its author, the organiser or an editor)")
        }
        ("GET", "/meetings/{id}/elements/{element}/image") => Some(Spec {
            summary: "An image element's picture, with its checked type",
            request: None,
            response: (200, json!({"type": "string", "contentMediaType": "image/*"})),
            request_type: "application/json",
            response_type: "image/*",
        }),
        ("POST", "/meetings/{id}/images") => Some(Spec {
            summary: "Upload a picture as a new image element (PNG, JPEG, WebP or GIF, checked by content)",
            request: Some(obj(
                json!({
                    "topic_id": {"type": "string", "format": "uuid"}, "title": {"type": "string", "maxLength": 200},
                    "file": {"type": "string", "contentMediaType": "application/octet-stream"}
                }),
                &["topic_id", "file"],
            )),
            response: (201, id_obj("id")),
            request_type: "multipart/form-data",
            response_type: "application/json",
        }),
        _ => None,
    }
}

/// The API routes of the table that have no description here (a test keeps
/// this empty).
pub fn undocumented() -> Vec<&'static Route> {
    TENANT_ROUTES.iter().filter(|r| r.path.contains("/api/") && spec(r).is_none()).collect()
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let error = json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}, "request_id": {"type": "string"}}}}});
    let mut paths = serde_json::Map::new();
    for r in TENANT_ROUTES.iter().filter(|r| r.path.contains("/api/")) {
        let Some(sp) = spec(r) else { continue };
        let params: Vec<Value> = ["slug", "id", "element", "topic", "user", "comment"]
            .iter()
            .filter(|p| r.path.contains(&format!("{{{p}}}")))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut op = json!({
            "summary": sp.summary,
            "operationId": format!("{}{}", r.method.to_lowercase(), r.path.replace("/t/{slug}/api/v1", "").replace(['/', '{', '}'], "_")),
            "parameters": params,
            "security": [{"bearer": []}, {"session": []}],
            "responses": {
                "400": {"description": "Malformed request", "content": {"application/json": {"schema": error}}},
                "401": {"description": "Not signed in, or the token is unknown or revoked"},
                "403": {"description": "Not allowed (or the X-CSRF-Token header is missing on a session call)"},
                "404": {"description": "Not found, or not yours to see"},
                "422": {"description": "Invalid input; `field` names it", "content": {"application/json": {"schema": error}}},
            }
        });
        let (code, body) = sp.response;
        op["responses"][code.to_string()] = if body.is_null() {
            json!({"description": "Done"})
        } else {
            json!({"description": "OK", "content": {sp.response_type: {"schema": body}}})
        };
        if let Some(req) = sp.request {
            op["requestBody"] = json!({"required": true, "content": {sp.request_type: {"schema": req}}});
        }
        let entry = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Ordo API",
            "version": "1",
            "description": "Meetings, agendas, elements, remarks and actions. Authenticate with a personal token (Settings → API tokens) as `Authorization: Bearer <token>`, or with the session cookie plus the `X-CSRF-Token` header. Bodies are JSON; unknown fields are refused."
        },
        "paths": paths,
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "__Host-ordo"}
        }}
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_api_route_is_in_the_openapi_document() {
        let missing: Vec<String> = super::undocumented().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
        assert!(missing.is_empty(), "API routes missing from the OpenAPI document: {missing:?}");
        let doc = super::document();
        let n: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
        let api_routes = crate::routes::TENANT_ROUTES.iter().filter(|r| r.path.contains("/api/")).count();
        assert_eq!(n, api_routes);
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
