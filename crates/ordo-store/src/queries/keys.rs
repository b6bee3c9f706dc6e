use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Result, Sealed, Store, StoreError, TenantKeyRow, Tx};
use ordo_core::ids::TenantId;
use ordo_core::time::Timestamp;

fn from_row(r: &impl Get) -> Result<TenantKeyRow> {
    Ok(TenantKeyRow {
        purpose: r.text("purpose")?,
        version: u32::try_from(r.int("version")?).map_err(|_| StoreError::Corrupt("tenant_keys.version"))?,
        wrapped: r.text("wrapped")?,
    })
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn tenant_keys(&self, tenant: TenantId) -> Result<Vec<TenantKeyRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT purpose, version, wrapped FROM tenant_keys WHERE tenant_id = $1 ORDER BY purpose, version",
                )
                .bind(tenant.to_string())
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }

    /// A platform fact (see table platform_state).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn platform_state(&self, key: &str) -> Result<Option<String>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let row: Option<(String,)> = sqlx::query_as("SELECT value FROM platform_state WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *c)
                    .await?;
                Ok(row.map(|(v,)| v))
            })
        })
    }

    /// How many protected values of a tenant are sealed with each data key
    /// version (`None` = stored plain), across every protected column.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sealed_versions(&self, tenant: TenantId) -> Result<Vec<(Option<u32>, i64)>> {
        let rows: Vec<(String,)> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as(
                    "SELECT email FROM users WHERE tenant_id = $1
                     UNION ALL SELECT display_name FROM users WHERE tenant_id = $1
                     UNION ALL SELECT phone FROM users WHERE tenant_id = $1 AND phone IS NOT NULL
                     UNION ALL SELECT recipient FROM mail_outbox WHERE tenant_id = $1 AND status = 'pending'
                     UNION ALL SELECT title FROM meetings WHERE tenant_id = $1
                     UNION ALL SELECT objectives FROM meetings WHERE tenant_id = $1
                     UNION ALL SELECT place FROM meetings WHERE tenant_id = $1
                     UNION ALL SELECT title FROM topics WHERE tenant_id = $1
                     UNION ALL SELECT title FROM elements WHERE tenant_id = $1
                     UNION ALL SELECT description FROM elements WHERE tenant_id = $1
                     UNION ALL SELECT body FROM comments WHERE tenant_id = $1
                     UNION ALL SELECT substr(data, 1, 16) FROM attachments WHERE tenant_id = $1
                     UNION ALL SELECT body FROM support_messages WHERE tenant_id = $1
                     UNION ALL SELECT before FROM meeting_history WHERE tenant_id = $1 AND before IS NOT NULL
                     UNION ALL SELECT name FROM agenda_templates WHERE tenant_id = $1
                     UNION ALL SELECT body FROM agenda_templates WHERE tenant_id = $1
                     UNION ALL SELECT name FROM api_tokens WHERE tenant_id = $1
                     UNION ALL SELECT substr(image, 1, 16) FROM support_messages WHERE tenant_id = $1 AND image IS NOT NULL",
                )
                .bind(tenant.to_string())
                .fetch_all(&mut *c)
                .await?
            })
        });
        let mut counts: std::collections::BTreeMap<Option<u32>, i64> = Default::default();
        for (v,) in rows {
            *counts.entry(crate::Sealed::from_storage(v).key_version()).or_default() += 1;
        }
        Ok(counts.into_iter().collect())
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_tenant_key(&mut self, tenant: TenantId, key: &TenantKeyRow, now: Timestamp) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO tenant_keys (tenant_id, purpose, version, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(tenant.to_string())
            .bind(&key.purpose)
            .bind(i64::from(key.version))
            .bind(&key.wrapped)
            .bind(now.unix())
            .execute(&mut *c)
            .await
            .map_err(|e| crate::conn::conflict(e, crate::Unique::TenantKey))?;
            Ok(())
        })
    }

    /// Forget a data key version (after no value uses it any more).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_tenant_data_key(&mut self, tenant: TenantId, version: u32) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM tenant_keys WHERE tenant_id = $1 AND purpose = 'data' AND version = $2")
                .bind(tenant.to_string())
                .bind(i64::from(version))
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_platform_state(&mut self, key: &str, value: &str) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("DELETE FROM platform_state WHERE key = $1").bind(key).execute(&mut *c).await?;
            sqlx::query("INSERT INTO platform_state (key, value) VALUES ($1, $2)")
                .bind(key)
                .bind(value)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Append to the platform audit log (hash-chained like the tenants').
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn append_platform_audit(
        &mut self,
        kind: &str,
        subject: Option<&str>,
        detail: &str,
        now: Timestamp,
    ) -> Result<i64> {
        run!(self.conn(), c => {
            // Serialise appenders: SQLite holds the write lock already
            // (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock.
            if matches!(crate::Engine::of(&*c), crate::Engine::Postgres) {
                sqlx::query("SELECT pg_advisory_xact_lock(7314159266)").execute(&mut *c).await?;
            }
            let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM platform_audit ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *c)
                .await?;
            let (seq, prev) = match last {
                Some((s, h)) => (s + 1, h),
                None => (1, String::new()),
            };
            let id = ordo_core::ids::AuditId::new().to_string();
            let hash = ordo_crypto::digest::sha256_parts_hex(&[
                b"ordo-platform-audit-v1",
                seq.to_string().as_bytes(),
                id.as_bytes(),
                now.unix().to_string().as_bytes(),
                kind.as_bytes(),
                subject.unwrap_or("").as_bytes(),
                detail.as_bytes(),
                prev.as_bytes(),
            ]);
            sqlx::query(
                "INSERT INTO platform_audit (seq, id, at, kind, subject, detail, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(seq)
            .bind(&id)
            .bind(now.unix())
            .bind(kind)
            .bind(subject)
            .bind(detail)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut *c)
            .await?;
            Ok(seq)
        })
    }
}

/// Tables whose protected columns the re-sealing job rewrites (besides
/// users, which it handles with their own query).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedTable {
    Meetings,
    Topics,
    Elements,
    Comments,
    SupportMessages,
    Templates,
    History,
    ApiTokens,
}

impl SealedTable {
    pub const ALL: [SealedTable; 8] = [
        SealedTable::Meetings,
        SealedTable::Topics,
        SealedTable::Elements,
        SealedTable::Comments,
        SealedTable::SupportMessages,
        SealedTable::Templates,
        SealedTable::History,
        SealedTable::ApiTokens,
    ];
}

/// Columns of sealed bytes (pictures), re-sealed a few at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blob {
    /// A meeting's images (`attachments.data`).
    Attachment,
    /// A support message's picture (`support_messages.image`).
    SupportImage,
}

impl Blob {
    pub const ALL: [Blob; 2] = [Blob::Attachment, Blob::SupportImage];

    fn table_column(self) -> (&'static str, &'static str) {
        match self {
            Blob::Attachment => ("attachments", "data"),
            Blob::SupportImage => ("support_messages", "image"),
        }
    }
}

impl Store {
    /// Rows of a tenant whose sealed bytes are not in the wanted form: (id, value).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn blobs_to_reseal(
        &self,
        blob: Blob,
        tenant: TenantId,
        target: Option<u32>,
        limit: i64,
    ) -> Result<Vec<(String, Sealed)>> {
        let pattern = match target {
            Some(v) => format!("e1.{v}:%"),
            None => "pb:%".to_owned(),
        };
        let (table, column) = blob.table_column();
        let sql = format!(
            "SELECT id, {column} FROM {table} WHERE tenant_id = $1 AND {column} IS NOT NULL AND NOT ({column} LIKE $2)
             ORDER BY id LIMIT $3"
        );
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(tenant.to_string())
                    .bind(&pattern)
                    .bind(limit)
                    .fetch_all(&mut *c)
                    .await?;
                Ok(rows.into_iter().map(|(id, v)| (id, Sealed::from_storage(v))).collect())
            })
        })
    }
}

impl Tx {
    /// Replace sealed bytes if they are still `old`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reseal_blob(
        &mut self,
        blob: Blob,
        tenant: TenantId,
        id: &str,
        old: &Sealed,
        new: &Sealed,
    ) -> Result<bool> {
        let (table, column) = blob.table_column();
        let sql = format!("UPDATE {table} SET {column} = $3 WHERE tenant_id = $1 AND id = $2 AND {column} = $4");
        run!(self.conn(), c => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(tenant.to_string())
                .bind(id)
                .bind(new.as_storage())
                .bind(old.as_storage())
                .execute(&mut *c)
                .await?;
            Ok(r.rows_affected() == 1)
        })
    }
}

/// A row's protected values, in the table's column order
/// (meetings: title, objectives, place; topics: title; elements: title,
/// description).
#[derive(Clone, Debug)]
pub struct SealedRow {
    pub id: String,
    pub values: Vec<Sealed>,
}

impl Store {
    /// Rows of `table` with a protected value not matching `pattern`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rows_to_reseal(
        &self,
        table: SealedTable,
        tenant: TenantId,
        target: Option<u32>,
        limit: i64,
    ) -> Result<Vec<SealedRow>> {
        let pattern = match target {
            Some(v) => format!("e1.{v}:%"),
            None => "p:%".to_owned(),
        };
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows: Vec<(String, String, Option<String>, Option<String>)> = match table {
                    SealedTable::Meetings => sqlx::query_as(
                        "SELECT id, title, objectives, place FROM meetings WHERE tenant_id = $1
                           AND NOT (title LIKE $2 AND objectives LIKE $2 AND place LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::Topics => sqlx::query_as(
                        "SELECT id, title, NULL AS a, NULL AS b FROM topics WHERE tenant_id = $1 AND NOT (title LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::Elements => sqlx::query_as(
                        "SELECT id, title, description, NULL AS b FROM elements WHERE tenant_id = $1
                           AND NOT (title LIKE $2 AND description LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::Comments => sqlx::query_as(
                        "SELECT id, body, NULL AS a, NULL AS b FROM comments WHERE tenant_id = $1 AND NOT (body LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::SupportMessages => sqlx::query_as(
                        "SELECT id, body, NULL AS a, NULL AS b FROM support_messages WHERE tenant_id = $1 AND NOT (body LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::Templates => sqlx::query_as(
                        "SELECT id, name, body, NULL AS b FROM agenda_templates WHERE tenant_id = $1
                           AND NOT (name LIKE $2 AND body LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::History => sqlx::query_as(
                        "SELECT id, before, NULL AS a, NULL AS b FROM meeting_history WHERE tenant_id = $1
                           AND before IS NOT NULL AND NOT (before LIKE $2) ORDER BY id LIMIT $3",
                    ),
                    SealedTable::ApiTokens => sqlx::query_as(
                        "SELECT id, name, NULL AS a, NULL AS b FROM api_tokens WHERE tenant_id = $1 AND NOT (name LIKE $2) ORDER BY id LIMIT $3",
                    ),
                }
                .bind(tenant.to_string())
                .bind(&pattern)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, a, b, d)| SealedRow {
                        id,
                        values: [Some(a), b, d].into_iter().flatten().map(Sealed::from_storage).collect(),
                    })
                    .collect())
            })
        })
    }
}

impl Tx {
    /// Replace a row's protected values if they are still `old`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reseal_row(
        &mut self,
        table: SealedTable,
        tenant: TenantId,
        old: &SealedRow,
        new: &[Sealed],
    ) -> Result<bool> {
        let v = |i: usize| new.get(i).map(|s| s.as_storage().to_owned()).unwrap_or_default();
        let o = |i: usize| old.values.get(i).map(|s| s.as_storage().to_owned()).unwrap_or_default();
        run!(self.conn(), c => {
            let q = match table {
                SealedTable::Meetings => sqlx::query(
                    "UPDATE meetings SET title = $3, objectives = $4, place = $5
                     WHERE tenant_id = $1 AND id = $2 AND title = $6 AND objectives = $7 AND place = $8",
                )
                .bind(tenant.to_string()).bind(&old.id).bind(v(0)).bind(v(1)).bind(v(2)).bind(o(0)).bind(o(1)).bind(o(2)),
                SealedTable::Topics => sqlx::query("UPDATE topics SET title = $3 WHERE tenant_id = $1 AND id = $2 AND title = $4")
                    .bind(tenant.to_string()).bind(&old.id).bind(v(0)).bind(o(0)),
                SealedTable::Comments => sqlx::query("UPDATE comments SET body = $3 WHERE tenant_id = $1 AND id = $2 AND body = $4")
                    .bind(tenant.to_string())
                    .bind(&old.id)
                    .bind(v(0))
                    .bind(o(0)),
                SealedTable::SupportMessages => sqlx::query("UPDATE support_messages SET body = $3 WHERE tenant_id = $1 AND id = $2 AND body = $4")
                    .bind(tenant.to_string())
                    .bind(&old.id)
                    .bind(v(0))
                    .bind(o(0)),
                SealedTable::Elements => sqlx::query(
                    "UPDATE elements SET title = $3, description = $4 WHERE tenant_id = $1 AND id = $2 AND title = $5 AND description = $6",
                )
                .bind(tenant.to_string()).bind(&old.id).bind(v(0)).bind(v(1)).bind(o(0)).bind(o(1)),
                SealedTable::Templates => sqlx::query(
                    "UPDATE agenda_templates SET name = $3, body = $4 WHERE tenant_id = $1 AND id = $2 AND name = $5 AND body = $6",
                )
                .bind(tenant.to_string()).bind(&old.id).bind(v(0)).bind(v(1)).bind(o(0)).bind(o(1)),
                SealedTable::History => sqlx::query(
                    "UPDATE meeting_history SET before = $3 WHERE tenant_id = $1 AND id = $2 AND before = $4",
                )
                .bind(tenant.to_string()).bind(&old.id).bind(v(0)).bind(o(0)),
                SealedTable::ApiTokens => sqlx::query("UPDATE api_tokens SET name = $3 WHERE tenant_id = $1 AND id = $2 AND name = $4")
                    .bind(tenant.to_string()).bind(&old.id).bind(v(0)).bind(o(0)),
            };
            Ok(q.execute(&mut *c).await?.rows_affected() == 1)
        })
    }
}
