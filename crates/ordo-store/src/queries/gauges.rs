//! What the metrics endpoint reads from the database at each scrape.

use crate::conn::{on_pool, run};
use crate::{Result, Store};
use ordo_core::time::Timestamp;

/// Database-held gauges, read in a few cheap queries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gauges {
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    /// Backups and drills due now (not yet claimed).
    pub jobs_due: i64,
    /// Runs that failed in the last 24 hours.
    pub failed_runs_24h: i64,
    /// Per tenant slug: when its last good backup finished (None: never).
    pub last_good_backup: Vec<(String, Option<Timestamp>)>,
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn gauges(&self, now: Timestamp) -> Result<Gauges> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let (outbox_pending, outbox_failed): (i64, i64) = sqlx::query_as(
                    "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                            COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
                     FROM mail_outbox",
                )
                .fetch_one(&mut *c)
                .await?;
                let (jobs_due,): (i64,) = sqlx::query_as(
                    "SELECT COALESCE(SUM(CASE WHEN backup_next_at <= $1 THEN 1 ELSE 0 END)
                                   + SUM(CASE WHEN drill_next_at <= $1 THEN 1 ELSE 0 END), 0)
                     FROM tenants",
                )
                .bind(now.unix())
                .fetch_one(&mut *c)
                .await?;
                let (failed_runs_24h,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM backup_runs WHERE ok = 0 AND finished_at > $1")
                        .bind(now.unix() - 24 * 3600)
                        .fetch_one(&mut *c)
                        .await?;
                let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
                    "SELECT t.slug, (SELECT MAX(r.finished_at) FROM backup_runs r
                                     WHERE r.tenant_id = t.id AND r.kind = 'backup' AND r.ok = 1)
                     FROM tenants t ORDER BY t.slug",
                )
                .fetch_all(&mut *c)
                .await?;
                Ok(Gauges {
                    outbox_pending,
                    outbox_failed,
                    jobs_due,
                    failed_runs_24h,
                    last_good_backup: rows.into_iter().map(|(s, t)| (s, t.map(Timestamp::from_unix))).collect(),
                })
            })
        })
    }
}
