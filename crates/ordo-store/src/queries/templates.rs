//! Agenda templates: a tenant's reusable agendas, name and body sealed.

use crate::conn::{on_pool, run};
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
    pub async fn templates(&self, tenant: TenantId) -> Result<Vec<TemplateRow>> {
        let sql = format!("SELECT {COLUMNS} FROM agenda_templates WHERE tenant_id = $1 ORDER BY created_at, id");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).fetch_all(&mut *c).await?;
                rows.iter().map(template).collect()
            })
        })
    }

    pub async fn template(&self, tenant: TenantId, id: TemplateId) -> Result<Option<TemplateRow>> {
        let sql = format!("SELECT {COLUMNS} FROM agenda_templates WHERE tenant_id = $1 AND id = $2");
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(tenant.to_string())
                    .bind(id.to_string())
                    .fetch_optional(&mut *c)
                    .await?;
                row.as_ref().map(template).transpose()
            })
        })
    }
}

impl Tx {
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
