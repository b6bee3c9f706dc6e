//! The platform's status: every tenant's watch status and incidents, one tenant's history and its CSM, the platform audit log.

use super::{NoticeQuery, OpsCtx, OpsPage, notice};
use crate::error::WebError;
use crate::extract::Form;
use crate::pages::ok;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::i18n::Tr;
use ordo_app::staff;
use ordo_core::staff::{PlatformRole, StaffAction};
use serde::Deserialize;

pub(super) fn decls() -> Vec<super::OpsDecl> {
    use super::OpsAccess::Staff;
    use super::{get, post};
    vec![
        get("/ops/", Staff(StaffAction::ViewStatus), status_page),
        get("/ops/tenants/{slug}", Staff(StaffAction::ViewTenants), tenant_page),
        post("/ops/tenants/{slug}/csm", Staff(StaffAction::AssignCsm), assign_csm),
        get("/ops/audit", Staff(StaffAction::ViewPlatformAudit), audit_page),
    ]
}

pub struct TenantRow {
    pub slug: String,
    pub name: String,
    pub plan: String,
    pub status: String,
    pub status_key: String,
    pub since: String,
    pub detail: String,
    pub csm: String,
}

pub struct IncidentRow {
    pub severity: String,
    pub rule: String,
    pub subject: String,
    pub summary: String,
    pub opened: String,
    pub resolved: String,
}

#[derive(Template)]
#[template(path = "ops_status.html")]
struct StatusTpl {
    p: OpsPage,
    tenants: Vec<TenantRow>,
    open: Vec<IncidentRow>,
    recent: Vec<IncidentRow>,
}

#[derive(Template)]
#[template(path = "ops_tenant.html")]
struct TenantTpl {
    p: OpsPage,
    tenant: TenantRow,
    history: Vec<(String, String, String)>,
    can_assign: bool,
    /// (id, name, selected)
    csm_options: Vec<(String, String, bool)>,
    action: String,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "ops_audit.html")]
struct AuditTpl {
    p: OpsPage,
    rows: Vec<(i64, String, String, String, String)>,
}

fn incident_row(tr: &Tr, i: &ordo_app::platform::Incident) -> IncidentRow {
    IncidentRow {
        severity: tr.t(&format!("ops.severity.{}", i.severity)).to_owned(),
        rule: i.rule.clone(),
        subject: i.subject.clone(),
        summary: i.summary.clone(),
        opened: i.opened_at.human_utc(),
        resolved: i.resolved_at.map(|t| t.human_utc()).unwrap_or_default(),
    }
}

#[tracing::instrument(skip_all)]
async fn tenant_rows(st: &AppState, tr: &Tr) -> Result<Vec<TenantRow>, WebError> {
    let app = &st.app;
    let staff = ordo_app::platform::staff_directory(app).await?;
    let csms = ordo_app::platform::tenant_csms(app).await?;
    Ok(ordo_app::platform::tenant_statuses(app)
        .await?
        .into_iter()
        .map(|t| {
            let csm = csms
                .iter()
                .find(|(id, _)| *id == t.tenant_id)
                .and_then(|(_, s)| staff.iter().find(|x| x.id == *s))
                .map(|s| s.display_name.clone())
                .unwrap_or_default();
            let key = t.status.clone().unwrap_or_else(|| "unknown".into());
            TenantRow {
                status: tr.t(&format!("ops.status.{key}")).to_owned(),
                status_key: key,
                slug: t.slug,
                name: t.name,
                plan: tr.t(&format!("ops.plan.{}", t.plan)).to_owned(),
                since: t.since.map(|s| s.human_utc()).unwrap_or_default(),
                detail: t.detail,
                csm,
            }
        })
        .collect())
}

#[tracing::instrument(skip_all)]
async fn status_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    let tr = ctx.tr();
    let tenants = tenant_rows(&st, &tr).await?;
    let open = ordo_app::platform::open_incidents(&st.app).await?;
    let recent = ordo_app::platform::recent_incidents(&st.app, 20).await?;
    Ok(ok(&StatusTpl {
        p: OpsPage::new(&ctx, "status"),
        tenants,
        open: open.iter().map(|i| incident_row(&tr, i)).collect(),
        recent: recent.iter().filter(|i| i.resolved_at.is_some()).map(|i| incident_row(&tr, i)).collect(),
    }))
}

#[tracing::instrument(skip_all)]
async fn find_tenant(st: &AppState, slug: &str) -> Result<ordo_core::tenant::Tenant, WebError> {
    let slug = ordo_core::tenant::Slug::parse(slug).map_err(|_| WebError::NotFound)?;
    ordo_app::platform::tenant_by_slug(&st.app, &slug).await?.ok_or(WebError::NotFound)
}

#[tracing::instrument(skip_all)]
async fn tenant_page(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tr = ctx.tr();
    let tenant = find_tenant(&st, &slug).await?;
    let row = tenant_rows(&st, &tr).await?.into_iter().find(|t| t.slug == slug).ok_or(WebError::NotFound)?;
    let history = ordo_app::platform::status_changes(&st.app, tenant.id, 50)
        .await?
        .into_iter()
        .map(|c| (c.at.human_utc(), tr.t(&format!("ops.status.{}", c.status)).to_owned(), c.detail))
        .collect();
    let current = ordo_app::platform::tenant_csms(&st.app).await?;
    let current = current.iter().find(|(t, _)| *t == tenant.id).map(|(_, s)| *s);
    let csm_options = ordo_app::platform::staff_directory(&st.app)
        .await?
        .into_iter()
        .filter(|s| s.role == PlatformRole::Csm && s.status != ordo_core::user::UserStatus::Disabled)
        .map(|s| (s.id.to_string(), s.display_name, Some(s.id) == current))
        .collect();
    Ok(ok(&TenantTpl {
        p: OpsPage::new(&ctx, "status"),
        tenant: row,
        history,
        can_assign: ordo_core::staff::staff_may(a.staff.role, StaffAction::AssignCsm),
        csm_options,
        action: format!("/ops/tenants/{slug}/csm"),
        notice: notice(&tr, q.notice.as_deref()),
    }))
}

#[derive(Deserialize)]
pub struct CsmForm {
    #[serde(default)]
    csm: String,
}

#[tracing::instrument(skip_all)]
async fn assign_csm(
    State(st): State<AppState>,
    ctx: OpsCtx,
    Path(slug): Path<String>,
    Form(f, _): Form<CsmForm>,
) -> Result<Response, WebError> {
    let a = ctx.auth()?;
    let tenant = find_tenant(&st, &slug).await?;
    let csm = if f.csm.is_empty() {
        None
    } else {
        Some(f.csm.parse().map_err(|_| WebError::Invalid { field: "csm", code: "csm.invalid" })?)
    };
    staff::assign_csm(&st.app, a, tenant.id, csm).await?;
    Ok(Redirect::to(&format!("/ops/tenants/{slug}?notice=saved")).into_response())
}

#[tracing::instrument(skip_all)]
async fn audit_page(State(st): State<AppState>, ctx: OpsCtx) -> Result<Response, WebError> {
    ctx.auth()?.may(StaffAction::ViewPlatformAudit)?;
    let rows = ordo_app::platform::platform_audit(&st.app, 200)
        .await?
        .into_iter()
        .map(|e| (e.seq, e.at.human_utc(), e.kind, e.subject.unwrap_or_default(), e.detail))
        .collect();
    Ok(ok(&AuditTpl { p: OpsPage::new(&ctx, "audit"), rows }))
}
