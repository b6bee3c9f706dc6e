use crate::conn::{Conn, on_pool, reads, run};
use crate::row::Get;
use crate::{
    AttachmentRow, CommentRow, ElementRow, MeetingRow, ParticipantRow, Result, Sealed, Store, StoreError, TopicRow, Tx,
};
use ordo_core::ids::{ElementId, MeetingId, TenantId, TopicId, UserId};
use ordo_core::meeting::{ActionStatus, MeetingRole, MeetingStatus};
use ordo_core::time::Timestamp;

fn meeting(r: &impl Get) -> Result<MeetingRow> {
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

fn participant(r: &impl Get) -> Result<ParticipantRow> {
    Ok(ParticipantRow {
        user_id: r.parsed("user_id")?,
        role: r.parsed("role")?,
        shared_at: r.opt_int("shared_at")?.map(Timestamp::from_unix),
        present: r.opt_int("present")?.map(|p| p != 0),
    })
}

fn topic(r: &impl Get) -> Result<TopicRow> {
    Ok(TopicRow {
        id: r.parsed("id")?,
        meeting_id: r.parsed("meeting_id")?,
        parent_id: r.opt_parsed("parent_id")?,
        position: r.int("position")?,
        title: Sealed::from_storage(r.text("title")?),
    })
}

fn element(r: &impl Get) -> Result<ElementRow> {
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
    pub async fn meeting_by_id(&self, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
        on_pool!(self, conn => meeting_by_id(conn, tenant, id).await)
    }

    /// Every meeting of a tenant, newest first.
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
    pub async fn meeting_by_id(&mut self, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
        meeting_by_id(self.conn(), tenant, id).await
    }

    /// Read a meeting to change it: on PostgreSQL its row stays locked until
    /// the transaction ends, so two writes to one meeting decide one after
    /// the other on what the first committed (SQLite's write transactions
    /// hold the whole database's write lock already).
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

    /// Put `elements` in this order at the head of `topic` (moving any of
    /// them there from another topic: those edits' versions move on).
    pub async fn place_elements(&mut self, tenant: TenantId, topic: TopicId, elements: &[ElementId]) -> Result<()> {
        run!(self.conn(), c => {
            for (i, id) in elements.iter().enumerate() {
                sqlx::query(
                    "UPDATE elements SET version = version + CASE WHEN topic_id = $3 THEN 0 ELSE 1 END,
                            topic_id = $3, position = $4
                     WHERE tenant_id = $1 AND id = $2",
                )
                .bind(tenant.to_string())
                .bind(id.to_string())
                .bind(topic.to_string())
                .bind(i64::try_from(i).unwrap_or(i64::MAX))
                .execute(&mut *c)
                .await?;
            }
            Ok(())
        })
    }

    /// Number topics in this order (siblings under the same parent).
    pub async fn place_topics(&mut self, tenant: TenantId, topics: &[TopicId]) -> Result<()> {
        run!(self.conn(), c => {
            for (i, id) in topics.iter().enumerate() {
                sqlx::query("UPDATE topics SET position = $3 WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.to_string())
                    .bind(id.to_string())
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .execute(&mut *c)
                    .await?;
            }
            Ok(())
        })
    }

    /// Share access: every participant not yet shared with is, now.
    /// Returns who was newly shared with.
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

    pub async fn insert_topic(&mut self, tenant: TenantId, t: &TopicRow, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO topics (tenant_id, id, meeting_id, parent_id, position, title, created_at)
                 VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM topics WHERE tenant_id = $1 AND meeting_id = $3), $5, $6)",
            )
            .bind(tenant.to_string())
            .bind(t.id.to_string())
            .bind(t.meeting_id.to_string())
            .bind(t.parent_id.map(|p| p.to_string()))
            .bind(t.title.as_storage())
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    pub async fn insert_element(&mut self, tenant: TenantId, e: &ElementRow, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO elements (tenant_id, id, meeting_id, topic_id, position, kind, title, description, due_date, action_status, created_by, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM elements WHERE tenant_id = $1 AND topic_id = $4),
                         $5, $6, $7, $8, $9, $10, 1, $11, $11)",
            )
            .bind(tenant.to_string())
            .bind(e.id.to_string())
            .bind(e.meeting_id.to_string())
            .bind(e.topic_id.to_string())
            .bind(e.kind.as_str())
            .bind(e.title.as_storage())
            .bind(e.description.as_storage())
            .bind(&e.due_date)
            .bind(e.action_status.map(|s| s.as_str()))
            .bind(e.created_by.to_string())
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Change an element's texts, due date, and topic (moved to the end of
    /// the new topic), if nobody changed it since `expected_version`.
    pub async fn update_element(
        &mut self,
        tenant: TenantId,
        e: &ElementRow,
        expected_version: i64,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE elements SET title = $3, description = $4, due_date = $5,
                        position = CASE WHEN topic_id = $6 THEN position
                                        ELSE (SELECT COALESCE(MAX(x.position), 0) + 1 FROM elements x WHERE x.tenant_id = $1 AND x.topic_id = $6) END,
                        topic_id = $6, version = version + 1, updated_at = $7
                 WHERE tenant_id = $1 AND id = $2 AND version = $8",
            )
            .bind(tenant.to_string())
            .bind(e.id.to_string())
            .bind(e.title.as_storage())
            .bind(e.description.as_storage())
            .bind(&e.due_date)
            .bind(e.topic_id.to_string())
            .bind(now.unix())
            .bind(expected_version)
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    pub async fn set_element_owners(&mut self, tenant: TenantId, element: ElementId, owners: &[UserId]) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM element_owners WHERE tenant_id = $1 AND element_id = $2")
                .bind(tenant.to_string())
                .bind(element.to_string())
                .execute(&mut *c)
                .await?;
            for o in owners {
                sqlx::query("INSERT INTO element_owners (tenant_id, element_id, user_id) VALUES ($1, $2, $3)")
                    .bind(tenant.to_string())
                    .bind(element.to_string())
                    .bind(o.to_string())
                    .execute(&mut *c)
                    .await?;
            }
            Ok(())
        })
    }

    pub async fn set_action_status(
        &mut self,
        tenant: TenantId,
        element: ElementId,
        status: ActionStatus,
        now: Timestamp,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query(
                "UPDATE elements SET action_status = $3, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND id = $2 AND kind IN ('action', 'discuss')",
            )
            .bind(tenant.to_string())
            .bind(element.to_string())
            .bind(status.as_str())
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(r.rows_affected() == 1)
        })
    }

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

    /// Record whether a participant was at the meeting (`None`: not said).
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

    /// Move the meeting's iCalendar SEQUENCE on (an update or cancellation
    /// is being sent) and return the new value.
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

impl Store {}

impl Tx {
    pub async fn insert_comment(&mut self, tenant: TenantId, c_: &CommentRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO comments (tenant_id, id, meeting_id, element_id, parent_id, author_id, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(tenant.to_string())
            .bind(c_.id.to_string())
            .bind(c_.meeting_id.to_string())
            .bind(c_.element_id.to_string())
            .bind(c_.parent_id.map(|p| p.to_string()))
            .bind(c_.author_id.to_string())
            .bind(c_.body.as_storage())
            .bind(c_.created_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }
}

impl Store {}

impl Tx {
    pub async fn insert_attachment(&mut self, tenant: TenantId, a: &AttachmentRow, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO attachments (tenant_id, id, meeting_id, content_type, size, width, height, data, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(tenant.to_string())
            .bind(a.id.to_string())
            .bind(a.meeting_id.to_string())
            .bind(&a.content_type)
            .bind(a.size)
            .bind(a.width)
            .bind(a.height)
            .bind(a.data.as_storage())
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }
}

impl Store {}

impl Tx {
    /// Take a contributor off a topic's list. Returns false if they were not on it.
    pub async fn remove_topic_contributor(
        &mut self,
        tenant: TenantId,
        topic: ordo_core::ids::TopicId,
        user: UserId,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM topic_contributors WHERE tenant_id = $1 AND topic_id = $2 AND user_id = $3")
                .bind(tenant.to_string())
                .bind(topic.to_string())
                .bind(user.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Rename a topic of `meeting`. Returns false if it is not one of its topics.
    pub async fn rename_topic(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        topic: ordo_core::ids::TopicId,
        title: &Sealed,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE topics SET title = $4 WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(topic.to_string())
                .bind(title.as_storage())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Delete a topic of `meeting` with its sub-topics and everything in
    /// them (elements, their owners, remarks and images go by cascade).
    pub async fn delete_topic(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        topic: ordo_core::ids::TopicId,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            // Sub-topics first: they point at their parent without a foreign key.
            sqlx::query("DELETE FROM topics WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(topic.to_string())
                .execute(&mut *c)
                .await?;
            let r = sqlx::query("DELETE FROM topics WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(topic.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Delete an element of `meeting` (its owners, remarks and image go by cascade).
    pub async fn delete_element(&mut self, tenant: TenantId, meeting: MeetingId, element: ElementId) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("DELETE FROM elements WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(element.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Delete a remark of `meeting` and the replies to it.
    /// Replace a remark's text (sealed); false if there is no such remark.
    pub async fn update_comment(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        comment: ordo_core::ids::CommentId,
        body: &Sealed,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            let r = sqlx::query("UPDATE comments SET body = $4 WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(comment.to_string())
                .bind(body.as_storage())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    pub async fn delete_comment(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        comment: ordo_core::ids::CommentId,
    ) -> Result<bool> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM comments WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(comment.to_string())
                .execute(&mut *c)
                .await?;
            let r = sqlx::query("DELETE FROM comments WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(comment.to_string())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }

    pub async fn add_topic_contributor(
        &mut self,
        tenant: TenantId,
        topic: ordo_core::ids::TopicId,
        user: UserId,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM topic_contributors WHERE tenant_id = $1 AND topic_id = $2 AND user_id = $3")
                .bind(tenant.to_string())
                .bind(topic.to_string())
                .bind(user.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query("INSERT INTO topic_contributors (tenant_id, topic_id, user_id) VALUES ($1, $2, $3)")
                .bind(tenant.to_string())
                .bind(topic.to_string())
                .bind(user.to_string())
                .execute(&mut *c)
                .await?;
            Ok(())
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

    pub async fn topics(&self, tenant: TenantId, meeting: MeetingId) -> Result<Vec<TopicRow>> { conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, meeting_id, parent_id, position, title FROM topics WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY position, id",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(topic).collect()
            })
        }
    }

    pub async fn elements(&self, tenant: TenantId, meeting: MeetingId) -> Result<Vec<ElementRow>> { conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, meeting_id, topic_id, position, kind, title, description, due_date, action_status, created_by, version, updated_at
                     FROM elements WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY position, id",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(element).collect()
            })
        }
    }

    /// (element, owner) pairs of a meeting's actions.
    pub async fn element_owners(&self, tenant: TenantId, meeting: MeetingId) -> Result<Vec<(ElementId, UserId)>> { conn => {
            run!(conn, c => {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT o.element_id, o.user_id FROM element_owners o JOIN elements e ON e.tenant_id = o.tenant_id AND e.id = o.element_id
                     WHERE o.tenant_id = $1 AND e.meeting_id = $2",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.into_iter()
                    .map(|(e, u)| Ok((e.parse().map_err(|_| StoreError::Corrupt("element_owners"))?, u.parse().map_err(|_| StoreError::Corrupt("element_owners"))?)))
                    .collect()
            })
        }
    }

    /// A meeting's comments, oldest first.
    pub async fn comments(&self, tenant: TenantId, meeting: MeetingId) -> Result<Vec<CommentRow>> { conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, meeting_id, element_id, parent_id, author_id, body, created_at FROM comments
                     WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY created_at, id",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(CommentRow {
                            id: r.parsed("id")?,
                            meeting_id: r.parsed("meeting_id")?,
                            element_id: r.parsed("element_id")?,
                            parent_id: r.opt_parsed("parent_id")?,
                            author_id: r.parsed("author_id")?,
                            body: Sealed::from_storage(r.text("body")?),
                            created_at: r.ts("created_at")?,
                        })
                    })
                    .collect()
            })
        }
    }

    /// (topic, contributor) pairs of a meeting.
    pub async fn topic_contributors(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
    ) -> Result<Vec<(ordo_core::ids::TopicId, UserId)>> { conn => {
            run!(conn, c => {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT tc.topic_id, tc.user_id FROM topic_contributors tc
                     JOIN topics t ON t.tenant_id = tc.tenant_id AND t.id = tc.topic_id
                     WHERE tc.tenant_id = $1 AND t.meeting_id = $2",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.into_iter()
                    .map(|(t, u)| Ok((t.parse().map_err(|_| StoreError::Corrupt("topic_contributors"))?, u.parse().map_err(|_| StoreError::Corrupt("topic_contributors"))?)))
                    .collect()
            })
        }
    }

    pub async fn attachment(&self, tenant: TenantId, id: ElementId) -> Result<Option<AttachmentRow>> { conn => {
            run!(conn, c => {
                let row = sqlx::query(
                    "SELECT id, meeting_id, content_type, size, width, height, data FROM attachments WHERE tenant_id = $1 AND id = $2",
                )
                .bind(tenant.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?;
                row.as_ref()
                    .map(|r| {
                        Ok(AttachmentRow {
                            id: r.parsed("id")?,
                            meeting_id: r.parsed("meeting_id")?,
                            content_type: r.text("content_type")?,
                            size: r.int("size")?,
                            width: r.int("width")?,
                            height: r.int("height")?,
                            data: Sealed::from_storage(r.text("data")?),
                        })
                    })
                    .transpose()
            })
        }
    }
}
