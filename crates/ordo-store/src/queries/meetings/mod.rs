//! Meetings: their rows, the lists of a tenant's meetings and actions, and
//! the meeting-level writes; participants, the agenda and remarks have their
//! own modules.

mod agenda;
mod participants;
mod remarks;

use crate::conn::{Conn, on_pool, run};
use crate::row::Get;
use crate::{ElementRow, MeetingRow, ParticipantRow, Result, Sealed, Store, StoreError, TopicRow, Tx};
use ordo_core::ids::{ElementId, MeetingId, TenantId, UserId};
use ordo_core::meeting::MeetingStatus;
use ordo_core::time::Timestamp;

pub(super) fn meeting(r: &impl Get) -> Result<MeetingRow> {
    Ok(MeetingRow {
        tenant_id: r.parsed("tenant_id")?,
        id: r.parsed("id")?,
        title: Sealed::from_storage(r.text("title")?),
        objectives: Sealed::from_storage(r.text("objectives")?),
        place: Sealed::from_storage(r.text("place")?),
        starts_at: r.ts("starts_at")?,
        time_zone: r.text("time_zone")?,
        duration_minutes: r.int("duration_minutes")?,
        organiser_id: r.parsed("organiser_id")?,
        status: r.parsed("status")?,
        version: r.int("version")?,
        revision: r.int("revision")?,
        ics_sequence: r.int("ics_sequence")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(super) fn participant(r: &impl Get) -> Result<ParticipantRow> {
    Ok(ParticipantRow {
        user_id: r.parsed("user_id")?,
        role: r.parsed("role")?,
        shared_at: r.opt_int("shared_at")?.map(Timestamp::from_unix),
        present: r.opt_int("present")?.map(|p| p != 0),
    })
}

pub(super) fn topic(r: &impl Get) -> Result<TopicRow> {
    Ok(TopicRow {
        id: r.parsed("id")?,
        meeting_id: r.parsed("meeting_id")?,
        parent_id: r.opt_parsed("parent_id")?,
        position: r.int("position")?,
        title: Sealed::from_storage(r.text("title")?),
    })
}

pub(super) fn element(r: &impl Get) -> Result<ElementRow> {
    Ok(ElementRow {
        id: r.parsed("id")?,
        meeting_id: r.parsed("meeting_id")?,
        topic_id: r.parsed("topic_id")?,
        position: r.int("position")?,
        kind: r.parsed("kind")?,
        title: Sealed::from_storage(r.text("title")?),
        description: Sealed::from_storage(r.text("description")?),
        due_date: r.opt_text("due_date")?,
        action_status: r.opt_parsed("action_status")?,
        created_by: r.parsed("created_by")?,
        version: r.int("version")?,
        updated_at: r.ts("updated_at")?,
    })
}

async fn meeting_by_id(conn: Conn<'_>, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
    run!(conn, c => {
        let row = sqlx::query(
            "SELECT tenant_id, id, title, objectives, place, starts_at, time_zone, duration_minutes, organiser_id, status, version, revision, ics_sequence, created_at, updated_at
             FROM meetings WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await?;
        row.as_ref().map(meeting).transpose()
    })
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn meeting_by_id(&self, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
        on_pool!(self, conn => meeting_by_id(conn, tenant, id).await)
    }

    /// Every meeting of a tenant, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn all_meetings(&self, tenant: TenantId) -> Result<Vec<MeetingRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, id, title, objectives, place, starts_at, time_zone, duration_minutes, organiser_id,
                            status, version, revision, ics_sequence, created_at, updated_at
                     FROM meetings WHERE tenant_id = $1 ORDER BY starts_at DESC, id",
                )
                .bind(tenant.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(meeting).collect()
            })
        })
    }

    /// Meetings a user takes part in (organiser or participant), by start.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn meetings_of_user(&self, tenant: TenantId, user: UserId) -> Result<Vec<(MeetingRow, ParticipantRow)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT m.tenant_id, m.id, m.title, m.objectives, m.place, m.starts_at, m.time_zone, m.duration_minutes,
                            m.organiser_id, m.status, m.version, m.revision, m.ics_sequence, m.created_at, m.updated_at, p.user_id, p.role, p.shared_at, p.present
                     FROM meetings m JOIN meeting_participants p ON p.tenant_id = m.tenant_id AND p.meeting_id = m.id
                     WHERE m.tenant_id = $1 AND p.user_id = $2 ORDER BY m.starts_at, m.id",
                )
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter()
                    .map(|r| Ok((meeting(r)?, participant(r)?)))
                    .collect()
            })
        })
    }

    /// Every action of the tenant (the admins' overview), with owners.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn all_actions(&self, tenant: TenantId) -> Result<Vec<ElementRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, meeting_id, topic_id, position, kind, title, description, due_date, action_status, created_by, version, updated_at
                     FROM elements WHERE tenant_id = $1 AND kind = 'action' ORDER BY due_date, id",
                )
                .bind(tenant.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(element).collect()
            })
        })
    }

    /// (element, owner) pairs of every action of the tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn all_action_owners(&self, tenant: TenantId) -> Result<Vec<(ElementId, UserId)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows: Vec<(String, String)> = sqlx::query_as("SELECT element_id, user_id FROM element_owners WHERE tenant_id = $1")
                    .bind(tenant.to_string())
                    .fetch_all(&mut *c)
                    .await?;
                rows.into_iter()
                    .map(|(e, u)| Ok((e.parse().map_err(|_| StoreError::Corrupt("element_owners"))?, u.parse().map_err(|_| StoreError::Corrupt("element_owners"))?)))
                    .collect()
            })
        })
    }

    /// Actions owned by a user, across the meetings shared with them.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn actions_of_user(&self, tenant: TenantId, user: UserId) -> Result<Vec<ElementRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT e.id, e.meeting_id, e.topic_id, e.position, e.kind, e.title, e.description, e.due_date, e.action_status,
                            e.created_by, e.version, e.updated_at
                     FROM elements e
                     JOIN element_owners o ON o.tenant_id = e.tenant_id AND o.element_id = e.id
                     JOIN meeting_participants p ON p.tenant_id = e.tenant_id AND p.meeting_id = e.meeting_id AND p.user_id = o.user_id
                     WHERE e.tenant_id = $1 AND o.user_id = $2 AND e.kind = 'action' AND (p.shared_at IS NOT NULL OR p.role = 'organiser')
                     ORDER BY e.due_date, e.id",
                )
                .bind(tenant.to_string())
                .bind(user.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(element).collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn meeting_by_id(&mut self, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
        meeting_by_id(self.conn(), tenant, id).await
    }

    /// Read a meeting to change it: on PostgreSQL its row stays locked until
    /// the transaction ends, so two writes to one meeting decide one after
    /// the other on what the first committed (SQLite's write transactions
    /// hold the whole database's write lock already).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn lock_meeting(&mut self, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
        match self.conn() {
            Conn::Sqlite(c) => meeting_by_id(Conn::Sqlite(c), tenant, id).await,
            Conn::Postgres(c) => {
                let row = sqlx::query(
                    "SELECT tenant_id, id, title, objectives, place, starts_at, time_zone, duration_minutes, organiser_id, status, version, revision, ics_sequence, created_at, updated_at
                     FROM meetings WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
                )
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?;
                row.as_ref().map(meeting).transpose()
            }
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_meeting(&mut self, m: &MeetingRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO meetings (tenant_id, id, title, objectives, place, starts_at, time_zone, duration_minutes, organiser_id, status, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
            )
            .bind(m.tenant_id.to_string())
            .bind(m.id.to_string())
            .bind(m.title.as_storage())
            .bind(m.objectives.as_storage())
            .bind(m.place.as_storage())
            .bind(m.starts_at.unix())
            .bind(&m.time_zone)
            .bind(m.duration_minutes)
            .bind(m.organiser_id.to_string())
            .bind(m.status.as_str())
            .bind(m.created_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Update a meeting's details if nobody changed it since `version` was
    /// read; false means a concurrent edit (the caller reports a conflict).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_meeting(&mut self, m: &MeetingRow, expected_version: i64, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE meetings SET title = $3, objectives = $4, place = $5, starts_at = $6, time_zone = $7, duration_minutes = $8,
                        status = $9, version = version + 1, updated_at = $10
                 WHERE tenant_id = $1 AND id = $2 AND version = $11",
            )
            .bind(m.tenant_id.to_string())
            .bind(m.id.to_string())
            .bind(m.title.as_storage())
            .bind(m.objectives.as_storage())
            .bind(m.place.as_storage())
            .bind(m.starts_at.unix())
            .bind(&m.time_zone)
            .bind(m.duration_minutes)
            .bind(m.status.as_str())
            .bind(now.unix())
            .bind(expected_version)
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Share access: every participant not yet shared with is, now.
    /// Returns who was newly shared with.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn share_meeting(&mut self, tenant: TenantId, meeting: MeetingId, now: Timestamp) -> Result<Vec<UserId>> {
        run!(self.conn(), c => {
            let rows: Vec<(String,)> = sqlx::query_as(
                "UPDATE meeting_participants SET shared_at = $3 WHERE tenant_id = $1 AND meeting_id = $2 AND shared_at IS NULL RETURNING user_id",
            )
            .bind(tenant.to_string())
            .bind(meeting.to_string())
            .bind(now.unix())
            .fetch_all(&mut *c)
            .await?;
            rows.into_iter().map(|(u,)| u.parse().map_err(|_| StoreError::Corrupt("meeting_participants.user_id"))).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_meeting_status(
        &mut self,
        tenant: TenantId,
        id: MeetingId,
        status: MeetingStatus,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE meetings SET status = $3, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(status.as_str())
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Move the meeting's iCalendar SEQUENCE on (an update or cancellation
    /// is being sent) and return the new value.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn raise_ics_sequence(&mut self, tenant: TenantId, id: MeetingId) -> Result<i64> {
        run!(self.conn(), c => {
            let (n,): (i64,) = sqlx::query_as(
                "UPDATE meetings SET ics_sequence = ics_sequence + 1 WHERE tenant_id = $1 AND id = $2 RETURNING ics_sequence",
            )
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_one(&mut *c)
            .await?;
            Ok(n)
        })
    }
}
