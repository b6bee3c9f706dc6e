//! Remarks on elements and the pictures of image elements.

use crate::conn::{reads, run};
use crate::row::Get;
use crate::{AttachmentRow, CommentRow, Result, Sealed, Tx};
use ordo_core::ids::{ElementId, MeetingId, TenantId};
use ordo_core::time::Timestamp;

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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

    /// Delete a remark of `meeting` and the replies to it.
    /// Replace a remark's text (sealed); false if there is no such remark.
    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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
}

reads! {
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
