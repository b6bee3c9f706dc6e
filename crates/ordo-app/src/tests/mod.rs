//! Use-case tests, below HTTP: each calls `ordo-app` directly, on SQLite and
//! on PostgreSQL, against a database of its own.

mod meetings;
mod write_path;

use crate::accounts::User;
use crate::keys::Keys;
use crate::{App, Settings};
use ordo_core::time::{ManualClock, SharedClock};
use ordo_core::user::{Locale, Role, UserStatus};
use ordo_crypto::keys::{FileKeyProvider, KekStore};
use ordo_crypto::master_key::MasterKey;
use ordo_store::{Store, Tenant};
use std::sync::Arc;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// An application on a fresh database, with one tenant and its active owner.
pub(crate) struct TestApp {
    pub app: App,
    pub tenant: Tenant,
    pub owner: User,
    _dir: tempfile::TempDir,
}

async fn database(engine: Engine, dir: &std::path::Path) -> String {
    match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.join("app.db").display()),
        Engine::Postgres => {
            let admin = std::env::var("ORDO_TEST_DATABASE_URL").expect("ORDO_TEST_DATABASE_URL");
            ordo_store::testing::postgres_database(&admin).await.expect("a test database").url
        }
    }
}

impl TestApp {
    pub async fn new(engine: Engine) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = database(engine, dir.path()).await;
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let clock = ManualClock::starting_now();
        let shared: SharedClock = Arc::new(clock.clone());
        let provider = FileKeyProvider::new(MasterKey::generate().unwrap(), Vec::new());
        let keys = Keys::new(Arc::new(provider), KekStore::new(dir.path().join("keys")));
        let settings = Settings::development(dir.path(), "http://ordo.test");
        let app = App::new(store, shared, settings, keys).unwrap();
        let made = crate::accounts::create_tenant(
            &app,
            "acme",
            "Acme",
            "owner@acme.test",
            ordo_core::tenant::Plan::Pro,
            Locale::En,
            true,
        )
        .await
        .unwrap();
        let token = made.activation_url.rsplit('/').next().unwrap().to_owned();
        let tenant = made.tenant;
        let owner_id =
            crate::accounts::activate(&app, &tenant, &token, "a long and fine passphrase", "Olive Owner", "127.0.0.1")
                .await
                .unwrap();
        let owner = crate::accounts::get_user(&app, &tenant, owner_id).await.unwrap();
        TestApp { app, tenant, owner, _dir: dir }
    }

    /// An active member with `role`, signed up through an invitation.
    pub async fn member(&self, email: &str, role: Role) -> User {
        let id = crate::accounts::invite(&self.app, &self.tenant, &self.owner, email, role, "127.0.0.1").await.unwrap();
        self.activate(id).await
    }

    /// Make a pending account active, as if it had followed its link.
    pub async fn activate(&self, id: ordo_core::ids::UserId) -> User {
        let hash = self.app.hasher.hash("a long and fine passphrase").unwrap();
        let mut tx = self.app.store.begin().await.unwrap();
        tx.set_password(self.tenant.id, id, &hash, self.app.now()).await.unwrap();
        tx.set_status(self.tenant.id, id, UserStatus::Active, self.app.now()).await.unwrap();
        tx.commit().await.unwrap();
        crate::accounts::get_user(&self.app, &self.tenant, id).await.unwrap()
    }
}

/// One test on both engines.
macro_rules! both {
    ($name:ident, |$e:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $e = $crate::tests::Engine::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
            async fn postgres() {
                let $e = $crate::tests::Engine::Postgres;
                $body
            }
        }
    };
}
pub(crate) use both;
