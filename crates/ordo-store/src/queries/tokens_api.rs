use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{ApiToken, Result, Sealed, Store, Tx};
use ordo_core::ids::{TenantId, UserId};
use ordo_core::time::Timestamp;

fn from_row(r: &impl Get) -> Result<ApiToken> {
    Ok(ApiToken {
        tenant_id: r.parsed("tenant_id")?,
        id: r.text("id")?,
        user_id: r.parsed("user_id")?,
        name: Sealed::from_storage(r.text("name")?),
        created_at: r.ts("created_at")?,
        last_used_at: r.opt_int("last_used_at")?.map(Timestamp::from_unix),
        revoked: r.opt_int("revoked_at")?.is_some(),
    })
}

impl Store {
    /// The live token with this hash, in whatever tenant (the caller checks).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(
                    "SELECT tenant_id, id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
                     WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .bind(hash)
                .fetch_optional(&mut *c)
                .await?;
                row.as_ref().map(from_row).transpose()
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn api_tokens_of(&self, tenant: TenantId, user: UserId) -> Result<Vec<ApiToken>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
                     WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY created_at, id",
                )
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }

    /// Record use, at most once a minute.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn touch_api_token(&self, tenant: TenantId, id: &str, now: Timestamp) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "UPDATE api_tokens SET last_used_at = $3
                     WHERE tenant_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $4)",
                )
                .bind(tenant.to_string())
                .bind(id)
                .bind(now.unix())
                .bind(now.minus_secs(60).unix())
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_api_token(
        &mut self,
        tenant: TenantId,
        id: &str,
        user: UserId,
        name: &Sealed,
        hash: &str,
        now: Timestamp,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO api_tokens (tenant_id, id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tenant.to_string())
            .bind(id)
            .bind(user.to_string())
            .bind(name.as_storage())
            .bind(hash)
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Revoke one of a user's tokens; false if there is no such token.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_api_token(&mut self, tenant: TenantId, user: UserId, id: &str, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $4 WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL",
            )
            .bind(tenant.to_string())
            .bind(user.to_string())
            .bind(id)
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
