//! The organisation's records for its admins: the audit log, encryption at
//! rest, backups, and every action of every meeting.

use crate::error::WebError;
use crate::extract::Me;
use crate::extract::Query;
use crate::openapi::Doc;
use crate::pages::{
    AuditRow, AuditTpl, BackupRunView, BackupsTpl, EncryptionTpl, Page, TenantActionRow, TenantActionsTpl, ok,
};
use crate::respond::{NoticeQuery, notice};
use crate::routes::{Decl, Guard, get, post};

use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::accounts;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

pub fn decls() -> Vec<Decl> {
    vec![
        get("/t/{slug}/admin/audit", Guard::Admin, audit_page).costly(),
        get("/t/{slug}/admin/encryption", Guard::Admin, encryption_page),
        post("/t/{slug}/admin/encryption/enable", Guard::Admin, enable_form),
        get("/t/{slug}/admin/backups", Guard::Admin, backups_page),
        get("/t/{slug}/admin/actions", Guard::Admin, actions_page),
        get("/t/{slug}/api/v1/audit", Guard::Admin, api_audit).costly().doc(
            Doc::new("The audit log, newest first (admins): ?before=seq for older entries")
                .query_int("before", "only entries older than this sequence number")
                .ok::<AuditOut>(200),
        ),
        get("/t/{slug}/api/v1/encryption", Guard::Admin, api_encryption).doc(
            Doc::new("Encryption at rest: on or off, key version, re-sealing progress (admins)")
                .ok::<EncryptionOut>(200),
        ),
        post("/t/{slug}/api/v1/encryption/enable", Guard::Admin, api_enable).doc(
            Doc::new("Switch encryption at rest on (admins; off is for operators only)")
                .no_body()
                .ok::<EncryptionOut>(200),
        ),
        get("/t/{slug}/api/v1/backups", Guard::Admin, api_backups).doc(
            Doc::new("Backups: schedule and the latest backups and restore drills (admins)").ok::<BackupsOut>(200),
        ),
        get("/t/{slug}/api/v1/organisation/actions", Guard::Admin, api_actions).doc(
            Doc::new("Every action of the organisation: titles, owners, due dates (admins)")
                .ok::<TenantActionsOut>(200),
        ),
    ]
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

const PAGE: i64 = 50;

#[tracing::instrument(skip_all)]
async fn audit_page(me: Me, Query(q): Query<AuditQuery>) -> Result<Response, WebError> {
    let entries = ordo_app::audit::list(&me.app, me.tenant(), &me.user, q.before, PAGE).await?;
    let names: HashMap<String, String> = accounts::list_users(&me.app, me.tenant())
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.display_name))
        .collect();
    let tr = me.ctx.tr();
    let label = |id: &Option<String>| match id {
        Some(i) => names.get(i).cloned().unwrap_or_else(|| tr.t("audit.unknown_user").to_owned()),
        None => String::new(),
    };
    let older = (entries.len() as i64 == PAGE).then(|| entries.last().map(|e| e.seq)).flatten();
    let rows = entries
        .iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at.human_utc(),
            at_iso: e.at.rfc3339(),
            kind: {
                let key = format!("audit.kind.{}", e.kind);
                if tr.has(&key) { tr.t(&key).to_owned() } else { e.kind.clone() }
            },
            actor: label(&e.actor_id),
            subject: label(&e.subject_id),
            ip: e.ip.clone().unwrap_or_default(),
        })
        .collect();
    Ok(ok(&AuditTpl { rows, older, p: Page::new(&me.ctx, "admin") }))
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// What happened (`meeting.participant_role_changed`, ...).
    pub kind: String,
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    #[schema(format = Uuid)]
    pub subject_id: Option<String>,
    pub ip: Option<String>,
    /// The facts of the event.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub entries: Vec<AuditEntryOut>,
}

#[tracing::instrument(skip_all)]
async fn api_audit(me: Me, Query(q): Query<AuditQuery>) -> Result<Response, WebError> {
    let entries = ordo_app::audit::list(&me.app, me.tenant(), &me.user, q.before, PAGE)
        .await?
        .into_iter()
        .map(|e| AuditEntryOut {
            seq: e.seq,
            at: e.at.rfc3339(),
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Object(Default::default())),
            kind: e.kind,
            actor_id: e.actor_id,
            subject_id: e.subject_id,
            ip: e.ip,
        })
        .collect();
    Ok(axum::Json(AuditOut { entries }).into_response())
}

/// Encryption at rest: whether it is on, the key version, and the progress
/// of re-sealing stored values (after switching on, or a key rotation).
#[tracing::instrument(skip_all)]
async fn encryption_page(me: Me, Query(q): Query<NoticeQuery>) -> Result<Response, WebError> {
    let status = ordo_app::keyops::reseal_status(&me.app, me.tenant()).await?;
    let total = status.done + status.remaining;
    let percent = if total == 0 { 100 } else { status.done * 100 / total };
    let tr = me.ctx.tr();
    Ok(ok(&EncryptionTpl {
        on: status.encryption,
        key_version: status.key_version,
        done: status.done,
        remaining: status.remaining,
        percent,
        notice: notice(&tr, q.notice.as_deref()),
        p: Page::new(&me.ctx, "admin"),
    }))
}

/// Switch encryption on (an owner's or admin's choice). Switching it off is
/// for operators only, from the command line.
#[tracing::instrument(skip_all)]
async fn enable_form(me: Me) -> Result<Response, WebError> {
    ordo_app::keyops::enable_encryption(&me.app, me.tenant(), &me.user).await?;
    Ok(Redirect::to(&me.href("admin/encryption?notice=encryption_enabled")).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct EncryptionOut {
    pub encryption: bool,
    pub key_version: u32,
    /// Stored values in the wanted form, and still to re-seal.
    pub done: i64,
    pub remaining: i64,
}

#[tracing::instrument(skip_all)]
async fn encryption_answer(me: &Me) -> Result<Response, WebError> {
    let tenant = ordo_app::platform::tenant_by_slug(&me.app, &me.tenant().slug).await?.ok_or(WebError::NotFound)?;
    let s = ordo_app::keyops::reseal_status(&me.app, &tenant).await?;
    let out =
        EncryptionOut { encryption: s.encryption, key_version: s.key_version, done: s.done, remaining: s.remaining };
    Ok(axum::Json(out).into_response())
}

#[tracing::instrument(skip_all)]
async fn api_encryption(me: Me) -> Result<Response, WebError> {
    encryption_answer(&me).await
}

#[tracing::instrument(skip_all)]
async fn api_enable(me: Me) -> Result<Response, WebError> {
    ordo_app::keyops::enable_encryption(&me.app, me.tenant(), &me.user).await?;
    encryption_answer(&me).await
}

/// The tenant's backups: schedule, last good backup, history of backups
/// and restore drills (owners and admins).
#[tracing::instrument(skip_all)]
async fn backups_page(me: Me) -> Result<Response, WebError> {
    let status = ordo_app::backups::status(&me.app, me.tenant()).await?;
    let tr = me.ctx.tr();
    let size = |b: i64| {
        if b <= 0 {
            String::new()
        } else if b < 1_000_000 {
            format!("{:.1} kB", b as f64 / 1e3)
        } else {
            format!("{:.1} MB", b as f64 / 1e6)
        }
    };
    let last_good = status.runs.iter().find(|r| r.kind == "backup" && r.ok).map(|r| r.finished_at.human_utc());
    let runs = status
        .runs
        .iter()
        .map(|r| BackupRunView {
            when: r.started_at.human_utc(),
            kind: tr.t(&format!("backups.kind_{}", r.kind)).to_owned(),
            ok: r.ok,
            detail: r.detail.clone(),
            snapshot: r.snapshot.clone().unwrap_or_default(),
            size: size(r.bytes),
            duration: if r.ok { format!("{:.1} s", r.millis as f64 / 1000.0) } else { String::new() },
        })
        .collect();
    Ok(ok(&BackupsTpl {
        every_hours: status.every_hours,
        next_backup: status.next_backup.human_utc(),
        next_drill: status.next_drill.human_utc(),
        last_good,
        runs,
        p: Page::new(&me.ctx, "admin"),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BackupRunOut {
    /// `backup` or `drill`.
    pub kind: String,
    pub ok: bool,
    pub snapshot: Option<String>,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub finished_at: String,
    pub bytes: i64,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct BackupsOut {
    pub every_hours: i64,
    #[schema(format = DateTime)]
    pub next_backup: String,
    #[schema(format = DateTime)]
    pub next_drill: String,
    pub runs: Vec<BackupRunOut>,
}

#[tracing::instrument(skip_all)]
async fn api_backups(me: Me) -> Result<Response, WebError> {
    let s = ordo_app::backups::status(&me.app, me.tenant()).await?;
    Ok(axum::Json(BackupsOut {
        every_hours: s.every_hours,
        next_backup: s.next_backup.rfc3339(),
        next_drill: s.next_drill.rfc3339(),
        runs: s
            .runs
            .into_iter()
            .map(|r| BackupRunOut {
                kind: r.kind,
                ok: r.ok,
                snapshot: r.snapshot,
                started_at: r.started_at.rfc3339(),
                finished_at: r.finished_at.rfc3339(),
                bytes: r.bytes,
                detail: r.detail,
            })
            .collect(),
    })
    .into_response())
}

/// All the tenant's actions, for owners and admins.
#[tracing::instrument(skip_all)]
async fn actions_page(me: Me) -> Result<Response, WebError> {
    let tr = me.ctx.tr();
    let rows = ordo_app::meetings::tenant_actions(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|a| TenantActionRow {
            href: me.href(&format!("meetings/{}#el-{}", a.meeting_id, a.element_id)),
            meeting: a.meeting_title,
            title: a.title,
            owners: a.owners.join(", "),
            due_date: a.due_date.unwrap_or_default(),
            status: tr.t(&format!("home.actions_{}", a.status.as_str())).to_owned(),
        })
        .collect();
    Ok(ok(&TenantActionsTpl { rows, p: Page::new(&me.ctx, "admin") }))
}

#[derive(Serialize, ToSchema)]
pub struct TenantActionOut {
    #[schema(format = Uuid)]
    pub meeting_id: String,
    pub meeting_title: String,
    #[schema(format = Uuid)]
    pub element_id: String,
    pub title: String,
    pub owners: Vec<String>,
    pub due_date: Option<String>,
    #[schema(schema_with = crate::openapi::schema::action_status)]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct TenantActionsOut {
    pub actions: Vec<TenantActionOut>,
}

#[tracing::instrument(skip_all)]
async fn api_actions(me: Me) -> Result<Response, WebError> {
    let actions = ordo_app::meetings::tenant_actions(&me.app, me.tenant(), &me.user)
        .await?
        .into_iter()
        .map(|a| TenantActionOut {
            meeting_id: a.meeting_id.to_string(),
            meeting_title: a.meeting_title,
            element_id: a.element_id.to_string(),
            title: a.title,
            owners: a.owners,
            due_date: a.due_date,
            status: a.status.as_str(),
        })
        .collect();
    Ok(axum::Json(TenantActionsOut { actions }).into_response())
}
