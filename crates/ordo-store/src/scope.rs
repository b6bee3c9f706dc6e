//! The tenant a piece of work acts for, told to the database.
//!
//! Every query filters on its tenant; on PostgreSQL the database checks it a
//! second time. Each tenant table has a row-level security policy (migration
//! 0015) that shows a connection only the rows of the tenant named by its
//! `ordo.tenant` setting, or every row when it says `*` (platform work:
//! workers, the console, the command line). [`Store`](crate::Store) sets it
//! each time it hands out a connection, from the scope of the running task:
//! a request of a tenant runs inside [`within`], so a query that forgot its
//! filter still reads and writes that tenant's rows only.
//!
//! The scope is a task-local value, not an argument: it reaches every store
//! call of the request without threading it through each signature, and it
//! cannot be forgotten by a new query. Work spawned onto another task leaves
//! the scope and runs as platform work; a connection that was never told
//! (psql as the application's role) sees no tenant row at all.

use std::future::Future;

tokio::task_local! {
    static TENANT: String;
}

/// The value of `ordo.tenant` for platform work.
pub(crate) const PLATFORM: &str = "*";

/// Run `work` as the tenant `tenant_id`: on PostgreSQL, every connection it
/// takes sees and changes that tenant's rows only.
pub async fn within<F: Future>(tenant_id: impl ToString, work: F) -> F::Output {
    TENANT.scope(tenant_id.to_string(), work).await
}

/// The tenant the running task acts for, or [`PLATFORM`].
pub(crate) fn current() -> String {
    TENANT.try_with(Clone::clone).unwrap_or_else(|_| PLATFORM.to_owned())
}
