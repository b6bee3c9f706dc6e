//! A small migration runner: numbered SQL files per engine, embedded in the
//! binary, applied in order, each in its own transaction, recorded with a
//! checksum so that an edited migration is detected instead of silently
//! diverging. Two processes starting at once are serialised by a lock.

use crate::conn::{Conn, run};
use crate::{Result, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
    postgres: include_str!("../migrations/postgres/0001_init.sql"),
}];

/// The highest schema version this build knows.
pub const LATEST: i64 = 1;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS ordo_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

pub(crate) async fn run(conn: Conn<'_>) -> Result<()> {
    let sqlite = matches!(conn, Conn::Sqlite(_));
    run!(conn, c => {
        // Serialise concurrent migrators: SQLite by taking the write lock
        // first, PostgreSQL by an advisory lock held for the transaction.
        let begin = if sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
        sqlx::query(begin).execute(&mut *c).await?;
        let result = async {
            if !sqlite {
                sqlx::query("SELECT pg_advisory_xact_lock(7314159265)").execute(&mut *c).await?;
            }
            sqlx::query(CREATE_TABLE).execute(&mut *c).await?;
            let applied: Vec<(i64, String)> = sqlx::query_as("SELECT version, checksum FROM ordo_migrations ORDER BY version")
                .fetch_all(&mut *c)
                .await?;
            if let Some((v, _)) = applied.last() && *v > LATEST {
                tracing::warn!(database = v, binary = LATEST, "the database schema is newer than this binary");
            }
            for m in MIGRATIONS {
                let sql = if sqlite { m.sqlite } else { m.postgres };
                let sum = ordo_crypto::sha256_hex(sql.as_bytes());
                match applied.iter().find(|(v, _)| *v == m.version) {
                    Some((_, s)) if *s == sum => continue,
                    Some(_) => {
                        tracing::error!(version = m.version, "an applied migration was modified");
                        return Err(StoreError::Corrupt("ordo_migrations.checksum"));
                    }
                    None => {}
                }
                for stmt in split_statements(sql) {
                    sqlx::query(sqlx::AssertSqlSafe(stmt))
                        .execute(&mut *c)
                        .await
                        .map_err(|source| StoreError::Migration { version: m.version, source })?;
                }
                sqlx::query("INSERT INTO ordo_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, 0)")
                    .bind(m.version)
                    .bind(m.name)
                    .bind(sum)
                    .execute(&mut *c)
                    .await?;
                tracing::info!(version = m.version, name = m.name, "migration applied");
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                sqlx::query("COMMIT").execute(&mut *c).await?;
                Ok(())
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *c).await;
                Err(e)
            }
        }
    })
}

/// Split a migration file into statements. Migrations are plain DDL: no
/// semicolons inside strings or bodies, and comments start lines.
fn split_statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    let without_comments: String = sql
        .lines()
        .map(|l| match l.find("--") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    without_comments.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect::<Vec<_>>().into_iter()
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_statements_and_drops_comments() {
        let v: Vec<String> =
            super::split_statements("-- a; b\nCREATE TABLE a (x INT); -- c\n\nCREATE INDEX i ON a (x);\n").collect();
        assert_eq!(v, vec!["CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)"]);
    }
}
