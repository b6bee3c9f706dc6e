//! Backup and drill jobs (due times and leases on the tenant row) and the
//! history of their runs.

use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Result, Store, Tx};
use ordo_core::ids::TenantId;
use ordo_core::time::Timestamp;

/// Which job: a backup, or a restore drill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    Backup,
    Drill,
}

impl Job {
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Job::Backup => ("backup_next_at", "backup_lease_until"),
            Job::Drill => ("drill_next_at", "drill_lease_until"),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Job::Backup => "backup",
            Job::Drill => "drill",
        }
    }
}

/// One run of a job, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupRun {
    pub id: String,
    pub kind: String,
    pub snapshot: Option<String>,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub ok: bool,
    pub bytes: i64,
    pub rows_total: i64,
    pub millis: i64,
    pub detail: String,
}

fn run_row(r: &impl Get) -> Result<BackupRun> {
    Ok(BackupRun {
        id: r.text("id")?,
        kind: r.text("kind")?,
        snapshot: r.opt_text("snapshot")?,
        started_at: r.ts("started_at")?,
        finished_at: r.ts("finished_at")?,
        ok: r.int("ok")? != 0,
        bytes: r.int("bytes")?,
        rows_total: r.int("rows_total")?,
        millis: r.int("millis")?,
        detail: r.text("detail")?,
    })
}

impl Store {
    /// Claim one tenant whose `job` is due, for `lease_secs`: a conditional
    /// update, so that of several nodes exactly one gets it. A crashed run's
    /// lease expires and the job is claimed again.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_due(&self, job: Job, now: Timestamp, lease_secs: i64) -> Result<Option<(TenantId, i64)>> {
        let (next, lease) = job.columns();
        let find = format!(
            "SELECT id, backup_every_hours FROM tenants WHERE {next} <= $1 AND ({lease} IS NULL OR {lease} < $1)
             ORDER BY {next}, id LIMIT 1"
        );
        let claim = format!(
            "UPDATE tenants SET {lease} = $2 WHERE id = $3 AND {next} <= $1 AND ({lease} IS NULL OR {lease} < $1)"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let Some((id, every)): Option<(String, i64)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(find)).bind(now.unix()).fetch_optional(&mut *c).await?
                else {
                    return Ok(None);
                };
                let r = sqlx::query(sqlx::AssertSqlSafe(claim))
                    .bind(now.unix())
                    .bind(now.unix() + lease_secs)
                    .bind(&id)
                    .execute(&mut *c)
                    .await?;
                if r.rows_affected() != 1 {
                    // Another node was faster: it runs this one.
                    return Ok(None);
                }
                Ok(Some((id.parse().map_err(|_| crate::StoreError::Corrupt("tenants.id"))?, every)))
            })
        })
    }

    /// A run is over: release the lease and set when the job is next due.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reschedule(&self, job: Job, tenant: TenantId, next_at: Timestamp) -> Result<()> {
        let (next, lease) = job.columns();
        let sql = format!("UPDATE tenants SET {next} = $2, {lease} = NULL WHERE id = $1");
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.to_string()).bind(next_at.unix()).execute(&mut *c).await?;
                Ok(())
            })
        })
    }

    /// The most recent runs of a tenant's jobs, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn backup_runs(&self, tenant: TenantId, limit: i64) -> Result<Vec<BackupRun>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, kind, snapshot, started_at, finished_at, ok, bytes, rows_total, millis, detail
                     FROM backup_runs WHERE tenant_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
                )
                .bind(tenant.to_string())
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(run_row).collect()
            })
        })
    }

    /// When a tenant's next backup and drill are due, and how often it is backed up.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn backup_schedule(&self, tenant: TenantId) -> Result<(i64, Timestamp, Timestamp)> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let (every, b, d): (i64, i64, i64) = sqlx::query_as(
                    "SELECT backup_every_hours, backup_next_at, drill_next_at FROM tenants WHERE id = $1",
                )
                .bind(tenant.to_string())
                .fetch_one(&mut *c)
                .await?;
                Ok((every, Timestamp::from_unix(b), Timestamp::from_unix(d)))
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn record_run(&mut self, tenant: TenantId, r: &BackupRun) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO backup_runs (tenant_id, id, kind, snapshot, started_at, finished_at, ok, bytes, rows_total, millis, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(tenant.to_string())
            .bind(&r.id)
            .bind(&r.kind)
            .bind(&r.snapshot)
            .bind(r.started_at.unix())
            .bind(r.finished_at.unix())
            .bind(i64::from(r.ok))
            .bind(r.bytes)
            .bind(r.rows_total)
            .bind(r.millis)
            .bind(&r.detail)
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// How often a tenant is backed up (hours).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_backup_every(&mut self, tenant: TenantId, hours: i64) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE tenants SET backup_every_hours = $2 WHERE id = $1")
                .bind(tenant.to_string())
                .bind(hours)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }
}

const PLATFORM_NEXT: &str = "platform_backup_next_at";

impl Store {
    /// Claim the platform backup if it is due: its next time moves to `next`
    /// in the same statement, so one node wins however many try.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn claim_platform_backup(&self, now: Timestamp, next: Timestamp) -> Result<bool> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query("INSERT INTO platform_state (key, value) VALUES ($1, '0') ON CONFLICT (key) DO NOTHING")
                    .bind(PLATFORM_NEXT)
                    .execute(&mut *c)
                    .await?;
                let claimed = sqlx::query(
                    "UPDATE platform_state SET value = $3 WHERE key = $1 AND CAST(value AS BIGINT) <= $2",
                )
                .bind(PLATFORM_NEXT)
                .bind(now.unix())
                .bind(next.unix().to_string())
                .execute(&mut *c)
                .await?;
                Ok(claimed.rows_affected() == 1)
            })
        })
    }

    /// When the platform backup is next due (after a failure: soon).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_platform_backup_next(&self, next: Timestamp) -> Result<()> {
        on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query("UPDATE platform_state SET value = $2 WHERE key = $1")
                    .bind(PLATFORM_NEXT)
                    .bind(next.unix().to_string())
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
    }
}
