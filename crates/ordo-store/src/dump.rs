//! Table-level access for backups: every row of a tenant, table by table, as
//! plain values, and the way back in. The list of tenant tables lives here,
//! next to the schema; a test compares it with the schema itself so that a
//! new table cannot be left out of backups.

use crate::conn::{Conn, on_pool, run};
use crate::{Result, Store, StoreError, Tx};
use futures_util::TryStreamExt;
use ordo_core::ids::TenantId;
use sqlx::{Row, ValueRef};

/// A column value as stored: the schema has only integers and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// The tables holding a tenant's data, parents before children (the order
/// rows are restored in), with the column naming the tenant.
pub const TENANT_TABLES: &[(&str, &str)] = &[
    ("tenants", "id"),
    ("tenant_keys", "tenant_id"),
    ("users", "tenant_id"),
    ("user_tokens", "tenant_id"),
    ("api_tokens", "tenant_id"),
    ("audit_log", "tenant_id"),
    ("mail_outbox", "tenant_id"),
    ("meeting_series", "tenant_id"),
    ("meetings", "tenant_id"),
    ("meeting_participants", "tenant_id"),
    ("topics", "tenant_id"),
    ("topic_contributors", "tenant_id"),
    ("elements", "tenant_id"),
    ("element_owners", "tenant_id"),
    ("comments", "tenant_id"),
    ("attachments", "tenant_id"),
    ("meeting_history", "tenant_id"),
    ("support_conversations", "tenant_id"),
    ("support_messages", "tenant_id"),
    ("support_grants", "tenant_id"),
    ("agenda_templates", "tenant_id"),
    ("reminder_prefs", "tenant_id"),
    ("calendar_feeds", "tenant_id"),
];

/// Tenant tables deliberately left out of backups, and why.
pub const NOT_BACKED_UP: &[(&str, &str)] = &[
    (
        "sessions",
        "sign-ins are not restored: after a restore everyone signs in again, and a stolen backup revives no session",
    ),
    ("backup_runs", "the history of backups and drills describes the backups: it is kept beside them, not in them"),
    ("tenant_status", "the tenant watch's view of the service, not the tenant's data; rebuilt by the next probe"),
    ("tenant_status_changes", "the history of the tenant watch's probes: the service's record, not the tenant's data"),
    ("tenant_traffic", "request counts for error rates over five minutes, kept a day: nothing to restore"),
    (
        "search_terms",
        "the search index is made from the meetings: the indexer rebuilds it after a restore, under the restored tenant's keys",
    ),
    ("search_state", "what the search indexer has done; empty after a restore, so that it indexes every meeting again"),
];

/// The platform's own tables (outside any tenant), in `ordo backup
/// platform`. A test checks every table of the schema is in one list.
pub const PLATFORM_TABLES: &[&str] = &[
    "platform_audit",
    "platform_state",
    "incidents",
    "alert_deliveries",
    "leases",
    "staff",
    "staff_recovery_codes",
    "staff_tokens",
];

/// Platform tables left out of its backup, and why.
pub const PLATFORM_NOT_BACKED_UP: &[(&str, &str)] =
    &[("staff_sessions", "sign-ins are not restored: staff sign in again, and a stolen backup revives no session")];

fn tenant_column(table: &str) -> Result<&'static str> {
    TENANT_TABLES.iter().find(|(t, _)| *t == table).map(|(_, c)| *c).ok_or(StoreError::Corrupt("backup table"))
}

/// A name that can be put in SQL as it is: the archive's table and column
/// names are checked against this before any statement is built.
fn plain_identifier(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn value_of<R: Row>(row: &R, i: usize, integer: bool) -> Result<Value>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    if row.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    Ok(if integer { Value::Int(row.try_get::<i64, _>(i)?) } else { Value::Text(row.try_get::<String, _>(i)?) })
}

/// A column of a table: its name, and whether it holds integers (else text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub integer: bool,
}

impl Tx {
    /// Every row of `table` for `tenant`, in a stable order, handed to
    /// `each` as it is read (memory stays flat). The first call gives the
    /// column names.
    pub async fn dump_table<E: From<StoreError>>(
        &mut self,
        tenant: TenantId,
        table: &str,
        each: impl FnMut(Vec<Value>) -> std::result::Result<(), E>,
    ) -> std::result::Result<Vec<ColumnDef>, E> {
        let col = tenant_column(table)?;
        self.dump_rows(table, Some((col, tenant)), each).await
    }

    /// Every row of one of the [`PLATFORM_TABLES`], like [`Tx::dump_table`].
    pub async fn dump_platform_table<E: From<StoreError>>(
        &mut self,
        table: &str,
        each: impl FnMut(Vec<Value>) -> std::result::Result<(), E>,
    ) -> std::result::Result<Vec<ColumnDef>, E> {
        if !PLATFORM_TABLES.contains(&table) {
            return Err(StoreError::Corrupt("platform table").into());
        }
        self.dump_rows(table, None, each).await
    }

    async fn dump_rows<E: From<StoreError>>(
        &mut self,
        table: &str,
        tenant: Option<(&str, TenantId)>,
        mut each: impl FnMut(Vec<Value>) -> std::result::Result<(), E>,
    ) -> std::result::Result<Vec<ColumnDef>, E> {
        let columns = columns_in_tx(self, table).await?;
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        // In primary-key order: the same on both engines, read along the
        // index (no sort of the whole table).
        let mut order = primary_key(self.conn(), table).await?;
        if order.is_empty() {
            order = names.iter().map(|n| (*n).to_owned()).collect();
        }
        let filter = tenant.map(|(col, _)| format!("WHERE {col} = $1")).unwrap_or_default();
        let sql = format!("SELECT {} FROM {table} {filter} ORDER BY {}", names.join(", "), order.join(", "));
        let kinds: Vec<bool> = columns.iter().map(|c| c.integer).collect();
        run!(self.conn(), c => {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql));
            let query = match tenant {
                Some((_, t)) => query.bind(t.to_string()),
                None => query,
            };
            let mut rows = query.fetch(&mut *c);
            while let Some(r) = rows.try_next().await.map_err(StoreError::from)? {
                let values = kinds.iter().enumerate().map(|(i, int)| value_of(&r, i, *int)).collect::<Result<Vec<_>>>()?;
                each(values)?;
            }
            Ok::<(), E>(())
        })?;
        Ok(columns)
    }
}

impl Store {
    /// SQLite only: a consistent copy of the whole database, taken online
    /// (`VACUUM INTO`: readers and writers go on), into a new file.
    pub async fn sqlite_copy_into(&self, file: &std::path::Path) -> Result<()> {
        let path = file.to_str().ok_or(StoreError::Corrupt("copy path"))?;
        on_pool!(self, conn => {
            match conn {
                Conn::Sqlite(c) => {
                    sqlx::query("VACUUM INTO $1").bind(path).execute(&mut *c).await?;
                    Ok(())
                }
                Conn::Postgres(_) => Err(StoreError::Corrupt("an online file copy is for SQLite; use pg_dump")),
            }
        })
    }

    /// Every table of the schema (but the migrations' own).
    pub async fn tables_in_schema(&self) -> Result<Vec<String>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let sql = match self.engine() {
                    crate::Engine::Sqlite => {
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    }
                    crate::Engine::Postgres => {
                        "SELECT table_name::TEXT FROM information_schema.tables
                         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
                    }
                };
                let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *c).await?;
                Ok(rows.into_iter().map(|(n,)| n).collect())
            })
        })
    }

    /// The columns of a table, in schema order.
    pub async fn columns(&self, table: &str) -> Result<Vec<ColumnDef>> {
        if !plain_identifier(table) {
            return Err(StoreError::Corrupt("table name"));
        }
        on_pool!(self, conn => columns(conn, table).await)
    }

    /// Tables of the schema that hold tenant data: those with a `tenant_id`
    /// column, and `tenants` itself.
    pub async fn tenant_tables_in_schema(&self) -> Result<Vec<String>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let sql = match self.engine() {
                    crate::Engine::Sqlite => {
                        "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
                         AND (m.name = 'tenants' OR EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'tenant_id'))
                         ORDER BY m.name"
                    }
                    crate::Engine::Postgres => {
                        "SELECT t.table_name::TEXT FROM information_schema.tables t WHERE t.table_schema = current_schema()
                         AND (t.table_name = 'tenants' OR EXISTS (SELECT 1 FROM information_schema.columns c
                              WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'tenant_id'))
                         ORDER BY 1"
                    }
                };
                let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *c).await?;
                Ok(rows.into_iter().map(|(n,)| n).collect())
            })
        })
    }
}

/// PostgreSQL: rows in by `COPY … FROM STDIN` (text format), streamed in
/// pieces — no statement per row batch, no parameters to bind, one round
/// trip per call (statements with many rows stalled over TCP, see
/// docs/benchmarks.md). `columns` were checked against the schema.
///
/// PostgreSQL refuses `COPY FROM` into a table under row-level security
/// (every tenant table, migration 0015), so the rows go into a temporary
/// table of the same shape first (private to this transaction, dropped at
/// its end), then into the table by one `INSERT … SELECT`, which the
/// policies check like any other write.
async fn copy_rows(
    c: &mut sqlx::PgConnection,
    table: &str,
    columns: &[String],
    kinds: &[bool],
    rows: &[Vec<Value>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let list = columns.join(", ");
    let stage = format!("ordo_restore_{table}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
    )))
    .execute(&mut *c)
    .await?;
    let sql = format!("COPY {stage} ({list}) FROM STDIN");
    let mut copy = c.copy_in_raw(&sql).await?;
    let mut buf = String::with_capacity(1 << 20);
    for row in rows {
        for (i, (v, int)) in row.iter().zip(kinds).enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            match (v, int) {
                (Value::Null, _) => buf.push_str("\\N"),
                (Value::Int(n), true) => buf.push_str(&n.to_string()),
                (Value::Text(t), false) => copy_escape(&mut buf, t),
                _ => {
                    copy.abort("archive value type").await?;
                    return Err(StoreError::Corrupt("archive value type"));
                }
            }
        }
        buf.push('\n');
        if buf.len() >= 1 << 20 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} ({list}) SELECT {list} FROM {stage}; TRUNCATE {stage}"
    )))
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// A value in COPY's text format: backslash, tab, newline and carriage
/// return escaped (a NUL cannot be in a PostgreSQL text value).
fn copy_escape(out: &mut String, text: &str) {
    if !text.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
        // Sealed values (base64) and most text: nothing to escape.
        out.push_str(text);
        return;
    }
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

/// The primary key's columns, in key order.
async fn primary_key(conn: Conn<'_>, table: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = match conn {
        Conn::Sqlite(c) => {
            sqlx::query_as("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                .bind(table)
                .fetch_all(&mut *c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as(
                "SELECT a.attname::TEXT FROM pg_index i
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                 WHERE i.indrelid = $1::regclass AND i.indisprimary
                 ORDER BY array_position(i.indkey::int2[], a.attnum)",
            )
            .bind(table)
            .fetch_all(&mut *c)
            .await?
        }
    };
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

async fn columns(conn: Conn<'_>, table: &str) -> Result<Vec<ColumnDef>> {
    let rows: Vec<(String, String)> = match conn {
        Conn::Sqlite(c) => {
            sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as(
                "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *c)
            .await?
        }
    };
    if rows.is_empty() {
        return Err(StoreError::Corrupt("table name"));
    }
    Ok(rows
        .into_iter()
        .map(|(name, ty)| ColumnDef { integer: ty.to_ascii_uppercase().contains("INT"), name })
        .collect())
}

impl Tx {
    /// Insert rows into one of the tenant tables, `columns` naming each
    /// value's column (as found in an archive: checked against the schema).
    pub async fn restore_rows(&mut self, table: &str, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
        tenant_column(table)?;
        let schema = columns_in_tx(self, table).await?;
        let mut kinds = Vec::with_capacity(columns.len());
        for c in columns {
            let def = schema.iter().find(|d| d.name == *c).ok_or(StoreError::Corrupt("archive column"))?;
            kinds.push(def.integer);
        }
        if rows.iter().any(|r| r.len() != kinds.len()) {
            return Err(StoreError::Corrupt("archive row"));
        }
        if let Conn::Postgres(c) = self.conn() {
            return copy_rows(c, table, columns, &kinds, rows).await;
        }
        // Several rows per statement: a statement costs a hop to SQLite's
        // connection thread. Not too many: binding costs grow faster than
        // the number of parameters there (measured).
        let per_statement = (256 / kinds.len().max(1)).max(1);
        for chunk in rows.chunks(per_statement) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let ps: Vec<String> = (1..=kinds.len()).map(|i| format!("${}", r * kinds.len() + i)).collect();
                    format!("({})", ps.join(", "))
                })
                .collect();
            let sql = format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), values.join(", "));
            run!(self.conn(), c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for row in chunk {
                    for (v, int) in row.iter().zip(&kinds) {
                        q = match (v, int) {
                            (Value::Null, true) => q.bind(None::<i64>),
                            (Value::Null, false) => q.bind(None::<&str>),
                            (Value::Int(i), true) => q.bind(*i),
                            (Value::Text(t), false) => q.bind(t.as_str()),
                            _ => return Err(StoreError::Corrupt("archive value type")),
                        };
                    }
                }
                q.execute(&mut *c).await?;
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(())
    }

    /// The columns of a table, in schema order.
    pub async fn columns(&mut self, table: &str) -> Result<Vec<ColumnDef>> {
        columns_in_tx(self, table).await
    }

    /// Give the tenant a people revision never used before: after a
    /// restore, no server may reuse what it had cached for this tenant.
    pub async fn renew_people_revision(&mut self, tenant: TenantId, fresh: i64) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE tenants SET people_revision = CASE WHEN people_revision >= $2 THEN people_revision + 1 ELSE $2 END WHERE id = $1")
                .bind(tenant.to_string())
                .bind(fresh)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Mark this transaction as a restore: PostgreSQL's revision triggers
    /// stand aside (the restore renews the tenant's people revision, which
    /// invalidates every cached meeting of the tenant at once).
    pub async fn restoring(&mut self) -> Result<()> {
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query("SELECT set_config('ordo.restoring', 'on', true)").execute(&mut *c).await?;
        }
        Ok(())
    }

    /// Whether a tenant with this id exists (restores refuse to overwrite).
    pub async fn tenant_exists(&mut self, tenant: TenantId) -> Result<bool> {
        run!(self.conn(), c => {
            let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tenants WHERE id = $1").bind(tenant.to_string()).fetch_one(&mut *c).await?;
            Ok(n.0 > 0)
        })
    }
}

async fn columns_in_tx(tx: &mut Tx, table: &str) -> Result<Vec<ColumnDef>> {
    if !plain_identifier(table) {
        return Err(StoreError::Corrupt("table name"));
    }
    columns(tx.conn(), table).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_names_reach_sql() {
        assert!(super::plain_identifier("meeting_participants"));
        for bad in ["", "users; DROP TABLE users", "Users", "a b", "x\"", &"a".repeat(64)] {
            assert!(!super::plain_identifier(bad), "{bad}");
        }
    }
}
