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
    Migration {
        version: 13,
        name: "history",
        sqlite: include_str!("../migrations/sqlite/0013_history.sql"),
        postgres: include_str!("../migrations/postgres/0013_history.sql"),
    },
    Migration {
        version: 14,
        name: "forget_plaintext",
        sqlite: include_str!("../migrations/sqlite/0014_forget_plaintext.sql"),
        postgres: include_str!("../migrations/postgres/0014_forget_plaintext.sql"),
    },
    Migration {
        version: 15,
        name: "row_security",
        sqlite: include_str!("../migrations/sqlite/0015_row_security.sql"),
        postgres: include_str!("../migrations/postgres/0015_row_security.sql"),
    },
    Migration {
        version: 16,
        name: "time_zone",
        sqlite: include_str!("../migrations/sqlite/0016_time_zone.sql"),
        postgres: include_str!("../migrations/postgres/0016_time_zone.sql"),
    },
];

/// The highest schema version this build knows.
pub const LATEST: i64 = 16;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS ordo_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

pub(crate) async fn run(conn: Conn<'_>) -> Result<()> {
    run_list(conn, MIGRATIONS).await
}

/// Apply the pending migrations of `list`, each in a transaction of its
/// own, so that a failing one leaves every earlier one applied and itself
/// not at all.
async fn run_list(mut conn: Conn<'_>, list: &[Migration]) -> Result<()> {
    while apply_next(conn.reborrow(), list).await? {}
    Ok(())
}

/// Apply the first pending migration, if any; true if one was applied.
async fn apply_next(conn: Conn<'_>, list: &[Migration]) -> Result<bool> {
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
            let latest = list.last().map_or(0, |m| m.version);
            if let Some((v, _)) = applied.last() && *v > latest {
                tracing::warn!(database = v, binary = latest, "the database schema is newer than this binary");
            }
            for m in list {
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
                // The file runs as a whole (SQLite: one multi-statement
                // execution; PostgreSQL: the simple query protocol), inside
                // this migration's transaction: no splitting of our own to
                // get wrong on a quote, a comment or a trigger body.
                sqlx::raw_sql(sql)
                    .execute(&mut *c)
                    .await
                    .map_err(|source| StoreError::Migration { version: m.version, source })?;
                sqlx::query("INSERT INTO ordo_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, 0)")
                    .bind(m.version)
                    .bind(m.name)
                    .bind(sum)
                    .execute(&mut *c)
                    .await?;
                tracing::info!(version = m.version, name = m.name, "migration applied");
                return Ok(true);
            }
            Ok(false)
        }
        .await;
        match result {
            Ok(applied) => {
                sqlx::query("COMMIT").execute(&mut *c).await?;
                Ok(applied)
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *c).await;
                Err(e)
            }
        }
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Migration, run_list};
    use crate::conn::run;
    use crate::tests::{TestDb, both};

    /// A migration whose text a statement splitter would cut wrongly: a
    /// semicolon and a `--` inside string literals, a trigger body.
    const TRICKY: &[Migration] = &[
        Migration {
            version: 1,
            name: "tricky",
            sqlite: "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT 'a; b -- not a comment');
                     CREATE TABLE n (c INTEGER NOT NULL);
                     INSERT INTO n (c) VALUES (0);
                     CREATE TRIGGER t_count AFTER INSERT ON t BEGIN UPDATE n SET c = c + 1; UPDATE n SET c = c + 0; END;
                     INSERT INTO t (id) VALUES (1); -- a real comment; with a semicolon
                     INSERT INTO t (id, note) VALUES (2, 'x;y');",
            postgres: "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT 'a; b -- not a comment');
                       CREATE TABLE n (c INTEGER NOT NULL);
                       INSERT INTO n (c) VALUES (0);
                       CREATE FUNCTION t_count() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN UPDATE n SET c = c + 1; RETURN NEW; END $$;
                       CREATE TRIGGER t_count AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_count();
                       INSERT INTO t (id) VALUES (1); -- a real comment; with a semicolon
                       INSERT INTO t (id, note) VALUES (2, 'x;y');",
        },
        Migration {
            version: 2,
            name: "broken",
            sqlite: "INSERT INTO t (id) VALUES (3); INSERT INTO nowhere (x) VALUES (1);",
            postgres: "INSERT INTO t (id) VALUES (3); INSERT INTO nowhere (x) VALUES (1);",
        },
    ];

    async fn count(db: &TestDb, sql: &'static str) -> i64 {
        let mut held = db.store.hold().await.unwrap();
        run!(held.conn(), c => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await.unwrap())
    }

    both!(a_migration_runs_whole_and_a_failing_one_leaves_nothing, |engine| {
        let db = TestDb::empty(engine).await;
        let mut held = db.store.hold().await.unwrap();
        let err = run_list(held.conn(), TRICKY).await.unwrap_err();
        drop(held);
        assert!(matches!(err, crate::StoreError::Migration { version: 2, .. }), "{err:?}");
        // The first applied entirely: the literal kept its semicolon and
        // dashes, the trigger counted both rows.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM t WHERE note = 'a; b -- not a comment'").await, 1);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM t WHERE note = 'x;y'").await, 1);
        assert_eq!(count(&db, "SELECT CAST(c AS BIGINT) FROM n").await, 2);
        // The second not at all: its first statement was rolled back with it.
        assert_eq!(count(&db, "SELECT COUNT(*) FROM t").await, 2);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM ordo_migrations").await, 1);
    });

    both!(an_edited_migration_is_refused, |engine| {
        let db = TestDb::empty(engine).await;
        let mut held = db.store.hold().await.unwrap();
        run_list(held.conn(), &TRICKY[..1]).await.unwrap();
        let edited = [Migration { sqlite: "SELECT 1;", postgres: "SELECT 1;", ..TRICKY[0] }];
        let err = run_list(held.conn(), &edited).await.unwrap_err();
        assert!(matches!(err, crate::StoreError::Corrupt("ordo_migrations.checksum")), "{err:?}");
    });

    both!(every_migration_applies_and_twice_is_a_no_op, |engine| {
        let db = TestDb::migrated(engine).await;
        db.store.migrate().await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM ordo_migrations").await, crate::migrate::LATEST);
    });
}
