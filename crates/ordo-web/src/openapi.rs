//! The OpenAPI 3.1 description of the JSON API, generated: each API route's
//! declaration names the Rust types of its bodies, and their schemas come
//! from those types (utoipa's `ToSchema`, derived next to the `serde`
//! derives that (de)serialise them). Served at `/api/openapi.json`, with a
//! readable reference at `/api/docs`.

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, ObjectBuilder, OpenApiBuilder, PathItem, PathsBuilder, Ref, RefOr,
    Required, ResponseBuilder, Schema, Type,
};

type Schemas = Vec<(String, RefOr<Schema>)>;

/// A body's media type and schema (its type's, collected with the schemas
/// it refers to).
#[derive(Clone, Copy)]
pub struct Body {
    media: &'static str,
    schema: fn(&mut Schemas) -> RefOr<Schema>,
}

fn of<T: ToSchema>(all: &mut Schemas) -> RefOr<Schema> {
    all.push((T::name().into_owned(), T::schema()));
    T::schemas(all);
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

fn binary(_: &mut Schemas) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::String).content_media_type("application/octet-stream").build(),
    ))
}

/// A query parameter.
#[derive(Clone, Copy)]
struct Query {
    name: &'static str,
    description: &'static str,
    integer: bool,
    /// Its only values, when it has a few.
    values: &'static [&'static str],
}

/// The documentation of one API route.
#[derive(Clone)]
pub struct Doc {
    summary: &'static str,
    request: Option<Body>,
    /// No body is read (a write that needs no input).
    no_body: bool,
    responses: Vec<(u16, Vec<Body>)>,
    query: Vec<Query>,
    conflict: bool,
    /// The body may be left out.
    optional: bool,
}

impl Doc {
    pub fn new(summary: &'static str) -> Self {
        Doc {
            summary,
            request: None,
            no_body: false,
            responses: Vec::new(),
            query: Vec::new(),
            conflict: false,
            optional: false,
        }
    }
    /// The JSON body it reads.
    pub fn body<T: ToSchema>(mut self) -> Self {
        self.request = Some(Body { media: "application/json", schema: of::<T> });
        self
    }
    /// The multipart form it reads (uploads).
    pub fn upload<T: ToSchema>(mut self) -> Self {
        self.request = Some(Body { media: "multipart/form-data", schema: of::<T> });
        self
    }
    /// A write without input.
    pub fn no_body(mut self) -> Self {
        self.no_body = true;
        self
    }
    /// Its answer: `status` with a JSON body of type `T`.
    pub fn ok<T: ToSchema>(mut self, status: u16) -> Self {
        self.responses.push((status, vec![Body { media: "application/json", schema: of::<T> }]));
        self
    }
    /// Its answer: 204, no body.
    pub fn done(mut self) -> Self {
        self.responses.push((204, Vec::new()));
        self
    }
    /// Its answer: a file of one of these media types.
    pub fn file(mut self, media: &[&'static str]) -> Self {
        self.responses.push((200, media.iter().map(|m| Body { media: m, schema: binary }).collect()));
        self
    }
    pub fn query(mut self, name: &'static str, description: &'static str) -> Self {
        self.query.push(Query { name, description, integer: false, values: &[] });
        self
    }
    pub fn query_int(mut self, name: &'static str, description: &'static str) -> Self {
        self.query.push(Query { name, description, integer: true, values: &[] });
        self
    }
    pub fn query_one_of(
        mut self,
        name: &'static str,
        description: &'static str,
        values: &'static [&'static str],
    ) -> Self {
        self.query.push(Query { name, description, integer: false, values });
        self
    }
    /// The JSON body it reads, which may be left out.
    pub fn optional_body<T: ToSchema>(mut self) -> Self {
        self.request = Some(Body { media: "application/json", schema: of::<T> });
        self.optional = true;
        self
    }
    /// It may answer 409 (a stale version, a state that changed meanwhile).
    pub fn conflict(mut self) -> Self {
        self.conflict = true;
        self
    }

    pub fn request_media(&self) -> Option<&'static str> {
        self.request.map(|b| b.media)
    }
    pub fn reads_nothing(&self) -> bool {
        self.no_body
    }
}

/// Every error answer: its code, a translated message, the request id, and
/// the offending field when there is one.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `not_found`, `forbidden`, `csrf`, `unauthenticated`, `conflict`,
    /// `invalid_json`, `throttled`, `too_large`, `bad_request`, `internal`,
    /// or a field error's own code (`title.too_long`, ...).
    pub code: String,
    pub message: String,
    pub request_id: String,
    /// The field the error is about (a JSON path for a body that does not decode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// What every API call may answer besides its own success.
const ERRORS: &[(u16, &str)] = &[
    (400, "Malformed request"),
    (401, "Not signed in, or the API token is unknown or revoked"),
    (403, "Not allowed, or the anti-forgery token is missing"),
    (404, "No such thing (or not visible to the caller)"),
    (408, "The request took too long (a body sent too slowly)"),
    (413, "Body too large"),
    (422, "A value is refused; `field` names it (also a valid id or address that names nothing the caller may use)"),
    (
        429,
        "Too many attempts, or too many costly requests (search, exports, the audit log) at once; `Retry-After` says when to try again",
    ),
    (500, "Server error; the request id is in the logs"),
    (503, "Busy: a bounded resource (picture decoding) stayed full; `Retry-After` says when to try again"),
];

fn method(m: &str) -> HttpMethod {
    match m {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PATCH" => HttpMethod::Patch,
        "PUT" => HttpMethod::Put,
        _ => HttpMethod::Delete,
    }
}

/// The path's parameters, from its template (`{slug}`, `{id}`, ...).
fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect()
}

/// The OpenAPI document, from the declarations of the API routes.
/// The document, built on first use and kept: it depends on nothing but
/// the code.
pub fn cached() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(document)
}

pub fn document() -> serde_json::Value {
    let mut schemas: Schemas = Vec::new();
    // Request bodies refuse unknown fields (the `Json` extractor) and
    // unknown parts (`read_upload`).
    let mut strict: Vec<String> = Vec::new();
    let error_ref = of::<ErrorBody>(&mut schemas);
    let mut paths = PathsBuilder::new();
    let mut items: Vec<(String, PathItem)> = Vec::new();
    for d in crate::routes::tenant_decls() {
        let Some(doc) = d.doc else { continue };
        let r = d.route;
        let path = r.path.trim_start_matches("/t/{slug}/api/v1");
        let full = format!("/t/{{slug}}/api/v1{path}");
        let mut op = OperationBuilder::new().summary(Some(doc.summary)).operation_id(Some(format!(
            "{}{}",
            r.method.to_lowercase(),
            path.replace(['/', '{', '}'], "_")
        )));
        for p in path_params(r.path) {
            // Slugs, tokens and the ids of tokens and grants are not UUIDs.
            let opaque = p == "slug"
                || p == "token"
                || (p == "id" && (path.starts_with("/tokens") || path.starts_with("/support/grants")));
            let schema = if opaque {
                ObjectBuilder::new().schema_type(Type::String).build()
            } else {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
                    .build()
            };
            op = op.parameter(
                ParameterBuilder::new()
                    .name(p)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(schema)),
            );
        }
        for q in &doc.query {
            let mut schema = if q.integer {
                // Read as an i64.
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                    .minimum(Some(i64::MIN))
                    .maximum(Some(i64::MAX))
            } else {
                ObjectBuilder::new().schema_type(Type::String)
            };
            if !q.values.is_empty() {
                schema = schema.enum_values(Some(q.values.to_vec()));
            }
            op = op.parameter(
                ParameterBuilder::new()
                    .name(q.name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(q.description))
                    .schema(Some(schema.build())),
            );
        }
        if let Some(b) = doc.request {
            let schema = (b.schema)(&mut schemas);
            if let RefOr::Ref(r) = &schema {
                strict.push(r.ref_location.trim_start_matches("#/components/schemas/").to_owned());
            }
            let content = ContentBuilder::new().schema(Some(schema)).build();
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(if doc.optional { Required::False } else { Required::True }))
                    .content(b.media, content)
                    .build(),
            ));
        }
        for (status, bodies) in &doc.responses {
            let mut resp = ResponseBuilder::new().description(doc.summary);
            for b in bodies {
                resp = resp.content(b.media, ContentBuilder::new().schema(Some((b.schema)(&mut schemas))).build());
            }
            op = op.response(status.to_string(), resp.build());
        }
        let conflict: &[(u16, &str)] =
            if doc.conflict { &[(409, "The state changed meanwhile (a newer version)")] } else { &[] };
        for (status, what) in ERRORS.iter().chain(conflict) {
            let content = ContentBuilder::new().schema(Some(error_ref.clone())).build();
            op = op.response(
                status.to_string(),
                ResponseBuilder::new().description(*what).content("application/json", content).build(),
            );
        }
        let item = PathItem::new(method(r.method), op.build());
        match items.iter_mut().find(|(p, _)| *p == full) {
            Some((_, existing)) => existing.merge_operations(item),
            None => items.push((full, item)),
        }
    }
    for (p, item) in items {
        paths = paths.path(p, item);
    }
    let mut components = ComponentsBuilder::new();
    for (name, mut schema) in schemas {
        if strict.contains(&name)
            && let RefOr::T(Schema::Object(o)) = &mut schema
        {
            o.additional_properties = Some(Box::new(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
        }
        components = components.schema(name, schema);
    }
    let api = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Ordo API")
                .version("1")
                .description(Some(
                    "Authenticate with a personal API token (`Authorization: Bearer ordo_…`, made under Settings → API tokens) \
                     or, from a browser, the session cookie with the `X-CSRF-Token` header on every change. \
                     JSON in and out; unknown fields are refused and the offending field is named in 422 answers.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .build();
    let mut doc = serde_json::to_value(&api).unwrap_or_default();
    if let Some(all) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        for (name, schema) in all.iter_mut() {
            if let (Some(extra), Some(object)) = (rules(name), schema.as_object_mut()) {
                object.extend(extra);
            }
        }
    }
    doc
}

/// What a schema of fields one by one cannot say: which fields go
/// together. The use cases refuse the same combinations (422).
fn rules(schema: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use serde_json::json;
    let present = |field: &str, t: &str| json!({ "required": [field], "properties": { field: { "type": t } } });
    let rule = match schema {
        // A step or a place.
        "MoveIn" => json!({ "anyOf": [present("direction", "string"), present("position", "integer")] }),
        // A meeting's agenda or an agenda given, never both.
        "TemplateIn" => json!({ "oneOf": [
            { "required": ["meeting_id"], "properties": { "meeting_id": { "type": "string" }, "agenda": { "type": "null" } } },
            { "required": ["agenda"], "properties": { "agenda": { "type": "object" }, "meeting_id": { "type": "null" } } },
        ] }),
        // A series ends: at a date or after a number of meetings.
        "MeetingIn" => {
            let frequencies: Vec<&str> = ordo_core::recurrence::Frequency::ALL.iter().map(|f| f.as_str()).collect();
            let given = |field: &str| json!({ "required": [field], "properties": { field: { "type": "string", "minLength": 1 } } });
            json!({
                "if": { "required": ["repeat"], "properties": { "repeat": { "enum": frequencies } } },
                "then": { "anyOf": [given("until"), given("count")] },
            })
        }
        _ => return None,
    };
    rule.as_object().cloned()
}

/// The field schemas (next to the use cases' input types, which use them too).
pub use ordo_app::schema;

#[cfg(test)]
mod tests {
    use super::*;

    /// Two types of one name would share one schema in the document, and
    /// one route would be described with the other's fields.
    #[test]
    fn no_two_types_share_a_schema_name() {
        let mut all: Schemas = Vec::new();
        for d in crate::routes::tenant_decls() {
            let Some(doc) = d.doc else { continue };
            for b in doc.request.iter().chain(doc.responses.iter().flat_map(|(_, b)| b.iter())) {
                (b.schema)(&mut all);
            }
        }
        let mut seen: std::collections::HashMap<String, serde_json::Value> = std::collections::HashMap::new();
        for (name, schema) in all {
            let schema = serde_json::to_value(&schema).unwrap_or_default();
            if let Some(before) = seen.insert(name.clone(), schema.clone()) {
                assert_eq!(before, schema, "two types are named {name}");
            }
        }
        assert!(seen.len() > 40, "{} schemas", seen.len());
    }

    /// The rules across fields land on the schemas they are for.
    #[test]
    fn the_rules_across_fields_are_in_the_document() {
        let doc = document();
        for name in ["MoveIn", "TemplateIn", "MeetingIn"] {
            let s = &doc["components"]["schemas"][name];
            assert!(s.get("anyOf").or(s.get("oneOf")).or(s.get("if")).is_some(), "{name}: {s}");
        }
    }
}
