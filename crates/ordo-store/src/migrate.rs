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

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "revisions",
        sqlite: include_str!("../migrations/sqlite/0002_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0002_revisions.sql"),
    },
    Migration {
        version: 3,
        name: "backup_jobs",
        sqlite: include_str!("../migrations/sqlite/0003_backup_jobs.sql"),
        postgres: include_str!("../migrations/postgres/0003_backup_jobs.sql"),
    },
    Migration {
        version: 4,
        name: "restore_speed",
        sqlite: include_str!("../migrations/sqlite/0004_restore_speed.sql"),
        postgres: include_str!("../migrations/postgres/0004_restore_speed.sql"),
    },
    Migration {
        version: 5,
        name: "watch",
        sqlite: include_str!("../migrations/sqlite/0005_watch.sql"),
        postgres: include_str!("../migrations/postgres/0005_watch.sql"),
    },
    Migration {
        version: 6,
        name: "staff",
        sqlite: include_str!("../migrations/sqlite/0006_staff.sql"),
        postgres: include_str!("../migrations/postgres/0006_staff.sql"),
    },
    Migration {
        version: 7,
        name: "support",
        sqlite: include_str!("../migrations/sqlite/0007_support.sql"),
        postgres: include_str!("../migrations/postgres/0007_support.sql"),
    },
    Migration {
        version: 8,
        name: "templates",
        sqlite: include_str!("../migrations/sqlite/0008_templates.sql"),
        postgres: include_str!("../migrations/postgres/0008_templates.sql"),
    },
    Migration {
        version: 9,
        name: "reminders",
        sqlite: include_str!("../migrations/sqlite/0009_reminders.sql"),
        postgres: include_str!("../migrations/postgres/0009_reminders.sql"),
    },
    Migration {
        version: 10,
        name: "minutes_out",
        sqlite: include_str!("../migrations/sqlite/0010_minutes_out.sql"),
        postgres: include_str!("../migrations/postgres/0010_minutes_out.sql"),
    },
    Migration {
        version: 11,
        name: "search",
        sqlite: include_str!("../migrations/sqlite/0011_search.sql"),
        postgres: include_str!("../migrations/postgres/0011_search.sql"),
    },
    Migration {
        version: 12,
        name: "series",
        sqlite: include_str!("../migrations/sqlite/0012_series.sql"),
        postgres: include_str!("../migrations/postgres/0012_series.sql"),
    },
];

/// The highest schema version this build knows.
pub const LATEST: i64 = 12;

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

/// Split a migration file into statements at semicolons, except inside a
/// PostgreSQL `$$` body or a SQLite trigger's `BEGIN ... END`. Comments
/// start with `--` and run to the end of the line.
fn split_statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    let without_comments: String = sql
        .lines()
        .map(|l| match l.find("--") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in without_comments.split(';') {
        if !current.is_empty() {
            current.push(';');
        }
        current.push_str(piece);
        if !unfinished(&current) {
            let stmt = current.trim().to_owned();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            current.clear();
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out.into_iter()
}

/// Whether a statement cut at a semicolon is still open: inside a `$$`
/// body, or a trigger whose `BEGIN` has not met its `END` yet.
fn unfinished(stmt: &str) -> bool {
    let dollars = stmt.matches("$$").count();
    if dollars > 0 {
        return dollars % 2 == 1;
    }
    let upper = stmt.trim().to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    words.starts_with(&["CREATE", "TRIGGER"]) && words.contains(&"BEGIN") && words.last() != Some(&"END")
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_statements_and_drops_comments() {
        let v: Vec<String> =
            super::split_statements("-- a; b\nCREATE TABLE a (x INT); -- c\n\nCREATE INDEX i ON a (x);\n").collect();
        assert_eq!(v, vec!["CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)"]);
    }

    #[test]
    fn keeps_trigger_and_function_bodies_whole() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  UPDATE b SET n = n + 1;\n  UPDATE c SET n = 1;\nEND;\n\
                   CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  x := 1;\n  RETURN NEW;\nEND\n$$;\n\
                   CREATE TRIGGER u AFTER UPDATE ON a FOR EACH ROW EXECUTE FUNCTION f();\nCREATE INDEX i ON a (x);";
        let v: Vec<String> = super::split_statements(sql).collect();
        assert_eq!(v.len(), 4, "{v:#?}");
        assert!(v[0].ends_with("UPDATE c SET n = 1;\nEND"));
        assert!(v[1].ends_with("RETURN NEW;\nEND\n$$"));
        assert!(v[2].starts_with("CREATE TRIGGER u"));
    }

    /// Every migration file splits into statements that each end where a
    /// statement can end (a cut in the middle of a body would fail late,
    /// on a customer's database).
    #[test]
    fn every_migration_splits_cleanly() {
        for m in super::MIGRATIONS {
            for sql in [m.sqlite, m.postgres] {
                for stmt in super::split_statements(sql) {
                    assert!(!super::unfinished(&stmt), "migration {} cut inside: {stmt}", m.version);
                }
            }
        }
    }
}
