use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Mail, MailStatus, NewMail, Result, Sealed, Store, Tx};
use ordo_core::ids::{MailId, TenantId};
use ordo_core::time::Timestamp;

fn from_row(r: &impl Get) -> Result<Mail> {
    Ok(Mail {
        id: r.parsed("id")?,
        tenant_id: r.opt_parsed("tenant_id")?,
        recipient: Sealed::from_storage(r.text("recipient")?),
        subject: Sealed::from_storage(r.text("subject")?),
        body_text: Sealed::from_storage(r.text("body_text")?),
        body_html: optional(r.text("body_html")?),
        attachments: optional(r.text("attachments")?),
        attempts: r.int("attempts")?,
        created_at: r.ts("created_at")?,
    })
}

/// '' stands for none in the optional sealed columns.
fn optional(stored: String) -> Option<Sealed> {
    (!stored.is_empty()).then(|| Sealed::from_storage(stored))
}

impl Tx {
    /// Queue a message; it is sent after the transaction commits, by the
    /// outbox worker, and survives restarts until then.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn enqueue_mail(&mut self, tenant: Option<TenantId>, m: &NewMail, now: Timestamp) -> Result<MailId> {
        let id = m.id;
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO mail_outbox (id, tenant_id, recipient, subject, body_text, body_html, attachments,
                                          status, created_at, next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
            )
            .bind(id.to_string())
            .bind(tenant.map(|t| t.to_string()))
            .bind(m.recipient.as_storage())
            .bind(m.subject.as_storage())
            .bind(m.body_text.as_storage())
            .bind(m.body_html.as_ref().map_or("", |s| s.as_storage()))
            .bind(m.attachments.as_ref().map_or("", |s| s.as_storage()))
            .bind(now.unix())
            .execute(&mut *c)
            .await?;
            Ok(id)
        })
    }
}

impl Store {
    /// Take the next due message for `lease_secs`. Works across processes and
    /// nodes on both engines: the conditional update lets exactly one claimer
    /// win; a claimer that dies loses the lease when it runs out.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_mail(&self, now: Timestamp, lease_secs: i64) -> Result<Option<Mail>> {
        for _ in 0..5 {
            let candidate: Option<(String,)> = on_pool!(self, conn => {
                run!(conn, c => {
                    sqlx::query_as(
                        "SELECT id FROM mail_outbox
                             WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1)
                             ORDER BY next_attempt_at, id LIMIT 1",
                    )
                    .bind(now.unix())
                    .fetch_optional(&mut *c)
                    .await?
                })
            });
            let Some((id,)) = candidate else {
                return Ok(None);
            };
            let claimed = on_pool!(self, conn => {
                run!(conn, c => {
                    let row = sqlx::query(
                        "UPDATE mail_outbox SET locked_until = $2
                             WHERE id = $1 AND status = 'pending' AND (locked_until IS NULL OR locked_until < $3)
                             RETURNING id, tenant_id, recipient, subject, body_text, body_html, attachments, attempts, created_at",
                    )
                    .bind(&id)
                    .bind(now.plus_secs(lease_secs).unix())
                    .bind(now.unix())
                    .fetch_optional(&mut *c)
                    .await?;
                    row.as_ref().map(from_row).transpose()?
                })
            });
            if claimed.is_some() {
                return Ok(claimed);
            }
        }
        Ok(None)
    }

    /// The message was delivered: keep the record (status and times), wipe
    /// the recipient and the content (single-use links and personal data
    /// that need not outlive delivery).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_mail_sent(&self, id: MailId, now: Timestamp) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "UPDATE mail_outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, locked_until = NULL,
                            recipient = '', subject = '', body_text = '', body_html = '', attachments = '', last_error = NULL
                     WHERE id = $1",
                )
                .bind(id.to_string())
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }

    /// Delivery failed: try again at `next_attempt`, or give up for good.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_mail_failed(
        &self,
        id: MailId,
        error: &str,
        next_attempt: Timestamp,
        give_up: bool,
    ) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "UPDATE mail_outbox SET attempts = attempts + 1, locked_until = NULL, last_error = $2,
                            next_attempt_at = $3, status = $4,
                            recipient = CASE WHEN $4 = 'failed' THEN '' ELSE recipient END,
                            subject = CASE WHEN $4 = 'failed' THEN '' ELSE subject END,
                            body_text = CASE WHEN $4 = 'failed' THEN '' ELSE body_text END,
                            body_html = CASE WHEN $4 = 'failed' THEN '' ELSE body_html END,
                            attachments = CASE WHEN $4 = 'failed' THEN '' ELSE attachments END
                     WHERE id = $1",
                )
                .bind(id.to_string())
                .bind(error)
                .bind(next_attempt.unix())
                .bind(if give_up { "failed" } else { "pending" })
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mail_status(&self, id: MailId) -> Result<Option<MailStatus>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query("SELECT status, attempts, last_error FROM mail_outbox WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&mut *c)
                    .await?;
                row.map(|r| {
                    Ok(MailStatus { status: r.text("status")?, attempts: r.int("attempts")?, last_error: r.opt_text("last_error")? })
                })
                .transpose()
            })
        })
    }

    /// How many messages wait to be sent (for readiness and metrics).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn pending_mail_count(&self) -> Result<i64> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'")
                    .fetch_one(&mut *c)
                    .await?;
                Ok(n)
            })
        })
    }
}
