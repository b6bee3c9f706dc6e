//! The operator's staff: accounts, second factor, recovery codes, sessions,
//! activation links, and tenants' customer success managers.

use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Result, Store, StoreError, Tx};
use ordo_core::ids::{StaffId, StaffSessionId, TenantId};
use ordo_core::staff::PlatformRole;
use ordo_core::time::Timestamp;
use ordo_core::user::UserStatus;

/// A staff member as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    pub id: StaffId,
    pub email: String,
    pub display_name: String,
    pub role: PlatformRole,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    /// Sealed under the platform key.
    pub totp_secret: Option<String>,
    pub totp_last_step: i64,
    pub available: bool,
    pub last_assigned_at: i64,
    pub created_at: Timestamp,
}

/// A staff session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSession {
    pub id: StaffSessionId,
    pub staff_id: StaffId,
    pub csrf_token: String,
    pub mfa_passed: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

const STAFF_COLUMNS: &str = "id, email, display_name, role, status, password_hash, totp_secret, totp_last_step, \
                             available, last_assigned_at, created_at";

fn staff(r: &impl Get) -> Result<StaffRow> {
    Ok(StaffRow {
        id: r.parsed("id")?,
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        role: r.parsed("role")?,
        status: r.parsed("status")?,
        password_hash: r.opt_text("password_hash")?,
        totp_secret: r.opt_text("totp_secret")?,
        totp_last_step: r.int("totp_last_step")?,
        available: r.int("available")? != 0,
        last_assigned_at: r.int("last_assigned_at")?,
        created_at: r.ts("created_at")?,
    })
}

fn session(r: &impl Get) -> Result<StaffSession> {
    Ok(StaffSession {
        id: r.parsed("id")?,
        staff_id: r.parsed("staff_id")?,
        csrf_token: r.text("csrf_token")?,
        mfa_passed: r.int("mfa_passed")? != 0,
        created_at: r.ts("created_at")?,
        last_seen_at: r.ts("last_seen_at")?,
        expires_at: r.ts("expires_at")?,
    })
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRow>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE email = $1");
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(&mut *c).await?;
                row.as_ref().map(staff).transpose()
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn staff_by_id(&self, id: StaffId) -> Result<Option<StaffRow>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1");
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut *c).await?;
                row.as_ref().map(staff).transpose()
            })
        })
    }

    /// Every staff member, by name.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_staff(&self) -> Result<Vec<StaffRow>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY display_name, id");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?;
                rows.iter().map(staff).collect()
            })
        })
    }

    /// The staff session whose cookie hashes to `secret_hash`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn staff_session_by_secret(&self, secret_hash: &str) -> Result<Option<StaffSession>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(
                    "SELECT id, staff_id, csrf_token, mfa_passed, created_at, last_seen_at, expires_at
                     FROM staff_sessions WHERE secret_hash = $1",
                )
                .bind(secret_hash)
                .fetch_optional(&mut *c)
                .await?;
                row.as_ref().map(session).transpose()
            })
        })
    }

    /// Record activity, at most once a minute per session.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn touch_staff_session(&self, id: StaffSessionId, now: Timestamp) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query("UPDATE staff_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $3")
                    .bind(id.to_string())
                    .bind(now.unix())
                    .bind(now.minus_secs(60).unix())
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
    }

    /// Each tenant's customer success manager, by tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenant_csms(&self) -> Result<Vec<(TenantId, StaffId)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows: Vec<(String, String)> =
                    sqlx::query_as("SELECT id, csm_id FROM tenants WHERE csm_id IS NOT NULL").fetch_all(&mut *c).await?;
                rows.into_iter()
                    .map(|(t, s)| {
                        Ok((
                            t.parse().map_err(|_| StoreError::Corrupt("tenants.id"))?,
                            s.parse().map_err(|_| StoreError::Corrupt("tenants.csm_id"))?,
                        ))
                    })
                    .collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn staff_by_id(&mut self, id: StaffId) -> Result<Option<StaffRow>> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1");
        run!(self.conn(), c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(&mut *c).await?;
            row.as_ref().map(staff).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_staff(
        &mut self,
        id: StaffId,
        email: &str,
        display_name: &str,
        role: PlatformRole,
        now: Timestamp,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO staff (id, email, display_name, role, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
            )
            .bind(id.to_string())
            .bind(email)
            .bind(display_name)
            .bind(role.as_str())
            .bind(now.unix())
            .execute(&mut *c)
            .await
            .map_err(|e| crate::conn::conflict(e, crate::Unique::Email))?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_staff_token(&mut self, staff: StaffId, token_hash: &str, expires_at: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("INSERT INTO staff_tokens (token_hash, staff_id, expires_at) VALUES ($1, $2, $3)")
                .bind(token_hash)
                .bind(staff.to_string())
                .bind(expires_at.unix())
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Spend an activation link: the staff member it was for, if it was
    /// valid, unused and unexpired.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn consume_staff_token(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<StaffId>> {
        run!(self.conn(), c => {
            let row: Option<(String,)> = sqlx::query_as(
                "UPDATE staff_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING staff_id",
            )
            .bind(token_hash)
            .bind(now.unix())
            .fetch_optional(&mut *c)
            .await?;
            row.map(|(s,)| s.parse().map_err(|_| StoreError::Corrupt("staff_tokens.staff_id"))).transpose()
        })
    }

    /// Set the password (activation): the account becomes active.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_staff_password(&mut self, id: StaffId, hash: &str, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE staff SET password_hash = $2, status = 'active', updated_at = $3 WHERE id = $1 AND status = 'pending'")
                .bind(id.to_string())
                .bind(hash)
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Enrol the second factor: its sealed secret, the step of the code that
    /// confirmed it, and fresh recovery codes (hashes). False if a second
    /// factor is set already (two enrolments racing: the first one stays).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_staff_totp(
        &mut self,
        id: StaffId,
        sealed_secret: &str,
        step: i64,
        recovery_hashes: &[String],
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE staff SET totp_secret = $2, totp_last_step = $3, updated_at = $4 WHERE id = $1 AND totp_secret IS NULL",
            )
            .bind(id.to_string())
            .bind(sealed_secret)
            .bind(step)
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            if r.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(id.to_string()).execute(&mut *c).await?;
            for h in recovery_hashes {
                sqlx::query("INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES ($1, $2)")
                    .bind(id.to_string())
                    .bind(h)
                    .execute(&mut *c)
                    .await?;
            }
            Ok(true)
        })
    }

    /// Accept a one-time code's step: true only if it is after the last one
    /// used (two sign-ins racing with one code: one wins).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn use_totp_step(&mut self, id: StaffId, step: i64) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE staff SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
                .bind(id.to_string())
                .bind(step)
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Spend a recovery code: true if it was one of theirs and unused.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn use_recovery_code(&mut self, id: StaffId, code_hash: &str, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(id.to_string())
            .bind(code_hash)
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_staff_session(
        &mut self,
        id: StaffSessionId,
        secret_hash: &str,
        staff: StaffId,
        csrf_token: &str,
        now: Timestamp,
        expires_at: Timestamp,
        ip: &str,
        user_agent: &str,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO staff_sessions (id, secret_hash, staff_id, csrf_token, mfa_passed, created_at, last_seen_at, expires_at, ip, user_agent)
                 VALUES ($1, $2, $3, $4, 0, $5, $5, $6, $7, $8)",
            )
            .bind(id.to_string())
            .bind(secret_hash)
            .bind(staff.to_string())
            .bind(csrf_token)
            .bind(now.unix())
            .bind(expires_at.unix())
            .bind(ip)
            .bind(user_agent)
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// The second factor passed: the session becomes a full one, under a
    /// new cookie (the one the password alone opened stops working).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn pass_staff_mfa(&mut self, id: StaffSessionId, new_secret_hash: &str) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE staff_sessions SET mfa_passed = 1, secret_hash = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(new_secret_hash)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_staff_session(&mut self, id: StaffSessionId) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM staff_sessions WHERE id = $1").bind(id.to_string()).execute(&mut *c).await?;
            Ok(())
        })
    }

    /// Disable or enable a staff member; disabling ends all their sessions.
    /// Returns the sessions ended, or None if they were not in the state to change.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_staff_disabled(&mut self, id: StaffId, disabled: bool, now: Timestamp) -> Result<Option<u64>> {
        run!(self.conn(), c => {
            let to = if disabled { "disabled" } else { "active" };
            let from = if disabled { "active" } else { "disabled" };
            let r = sqlx::query("UPDATE staff SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4")
                .bind(id.to_string())
                .bind(to)
                .bind(now.unix())
                .bind(from)
                .execute(&mut *c)
                .await?;
            if r.rows_affected() != 1 {
                return Ok(None);
            }
            let ended = if disabled {
                sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
                    .bind(id.to_string())
                    .execute(&mut *c)
                    .await?
                    .rows_affected()
            } else {
                0
            };
            Ok(Some(ended))
        })
    }

    /// Whether a staff member takes new support conversations.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_staff_available(&mut self, id: StaffId, available: bool, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE staff SET available = $2, updated_at = $3 WHERE id = $1")
                .bind(id.to_string())
                .bind(i64::from(available))
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// A tenant's customer success manager (None: nobody).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_tenant_csm(&mut self, tenant: TenantId, csm: Option<StaffId>) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE tenants SET csm_id = $2 WHERE id = $1")
                .bind(tenant.to_string())
                .bind(csm.map(|s| s.to_string()))
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

/// An entry of the platform audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformAuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub kind: String,
    pub subject: Option<String>,
    pub detail: String,
}

impl Store {
    /// End staff sessions past their lifetime or idle too long.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn purge_staff_sessions(&self, now: Timestamp, idle_secs: i64) -> Result<u64> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let r = sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
                    .bind(now.unix())
                    .bind(now.minus_secs(idle_secs).unix())
                    .execute(&mut *c)
                    .await?;
                Ok(r.rows_affected())
            })
        })
    }

    /// The newest entries of the platform audit log, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn platform_audit(&self, limit: i64) -> Result<Vec<PlatformAuditEntry>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT seq, at, kind, subject, detail FROM platform_audit ORDER BY seq DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(PlatformAuditEntry {
                            seq: r.int("seq")?,
                            at: r.ts("at")?,
                            kind: r.text("kind")?,
                            subject: r.opt_text("subject")?,
                            detail: r.text("detail")?,
                        })
                    })
                    .collect()
            })
        })
    }
}
