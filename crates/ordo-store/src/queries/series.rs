//! Series of meetings, follow-up links, and where carried-over elements
//! came from and went.

use crate::conn::{on_pool, run};
use crate::{Result, Store, StoreError, Tx};
use ordo_core::ids::{ElementId, MeetingId, TenantId};
use ordo_core::time::Timestamp;
use std::collections::HashMap;

/// A series as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesRow {
    pub id: String,
    pub frequency: String,
    pub interval: i64,
    pub until: Option<String>,
    pub count: Option<i64>,
    pub first_local: String,
    pub time_zone: String,
    pub created_at: Timestamp,
}

/// A meeting's place among others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeetingLinks {
    pub series_id: Option<String>,
    pub series_index: Option<i64>,
    pub follows: Option<MeetingId>,
    /// The meeting that follows this one up, if one was made.
    pub next: Option<MeetingId>,
}

/// Where an element came from and went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub meeting: Option<MeetingId>,
    pub date: Option<String>,
    pub carried_to: Option<MeetingId>,
}

fn meeting_id(s: Option<String>, what: &'static str) -> Result<Option<MeetingId>> {
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt(what))).transpose()
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn series(&self, tenant: TenantId, id: &str) -> Result<Option<SeriesRow>> {
        type Row = (String, String, i64, Option<String>, Option<i64>, String, String, i64);
        let row: Option<Row> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as(
                    "SELECT id, frequency, interval_count, until_date, max_count, first_local, time_zone, created_at
                     FROM meeting_series WHERE tenant_id = $1 AND id = $2",
                )
                .bind(tenant.to_string())
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
            })
        });
        Ok(row.map(|(id, frequency, interval, until, count, first_local, time_zone, created)| SeriesRow {
            id,
            frequency,
            interval,
            until,
            count,
            first_local,
            time_zone,
            created_at: Timestamp::from_unix(created),
        }))
    }

    /// One query: it runs on every view of a meeting page.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn meeting_links(&self, tenant: TenantId, meeting: MeetingId) -> Result<MeetingLinks> {
        type Row = (Option<String>, Option<i64>, Option<String>, Option<String>);
        let row: Option<Row> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as(
                    "SELECT m.series_id, m.series_index, m.follows_id,
                            (SELECT n.id FROM meetings n WHERE n.tenant_id = m.tenant_id AND n.follows_id = m.id
                             ORDER BY n.starts_at LIMIT 1)
                     FROM meetings m WHERE m.tenant_id = $1 AND m.id = $2",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_optional(&mut *c)
                .await?
            })
        });
        let Some((series_id, series_index, follows, next)) = row else { return Ok(MeetingLinks::default()) };
        Ok(MeetingLinks {
            series_id,
            series_index,
            follows: meeting_id(follows, "meetings.follows_id")?,
            next: meeting_id(next, "meetings.id")?,
        })
    }

    /// Every meeting of the tenant that belongs to a series, with its
    /// series: one query for the meetings list, which groups them.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn series_of_meetings(&self, tenant: TenantId) -> Result<Vec<(MeetingId, String)>> {
        let rows: Vec<(String, String)> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as("SELECT id, series_id FROM meetings WHERE tenant_id = $1 AND series_id IS NOT NULL")
                    .bind(tenant.to_string())
                    .fetch_all(&mut *c)
                    .await?
            })
        });
        rows.into_iter().map(|(m, s)| Ok((m.parse().map_err(|_| StoreError::Corrupt("meetings.id"))?, s))).collect()
    }

    /// The meetings of a series, in order.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn series_meetings(&self, tenant: TenantId, series: &str) -> Result<Vec<MeetingId>> {
        let rows: Vec<(String,)> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as("SELECT id FROM meetings WHERE tenant_id = $1 AND series_id = $2 ORDER BY series_index, starts_at")
                    .bind(tenant.to_string())
                    .bind(series)
                    .fetch_all(&mut *c)
                    .await?
            })
        });
        rows.into_iter().map(|(m,)| m.parse().map_err(|_| StoreError::Corrupt("meetings.id"))).collect()
    }

    /// The origins of a meeting's elements that have one.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn element_origins(&self, tenant: TenantId, meeting: MeetingId) -> Result<HashMap<ElementId, Origin>> {
        type Row = (String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self, conn => {
            run!(conn, c => {
                sqlx::query_as(
                    "SELECT id, origin_meeting_id, origin_date, carried_to FROM elements
                     WHERE tenant_id = $1 AND meeting_id = $2 AND (origin_meeting_id IS NOT NULL OR carried_to IS NOT NULL)",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_all(&mut *c)
                .await?
            })
        });
        rows.into_iter()
            .map(|(id, m, date, to)| {
                Ok((
                    id.parse().map_err(|_| StoreError::Corrupt("elements.id"))?,
                    Origin {
                        meeting: meeting_id(m, "elements.origin_meeting_id")?,
                        date,
                        carried_to: meeting_id(to, "elements.carried_to")?,
                    },
                ))
            })
            .collect()
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_series(&mut self, tenant: TenantId, s: &SeriesRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO meeting_series (tenant_id, id, frequency, interval_count, until_date, max_count, first_local, time_zone, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(tenant.to_string())
            .bind(&s.id)
            .bind(&s.frequency)
            .bind(s.interval)
            .bind(&s.until)
            .bind(s.count)
            .bind(&s.first_local)
            .bind(&s.time_zone)
            .bind(s.created_at.unix())
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }

    /// Place a meeting in a series and/or after the one it follows up.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_meeting_links(
        &mut self,
        tenant: TenantId,
        meeting: MeetingId,
        series: Option<(&str, i64)>,
        follows: Option<MeetingId>,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE meetings SET series_id = $3, series_index = $4, follows_id = $5 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(series.map(|(s, _)| s.to_owned()))
                .bind(series.map(|(_, i)| i))
                .bind(follows.map(|f| f.to_string()))
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Whether a meeting already has its follow-up (checked in the
    /// transaction that would add one).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn has_follow_up(&mut self, tenant: TenantId, meeting: MeetingId) -> Result<bool> {
        run!(self.conn(), c => {
            let row: Option<(String,)> = sqlx::query_as("SELECT id FROM meetings WHERE tenant_id = $1 AND follows_id = $2 LIMIT 1")
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .fetch_optional(&mut *c)
                .await?;
            Ok(row.is_some())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_element_origin(
        &mut self,
        tenant: TenantId,
        element: ElementId,
        meeting: MeetingId,
        date: &str,
    ) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE elements SET origin_meeting_id = $3, origin_date = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(element.to_string())
                .bind(meeting.to_string())
                .bind(date)
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }

    /// Record that an element was carried over into `to`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_carried(&mut self, tenant: TenantId, element: ElementId, to: MeetingId) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query("UPDATE elements SET carried_to = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(element.to_string())
                .bind(to.to_string())
                .execute(&mut *c)
                .await?;
            Ok(())
        })
    }
}
