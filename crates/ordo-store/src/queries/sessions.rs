use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{NewSession, Result, Session, Store, Tx};
use ordo_core::ids::{SessionId, TenantId, UserId};
use ordo_core::time::Timestamp;

fn from_row(r: &impl Get) -> Result<Session> {
    Ok(Session {
        tenant_id: r.parsed("tenant_id")?,
        id: r.parsed("id")?,
        user_id: r.parsed("user_id")?,
        csrf_token: r.text("csrf_token")?,
        created_at: r.ts("created_at")?,
        last_seen_at: r.ts("last_seen_at")?,
        expires_at: r.ts("expires_at")?,
        ip: r.text("ip")?,
        user_agent: r.text("user_agent")?,
    })
}

impl Store {
    /// The session whose cookie hashes to `secret_hash`, in whatever tenant;
    /// the caller checks that it belongs to the tenant being visited.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn session_by_secret(&self, secret_hash: &str) -> Result<Option<Session>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(
                    "SELECT tenant_id, id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent
                     FROM sessions WHERE secret_hash = $1",
                )
                .bind(secret_hash)
                .fetch_optional(&mut *c)
                .await?;
                row.as_ref().map(from_row).transpose()
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_user_sessions(&self, tenant: TenantId, user: UserId) -> Result<Vec<Session>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent
                     FROM sessions WHERE tenant_id = $1 AND user_id = $2 ORDER BY last_seen_at DESC, id",
                )
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }

    /// Record activity, at most once a minute per session to spare writes.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn touch_session(&self, tenant: TenantId, id: SessionId, now: Timestamp) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2 AND last_seen_at < $4",
                )
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(now.unix())
                .bind(now.minus_secs(60).unix())
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }

    /// Delete sessions that are past their absolute lifetime or idle too long.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn purge_sessions(&self, now: Timestamp, idle_secs: i64) -> Result<u64> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
                    .bind(now.unix())
                    .bind(now.minus_secs(idle_secs).unix())
                    .execute(&mut *c)
                    .await?;
                Ok(r.rows_affected())
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_session(&mut self, tenant: TenantId, s: &NewSession) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO sessions (tenant_id, id, secret_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)",
            )
            .bind(tenant.to_string())
            .bind(s.id.to_string())
            .bind(&s.secret_hash)
            .bind(s.user_id.to_string())
            .bind(&s.csrf_token)
            .bind(s.created_at.unix())
            .bind(s.expires_at.unix())
            .bind(&s.ip)
            .bind(&s.user_agent)
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// End one session of one user. Returns false if there is no such session
    /// for that user in that tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_session(&mut self, tenant: TenantId, user: UserId, id: SessionId) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id = $3")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Delete the session with this cookie hash, whichever tenant (rotation at
    /// login replaces whatever session the browser had).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_session_by_secret(&mut self, secret_hash: &str) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
                .bind(secret_hash)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// End every session of a user, except possibly one (the current).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_user_sessions(
        &mut self,
        tenant: TenantId,
        user: UserId,
        except: Option<SessionId>,
    ) -> Result<u64> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id <> $3")
                .bind(tenant.to_string())
                .bind(user.to_string())
                .bind(except.map(|s| s.to_string()).unwrap_or_default())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected())
        })
    }
}
