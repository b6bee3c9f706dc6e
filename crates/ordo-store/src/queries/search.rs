//! The search index: keyed hashes of folded words, where they occur, and
//! how far the indexer has come.

use crate::conn::{on_pool, run};
use crate::{Result, Store, StoreError, Tx};
use ordo_core::ids::{MeetingId, TenantId};

/// One indexed term: the element it is in (`None`: the meeting itself),
/// its keyed hash, and its weight there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub element: Option<String>,
    pub term: String,
    pub weight: i64,
}

/// A place that holds every term searched for, with its score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub meeting: MeetingId,
    pub element: Option<String>,
    pub score: i64,
}

fn ids(tenant: String, meeting: String) -> Result<(TenantId, MeetingId)> {
    Ok((
        tenant.parse().map_err(|_| StoreError::Corrupt("meetings.tenant_id"))?,
        meeting.parse().map_err(|_| StoreError::Corrupt("meetings.id"))?,
    ))
}

impl Store {
    /// Meetings changed since they were indexed (or never indexed), with
    /// their current revision; `tenant` limits it to one tenant.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn search_pending(
        &self,
        tenant: Option<TenantId>,
        limit: i64,
    ) -> Result<Vec<(TenantId, MeetingId, i64)>> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as(
                    "SELECT m.tenant_id, m.id, m.revision FROM meetings m
                     LEFT JOIN search_state s ON s.tenant_id = m.tenant_id AND s.meeting_id = m.id
                     WHERE (s.indexed_revision IS NULL OR s.indexed_revision < m.revision)
                       AND ($1 = '' OR m.tenant_id = $1)
                     ORDER BY m.updated_at DESC LIMIT $2",
                )
                .bind(tenant.map(|t| t.to_string()).unwrap_or_default())
                .bind(limit)
                .fetch_all(&mut *c)
                .await?
            })
        });
        rows.into_iter().map(|(t, m, r)| ids(t, m).map(|(t, m)| (t, m, r))).collect()
    }

    /// Places holding every one of `terms`, best first (at most `limit`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn search_terms(&self, tenant: TenantId, terms: &[String], limit: i64) -> Result<Vec<Hit>> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        // Placeholders only: the terms themselves are bound.
        let list: Vec<String> = (0..terms.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT meeting_id, element_id, CAST(SUM(weight) AS BIGINT) AS score FROM search_terms
             WHERE tenant_id = $1 AND term IN ({})
             GROUP BY meeting_id, element_id HAVING COUNT(*) = $2
             ORDER BY 3 DESC, meeting_id, element_id LIMIT {limit}",
            list.join(", ")
        );
        let rows: Vec<(String, String, i64)> = on_pool!(self, conn => {
            run!(conn, c => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(tenant.to_string())
                    .bind(terms.len() as i64);
                for t in terms {
                    q = q.bind(t);
                }
                q.fetch_all(&mut *c).await?
            })
        });
        rows.into_iter()
            .map(|(m, e, score)| {
                Ok(Hit {
                    meeting: m.parse().map_err(|_| StoreError::Corrupt("search_terms.meeting_id"))?,
                    element: (!e.is_empty()).then_some(e),
                    score,
                })
            })
            .collect()
    }
}

impl Tx {
    /// The terms of a meeting, made from `revision`, in place of the ones
    /// it had. Returns false (and changes nothing) if the index already
    /// holds this revision or a later one (another node got there first).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn replace_search_terms(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        revision: i64,
        terms: &[Term],
    ) -> Result<bool> {
        let (t, m) = (tenant.to_string(), meeting.to_string());
        run!(self.conn(), c => {
            let done: Option<(i64,)> =
                sqlx::query_as("SELECT indexed_revision FROM search_state WHERE tenant_id = $1 AND meeting_id = $2")
                    .bind(&t)
                    .bind(&m)
                    .fetch_optional(&mut *c)
                    .await?;
            if done.is_some_and(|(r,)| r >= revision) {
                return Ok(false);
            }
            sqlx::query("DELETE FROM search_terms WHERE tenant_id = $1 AND meeting_id = $2")
                .bind(&t)
                .bind(&m)
                .execute(&mut *c)
                .await?;
            for term in terms {
                sqlx::query(
                    "INSERT INTO search_terms (tenant_id, meeting_id, element_id, term, weight) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&t)
                .bind(&m)
                .bind(term.element.as_deref().unwrap_or(""))
                .bind(&term.term)
                .bind(term.weight)
                .execute(&mut *c)
                .await?;
            }
            sqlx::query(
                "INSERT INTO search_state (tenant_id, meeting_id, indexed_revision) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, meeting_id) DO UPDATE SET indexed_revision = excluded.indexed_revision",
            )
            .bind(&t)
            .bind(&m)
            .bind(revision)
            .execute(&mut *c)
            .await?;
            Ok(true)
        })
    }
}
