//! Agenda templates (requirement M11): a tenant's reusable agendas. A
//! template is the shape of a meeting's agenda — its topics, their
//! sub-topics, and the standing items in them (topics to discuss and notes,
//! by title) — saved from a meeting, and used to create new meetings with
//! that agenda in one step. Decisions, actions, remarks and pictures are
//! what a meeting produces: they are never copied into a template.
//!
//! Name and agenda are meeting data: sealed with the tenant's key. Anyone who
//! may create meetings (not guests) sees the tenant's templates and uses
//! them; a template is deleted by whoever saved it or by an admin.

use crate::accounts::User;
use crate::keys::Field;
use crate::meetings::MeetingInput;
use crate::write::{UseCase, change};
use crate::{App, AppError};
use ordo_core::Invalid;
use ordo_core::audit::AuditKind;
use ordo_core::ids::{MeetingId, TemplateId};
use ordo_core::meeting::{self, ElementKind, Title};
use ordo_core::user::Role;
use ordo_store::{AuditDraft, TemplateRow, Tenant};
use serde::{Deserialize, Serialize};

/// At most this many topics and sub-topics in a template.
pub const TOPICS_MAX: usize = 200;

/// An agenda, as a template holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agenda {
    /// At least one topic; 200 topics and sub-topics at most.
    #[schema(min_items = 1, max_items = 200)]
    pub topics: Vec<AgendaTopic>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaTopic {
    #[schema(schema_with = crate::schema::title)]
    pub title: String,
    #[serde(default)]
    pub items: Vec<AgendaItem>,
    /// One level only, as in meetings.
    #[serde(default)]
    pub subtopics: Vec<AgendaSubtopic>,
}

/// A sub-topic: a topic that holds no further one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaSubtopic {
    #[schema(schema_with = crate::schema::title)]
    pub title: String,
    #[serde(default)]
    pub items: Vec<AgendaItem>,
    /// Empty if given: templates saved before this type existed wrote one
    /// (`"subtopics": []`), and they must still be read.
    #[serde(default, skip_serializing, rename = "subtopics")]
    #[schema(value_type = Option<Vec<String>>, max_items = 0)]
    pub none_deeper: Vec<Nothing>,
}

/// What cannot be: a list of it is always empty.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub enum Nothing {}

/// A standing item: a topic to discuss or a note, by its title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    #[schema(schema_with = crate::schema::standing_kind)]
    pub kind: String,
    #[schema(schema_with = crate::schema::title)]
    pub title: String,
}

impl Agenda {
    /// Check what a template may hold: titles as in meetings, standing
    /// items only, one level of sub-topics, within the meeting limits.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut topics = 0;
        let mut items = 0;
        let mut check_topic = |title: &str, items_in: &[AgendaItem]| -> Result<(), Invalid> {
            Title::parse(title)?;
            topics += 1;
            for i in items_in {
                Title::parse(&i.title)?;
                item_kind(&i.kind)?;
                items += 1;
            }
            Ok(())
        };
        for t in &self.topics {
            check_topic(&t.title, &t.items)?;
            for s in &t.subtopics {
                check_topic(&s.title, &s.items)?;
            }
        }
        if topics == 0 {
            return Err(Invalid::new("agenda", "template.empty"));
        }
        if topics > TOPICS_MAX || items > meeting::ELEMENTS_MAX {
            return Err(Invalid::new("agenda", "template.too_large"));
        }
        Ok(())
    }

    pub fn topic_count(&self) -> usize {
        self.topics.iter().map(|t| 1 + t.subtopics.len()).sum()
    }
}

/// The kinds a template keeps.
pub fn item_kind(kind: &str) -> Result<ElementKind, Invalid> {
    match kind.parse::<ElementKind>() {
        Ok(k @ (ElementKind::Discuss | ElementKind::Note)) => Ok(k),
        _ => Err(Invalid::new("kind", "template.kind")),
    }
}

/// A template, opened.
#[derive(Clone, Debug)]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub agenda: Agenda,
    pub created_by: ordo_core::ids::UserId,
    pub created_at: ordo_core::time::Timestamp,
}

fn may_use(actor: &User) -> Result<(), AppError> {
    if meeting::can_create_meetings(actor.role) { Ok(()) } else { Err(AppError::Forbidden) }
}

fn open(keys: &crate::keys::TenantKeys, r: TemplateRow) -> Result<Template, AppError> {
    let rid = r.id.to_string();
    let body = keys.open(Field::TemplateBody, &rid, &r.body)?;
    let agenda: Agenda =
        serde_json::from_str(&body).map_err(|_| AppError::Internal("a stored template is not an agenda"))?;
    Ok(Template {
        name: keys.open(Field::TemplateName, &rid, &r.name)?,
        id: r.id,
        agenda,
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

/// The tenant's templates, oldest first.
#[tracing::instrument(skip_all)]
pub async fn list(app: &App, tenant: &Tenant, actor: &User) -> Result<Vec<Template>, AppError> {
    may_use(actor)?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    app.store.templates(tenant.id).await?.into_iter().map(|r| open(&keys, r)).collect()
}

#[tracing::instrument(skip_all)]
pub async fn get(app: &App, tenant: &Tenant, actor: &User, id: TemplateId) -> Result<Template, AppError> {
    may_use(actor)?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    open(&keys, app.store.template(tenant.id, id).await?.ok_or(AppError::NotFound)?)
}

/// Save an agenda as a new template.
#[tracing::instrument(skip_all)]
pub async fn save(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    name: &str,
    agenda: &Agenda,
) -> Result<TemplateId, AppError> {
    may_use(actor)?;
    let name = Title::parse(name).map_err(|e| Invalid::new("name", e.code))?;
    agenda.check()?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let id = TemplateId::new();
    let rid = id.to_string();
    let body = serde_json::to_string(agenda).map_err(|_| AppError::Internal("agenda to JSON"))?;
    let now = app.now();
    let row = TemplateRow {
        id,
        name: keys.seal(Field::TemplateName, &rid, name.as_str())?,
        body: keys.seal(Field::TemplateBody, &rid, &body)?,
        created_by: actor.id,
        created_at: now,
    };
    let detail = serde_json::json!({ "template": rid }).to_string();
    change!(app, tenant.id, Some(actor.id), UseCase::TemplateSave, |c| {
        c.tx.insert_template(tenant.id, &row).await?;
        c.audit(AuditDraft::new(AuditKind::TemplateSaved).detail(detail.clone())).await?;
        Ok(())
    })?;
    Ok(id)
}

/// Save a meeting's agenda (as the actor sees it) as a template.
#[tracing::instrument(skip_all)]
pub async fn save_from_meeting(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    meeting: &str,
    name: &str,
) -> Result<TemplateId, AppError> {
    may_use(actor)?;
    let meeting: MeetingId = meeting.parse().map_err(|_| Invalid::new("meeting", "id.invalid"))?;
    let page = match crate::meetings::page(app, tenant, actor, meeting).await {
        Err(AppError::NotFound) => return Err(AppError::Invalid(Invalid::new("meeting", "id.invalid"))),
        other => other?,
    };
    let c = &page.content;
    let items_of = |topic| {
        c.elements
            .iter()
            .filter(|e| e.topic_id == topic && matches!(e.kind, ElementKind::Discuss | ElementKind::Note))
            .map(|e| AgendaItem { kind: e.kind.as_str().to_owned(), title: e.title.clone() })
            .collect()
    };
    let agenda = Agenda {
        topics: c
            .topics
            .iter()
            .filter(|t| t.parent_id.is_none())
            .map(|t| AgendaTopic {
                title: t.title.clone(),
                items: items_of(t.id),
                subtopics: c
                    .topics
                    .iter()
                    .filter(|s| s.parent_id == Some(t.id))
                    .map(|s| AgendaSubtopic { title: s.title.clone(), items: items_of(s.id), none_deeper: Vec::new() })
                    .collect(),
            })
            .collect(),
    };
    save(app, tenant, actor, name, &agenda).await
}

/// Who deletes a template: whoever saved it, or an admin.
pub fn may_delete(actor: &User, created_by: ordo_core::ids::UserId) -> bool {
    created_by == actor.id || matches!(actor.role, Role::Owner | Role::Admin)
}

#[tracing::instrument(skip_all)]
pub async fn delete(app: &App, tenant: &Tenant, actor: &User, id: TemplateId) -> Result<(), AppError> {
    may_use(actor)?;
    let detail = serde_json::json!({ "template": id.to_string() }).to_string();
    change!(app, tenant.id, Some(actor.id), UseCase::TemplateDelete, |c| {
        let row = c.tx.template(tenant.id, id).await?.ok_or(AppError::NotFound)?;
        if !may_delete(actor, row.created_by) {
            return Err(AppError::Forbidden);
        }
        if !c.tx.delete_template(tenant.id, id).await? {
            return Err(AppError::NotFound);
        }
        c.audit(AuditDraft::new(AuditKind::TemplateDeleted).detail(detail.clone())).await?;
        Ok(())
    })
}

/// Create a meeting with a template's agenda, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn create_meeting(
    app: &App,
    tenant: &Tenant,
    actor: &User,
    input: MeetingInput<'_>,
    template: TemplateId,
) -> Result<MeetingId, AppError> {
    let agenda = agenda_for(app, tenant, actor, template).await?;
    crate::meetings::create_with_agenda(app, tenant, actor, input, Some(&agenda)).await
}

/// A template's agenda, to start a meeting from: an unknown template is a
/// wrong value in the form.
#[tracing::instrument(skip_all)]
pub async fn agenda_for(app: &App, tenant: &Tenant, actor: &User, template: TemplateId) -> Result<Agenda, AppError> {
    match get(app, tenant, actor, template).await {
        Err(AppError::NotFound) => Err(AppError::Invalid(Invalid::new("template", "id.invalid"))),
        other => Ok(other?.agenda),
    }
}

#[cfg(test)]
mod tests {
    use super::Agenda;

    /// Templates saved before sub-topics had a type of their own wrote an
    /// empty list of sub-topics in each: they are still read; anything
    /// deeper is refused by the type.
    #[test]
    fn one_level_of_sub_topics_and_older_templates_still_read() {
        let older = r#"{"topics":[{"title":"A","items":[],"subtopics":[{"title":"B","items":[],"subtopics":[]}]}]}"#;
        let a: Agenda = serde_json::from_str(older).unwrap_or_default();
        assert_eq!(a.topics[0].subtopics[0].title, "B");
        assert!(!serde_json::to_string(&a).unwrap_or_default().contains(r#""B","items":[],"subtopics""#));
        let deeper = r#"{"topics":[{"title":"A","subtopics":[{"title":"B","subtopics":[{"title":"C"}]}]}]}"#;
        assert!(serde_json::from_str::<Agenda>(deeper).is_err());
    }
}
