//! The agenda: topics, their elements (notes, decisions, actions), their
//! order, owners and contributors.

use super::{element, topic};
use crate::conn::{reads, run};
use crate::{ElementRow, Result, Sealed, StoreError, TopicRow, Tx};
use ordo_core::ids::{ElementId, MeetingId, TenantId, TopicId, UserId};
use ordo_core::meeting::ActionStatus;
use ordo_core::time::Timestamp;

impl Tx {
    /// Put `elements` in this order at the head of `topic` (moving any of
    /// them there from another topic: those edits' versions move on).
    #[tracing::instrument(level = "debug", skip_all)]
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
    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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
    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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

    /// Take a contributor off a topic's list. Returns false if they were not on it.
    #[tracing::instrument(level = "debug", skip_all)]
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
    #[tracing::instrument(level = "debug", skip_all)]
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
    #[tracing::instrument(level = "debug", skip_all)]
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
    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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
}
