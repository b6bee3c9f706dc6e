//! Calendar feeds: for each user at most one, found by the SHA-256 of its
//! secret token (the token itself is never stored).

use crate::conn::{on_pool, run};
use crate::{Result, Store, Tx};
use ordo_core::ids::{TenantId, UserId};
use ordo_core::time::Timestamp;

impl Store {
    /// Whose feed this token hash opens, in this tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn calendar_feed_user(&self, tenant: TenantId, token_hash: &str) -> Result<Option<UserId>> {
        let row: Option<(String,)> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as("SELECT user_id FROM calendar_feeds WHERE tenant_id = $1 AND token_hash = $2")
                    .bind(tenant.to_string())
                    .bind(token_hash)
                    .fetch_optional(&mut *c)
                    .await?
            })
        });
        row.map(|(u,)| u.parse().map_err(|_| crate::StoreError::Corrupt("calendar_feeds.user_id"))).transpose()
    }

    /// When the user's feed was made, if they have one.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn calendar_feed_since(&self, tenant: TenantId, user: UserId) -> Result<Option<Timestamp>> {
        let row: Option<(i64,)> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as("SELECT created_at FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.to_string())
                    .bind(user.to_string())
                    .fetch_optional(&mut *c)
                    .await?
            })
        });
        Ok(row.map(|(t,)| Timestamp::from_unix(t)))
    }
}

impl Tx {
    /// Give the user a feed with this token hash; an earlier one stops
    /// working.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn replace_calendar_feed(
        &mut self,
        tenant: TenantId,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query("INSERT INTO calendar_feeds (tenant_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .bind(token_hash)
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Revoke the user's feed. Returns whether there was one.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_calendar_feed(&mut self, tenant: TenantId, user: UserId) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}
