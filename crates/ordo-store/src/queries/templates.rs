//! Agenda templates: a tenant's reusable agendas, name and body sealed.

use crate::conn::{on_pool, reads, run};
use crate::row::Get;
use crate::{Result, Sealed, Store, Tx};
use ordo_core::ids::{TemplateId, TenantId, UserId};
use ordo_core::time::Timestamp;

#[derive(Clone, Debug)]
pub struct TemplateRow {
    pub id: TemplateId,
    pub name: Sealed,
    /// The agenda as JSON, sealed.
    pub body: Sealed,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, name, body, created_by, created_at";

fn template(r: &impl Get) -> Result<TemplateRow> {
    Ok(TemplateRow {
        id: r.parsed("id")?,
        name: Sealed::from_storage(r.text("name")?),
        body: Sealed::from_storage(r.text("body")?),
        created_by: r.parsed("created_by")?,
        created_at: r.ts("created_at")?,
    })
}

impl Store {
    /// A tenant's templates, oldest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn templates(&self, tenant: TenantId) -> Result<Vec<TemplateRow>> {
        let sql = format!("SELECT {COLUMNS} FROM agenda_templates WHERE tenant_id = $1 ORDER BY created_at, id");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).fetch_all(&mut *c).await?;
                rows.iter().map(template).collect()
            })
        })
    }
}

reads! {
    pub async fn template(&self, tenant: TenantId, id: TemplateId) -> Result<Option<TemplateRow>> { conn => {
        run!(conn, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM agenda_templates WHERE tenant_id = $1 AND id = $2")))
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?;
            row.as_ref().map(template).transpose()
        })
    }}
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_template(&mut self, tenant: TenantId, t: &TemplateRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO agenda_templates (tenant_id, id, name, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tenant.to_string())
            .bind(t.id.to_string())
            .bind(t.name.as_storage())
            .bind(t.body.as_storage())
            .bind(t.created_by.to_string())
            .bind(t.created_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Delete a template; false if there was none.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_template(&mut self, tenant: TenantId, id: TemplateId) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM agenda_templates WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

/// A user's reminder settings: opted out, and the UTC day of the last digest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReminderPref {
    pub opt_out: bool,
    pub last_sent_on: Option<String>,
}

impl Store {
    /// Every user's reminder settings in a tenant (users without a row: the defaults).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reminder_prefs(&self, tenant: TenantId) -> Result<Vec<(UserId, ReminderPref)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query("SELECT user_id, opt_out, last_sent_on FROM reminder_prefs WHERE tenant_id = $1")
                    .bind(tenant.to_string())
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.parsed("user_id")?,
                            ReminderPref { opt_out: r.int("opt_out")? != 0, last_sent_on: r.opt_text("last_sent_on")? },
                        ))
                    })
                    .collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_reminder_opt_out(&mut self, tenant: TenantId, user: UserId, opt_out: bool) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO reminder_prefs (tenant_id, user_id, opt_out) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET opt_out = excluded.opt_out",
            )
            .bind(tenant.to_string())
            .bind(user.to_string())
            .bind(i64::from(opt_out))
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Note today's digest as sent; false if one was already noted for `day`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_digest_sent(&mut self, tenant: TenantId, user: UserId, day: &str) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "INSERT INTO reminder_prefs (tenant_id, user_id, last_sent_on) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET last_sent_on = excluded.last_sent_on
                 WHERE reminder_prefs.last_sent_on IS NULL OR reminder_prefs.last_sent_on <> excluded.last_sent_on",
            )
            .bind(tenant.to_string())
            .bind(user.to_string())
            .bind(day)
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
