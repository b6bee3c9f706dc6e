use crate::conn::{on_pool, run};
use crate::{Result, Store, TokenPurpose, Tx};
use ordo_core::ids::{TenantId, UserId};
use ordo_core::time::Timestamp;

impl Store {
    /// The user a valid (unused, unexpired) token belongs to, without using it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn peek_token(
        &self,
        tenant: TenantId,
        purpose: TokenPurpose,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<UserId>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT user_id FROM user_tokens
                     WHERE tenant_id = $1 AND token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4",
                )
                .bind(tenant.to_string())
                .bind(token_hash)
                .bind(purpose.as_str())
                .bind(now.unix())
                .fetch_optional(&mut *c)
                .await?;
                row.map(|(u,)| u.parse().map_err(|_| crate::StoreError::Corrupt("user_tokens.user_id"))).transpose()
            })
        })
    }
}

impl Tx {
    /// Store a new token, replacing any earlier token of the same purpose for
    /// the same user: only the newest link works.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_token(
        &mut self,
        tenant: TenantId,
        user: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        self.drop_tokens(tenant, user, purpose, i64::MAX).await?;
        self.put_token(tenant, user, purpose, token_hash, now, expires_at).await
    }

    /// Store one more token of a purpose, keeping the user's earlier ones
    /// that have not expired: an invitation to a second meeting must not
    /// quietly break the link of the first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn add_token(
        &mut self,
        tenant: TenantId,
        user: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        self.drop_tokens(tenant, user, purpose, now.unix()).await?;
        self.put_token(tenant, user, purpose, token_hash, now, expires_at).await
    }

    /// Forget every token of a purpose of a user (once one of them was used).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn forget_tokens(&mut self, tenant: TenantId, user: UserId, purpose: TokenPurpose) -> Result<()> {
        self.drop_tokens(tenant, user, purpose, i64::MAX).await
    }

    /// Delete a user's tokens of a purpose that expire by `by` (Unix seconds).
    async fn drop_tokens(&mut self, tenant: TenantId, user: UserId, purpose: TokenPurpose, by: i64) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM user_tokens WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND expires_at <= $4")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .bind(purpose.as_str())
                .bind(by)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    async fn put_token(
        &mut self,
        tenant: TenantId,
        user: UserId,
        purpose: TokenPurpose,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO user_tokens (tenant_id, token_hash, user_id, purpose, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tenant.to_string())
            .bind(token_hash)
            .bind(user.to_string())
            .bind(purpose.as_str())
            .bind(now.unix())
            .bind(expires_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Use a token: succeeds once, before it expires, and returns its user.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn consume_token(
        &mut self,
        tenant: TenantId,
        purpose: TokenPurpose,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<UserId>> {
        run!(self.conn(), c => {
            let row: Option<(String,)> = sqlx::query_as(
                "UPDATE user_tokens SET used_at = $4
                 WHERE tenant_id = $1 AND token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4
                 RETURNING user_id",
            )
            .bind(tenant.to_string())
            .bind(token_hash)
            .bind(purpose.as_str())
            .bind(now.unix())
            .fetch_optional(&mut *c)
            .await?;
            row.map(|(u,)| u.parse().map_err(|_| crate::StoreError::Corrupt("user_tokens.user_id"))).transpose()
        })
    }
}
