//! The platform's records for its operators (the console, behind its route
//! table, and the command line): tenants and their watch status, incidents,
//! alert deliveries, the platform audit log, customer success managers.
//! They hold no tenant's content; they are re-exported as they are stored.

use crate::staff::Staff;
use crate::{App, AppError};
use ordo_core::ids::{StaffId, TenantId};
use ordo_core::tenant::{Slug, Tenant};

pub use ordo_store::{Delivery, Incident, PlatformAuditEntry, StatusChange, TenantStatusRow};

/// Run `work` (a tenant's request) as that tenant: on PostgreSQL, the
/// database itself then shows it that tenant's rows only, even through a
/// query that forgot its filter (row-level security).
pub async fn as_tenant<F: std::future::Future>(tenant: TenantId, work: F) -> F::Output {
    ordo_store::scope::within(tenant, work).await
}

#[tracing::instrument(skip_all)]
pub async fn tenant_by_slug(app: &App, slug: &Slug) -> Result<Option<Tenant>, AppError> {
    Ok(app.store.tenant_by_slug(slug).await?)
}

#[tracing::instrument(skip_all)]
pub async fn list_tenants(app: &App) -> Result<Vec<Tenant>, AppError> {
    Ok(app.store.list_tenants().await?)
}

/// Every tenant with the tenant watch's latest view of it.
#[tracing::instrument(skip_all)]
pub async fn tenant_statuses(app: &App) -> Result<Vec<TenantStatusRow>, AppError> {
    Ok(app.store.tenant_statuses().await?)
}

/// A tenant's latest status changes, newest first.
#[tracing::instrument(skip_all)]
pub async fn status_changes(app: &App, tenant: TenantId, limit: i64) -> Result<Vec<StatusChange>, AppError> {
    Ok(app.store.status_changes(tenant, limit).await?)
}

#[tracing::instrument(skip_all)]
pub async fn open_incidents(app: &App) -> Result<Vec<Incident>, AppError> {
    Ok(app.store.open_incidents().await?)
}

#[tracing::instrument(skip_all)]
pub async fn recent_incidents(app: &App, limit: i64) -> Result<Vec<Incident>, AppError> {
    Ok(app.store.recent_incidents(limit).await?)
}

#[tracing::instrument(skip_all)]
pub async fn recent_deliveries(app: &App, limit: i64) -> Result<Vec<Delivery>, AppError> {
    Ok(app.store.recent_deliveries(limit).await?)
}

#[tracing::instrument(skip_all)]
pub async fn platform_audit(app: &App, limit: i64) -> Result<Vec<PlatformAuditEntry>, AppError> {
    Ok(app.store.platform_audit(limit).await?)
}

/// Each tenant's customer success manager.
#[tracing::instrument(skip_all)]
pub async fn tenant_csms(app: &App) -> Result<Vec<(TenantId, StaffId)>, AppError> {
    Ok(app.store.tenant_csms().await?)
}

/// Every staff member (the operator's view: no secret).
#[tracing::instrument(skip_all)]
pub async fn staff_directory(app: &App) -> Result<Vec<Staff>, AppError> {
    Ok(app.store.list_staff().await?.into_iter().map(Staff::from).collect())
}

/// Sessions past their idle timeout or lifetime, ended (tenants' and the
/// console's): how many.
#[tracing::instrument(skip_all)]
pub async fn purge_sessions(app: &App, idle_secs: i64) -> Result<(u64, u64), AppError> {
    let now = app.now();
    Ok((app.store.purge_sessions(now, idle_secs).await?, app.store.purge_staff_sessions(now, idle_secs).await?))
}
