//! Pools, connections and transactions for both engines.

use crate::{Engine, Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, SqliteConnection};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// A connection of either engine, borrowed for one operation.
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Conn<'_> {
    /// The same connection, borrowed again for one more operation.
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// Run the same body against whichever engine `conn` is. Inside the body `$c`
/// is a `&mut` connection of the concrete engine; write queries once with `$n`
/// placeholders and pass `&mut *$c` as the executor.
macro_rules! run {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::conn::Conn::Sqlite($c) => $body,
            $crate::conn::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use run;

/// Run the same body on a pooled connection (reads outside a transaction).
/// Inside, `$conn` is a [`Conn`]; use [`run!`] or a query function on it.
macro_rules! on_pool {
    ($store:expr, $conn:ident => $body:expr) => {{
        let mut held = $store.hold().await?;
        let $conn = held.conn();
        $body
    }};
}
pub(crate) use on_pool;

/// Declare reads that both the pool and a transaction offer: a write reads
/// what its decision depends on inside its own transaction, so the check
/// and the change see the same rows. Inside the body, the named connection
/// is a [`Conn`].
macro_rules! reads {
    ($($(#[$m:meta])* pub async fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty { $conn:ident => $body:expr })*) => {
        impl $crate::Store {
            $($(#[$m])*
            #[tracing::instrument(level = "debug", skip_all)]
            pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                $crate::conn::on_pool!(self, $conn => $body)
            })*
        }
        impl $crate::Tx {
            $($(#[$m])*
            #[tracing::instrument(level = "debug", skip_all)]
            pub async fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                let $conn = self.conn();
                $body
            })*
        }
    };
}
pub(crate) use reads;

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.engine())
    }
}

pub(crate) enum Held {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Held {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Held::Sqlite(c) => Conn::Sqlite(c),
            Held::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Store {
    /// Open the database at `url` (`sqlite:PATH` or `postgres://...`). The
    /// SQLite file is created if missing and runs in WAL mode, so that the
    /// command-line tool and a running server can use it at the same time.
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Deleted and overwritten content is zeroed, so that plain
                // values replaced by ciphertext do not linger in free pages.
                .pragma("secure_delete", "on")
                .busy_timeout(Duration::from_secs(10));
            let path = opts.get_filename().to_path_buf();
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            // The database holds personal data: owner-only, like the
            // directory (SQLite gives the -wal and -shm files the same mode).
            use std::os::unix::fs::PermissionsExt;
            if path.exists()
                && let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            {
                tracing::warn!(error = %e, "could not restrict the database file's permissions");
            }
            Ok(Self { pool: Pool::Sqlite(pool) })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?.application_name("ordo");
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            let (bypass,): (bool,) =
                sqlx::query_as("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
                    .fetch_one(&pool)
                    .await?;
            if bypass {
                // Not refused: a first trial often runs as `postgres`. The
                // operator is told, and docs/operations.md says which role.
                tracing::warn!(
                    "connected to PostgreSQL as a superuser or a role with BYPASSRLS: row-level security does not \
                     apply, tenants are kept apart by the application's filters alone"
                );
            }
            Ok(Self { pool: Pool::Postgres(pool) })
        } else {
            Err(StoreError::BadUrl)
        }
    }

    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Connections open in the pool, and how many are idle.
    pub fn pool_connections(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    pub(crate) async fn hold(&self) -> Result<Held> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Held::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => {
                let mut c = p.acquire().await?;
                tell_tenant(&mut c).await?;
                Held::Postgres(c)
            }
        })
    }

    /// Begin a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so that two processes never deadlock upgrading a
    /// read lock; other writers wait up to the busy timeout.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => {
                let mut t = p.begin().await?;
                tell_tenant(&mut t).await?;
                Tx::Postgres(t)
            }
        })
    }

    /// A read-only transaction on one consistent snapshot of the database,
    /// which does not block writers (SQLite: a deferred transaction in WAL
    /// mode; PostgreSQL: repeatable read). Backups read through it.
    pub async fn begin_snapshot(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN").await?),
            Pool::Postgres(p) => {
                let mut t = p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
                tell_tenant(&mut t).await?;
                Tx::Postgres(t)
            }
        })
    }

    /// Let go of the bytes of values that were replaced: on SQLite, copy the
    /// write-ahead log into the database file and truncate it (the database
    /// runs with `secure_delete`, so freed space in the file is zeroed).
    /// True when nothing was left behind; false when a reader still held
    /// an old snapshot (the caller tries again later). PostgreSQL keeps
    /// replaced row versions until `VACUUM FULL` and in its WAL archive and
    /// base backups: an operator's job, see docs/security/crypto.md.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn forget_replaced_values(&self) -> Result<bool> {
        match &self.pool {
            Pool::Sqlite(p) => {
                for attempt in 0..5u64 {
                    let (busy, _log, _done): (i64, i64, i64) =
                        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(p).await?;
                    if busy == 0 {
                        return Ok(true);
                    }
                    tokio::time::sleep(Duration::from_millis(50 * (attempt + 1))).await;
                }
                Ok(false)
            }
            Pool::Postgres(_) => Ok(true),
        }
    }

    /// Is the database answering?
    pub async fn ping(&self) -> bool {
        let q = "SELECT 1";
        let fut = async {
            match &self.pool {
                Pool::Sqlite(p) => sqlx::query(q).execute(p).await.is_ok(),
                Pool::Postgres(p) => sqlx::query(q).execute(p).await.is_ok(),
            }
        };
        tokio::time::timeout(Duration::from_secs(3), fut).await.unwrap_or(false)
    }

    /// Close every connection; later calls fail.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    /// Apply pending migrations for this engine.
    pub async fn migrate(&self) -> Result<()> {
        let mut held = self.hold().await?;
        crate::migrate::run(held.conn()).await
    }
}

/// Tell a PostgreSQL connection which tenant's rows it may see and change
/// (row-level security, see [`crate::scope`]). Set on every hand-out, so a
/// value left by the connection's previous user never applies.
async fn tell_tenant(c: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT set_config('ordo.tenant', $1, false)").bind(crate::scope::current()).execute(&mut *c).await?;
    Ok(())
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back: an
/// operation that fails half-way leaves nothing behind.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Map a unique-constraint violation to a named conflict.
pub(crate) fn conflict(e: sqlx::Error, what: crate::Unique) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Db(e),
    }
}
