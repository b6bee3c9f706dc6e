//! Tenant administration: members, invitations, roles, disabling, audit log.

use super::{Form, NoticeQuery, notice};
use crate::context::Ctx;
use crate::error::WebError;
use crate::pages::{AuditRow, AuditTpl, EncryptionTpl, Errors, MemberRow, MembersTpl, Page, RoleOpt, ok, render};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::i18n::Tr;
use ordo_app::{AppError, accounts};
use ordo_core::ids::UserId;
use ordo_core::policy::{self, Actor, TenantAction};
use ordo_core::user::{Role, UserStatus};
use serde::Deserialize;
use std::collections::HashMap;

fn role_options(tr: &Tr, actor: Role, selected: Role) -> Vec<RoleOpt> {
    Role::ALL
        .into_iter()
        .filter(|r| {
            *r == selected || policy::authorize(Actor { role: actor }, TenantAction::Invite { role: *r }, false).is_ok()
        })
        .map(|r| RoleOpt {
            value: r.as_str(),
            label: tr.t(&format!("role.{}", r.as_str())).to_owned(),
            selected: r == selected,
        })
        .collect()
}

async fn members_view(
    st: &AppState,
    ctx: &Ctx,
    errors: Errors,
    invite_email: String,
    notice: Option<String>,
) -> Result<MembersTpl, WebError> {
    let auth = ctx.auth()?;
    let tr = ctx.tr();
    let users = accounts::list_users(&st.app, &ctx.tenant).await?;
    let actor = Actor { role: auth.user.role };
    let rows = users
        .into_iter()
        .map(|u| {
            let is_self = u.id == auth.user.id;
            let manageable = policy::authorize(actor, TenantAction::SetDisabled { target: u.role }, is_self).is_ok();
            MemberRow {
                id: u.id.to_string(),
                name: u.display_name,
                email: u.email,
                role_label: tr.t(&format!("role.{}", u.role.as_str())).to_owned(),
                role_options: role_options(&tr, auth.user.role, u.role),
                status_label: tr.t(&format!("status.{}", u.status.as_str())).to_owned(),
                disabled: u.status == UserStatus::Disabled,
                manageable,
            }
        })
        .collect();
    Ok(MembersTpl {
        rows,
        invite_roles: role_options(&tr, auth.user.role, Role::Member),
        invite_email,
        errors,
        notice,
        p: Page::new(ctx, "admin"),
    })
}

pub async fn members_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let tr = ctx.tr();
    Ok(ok(&members_view(&st, &ctx, Errors::default(), String::new(), notice(&tr, q.notice.as_deref())).await?))
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

pub async fn invite(State(st): State<AppState>, ctx: Ctx, Form(f): Form<InviteForm>) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let role: Role = f.role.parse().map_err(|_| WebError::BadRequest)?;
    let tr = ctx.tr();
    let (status, errors) = match accounts::invite(&st.app, &ctx.tenant, &auth.user, &f.email, role, &ctx.ip).await {
        Ok(_) => {
            return Ok(Redirect::to(&ctx.href("admin/members?notice=invited")).into_response());
        }
        Err(AppError::Invalid(i)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Errors::one(i.field, tr.t(&format!("error.{}", i.code)).to_owned()))
        }
        Err(AppError::Conflict(_)) => {
            (StatusCode::CONFLICT, Errors::one("email", tr.t("error.email.taken").to_owned()))
        }
        Err(e) => return Err(e.into()),
    };
    let email: String = f.email.chars().take(254).collect();
    Ok(render(status, &members_view(&st, &ctx, errors, email, None).await?))
}

fn user_id(id: &str) -> Result<UserId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn set_role(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<RoleForm>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let role: Role = f.role.parse().map_err(|_| WebError::BadRequest)?;
    accounts::set_role(&st.app, &ctx.tenant, &auth.user, user_id(&id)?, role, &ctx.ip).await?;
    Ok(Redirect::to(&ctx.href("admin/members?notice=role_changed")).into_response())
}

pub async fn disable(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    accounts::set_disabled(&st.app, &ctx.tenant, &auth.user, user_id(&id)?, true, &ctx.ip).await?;
    Ok(Redirect::to(&ctx.href("admin/members?notice=disabled")).into_response())
}

pub async fn enable(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    accounts::set_disabled(&st.app, &ctx.tenant, &auth.user, user_id(&id)?, false, &ctx.ip).await?;
    Ok(Redirect::to(&ctx.href("admin/members?notice=enabled")).into_response())
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

pub async fn audit_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    const PAGE: i64 = 50;
    let entries = st.app.store.list_audit(ctx.tenant.id, q.before, PAGE).await.map_err(AppError::from)?;
    let names: HashMap<String, String> = accounts::list_users(&st.app, &ctx.tenant)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.display_name))
        .collect();
    let tr = ctx.tr();
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
    Ok(ok(&AuditTpl { rows, older, p: Page::new(&ctx, "admin") }))
}

/// Encryption at rest: whether it is on, the key version, and the progress
/// of re-sealing stored values (after switching on, or a key rotation).
pub async fn encryption_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let status = ordo_app::keyops::reseal_status(&st.app, &ctx.tenant).await?;
    let total = status.done + status.remaining;
    let percent = if total == 0 { 100 } else { status.done * 100 / total };
    let tr = ctx.tr();
    Ok(ok(&EncryptionTpl {
        on: status.encryption,
        key_version: status.key_version,
        done: status.done,
        remaining: status.remaining,
        percent,
        notice: notice(&tr, q.notice.as_deref()),
        p: Page::new(&ctx, "admin"),
    }))
}

/// The tenant's backups: schedule, last good backup, history of backups
/// and restore drills (owners and admins).
pub async fn backups_page(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let status = ordo_app::backups::status(&st.app, &ctx.tenant).await?;
    let tr = ctx.tr();
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
        .map(|r| crate::pages::BackupRunView {
            when: r.started_at.human_utc(),
            kind: tr.t(&format!("backups.kind_{}", r.kind)).to_owned(),
            ok: r.ok,
            detail: r.detail.clone(),
            snapshot: r.snapshot.clone().unwrap_or_default(),
            size: size(r.bytes),
            duration: if r.ok { format!("{:.1} s", r.millis as f64 / 1000.0) } else { String::new() },
        })
        .collect();
    Ok(ok(&crate::pages::BackupsTpl {
        every_hours: status.every_hours,
        next_backup: status.next_backup.human_utc(),
        next_drill: status.next_drill.human_utc(),
        last_good,
        runs,
        p: Page::new(&ctx, "admin"),
    }))
}

/// Switch encryption on (an owner's or admin's choice). Switching it off is
/// for operators only, from the command line.
pub async fn enable_encryption(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    if !ctx.tenant.encryption {
        ordo_app::keyops::set_encryption(&st.app, &ctx.tenant.slug, true, &format!("user:{}", auth.user.id)).await?;
    }
    Ok(Redirect::to(&ctx.href("admin/encryption?notice=encryption_enabled")).into_response())
}

/// All the tenant's actions, for owners and admins.
pub async fn actions_page(State(st): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let auth = ctx.auth()?;
    let tr = ctx.tr();
    let rows = ordo_app::meetings::tenant_actions(&st.app, &ctx.tenant, &auth.user)
        .await?
        .into_iter()
        .map(|a| crate::pages::TenantActionRow {
            href: ctx.href(&format!("meetings/{}#el-{}", a.meeting_id, a.element_id)),
            meeting: a.meeting_title,
            title: a.title,
            owners: a.owners.join(", "),
            due_date: a.due_date.unwrap_or_default(),
            status: tr.t(&format!("home.actions_{}", a.status.as_str())).to_owned(),
        })
        .collect();
    Ok(ok(&crate::pages::TenantActionsTpl { rows, p: Page::new(&ctx, "admin") }))
}
