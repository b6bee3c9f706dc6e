use crate::conn::{Conn, conflict, on_pool, reads, run};
use crate::row::Get;
use crate::{NewUser, Result, Sealed, Store, Tx, UserRow};
use ordo_core::ids::{TenantId, UserId};
use ordo_core::time::Timestamp;
use ordo_core::user::{Locale, Role, UserStatus};

fn from_row(r: &impl Get) -> Result<UserRow> {
    Ok(UserRow {
        tenant_id: r.parsed("tenant_id")?,
        id: r.parsed("id")?,
        email: Sealed::from_storage(r.text("email")?),
        display_name: Sealed::from_storage(r.text("display_name")?),
        phone: r.opt_text("phone")?.map(Sealed::from_storage),
        role: r.parsed("role")?,
        status: r.parsed("status")?,
        locale: r.opt_parsed("locale")?,
        time_zone: r.opt_text("time_zone")?,
        password_hash: r.opt_text("password_hash")?,
        created_at: r.ts("created_at")?,
    })
}

async fn by_id(conn: Conn<'_>, tenant: TenantId, id: UserId) -> Result<Option<UserRow>> {
    run!(conn, c => {
        let row = sqlx::query(
            "SELECT tenant_id, id, email, display_name, phone, role, status, locale, time_zone, password_hash, created_at
             FROM users WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(from_row).transpose()
    })
}

async fn by_email_index(conn: Conn<'_>, tenant: TenantId, index: &str) -> Result<Option<UserRow>> {
    run!(conn, c => {
        let row = sqlx::query(
            "SELECT tenant_id, id, email, display_name, phone, role, status, locale, time_zone, password_hash, created_at
             FROM users WHERE tenant_id = $1 AND email_index = $2",
        )
        .bind(tenant.to_string())
        .bind(index)
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(from_row).transpose()
    })
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_by_id(&self, tenant: TenantId, id: UserId) -> Result<Option<UserRow>> {
        on_pool!(self, c => by_id(c, tenant, id).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_by_email_index(&self, tenant: TenantId, index: &str) -> Result<Option<UserRow>> {
        on_pool!(self, c => by_email_index(c, tenant, index).await)
    }

    /// Every user of the tenant, in order of creation.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_users(&self, tenant: TenantId) -> Result<Vec<UserRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, id, email, display_name, phone, role, status, locale, time_zone, password_hash, created_at
                     FROM users WHERE tenant_id = $1 ORDER BY created_at, id",
                )
                .bind(tenant.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }

    /// The tenant's first user (the owner who created it, usually).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn first_user(&self, tenant: TenantId) -> Result<Option<UserRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(
                    "SELECT tenant_id, id, email, display_name, phone, role, status, locale, time_zone, password_hash, created_at
                     FROM users WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 1",
                )
                .bind(tenant.to_string())
                .fetch_optional(&mut *c)
                .await?;
                row.as_ref().map(from_row).transpose()
            })
        })
    }
}

impl Store {
    /// The other participants of every meeting `user` takes part in, with
    /// the meeting they share (a person met twice comes twice).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn people_met(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Vec<(ordo_core::ids::MeetingId, UserRow)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT p.meeting_id, u.tenant_id, u.id, u.email, u.display_name, u.phone, u.role, u.status,
                            u.locale, u.time_zone, u.password_hash, u.created_at
                     FROM meeting_participants p JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.user_id
                     WHERE p.tenant_id = $1 AND p.user_id <> $2 AND p.meeting_id IN
                        (SELECT meeting_id FROM meeting_participants WHERE tenant_id = $1 AND user_id = $2)",
                )
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(|r| Ok((r.parsed("meeting_id")?, from_row(r)?))).collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_by_id(&mut self, tenant: TenantId, id: UserId) -> Result<Option<UserRow>> {
        by_id(self.conn(), tenant, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_by_email_index(&mut self, tenant: TenantId, index: &str) -> Result<Option<UserRow>> {
        by_email_index(self.conn(), tenant, index).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_user(&mut self, tenant: TenantId, u: &NewUser, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO users (tenant_id, id, email, email_index, display_name, role, status, locale, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(tenant.to_string())
            .bind(u.id.to_string())
            .bind(u.email.as_storage())
            .bind(&u.email_index)
            .bind(u.display_name.as_storage())
            .bind(u.role.as_str())
            .bind(u.status.as_str())
            .bind(u.locale.map(|l| l.as_str()))
            .bind(now.unix())
            .execute(&mut *c)
            .await
            .map_err(|e| conflict(e, crate::Unique::Email))?;
            Ok(())
        })
    }

    /// Set the password hash and make the account active (activation, reset,
    /// change). A disabled account stays disabled.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_password(&mut self, tenant: TenantId, id: UserId, hash: &str, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE users SET password_hash = $3, updated_at = $4,
                        status = CASE WHEN status = 'pending' THEN 'active' ELSE status END
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.to_string())
            .bind(id.to_string())
            .bind(hash)
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_role(&mut self, tenant: TenantId, id: UserId, role: Role, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE users SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(role.as_str())
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_status(
        &mut self,
        tenant: TenantId,
        id: UserId,
        status: UserStatus,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE users SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(status.as_str())
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_profile(
        &mut self,
        tenant: TenantId,
        id: UserId,
        display_name: &Sealed,
        locale: Option<Locale>,
        time_zone: Option<&str>,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE users SET display_name = $3, locale = $4, time_zone = $5, updated_at = $6
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.to_string())
            .bind(id.to_string())
            .bind(display_name.as_storage())
            .bind(locale.map(|l| l.as_str()))
            .bind(time_zone)
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// The time zone a user's browser told at sign-in, kept only if they
    /// have none yet (their own choice is never overwritten).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_time_zone_if_unset(&mut self, tenant: TenantId, id: UserId, time_zone: &str) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE users SET time_zone = $3 WHERE tenant_id = $1 AND id = $2 AND time_zone IS NULL")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(time_zone)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Set or clear a user's telephone number (sealed).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_phone(
        &mut self,
        tenant: TenantId,
        id: UserId,
        phone: Option<&Sealed>,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE users SET phone = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .bind(phone.map(|p| p.as_storage()))
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

impl Store {
    /// Users of a tenant whose protected values are not in the wanted form:
    /// `target` is `Some(v)` for "sealed with key version v", `None` for plain.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn users_to_reseal(&self, tenant: TenantId, target: Option<u32>, limit: i64) -> Result<Vec<UserRow>> {
        let pattern = match target {
            Some(v) => format!("e1.{v}:%"),
            None => "p:%".to_owned(),
        };
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, id, email, display_name, phone, role, status, locale, time_zone, password_hash, created_at
                     FROM users WHERE tenant_id = $1
                       AND NOT (email LIKE $2 AND display_name LIKE $2 AND (phone IS NULL OR phone LIKE $2))
                     ORDER BY id LIMIT $3",
                )
                .bind(tenant.to_string())
                .bind(&pattern)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }
}

impl Tx {
    /// Replace a user's protected values, only if they are still what was
    /// read (a concurrent edit wins; the row is picked up again later).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reseal_user(
        &mut self,
        old: &UserRow,
        email: &Sealed,
        display_name: &Sealed,
        phone: Option<&Sealed>,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE users SET email = $3, display_name = $4, phone = $5
                 WHERE tenant_id = $1 AND id = $2 AND email = $6 AND display_name = $7",
            )
            .bind(old.tenant_id.to_string())
            .bind(old.id.to_string())
            .bind(email.as_storage())
            .bind(display_name.as_storage())
            .bind(phone.map(|p| p.as_storage()))
            .bind(old.email.as_storage())
            .bind(old.display_name.as_storage())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

reads! {
    /// The people a meeting's page names: its participants and the authors
    /// of its remarks.
    pub async fn people_of_meeting(
        &self,
        tenant: TenantId,
        meeting: ordo_core::ids::MeetingId,
    ) -> Result<Vec<UserRow>> { conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, id, email, display_name, phone, role, status, locale, time_zone, password_hash, created_at
                     FROM users WHERE tenant_id = $1 AND (
                        id IN (SELECT user_id FROM meeting_participants WHERE tenant_id = $1 AND meeting_id = $2)
                        OR id IN (SELECT author_id FROM comments WHERE tenant_id = $1 AND meeting_id = $2))",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        }
    }
}
