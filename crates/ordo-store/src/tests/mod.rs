//! Behaviour tests of the store, below HTTP: each runs on SQLite and on
//! PostgreSQL against a database of its own, with no server started.

mod isolation;
mod meetings;

use crate::Store;

/// A database of its own for one test, dropped with it (PostgreSQL: the
/// test script also drops every `ordo_t_*` database at the end).
pub(crate) struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

impl TestDb {
    /// An empty database (no migration applied).
    pub async fn empty(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite:{}", dir.path().join("store.db").display());
                let store = Store::connect(&url).await.expect("open SQLite");
                TestDb { store, _dir: Some(dir) }
            }
            Engine::Postgres => {
                let admin = std::env::var("ORDO_TEST_DATABASE_URL").expect("ORDO_TEST_DATABASE_URL");
                let db = crate::testing::postgres_database(&admin).await.expect("a test database");
                let store = Store::connect(&db.url).await.expect("open PostgreSQL");
                TestDb { store, _dir: None }
            }
        }
    }

    /// A database with every migration applied.
    pub async fn migrated(engine: Engine) -> TestDb {
        let db = Self::empty(engine).await;
        db.store.migrate().await.expect("migrate");
        db
    }
}

/// One test on both engines: `store_test!(name, |engine| { ... })`.
macro_rules! both {
    ($name:ident, |$e:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let $e = $crate::tests::Engine::Sqlite;
                $body
            }
            #[tokio::test]
            #[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
            async fn postgres() {
                let $e = $crate::tests::Engine::Postgres;
                $body
            }
        }
    };
}
pub(crate) use both;
