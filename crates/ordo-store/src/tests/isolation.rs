//! Row-level security on PostgreSQL: the database keeps tenants apart even
//! for a query that forgot its `tenant_id` filter. The tests connect as a
//! role the policies bind (no superuser, no BYPASSRLS), as production should.

use super::{Engine, TestDb};
use crate::Store;
use crate::conn::Held;
use crate::scope;
use sqlx::PgConnection;

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";

/// Run `sql` on a connection handed out by the store, in the running task's
/// scope: the deliberately unfiltered queries of these tests.
async fn rows(store: &Store, sql: &str) -> Result<Vec<String>, sqlx::Error> {
    let mut held = store.hold().await.expect("connection");
    let Held::Postgres(c) = &mut held else { panic!("PostgreSQL only") };
    let c: &mut PgConnection = c;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(c).await
}

async fn exec(store: &Store, sql: &str) -> Result<u64, sqlx::Error> {
    let mut held = store.hold().await.expect("connection");
    let Held::Postgres(c) = &mut held else { panic!("PostgreSQL only") };
    let c: &mut PgConnection = c;
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(c).await?.rows_affected())
}

/// Two tenants, each with two members and a meeting, written as platform work.
async fn two_tenants() -> TestDb {
    let db = TestDb::migrated(Engine::Postgres).await;
    for (t, slug) in [(A, "alpha"), (B, "beta")] {
        exec(
            &db.store,
            &format!(
                "INSERT INTO tenants (id, slug, name, plan, created_at) VALUES ('{t}', '{slug}', '{slug}', 'free', 0)"
            ),
        )
        .await
        .unwrap();
        for u in ["1", "2"] {
            exec(
                &db.store,
                &format!(
                    "INSERT INTO users (tenant_id, id, email, email_index, display_name, role, status, created_at, updated_at)
                     VALUES ('{t}', 'u{u}', 'p:{slug}{u}@example.org', '{slug}{u}', 'p:{slug} {u}', 'member', 'active', 0, 0)"
                ),
            )
            .await
            .unwrap();
        }
        exec(
            &db.store,
            &format!(
                "INSERT INTO meetings (tenant_id, id, title, objectives, place, starts_at, time_zone, duration_minutes,
                                       organiser_id, status, created_at, updated_at)
                 VALUES ('{t}', 'm1', 'p:{slug} weekly', 'p:', 'p:', 0, 'UTC', 30, 'u1', 'draft', 0, 0)"
            ),
        )
        .await
        .unwrap();
    }
    db
}

#[tokio::test]
#[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
async fn every_tenant_table_has_a_forced_policy() {
    let db = TestDb::migrated(Engine::Postgres).await;
    let tables = rows(
        &db.store,
        "SELECT c.table_name::text FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
           AND (c.column_name = 'tenant_id' OR c.table_name = 'tenants' AND c.column_name = 'id')
         ORDER BY 1",
    )
    .await
    .unwrap();
    // The positive control: the tables are really found.
    for t in ["tenants", "users", "meetings", "elements", "comments", "meeting_history", "search_terms", "mail_outbox"]
    {
        assert!(tables.iter().any(|x| x == t), "{t} not among {tables:?}");
    }
    let unguarded = rows(
        &db.store,
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r'
           AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity
                OR NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname))",
    )
    .await
    .unwrap();
    let missing: Vec<_> = tables.iter().filter(|t| unguarded.contains(t)).collect();
    assert!(missing.is_empty(), "tenant tables without a forced row-level policy: {missing:?}");
}

#[tokio::test]
#[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
async fn a_query_that_forgets_its_tenant_reads_only_the_tenant_of_its_scope() {
    let db = two_tenants().await;
    let s = &db.store;
    // Platform work sees both tenants: the control that the rows are there.
    assert_eq!(rows(s, "SELECT DISTINCT tenant_id FROM users ORDER BY 1").await.unwrap(), [A, B]);

    scope::within(A, async {
        assert_eq!(rows(s, "SELECT DISTINCT tenant_id FROM users").await.unwrap(), [A]);
        assert_eq!(rows(s, "SELECT id FROM tenants").await.unwrap(), [A]);
        assert_eq!(rows(s, "SELECT tenant_id FROM meetings").await.unwrap(), [A]);
        // Asking for the other tenant by name finds nothing either.
        assert!(rows(s, &format!("SELECT id FROM users WHERE tenant_id = '{B}'")).await.unwrap().is_empty());
        // Transactions and snapshots are told too.
        let mut tx = s.begin_snapshot().await.unwrap();
        let crate::Tx::Postgres(t) = &mut tx else { unreachable!() };
        let c: &mut PgConnection = t;
        let seen: Vec<String> = sqlx::query_scalar("SELECT tenant_id FROM meetings").fetch_all(c).await.unwrap();
        assert_eq!(seen, [A]);
    })
    .await;
    scope::within(B, async {
        assert_eq!(rows(s, "SELECT DISTINCT tenant_id FROM users").await.unwrap(), [B]);
    })
    .await;
}

#[tokio::test]
#[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
async fn a_write_that_forgets_its_tenant_changes_only_the_tenant_of_its_scope() {
    let db = two_tenants().await;
    let s = &db.store;
    scope::within(A, async {
        assert_eq!(exec(s, "UPDATE users SET locale = 'fr'").await.unwrap(), 2, "only A's two members");
        assert_eq!(exec(s, "DELETE FROM meetings").await.unwrap(), 1, "only A's meeting");
        // Writing a row into another tenant is refused by the policy.
        let e = exec(
            s,
            &format!(
                "INSERT INTO users (tenant_id, id, email, email_index, display_name, role, status, created_at, updated_at)
                 VALUES ('{B}', 'intruder', 'p:x', 'x', 'p:x', 'owner', 'active', 0, 0)"
            ),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("row-level security"), "{e}");
        // Moving one's own row into another tenant is refused too.
        let e = exec(s, &format!("UPDATE users SET tenant_id = '{B}' WHERE id = 'u2'")).await.unwrap_err();
        assert!(e.to_string().contains("row-level security"), "{e}");
    })
    .await;
    // B is untouched.
    assert_eq!(rows(s, &format!("SELECT id FROM meetings WHERE tenant_id = '{B}'")).await.unwrap(), ["m1"]);
    let b_locales = rows(s, &format!("SELECT COALESCE(locale, '-') FROM users WHERE tenant_id = '{B}'")).await.unwrap();
    assert_eq!(b_locales, ["-", "-"]);
}

#[tokio::test]
#[cfg_attr(not(ordo_pg), ignore = "set ORDO_TEST_DATABASE_URL to run on PostgreSQL")]
async fn a_connection_never_told_its_tenant_sees_no_tenant_row() {
    let db = two_tenants().await;
    let mut held = db.store.hold().await.unwrap();
    let Held::Postgres(c) = &mut held else { unreachable!() };
    let c: &mut PgConnection = c;
    // What psql as the application's role gets, or a connection the store
    // did not hand out.
    sqlx::query("RESET ordo.tenant").execute(&mut *c).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *c).await.unwrap();
    assert_eq!(n, 0);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenants").fetch_one(&mut *c).await.unwrap();
    assert_eq!(n, 0);
    // The role the tests connect as is bound by the policies at all.
    let bypass: bool = sqlx::query_scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert!(!bypass, "the tests must connect as a role row-level security binds");
}
