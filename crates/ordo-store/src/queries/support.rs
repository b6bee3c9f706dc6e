//! The support chat: conversations of a tenant's users with the platform's
//! support, their messages (sealed), and support's time-limited access to
//! one meeting, granted by a tenant admin.

use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Result, Sealed, Store, StoreError, Tx};
use ordo_core::ids::{MeetingId, StaffId, TenantId, UserId};
use ordo_core::time::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationRow {
    pub tenant_id: TenantId,
    pub id: String,
    pub user_id: UserId,
    /// `open` (waiting for support), `pending` (waiting for the user), `resolved`.
    pub status: String,
    pub assigned_to: Option<StaffId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub user_read: i64,
    pub staff_read: i64,
    pub user_seen_at: Timestamp,
    pub messages: i64,
}

#[derive(Clone, Debug)]
pub struct MessageRow {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    /// `user` or `staff`.
    pub author_kind: String,
    pub author_id: String,
    pub body: Sealed,
    pub image: Option<Sealed>,
    pub image_type: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRow {
    pub id: String,
    pub meeting_id: MeetingId,
    pub staff_id: StaffId,
    pub granted_by: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

const CONVERSATION_COLUMNS: &str = "tenant_id, id, user_id, status, assigned_to, created_at, updated_at, \
                                    user_read, staff_read, user_seen_at, messages";
const MESSAGE_COLUMNS: &str = "id, conversation_id, seq, author_kind, author_id, body, image, image_type, created_at";
const GRANT_COLUMNS: &str = "id, meeting_id, staff_id, granted_by, created_at, expires_at, revoked_at";

fn conversation(r: &impl Get) -> Result<ConversationRow> {
    Ok(ConversationRow {
        tenant_id: r.parsed("tenant_id")?,
        id: r.text("id")?,
        user_id: r.parsed("user_id")?,
        status: r.text("status")?,
        assigned_to: r.opt_parsed("assigned_to")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        user_read: r.int("user_read")?,
        staff_read: r.int("staff_read")?,
        user_seen_at: r.ts("user_seen_at")?,
        messages: r.int("messages")?,
    })
}

fn message(r: &impl Get) -> Result<MessageRow> {
    Ok(MessageRow {
        id: r.text("id")?,
        conversation_id: r.text("conversation_id")?,
        seq: r.int("seq")?,
        author_kind: r.text("author_kind")?,
        author_id: r.text("author_id")?,
        body: Sealed::from_storage(r.text("body")?),
        image: r.opt_text("image")?.map(Sealed::from_storage),
        image_type: r.opt_text("image_type")?,
        created_at: r.ts("created_at")?,
    })
}

fn grant(r: &impl Get) -> Result<GrantRow> {
    Ok(GrantRow {
        id: r.text("id")?,
        meeting_id: r.parsed("meeting_id")?,
        staff_id: r.parsed("staff_id")?,
        granted_by: r.parsed("granted_by")?,
        created_at: r.ts("created_at")?,
        expires_at: r.ts("expires_at")?,
        revoked_at: r.opt_int("revoked_at")?.map(Timestamp::from_unix),
    })
}

impl Store {
    /// A conversation of a tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn conversation(&self, tenant: TenantId, id: &str) -> Result<Option<ConversationRow>> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM support_conversations WHERE tenant_id = $1 AND id = $2");
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).bind(id).fetch_optional(&mut *c).await?;
                row.as_ref().map(conversation).transpose()
            })
        })
    }

    /// A user's conversations, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn conversations_of_user(&self, tenant: TenantId, user: UserId) -> Result<Vec<ConversationRow>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM support_conversations WHERE tenant_id = $1 AND user_id = $2
             ORDER BY updated_at DESC, id"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).bind(user.to_string()).fetch_all(&mut *c).await?;
                rows.iter().map(conversation).collect()
            })
        })
    }

    /// The support inbox: every tenant's conversations, the unresolved
    /// first, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn inbox(&self, limit: i64) -> Result<Vec<ConversationRow>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM support_conversations
             ORDER BY CASE status WHEN 'resolved' THEN 1 ELSE 0 END, updated_at DESC, id LIMIT $1"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&mut *c).await?;
                rows.iter().map(conversation).collect()
            })
        })
    }

    /// A conversation's messages after number `after`, in order.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn messages_after(&self, tenant: TenantId, conversation: &str, after: i64) -> Result<Vec<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM support_messages WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3
             ORDER BY seq"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(tenant.to_string())
                    .bind(conversation)
                    .bind(after)
                    .fetch_all(&mut *c)
                    .await?;
                rows.iter().map(message).collect()
            })
        })
    }

    /// One message of a conversation.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn support_message(&self, tenant: TenantId, conversation: &str, id: &str) -> Result<Option<MessageRow>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM support_messages WHERE tenant_id = $1 AND conversation_id = $2 AND id = $3"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(tenant.to_string())
                    .bind(conversation)
                    .bind(id)
                    .fetch_optional(&mut *c)
                    .await?;
                row.as_ref().map(message).transpose()
            })
        })
    }

    /// Messages from support the user has not read yet, over their conversations.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unread_for_user(&self, tenant: TenantId, user: UserId) -> Result<i64> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM support_messages m JOIN support_conversations s
                       ON s.tenant_id = m.tenant_id AND s.id = m.conversation_id
                     WHERE s.tenant_id = $1 AND s.user_id = $2 AND m.author_kind = 'staff' AND m.seq > s.user_read",
                )
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_one(&mut *c)
                .await?;
                Ok(n)
            })
        })
    }

    /// Per conversation, the user's messages support has not read yet.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unread_for_staff(&self) -> Result<Vec<(TenantId, String, i64)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT s.tenant_id, s.id, COUNT(*) FROM support_messages m JOIN support_conversations s
                       ON s.tenant_id = m.tenant_id AND s.id = m.conversation_id
                     WHERE m.author_kind = 'user' AND m.seq > s.staff_read GROUP BY s.tenant_id, s.id",
                )
                .fetch_all(&mut *c)
                .await?;
                rows.into_iter()
                    .map(|(t, id, n)| Ok((t.parse().map_err(|_| StoreError::Corrupt("support_conversations.tenant_id"))?, id, n)))
                    .collect()
            })
        })
    }

    /// One side has read up to message `seq`; the user's side also says
    /// when they last had the chat open.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_read(
        &self,
        tenant: TenantId,
        conversation: &str,
        staff: bool,
        seq: i64,
        now: Timestamp,
    ) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                if staff {
                    sqlx::query(
                        "UPDATE support_conversations SET staff_read = $3 WHERE tenant_id = $1 AND id = $2 AND staff_read < $3",
                    )
                    .bind(tenant.to_string())
                    .bind(conversation)
                    .bind(seq)
                    .execute(&mut *c)
                    .await?;
                } else {
                    sqlx::query(
                        "UPDATE support_conversations SET user_read = CASE WHEN user_read < $3 THEN $3 ELSE user_read END,
                                user_seen_at = $4
                         WHERE tenant_id = $1 AND id = $2",
                    )
                    .bind(tenant.to_string())
                    .bind(conversation)
                    .bind(seq)
                    .bind(now.unix())
                    .execute(&mut *c)
                    .await?;
                }
                Ok(())
            })
        })
    }

    /// Support's grants to a tenant's meetings, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn grants(&self, tenant: TenantId) -> Result<Vec<GrantRow>> {
        let sql =
            format!("SELECT {GRANT_COLUMNS} FROM support_grants WHERE tenant_id = $1 ORDER BY created_at DESC, id");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).fetch_all(&mut *c).await?;
                rows.iter().map(grant).collect()
            })
        })
    }

    /// The grants still running for a staff member, over every tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn live_grants_of(&self, staff: StaffId, now: Timestamp) -> Result<Vec<(TenantId, GrantRow)>> {
        let sql = format!(
            "SELECT tenant_id, {GRANT_COLUMNS} FROM support_grants
             WHERE staff_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY expires_at"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(staff.to_string()).bind(now.unix()).fetch_all(&mut *c).await?;
                rows.iter().map(|r| Ok((r.parsed("tenant_id")?, grant(r)?))).collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_conversation(&mut self, c_: &ConversationRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO support_conversations (tenant_id, id, user_id, status, assigned_to, created_at, updated_at, user_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $6)",
            )
            .bind(c_.tenant_id.to_string())
            .bind(&c_.id)
            .bind(c_.user_id.to_string())
            .bind(&c_.status)
            .bind(c_.assigned_to.map(|s| s.to_string()))
            .bind(c_.created_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Add a message; returns its number. The conversation's status moves
    /// to `status` in the same statement.
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn append_message(
        &mut self,
        tenant: TenantId,
        conversation: &str,
        id: &str,
        author_kind: &str,
        author_id: &str,
        body: &Sealed,
        image: Option<(&Sealed, &str)>,
        status: &str,
        now: Timestamp,
    ) -> Result<i64> {
        run!(self.conn(), c => {
            let (seq,): (i64,) = sqlx::query_as(
                "UPDATE support_conversations SET messages = messages + 1, updated_at = $3, status = $4
                 WHERE tenant_id = $1 AND id = $2 RETURNING messages",
            )
            .bind(tenant.to_string())
            .bind(conversation)
            .bind(now.unix())
            .bind(status)
            .fetch_one(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO support_messages (tenant_id, id, conversation_id, seq, author_kind, author_id, body, image, image_type, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(tenant.to_string())
            .bind(id)
            .bind(conversation)
            .bind(seq)
            .bind(author_kind)
            .bind(author_id)
            .bind(body.as_storage())
            .bind(image.map(|(s, _)| s.as_storage().to_owned()))
            .bind(image.map(|(_, t)| t.to_owned()))
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(seq)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_conversation_status(
        &mut self,
        tenant: TenantId,
        conversation: &str,
        status: &str,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE support_conversations SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(conversation)
                .bind(status)
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Give an unassigned conversation to a staff member.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn assign_conversation(&mut self, tenant: TenantId, conversation: &str, staff: StaffId) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "UPDATE support_conversations SET assigned_to = $3 WHERE tenant_id = $1 AND id = $2 AND assigned_to IS NULL",
            )
            .bind(tenant.to_string())
            .bind(conversation)
            .bind(staff.to_string())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// A staff member was given a conversation (round-robin keeps the date).
    /// Record that `staff` was just given a conversation. The mark is
    /// strictly later than every other one, so that round-robin stays
    /// fair when several conversations open within one second.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn staff_assigned(&mut self, staff: StaffId, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(last_assigned_at) FROM staff")
                .fetch_one(&mut *c)
                .await?;
            let mark = now.unix().max(latest.unwrap_or(0) + 1);
            sqlx::query("UPDATE staff SET last_assigned_at = $2 WHERE id = $1")
                .bind(staff.to_string())
                .bind(mark)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_grant(&mut self, tenant: TenantId, g: &GrantRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO support_grants (tenant_id, id, meeting_id, staff_id, granted_by, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(tenant.to_string())
            .bind(&g.id)
            .bind(g.meeting_id.to_string())
            .bind(g.staff_id.to_string())
            .bind(g.granted_by.to_string())
            .bind(g.created_at.unix())
            .bind(g.expires_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Revoke a grant still running: the grant, if this call revoked it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_grant(&mut self, tenant: TenantId, id: &str, now: Timestamp) -> Result<Option<GrantRow>> {
        let sql = format!(
            "UPDATE support_grants SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL AND expires_at > $3
             RETURNING {GRANT_COLUMNS}"
        );
        run!(self.conn(), c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).bind(id).bind(now.unix()).fetch_optional(&mut *c).await?;
            row.as_ref().map(grant).transpose()
        })
    }
}
