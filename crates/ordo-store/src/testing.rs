//! Test support (feature `testing`): a PostgreSQL database of its own for
//! one test, owned by a role that row-level security binds, as in
//! production. Tests that connect as the superuser would prove nothing about
//! it: a superuser is never subject to a policy.

/// The role the tests' servers connect as: it owns its databases, is no
/// superuser and cannot bypass row-level security.
pub const APP_ROLE: &str = "ordo_app";

/// A fresh database on the server of `admin_url` (a superuser's URL, such
/// as the test script's `ORDO_TEST_DATABASE_URL`).
#[derive(Clone, Debug)]
pub struct PgDatabase {
    /// Its name (`ordo_t_…`; the test script drops them all at the end).
    pub name: String,
    /// The URL the application uses: as [`APP_ROLE`].
    pub url: String,
    /// The same database as the superuser of `admin_url`: to look at the
    /// raw storage, as someone with database access would.
    pub admin_url: String,
}

/// Create a database of its own, owned by [`APP_ROLE`] (made if missing).
pub async fn postgres_database(admin_url: &str) -> Result<PgDatabase, sqlx::Error> {
    let name = format!("ordo_t_{}", uuid::Uuid::new_v4().simple().to_string().get(..16).unwrap_or_default());
    let pool = sqlx::PgPool::connect(admin_url).await?;
    // Tests run in parallel: two may create the role at once.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )))
    .execute(&pool)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} OWNER {APP_ROLE}"))).execute(&pool).await?;
    pool.close().await;
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
    let admin = format!("{base}/{name}");
    Ok(PgDatabase { url: as_role(&admin, APP_ROLE), admin_url: admin, name })
}

/// `url` with its user replaced by `role` (no password: trust auth on the
/// test server).
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    format!("{scheme}://{role}@{host}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_role_replaces_the_user() {
        assert_eq!(super::as_role("postgres://postgres@127.0.0.1:5432/t", "r"), "postgres://r@127.0.0.1:5432/t");
        assert_eq!(super::as_role("postgres://a:b@h/t", "r"), "postgres://r@h/t");
        assert_eq!(super::as_role("postgres://h/t", "r"), "postgres://r@h/t");
    }
}
