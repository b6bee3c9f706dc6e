//! The tenant watch: each tenant's status and its changes, incidents (one
//! open per rule and subject), the durable queue of alert deliveries,
//! per-minute traffic counts, and leases for work one node does at a time.

use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Result, Store, StoreError, Tx};
use ordo_core::ids::TenantId;
use ordo_core::time::Timestamp;

/// A tenant's last known status, with who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantStatusRow {
    pub tenant_id: TenantId,
    pub slug: String,
    pub name: String,
    pub plan: String,
    /// `up`, `degraded`, `down`; None: never checked yet.
    pub status: Option<String>,
    pub since: Option<Timestamp>,
    pub checked_at: Option<Timestamp>,
    pub latency_ms: i64,
    pub detail: String,
}

/// One change of a tenant's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub at: Timestamp,
    pub status: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub rule: String,
    pub subject: String,
    pub severity: String,
    pub summary: String,
    pub detail: String,
    pub opened_at: Timestamp,
    pub last_notified_at: Timestamp,
    pub reminders: i64,
    pub resolved_at: Option<Timestamp>,
}

/// An alert to deliver to one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub incident_id: String,
    pub event: String,
    pub channel: String,
    pub payload: String,
    pub attempts: i64,
    pub status: String,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

fn incident(r: &impl Get) -> Result<Incident> {
    Ok(Incident {
        id: r.text("id")?,
        rule: r.text("rule")?,
        subject: r.text("subject")?,
        severity: r.text("severity")?,
        summary: r.text("summary")?,
        detail: r.text("detail")?,
        opened_at: r.ts("opened_at")?,
        last_notified_at: r.ts("last_notified_at")?,
        reminders: r.int("reminders")?,
        resolved_at: r.opt_int("resolved_at")?.map(Timestamp::from_unix),
    })
}

fn delivery(r: &impl Get) -> Result<Delivery> {
    Ok(Delivery {
        id: r.text("id")?,
        incident_id: r.text("incident_id")?,
        event: r.text("event")?,
        channel: r.text("channel")?,
        payload: r.text("payload")?,
        attempts: r.int("attempts")?,
        status: r.text("status")?,
        last_error: r.opt_text("last_error")?,
        created_at: r.ts("created_at")?,
    })
}

const INCIDENT_COLUMNS: &str =
    "id, rule, subject, severity, summary, detail, opened_at, last_notified_at, reminders, resolved_at";
const DELIVERY_COLUMNS: &str = "id, incident_id, event, channel, payload, attempts, status, last_error, created_at";

/// A random id for rows of the watch (not a tenant's object).
fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Store {
    /// Take or renew the lease `name` for `holder` until `until`: true if
    /// `holder` holds it now. Several nodes may try at once; one wins.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_lease(&self, name: &str, holder: &str, now: Timestamp, until: Timestamp) -> Result<bool> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query("INSERT INTO leases (name, holder, until) VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .execute(&mut *c)
                    .await?;
                let r = sqlx::query(
                    "UPDATE leases SET holder = $2, until = $3 WHERE name = $1 AND (holder = $2 OR until < $4)",
                )
                .bind(name)
                .bind(holder)
                .bind(until.unix())
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
    }

    /// Record a check of a tenant; returns the status it had before (None:
    /// never checked). A change is added to the history.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_tenant_status(
        &self,
        tenant: TenantId,
        status: &str,
        latency_ms: i64,
        detail: &str,
        now: Timestamp,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let previous = run!(tx.conn(), c => {
            let before: Option<(String,)> = sqlx::query_as("SELECT status FROM tenant_status WHERE tenant_id = $1")
                .bind(tenant.to_string())
                .fetch_optional(&mut *c)
                .await?;
            if before.as_ref().map(|(s,)| s.as_str()) != Some(status) {
                sqlx::query(
                    "INSERT INTO tenant_status_changes (tenant_id, seq, at, status, detail)
                     VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tenant_status_changes WHERE tenant_id = $1), $2, $3, $4)",
                )
                .bind(tenant.to_string())
                .bind(now.unix())
                .bind(status)
                .bind(detail)
                .execute(&mut *c)
                .await?;
            }
            sqlx::query(
                "INSERT INTO tenant_status (tenant_id, status, since, checked_at, latency_ms, detail)
                 VALUES ($1, $2, $3, $3, $4, $5)
                 ON CONFLICT (tenant_id) DO UPDATE SET
                    since = CASE WHEN tenant_status.status = excluded.status THEN tenant_status.since ELSE excluded.since END,
                    status = excluded.status, checked_at = excluded.checked_at,
                    latency_ms = excluded.latency_ms, detail = excluded.detail",
            )
            .bind(tenant.to_string())
            .bind(status)
            .bind(now.unix())
            .bind(latency_ms)
            .bind(detail)
            .execute(&mut *c)
            .await?;
            before.map(|(s,)| s)
        });
        tx.commit().await?;
        Ok(previous)
    }

    /// Every tenant with its last known status, by slug.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenant_statuses(&self) -> Result<Vec<TenantStatusRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT t.id, t.slug, t.name, t.plan, s.status, s.since, s.checked_at,
                            COALESCE(s.latency_ms, 0) AS latency_ms, COALESCE(s.detail, '') AS detail
                     FROM tenants t LEFT JOIN tenant_status s ON s.tenant_id = t.id ORDER BY t.slug",
                )
                .fetch_all(&mut *c)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(TenantStatusRow {
                            tenant_id: r.parsed("id")?,
                            slug: r.text("slug")?,
                            name: r.text("name")?,
                            plan: r.text("plan")?,
                            status: r.opt_text("status")?,
                            since: r.opt_int("since")?.map(Timestamp::from_unix),
                            checked_at: r.opt_int("checked_at")?.map(Timestamp::from_unix),
                            latency_ms: r.int("latency_ms")?,
                            detail: r.text("detail")?,
                        })
                    })
                    .collect()
            })
        })
    }

    /// A tenant's latest status changes, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn status_changes(&self, tenant: TenantId, limit: i64) -> Result<Vec<StatusChange>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT at, status, detail FROM tenant_status_changes WHERE tenant_id = $1
                     ORDER BY seq DESC LIMIT $2",
                )
                .bind(tenant.to_string())
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                rows.iter()
                    .map(|r| Ok(StatusChange { at: r.ts("at")?, status: r.text("status")?, detail: r.text("detail")? }))
                    .collect()
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn incident(&self, id: &str) -> Result<Option<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
        on_pool!(self, conn => {
            run!(conn, c => {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
                row.as_ref().map(incident).transpose()
            })
        })
    }

    /// The incidents still open, oldest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn open_incidents(&self) -> Result<Vec<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE resolved_at IS NULL ORDER BY opened_at, id");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?;
                rows.iter().map(incident).collect()
            })
        })
    }

    /// The latest incidents, open or not, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn recent_incidents(&self, limit: i64) -> Result<Vec<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY opened_at DESC, id DESC LIMIT $1");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&mut *c).await?;
                rows.iter().map(incident).collect()
            })
        })
    }

    /// Take the next due delivery for `lease_secs` (a conditional update:
    /// of several nodes, one gets it). An incident's notices reach a channel
    /// in order: a recovery never overtakes its alert still being retried.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_delivery(&self, now: Timestamp, lease_secs: i64) -> Result<Option<Delivery>> {
        const RANK: &str = "CASE event WHEN 'opened' THEN 0 WHEN 'reminder' THEN 1 ELSE 2 END";
        let select = format!(
            "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries d
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1)
               AND NOT EXISTS (
                 SELECT 1 FROM alert_deliveries o
                 WHERE o.status = 'pending' AND o.channel = d.channel AND o.incident_id = d.incident_id AND o.id <> d.id
                   AND (o.created_at < d.created_at
                        OR (o.created_at = d.created_at AND {o_rank} < {d_rank})))
             ORDER BY next_attempt_at, id LIMIT 1",
            o_rank = RANK.replace("event", "o.event"),
            d_rank = RANK.replace("event", "d.event"),
        );
        for _ in 0..5 {
            let candidate = on_pool!(self, conn => {
                run!(conn, c => {
                    let row =
                        sqlx::query(sqlx::AssertSqlSafe(select.clone())).bind(now.unix()).fetch_optional(&mut *c).await?;
                    row.as_ref().map(delivery).transpose()?
                })
            });
            let Some(d) = candidate else { return Ok(None) };
            let claimed = on_pool!(self, conn => {
                run!(conn, c => {
                    sqlx::query(
                        "UPDATE alert_deliveries SET locked_until = $2
                         WHERE id = $1 AND status = 'pending' AND (locked_until IS NULL OR locked_until < $3)",
                    )
                    .bind(&d.id)
                    .bind(now.plus_secs(lease_secs).unix())
                    .bind(now.unix())
                    .execute(&mut *c)
                    .await?
                    .rows_affected()
                })
            });
            if claimed == 1 {
                return Ok(Some(d));
            }
        }
        Ok(None)
    }

    /// The delivery went through.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delivery_sent(&self, id: &str, now: Timestamp) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "UPDATE alert_deliveries SET status = 'sent', sent_at = $2, attempts = attempts + 1,
                            locked_until = NULL, last_error = NULL
                     WHERE id = $1",
                )
                .bind(id)
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }

    /// The delivery failed: again at `next`, or never (`give_up`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delivery_failed(&self, id: &str, error: &str, next: Timestamp, give_up: bool) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "UPDATE alert_deliveries SET attempts = attempts + 1, locked_until = NULL, last_error = $2,
                            next_attempt_at = $3, status = $4
                     WHERE id = $1",
                )
                .bind(id)
                .bind(error)
                .bind(next.unix())
                .bind(if give_up { "failed" } else { "pending" })
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }

    /// The latest deliveries, newest first (the operator's log).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn recent_deliveries(&self, limit: i64) -> Result<Vec<Delivery>> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM alert_deliveries ORDER BY created_at DESC, id DESC LIMIT $1");
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&mut *c).await?;
                rows.iter().map(delivery).collect()
            })
        })
    }

    /// Add one node's counts for a tenant and minute.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn add_traffic(&self, tenant: TenantId, minute: i64, requests: i64, errors: i64) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(
                    "INSERT INTO tenant_traffic (tenant_id, minute, requests, errors) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant_id, minute) DO UPDATE SET
                        requests = tenant_traffic.requests + excluded.requests,
                        errors = tenant_traffic.errors + excluded.errors",
                )
                .bind(tenant.to_string())
                .bind(minute)
                .bind(requests)
                .bind(errors)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
    }

    /// Requests and server errors per tenant since the minute `from`
    /// (counts from before `keep_from` are deleted on the way).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn traffic_since(&self, from: i64, keep_from: i64) -> Result<Vec<(TenantId, i64, i64)>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query("DELETE FROM tenant_traffic WHERE minute < $1").bind(keep_from).execute(&mut *c).await?;
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT tenant_id, CAST(SUM(requests) AS BIGINT), CAST(SUM(errors) AS BIGINT)
                     FROM tenant_traffic WHERE minute >= $1 GROUP BY tenant_id",
                )
                .bind(from)
                .fetch_all(&mut *c)
                .await?;
                rows.into_iter()
                    .map(|(t, r, e)| Ok((t.parse().map_err(|_| StoreError::Corrupt("tenant_traffic.tenant_id"))?, r, e)))
                    .collect()
            })
        })
    }

    /// Alert deliveries waiting and given up on; open incidents by rule.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn alert_gauges(&self) -> Result<AlertGauges> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let (pending, failed): (i64, i64) = sqlx::query_as(
                    "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                            COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
                     FROM alert_deliveries",
                )
                .fetch_one(&mut *c)
                .await?;
                let firing: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT rule, COUNT(*) FROM incidents WHERE resolved_at IS NULL GROUP BY rule ORDER BY rule",
                )
                .fetch_all(&mut *c)
                .await?;
                Ok((pending, failed, firing))
            })
        })
    }
}

impl Tx {
    /// Open an incident unless one is open for this rule and subject:
    /// returns it if this call opened it (the one to announce).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn open_incident(
        &mut self,
        rule: &str,
        subject: &str,
        severity: &str,
        summary: &str,
        detail: &str,
        now: Timestamp,
    ) -> Result<Option<Incident>> {
        let id = new_id();
        let inserted = run!(self.conn(), c => {
                sqlx::query(
                    "INSERT INTO incidents (id, rule, subject, severity, summary, detail, opened_at, last_notified_at, reminders, open_key)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0, $8) ON CONFLICT (open_key) DO NOTHING",
                )
                .bind(&id)
                .bind(rule)
                .bind(subject)
                .bind(severity)
                .bind(summary)
                .bind(detail)
                .bind(now.unix())
                .bind(format!("{rule}|{subject}"))
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if inserted != 1 {
            return Ok(None);
        }
        self.incident(&id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn incident(&mut self, id: &str) -> Result<Option<Incident>> {
        let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
        run!(self.conn(), c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(incident).transpose()
        })
    }

    /// Close an open incident: true if this call closed it (the one to
    /// announce the recovery).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn resolve_incident(&mut self, id: &str, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
                let r = sqlx::query(
                    "UPDATE incidents SET resolved_at = $2, open_key = NULL WHERE id = $1 AND resolved_at IS NULL",
                )
                .bind(id)
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
        })
    }

    /// A reminder goes out for an open incident: true if this call is the
    /// one to send it (the last notice was before `due`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_reminder(&mut self, id: &str, due: Timestamp, now: Timestamp) -> Result<bool> {
        run!(self.conn(), c => {
                let r = sqlx::query(
                    "UPDATE incidents SET last_notified_at = $3, reminders = reminders + 1
                     WHERE id = $1 AND resolved_at IS NULL AND last_notified_at <= $2",
                )
                .bind(id)
                .bind(due.unix())
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
        })
    }

    /// Queue alert deliveries (one per channel: name and payload), all or none.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn enqueue_deliveries(
        &mut self,
        incident_id: &str,
        event: &str,
        items: &[(String, String)],
        now: Timestamp,
    ) -> Result<()> {
        run!(self.conn(), c => {
            for (channel, payload) in items {
                sqlx::query(
                    "INSERT INTO alert_deliveries (id, incident_id, event, channel, payload, status, attempts, next_attempt_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
                )
                .bind(new_id())
                .bind(incident_id)
                .bind(event)
                .bind(channel)
                .bind(payload)
                .bind(now.unix())
                .execute(&mut *c)
                .await?;
            }
            Ok(())
        })
    }
}

/// Alert deliveries waiting, given up on, and open incidents by rule.
pub type AlertGauges = (i64, i64, Vec<(String, i64)>);
