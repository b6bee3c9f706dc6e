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
    })
}

async fn by_slug(conn: Conn<'_>, slug: &Slug) -> Result<Option<Tenant>> {
    run!(conn, c => {
        let row = sqlx::query("SELECT id, slug, name, plan, created_at FROM tenants WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *c)
            .await?;
        row.as_ref().map(from_row).transpose()
    })
}

impl Store {
    pub async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>> {
        on_pool!(self, c => by_slug(c, slug).await)
    }

    pub async fn tenant_by_id(&self, id: TenantId) -> Result<Option<Tenant>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query("SELECT id, slug, name, plan, created_at FROM tenants WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&mut *c)
                    .await?;
                row.as_ref().map(from_row).transpose()
            })
        })
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query("SELECT id, slug, name, plan, created_at FROM tenants ORDER BY slug")
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }
}

impl Tx {
    pub async fn insert_tenant(&mut self, t: &Tenant) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("INSERT INTO tenants (id, slug, name, plan, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(t.id.to_string())
                .bind(t.slug.as_str())
                .bind(&t.name)
                .bind(t.plan.as_str())
                .bind(t.created_at.unix())
                .execute(&mut *c)
                .await
                .map_err(|e| conflict(e, "slug"))?;
            Ok(())
        })
    }

    pub async fn tenant_by_slug(&mut self, slug: &Slug) -> Result<Option<Tenant>> {
        by_slug(self.conn(), slug).await
    }
}
