//! The test harness: a fresh database per test (a SQLite file, or a new
//! PostgreSQL database), the real server on 127.0.0.1:0 with a clock the test
//! moves, a cookie-keeping client, and mail read back from the SMTP server's
//! mailbox (or the development `.eml` files), and a real Chromium.

/// Generate `mod $name { sqlite, postgres }`: the same test on both engines.
/// The PostgreSQL one is ignored (with the reason) when no test database is
/// configured at build time.
macro_rules! both {
    ($name:ident, |$e:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $e = $crate::helpers::Engine::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
            async fn postgres() {
                let $e = $crate::helpers::Engine::Postgres;
                $body
            }
        }
    };
    // Needing a tool the test script installs (`cfg` set by build.rs).
    (needs($cfg:ident, $why:literal) $name:ident, |$e:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not($cfg), ignore = $why)]
            async fn sqlite() {
                let $e = $crate::helpers::Engine::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(all(ordo_pg, $cfg)),
                ignore = "the test script sets ORDO_TEST_DATABASE_URL and installs the tools"
            )]
            async fn postgres() {
                let $e = $crate::helpers::Engine::Postgres;
                $body
            }
        }
    };
}

mod browser;
mod client;
mod harness;
mod mail;
mod tools;

pub use browser::*;
pub use client::*;
pub use harness::*;
pub use mail::*;
pub use tools::*;
