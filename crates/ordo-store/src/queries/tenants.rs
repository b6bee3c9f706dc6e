use crate::conn::{Conn, conflict, on_pool, run};
use crate::row::Get;
use crate::{Result, Store, Tenant, Tx};
use ordo_core::ids::TenantId;
use ordo_core::tenant::Slug;

fn from_row(r: &impl Get) -> Result<Tenant> {
    Ok(Tenant {
        id: r.parsed("id")?,
        slug: r.parsed("slug")?,
        name: r.text("name")?,
        plan: r.parsed("plan")?,
        created_at: r.ts("created_at")?,
        encryption: r.text("encryption")? == "on",
        key_version: u32::try_from(r.int("key_version")?)
            .map_err(|_| crate::StoreError::Corrupt("tenants.key_version"))?,
        reseal_pending: r.int("reseal_pending")? != 0,
        people_revision: r.int("people_revision")?,
    })
}

async fn by_slug(conn: Conn<'_>, slug: &Slug) -> Result<Option<Tenant>> {
    run!(conn, c => {
        let row = sqlx::query("SELECT id, slug, name, plan, created_at, encryption, key_version, reseal_pending, people_revision FROM tenants WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *c)
            .await?;
        row.as_ref().map(from_row).transpose()
    })
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>> {
        on_pool!(self, c => by_slug(c, slug).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenant_by_id(&self, id: TenantId) -> Result<Option<Tenant>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query("SELECT id, slug, name, plan, created_at, encryption, key_version, reseal_pending, people_revision FROM tenants WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&mut *c)
                    .await?;
                row.as_ref().map(from_row).transpose()
            })
        })
    }

    /// Tenants whose stored values wait to be re-sealed.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenants_to_reseal(&self) -> Result<Vec<Tenant>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, slug, name, plan, created_at, encryption, key_version, reseal_pending, people_revision FROM tenants
                     WHERE reseal_pending = 1 ORDER BY slug",
                )
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query("SELECT id, slug, name, plan, created_at, encryption, key_version, reseal_pending, people_revision FROM tenants ORDER BY slug")
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_tenant(&mut self, t: &Tenant) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO tenants (id, slug, name, plan, created_at, encryption, key_version, reseal_pending)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
            )
                .bind(t.id.to_string())
                .bind(t.slug.as_str())
                .bind(&t.name)
                .bind(t.plan.as_str())
                .bind(t.created_at.unix())
                .bind(if t.encryption { "on" } else { "off" })
                .bind(i64::from(t.key_version))
                .execute(&mut *c)
                .await
                .map_err(|e| conflict(e, crate::Unique::Slug))?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenant_by_slug(&mut self, slug: &Slug) -> Result<Option<Tenant>> {
        by_slug(self.conn(), slug).await
    }

    /// Switch encryption of new values on or off, and ask for stored values
    /// to be re-sealed accordingly.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_tenant_encryption(&mut self, tenant: TenantId, on: bool) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE tenants SET encryption = $2, reseal_pending = 1 WHERE id = $1")
                .bind(tenant.to_string())
                .bind(if on { "on" } else { "off" })
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Make `version` the data key for new values; stored values are re-sealed.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_tenant_key_version(&mut self, tenant: TenantId, version: u32) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE tenants SET key_version = $2, reseal_pending = 1 WHERE id = $1")
                .bind(tenant.to_string())
                .bind(i64::from(version))
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn clear_reseal_pending(&mut self, tenant: TenantId) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE tenants SET reseal_pending = 0 WHERE id = $1")
                .bind(tenant.to_string())
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Delete a tenant and every row it owns.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_tenant(&mut self, tenant: TenantId) -> Result<bool> {
        self.delete_tenant_rows(tenant, true).await
    }

    /// Delete a tenant's rows before restoring it: its history of backups
    /// stays.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_tenant_for_restore(&mut self, tenant: TenantId) -> Result<bool> {
        self.delete_tenant_rows(tenant, false).await
    }

    async fn delete_tenant_rows(&mut self, tenant: TenantId, with_history: bool) -> Result<bool> {
        run!(self.conn(), c => {
            if with_history {
                for sql in [
                    "DELETE FROM backup_runs WHERE tenant_id = $1",
                    "DELETE FROM tenant_status WHERE tenant_id = $1",
                    "DELETE FROM tenant_status_changes WHERE tenant_id = $1",
                    "DELETE FROM tenant_traffic WHERE tenant_id = $1",
                ] {
                    sqlx::query(sql).bind(tenant.to_string()).execute(&mut *c).await?;
                }
            }
            // Children first: this does not rely on cascades being enabled.
            for sql in [
                "DELETE FROM sessions WHERE tenant_id = $1",
                "DELETE FROM api_tokens WHERE tenant_id = $1",
                "DELETE FROM user_tokens WHERE tenant_id = $1",
                "DELETE FROM mail_outbox WHERE tenant_id = $1",
                "DELETE FROM audit_log WHERE tenant_id = $1",
                "DELETE FROM support_messages WHERE tenant_id = $1",
                "DELETE FROM support_conversations WHERE tenant_id = $1",
                "DELETE FROM support_grants WHERE tenant_id = $1",
                "DELETE FROM meeting_history WHERE tenant_id = $1",
                "DELETE FROM comments WHERE tenant_id = $1",
                "DELETE FROM attachments WHERE tenant_id = $1",
                "DELETE FROM element_owners WHERE tenant_id = $1",
                "DELETE FROM elements WHERE tenant_id = $1",
                "DELETE FROM topic_contributors WHERE tenant_id = $1",
                "DELETE FROM topics WHERE tenant_id = $1",
                "DELETE FROM meeting_participants WHERE tenant_id = $1",
                "DELETE FROM meetings WHERE tenant_id = $1",
                "DELETE FROM users WHERE tenant_id = $1",
                "DELETE FROM tenant_keys WHERE tenant_id = $1",
            ] {
                sqlx::query(sql).bind(tenant.to_string()).execute(&mut *c).await?;
            }
            let r = sqlx::query("DELETE FROM tenants WHERE id = $1").bind(tenant.to_string()).execute(&mut *c).await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
