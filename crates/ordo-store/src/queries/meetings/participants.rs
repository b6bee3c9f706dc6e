//! Who takes part in a meeting, with which role, and who was present.

use super::participant;
use crate::conn::{reads, run};
use crate::{ParticipantRow, Result, Tx};
use ordo_core::ids::{MeetingId, TenantId, UserId};
use ordo_core::meeting::MeetingRole;

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_participant(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        user: UserId,
        role: MeetingRole,
    ) -> Result<()> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE meeting_participants SET role = $4 WHERE tenant_id = $1 AND meeting_id = $2 AND user_id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(user.to_string())
                .bind(role.as_str())
                .execute(&mut *c)
                .await?;
            if r.rows_affected() == 0 {
                sqlx::query("INSERT INTO meeting_participants (tenant_id, meeting_id, user_id, role) VALUES ($1, $2, $3, $4)")
                    .bind(tenant.to_string())
                    .bind(meeting.to_string())
                    .bind(user.to_string())
                    .bind(role.as_str())
                    .execute(&mut *c)
                    .await?;
            }
            Ok(())
        })
    }

    /// Remove a participant (never the organiser), with the actions and
    /// topics they were given in this meeting.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn remove_participant(&mut self, tenant: TenantId, meeting: MeetingId, user: UserId) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM meeting_participants WHERE tenant_id = $1 AND meeting_id = $2 AND user_id = $3 AND role <> 'organiser'")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(user.to_string())
                .execute(&mut *c)
                .await?;
            if r.rows_affected() != 1 {
                return Ok(false);
            }
            for q in [
                "DELETE FROM element_owners WHERE tenant_id = $1 AND user_id = $3
                 AND element_id IN (SELECT id FROM elements WHERE tenant_id = $1 AND meeting_id = $2)",
                "DELETE FROM topic_contributors WHERE tenant_id = $1 AND user_id = $3
                 AND topic_id IN (SELECT id FROM topics WHERE tenant_id = $1 AND meeting_id = $2)",
            ] {
                sqlx::query(q)
                    .bind(tenant.to_string())
                    .bind(meeting.to_string())
                    .bind(user.to_string())
                    .execute(&mut *c)
                    .await?;
            }
            Ok(true)
        })
    }

    /// Record whether a participant was at the meeting (`None`: not said).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_presence(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        user: UserId,
        present: Option<bool>,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE meeting_participants SET present = $4 WHERE tenant_id = $1 AND meeting_id = $2 AND user_id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(user.to_string())
                .bind(present.map(i64::from))
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

reads! {
    pub async fn participants(&self, tenant: TenantId, meeting: MeetingId) -> Result<Vec<ParticipantRow>> { conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT user_id, role, shared_at, present FROM meeting_participants WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY role, user_id",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter()
                    .map(participant)
                    .collect()
            })
        }
    }
}
