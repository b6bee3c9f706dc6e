//! OpenAPI schemas of values kept as text in the input types (parsed by the use
//! cases into domain types, with field errors): their allowed values,
//! with the domain's own limits, so that what the document allows the
//! server accepts and what it forbids the server refuses (schemathesis
//! checks both ways, `scripts/scan.py`).
use ordo_core::meeting::{ElementKind, PLACE_MAX, TEXT_MAX, TITLE_MAX};
use ordo_core::user::{DISPLAY_NAME_MAX, EMAIL_MAX, PHONE_MAX};
use utoipa::openapi::schema::{AnyOfBuilder, SchemaType};
use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, Type};

/// One line: no control character (`char::is_control`, the domain's test).
const LINE: &str = r"^[^\x00-\x1F\x7F-\x9F]*$";
/// One line with something besides spaces (the domain trims them).
const NONBLANK_LINE: &str = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";
/// Several lines: tabs and line ends, no other control character.
const TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";
const NONBLANK_TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";
/// A telephone number (or empty: none): digits, spaces, `+-.()`, at least 6 digits.
const PHONE: &str = r"^([ +.()-]*([0-9][ +.()-]*){6,})?$";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}
fn nullable(o: ObjectBuilder) -> ObjectBuilder {
    o.schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}
fn text_of(pattern: &str, min: usize, max: usize) -> ObjectBuilder {
    string().min_length((min > 0).then_some(min)).max_length(Some(max)).pattern(Some(pattern))
}

fn one_of(values: impl IntoIterator<Item = &'static str>) -> ObjectBuilder {
    string().enum_values(Some(values.into_iter().collect::<Vec<_>>()))
}
/// The same values, or null (an optional field).
fn or_null(values: impl IntoIterator<Item = &'static str>) -> ObjectBuilder {
    let mut all: Vec<serde_json::Value> = values.into_iter().map(serde_json::Value::from).collect();
    all.push(serde_json::Value::Null);
    nullable(string()).enum_values(Some(all))
}

/// A title (meeting, topic, element, template, token): 1 to 200 characters, one line.
pub fn title() -> ObjectBuilder {
    text_of(NONBLANK_LINE, 1, TITLE_MAX)
}
pub fn title_or_null() -> ObjectBuilder {
    nullable(title())
}
/// An image's caption: up to 200 characters, one line, may be empty.
pub fn caption() -> ObjectBuilder {
    text_of(LINE, 0, TITLE_MAX)
}
/// A place or video link: up to 500 characters, one line, may be empty.
pub fn place() -> ObjectBuilder {
    text_of(LINE, 0, PLACE_MAX)
}
pub fn place_or_null() -> ObjectBuilder {
    nullable(place())
}
/// A longer text (objectives, descriptions, remarks): up to 20,000 characters.
pub fn text() -> ObjectBuilder {
    text_of(TEXT, 0, TEXT_MAX)
}
pub fn text_or_null() -> ObjectBuilder {
    nullable(text())
}
/// A remark: some text besides spaces, up to 20,000 characters.
pub fn remark() -> ObjectBuilder {
    text_of(NONBLANK_TEXT, 1, TEXT_MAX)
}
pub fn display_name() -> ObjectBuilder {
    text_of(NONBLANK_LINE, 1, DISPLAY_NAME_MAX)
}
/// A telephone number, or empty (none).
pub fn phone() -> ObjectBuilder {
    string().max_length(Some(PHONE_MAX)).pattern(Some(PHONE))
}
pub fn email() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Email))).max_length(Some(EMAIL_MAX))
}
/// A calendar date, `YYYY-MM-DD`, or empty (none).
pub fn date_or_empty() -> AnyOfBuilder {
    AnyOfBuilder::new()
        .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
        .item(string().max_length(Some(0)))
}
/// The same, or null (absent: unchanged).
pub fn date_or_empty_or_null() -> AnyOfBuilder {
    date_or_empty().item(ObjectBuilder::new().schema_type(Type::Null))
}
/// A local date and time, `YYYY-MM-DDTHH:MM`, of a day that exists (the
/// pattern knows the months' lengths and the leap years).
pub fn local_date_time() -> ObjectBuilder {
    const DAY: &str = "([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])\
        |[0-9]{4}-(0[13-9]|1[0-2])-(29|30)\
        |[0-9]{4}-(0[13578]|1[02])-31\
        |([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)";
    string().pattern(Some(format!("^{DAY}T([01][0-9]|2[0-3]):[0-5][0-9]$")))
}
pub fn local_date_time_or_null() -> ObjectBuilder {
    nullable(local_date_time())
}
pub fn local_date_time_or_empty() -> AnyOfBuilder {
    AnyOfBuilder::new().item(local_date_time()).item(string().max_length(Some(0)))
}
/// An IANA time zone the server knows (`Europe/Paris`).
pub fn time_zone() -> ObjectBuilder {
    let zones: Vec<String> = jiff::tz::db().available().map(|z| z.to_string()).collect();
    string().enum_values(Some(zones))
}
pub fn time_zone_or_null() -> ObjectBuilder {
    let mut zones: Vec<serde_json::Value> =
        jiff::tz::db().available().map(|z| serde_json::Value::from(z.to_string())).collect();
    zones.push(serde_json::Value::Null);
    nullable(string()).enum_values(Some(zones))
}
/// A meeting's length in minutes: 5 to 24 hours (absent or null: unchanged, or 60).
pub fn duration_or_null() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .minimum(Some(5))
        .maximum(Some(1440))
}
/// How a meeting repeats (empty or null: it does not).
pub fn repeat_or_null() -> ObjectBuilder {
    or_null(ordo_core::recurrence::Frequency::ALL.iter().map(|f| f.as_str()).chain([""]))
}
/// Every this many weeks or months: 1 to 12 (empty or null: 1).
pub fn interval_or_null() -> ObjectBuilder {
    nullable(string()).pattern(Some(r"^([1-9]|1[0-2])?$"))
}
/// How many meetings a series has: 2 to 260 (empty or null: no count).
pub fn count_or_null() -> ObjectBuilder {
    nullable(string()).pattern(Some(r"^([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-5][0-9]|260)?$"))
}
/// A grant's length: 1 to 72 hours.
pub fn grant_hours() -> ObjectBuilder {
    string().pattern(Some(r"^([1-9]|[1-6][0-9]|7[0-2])$"))
}
/// A template's standing item: a topic to discuss or a note.
pub fn standing_kind() -> ObjectBuilder {
    one_of([ElementKind::Discuss, ElementKind::Note].map(|k| k.as_str()))
}
/// An element's kind as the API adds it: an image comes by upload only.
pub fn element_kind_added() -> ObjectBuilder {
    one_of(ElementKind::ALL.iter().filter(|k| **k != ElementKind::Image).map(|k| k.as_str()))
}
pub fn element_kind_or_null() -> ObjectBuilder {
    or_null(ordo_core::meeting::ElementKind::ALL.iter().map(|k| k.as_str()))
}
pub fn action_status_or_null() -> ObjectBuilder {
    or_null(ordo_core::meeting::ActionStatus::ALL.iter().map(|k| k.as_str()))
}
pub fn element_kind() -> ObjectBuilder {
    one_of(ordo_core::meeting::ElementKind::ALL.iter().map(|k| k.as_str()))
}
pub fn action_status() -> ObjectBuilder {
    one_of(ordo_core::meeting::ActionStatus::ALL.iter().map(|k| k.as_str()))
}
pub fn meeting_role() -> ObjectBuilder {
    one_of(ordo_core::meeting::MeetingRole::ALL.iter().map(|k| k.as_str()))
}
pub fn meeting_status() -> ObjectBuilder {
    one_of(ordo_core::meeting::MeetingStatus::ALL.iter().map(|k| k.as_str()))
}
pub fn role() -> ObjectBuilder {
    one_of(ordo_core::user::Role::ALL.iter().map(|k| k.as_str()))
}
pub fn user_status() -> ObjectBuilder {
    one_of(ordo_core::user::UserStatus::ALL.iter().map(|k| k.as_str()))
}
pub fn locale() -> ObjectBuilder {
    one_of(ordo_core::user::Locale::ALL.iter().map(|k| k.as_str()))
}
pub fn uuid() -> ObjectBuilder {
    string().format(Some(SchemaFormat::Custom("uuid".into())))
}
/// An id, or empty or null (none chosen: a form's empty choice).
pub fn uuid_or_empty_or_null() -> AnyOfBuilder {
    AnyOfBuilder::new()
        .item(uuid())
        .item(string().max_length(Some(0)))
        .item(ObjectBuilder::new().schema_type(Type::Null))
}
/// One step up or down (null: none).
pub fn direction_or_null() -> ObjectBuilder {
    or_null(["up", "down"])
}
pub fn uuids() -> utoipa::openapi::schema::ArrayBuilder {
    utoipa::openapi::schema::ArrayBuilder::new().items(uuid())
}
pub fn date_time() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
}
