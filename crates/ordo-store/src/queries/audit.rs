use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{AuditDraft, AuditEntry, ChainCheck, Result, Store, StoreError, Tx};
use ordo_core::ids::{AuditId, TenantId};
use ordo_core::time::Timestamp;

fn from_row(r: &impl Get) -> Result<AuditEntry> {
    Ok(AuditEntry {
        tenant_id: r.parsed("tenant_id")?,
        seq: r.int("seq")?,
        id: r.parsed("id")?,
        at: r.ts("at")?,
        actor_id: r.opt_text("actor_id")?,
        kind: r.text("kind")?,
        subject_id: r.opt_text("subject_id")?,
        ip: r.opt_text("ip")?,
        detail: r.text("detail")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

impl Tx {
    /// Append an entry to the tenant's hash chain, in this transaction. The
    /// tenant row is locked first (a no-op write) so that concurrent appends,
    /// from this process or another, queue up instead of forking the chain.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn append_audit(&mut self, tenant: TenantId, draft: &AuditDraft, now: Timestamp) -> Result<AuditEntry> {
        run!(self.conn(), c => {
            let locked = sqlx::query("UPDATE tenants SET audit_seq = audit_seq WHERE id = $1")
                .bind(tenant.to_string())
                .execute(&mut *c)
                .await?;
            if locked.rows_affected() != 1 {
                return Err(StoreError::Corrupt("tenants.id"));
            }
            let (seq, head): (i64, String) = sqlx::query_as("SELECT audit_seq, audit_head FROM tenants WHERE id = $1")
                .bind(tenant.to_string())
                .fetch_one(&mut *c)
                .await?;
            let mut e = AuditEntry {
                tenant_id: tenant,
                seq: seq + 1,
                id: AuditId::new(),
                at: now,
                actor_id: draft.actor_id.map(|u| u.to_string()),
                kind: draft.kind.as_str().to_owned(),
                subject_id: draft.subject_id.map(|u| u.to_string()),
                ip: draft.ip.clone(),
                detail: draft.detail.clone(),
                prev_hash: head,
                hash: String::new(),
            };
            e.hash = e.compute_hash();
            sqlx::query(
                "INSERT INTO audit_log (tenant_id, seq, id, at, actor_id, kind, subject_id, ip, detail, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(tenant.to_string())
            .bind(e.seq)
            .bind(e.id.to_string())
            .bind(e.at.unix())
            .bind(&e.actor_id)
            .bind(&e.kind)
            .bind(&e.subject_id)
            .bind(&e.ip)
            .bind(&e.detail)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&mut *c)
            .await?;
            sqlx::query("UPDATE tenants SET audit_seq = $2, audit_head = $3 WHERE id = $1")
                .bind(tenant.to_string())
                .bind(e.seq)
                .bind(&e.hash)
                .execute(&mut *c)
                .await?;
            Ok(e)
        })
    }
}

impl Store {
    /// The newest entries first, `limit` at most, before sequence `before`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_audit(&self, tenant: TenantId, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT tenant_id, seq, id, at, actor_id, kind, subject_id, ip, detail, prev_hash, hash
                     FROM audit_log WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                )
                .bind(tenant.to_string())
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }

    /// Walk the whole chain in order, in pages, and report the first entry
    /// that was altered, inserted or removed.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn verify_audit_chain(&self, tenant: TenantId) -> Result<ChainCheck> {
        let (head_seq, head_hash): (i64, String) = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as("SELECT audit_seq, audit_head FROM tenants WHERE id = $1")
                    .bind(tenant.to_string())
                    .fetch_one(&mut *c)
                    .await?
            })
        });
        let mut expected_seq = 1;
        let mut prev = String::new();
        loop {
            let page: Vec<AuditEntry> = on_pool!(self, conn => {
                run!(conn, c => {
                    let rows = sqlx::query(
                        "SELECT tenant_id, seq, id, at, actor_id, kind, subject_id, ip, detail, prev_hash, hash
                         FROM audit_log WHERE tenant_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1000",
                    )
                    .bind(tenant.to_string())
                    .bind(expected_seq)
                    .fetch_all(&mut *c)
                    .await?;
                    rows.iter().map(from_row).collect::<Result<Vec<_>>>()?
                })
            });
            if page.is_empty() {
                break;
            }
            for e in page {
                if e.seq != expected_seq {
                    return Ok(ChainCheck::Broken { seq: expected_seq, reason: "entry missing".into() });
                }
                if e.prev_hash != prev {
                    return Ok(ChainCheck::Broken { seq: e.seq, reason: "does not follow the previous entry".into() });
                }
                if e.compute_hash() != e.hash {
                    return Ok(ChainCheck::Broken { seq: e.seq, reason: "content altered".into() });
                }
                prev = e.hash;
                expected_seq += 1;
            }
        }
        let last = expected_seq - 1;
        if last != head_seq || prev != head_hash {
            return Ok(ChainCheck::Broken {
                seq: last + 1,
                reason: format!("the log ends at entry {last} but the tenant's head records entry {head_seq}"),
            });
        }
        Ok(ChainCheck::Intact { entries: last })
    }
}
