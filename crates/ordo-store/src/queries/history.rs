//! A meeting's change history (table `meeting_history`).

use crate::conn::{on_pool, run};
use crate::row::Get;
use crate::{Result, Sealed, Store, Tx};
use ordo_core::ids::{HistoryId, MeetingId, TenantId, UserId};
use ordo_core::time::Timestamp;

/// What kind of item a history entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Meeting,
    Topic,
    Element,
    Comment,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Meeting => "meeting",
            ItemKind::Topic => "topic",
            ItemKind::Element => "element",
            ItemKind::Comment => "comment",
        }
    }
}

impl std::str::FromStr for ItemKind {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        Ok(match s {
            "meeting" => ItemKind::Meeting,
            "topic" => ItemKind::Topic,
            "element" => ItemKind::Element,
            "comment" => ItemKind::Comment,
            _ => return Err(()),
        })
    }
}

/// One change of a meeting's content.
#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub id: HistoryId,
    pub meeting_id: MeetingId,
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    /// The use case that made it (`ordo_app::write::UseCase`'s name).
    pub use_case: String,
    pub item_kind: ItemKind,
    /// The item's id (a meeting, topic, element or comment id).
    pub item_id: String,
    /// What the item was before, sealed (`None`: it did not exist).
    pub before: Option<Sealed>,
}

fn from_row(r: &impl Get) -> Result<HistoryRow> {
    Ok(HistoryRow {
        id: r.parsed("id")?,
        meeting_id: r.parsed("meeting_id")?,
        at: r.ts("at")?,
        actor_id: r.opt_parsed("actor_id")?,
        use_case: r.text("use_case")?,
        item_kind: r.parsed("item_kind")?,
        item_id: r.text("item_id")?,
        before: r.opt_text("before")?.map(Sealed::from_storage),
    })
}

impl Store {
    /// A meeting's history, newest first, at most `limit` entries.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn history(&self, tenant: TenantId, meeting: MeetingId, limit: i64) -> Result<Vec<HistoryRow>> {
        on_pool!(self, conn => {
            run!(conn, c => {
                let rows = sqlx::query(
                    "SELECT id, meeting_id, at, actor_id, use_case, item_kind, item_id, before FROM meeting_history
                     WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
                )
                .bind(tenant.to_string())
                .bind(meeting.to_string())
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
                rows.iter().map(from_row).collect()
            })
        })
    }
}

impl Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn insert_history(&mut self, tenant: TenantId, h: &HistoryRow) -> Result<()> {
        run!(self.conn(), c => {
            sqlx::query(
                "INSERT INTO meeting_history (tenant_id, id, meeting_id, at, actor_id, use_case, item_kind, item_id, before)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(tenant.to_string())
            .bind(h.id.to_string())
            .bind(h.meeting_id.to_string())
            .bind(h.at.unix())
            .bind(h.actor_id.map(|u| u.to_string()))
            .bind(&h.use_case)
            .bind(h.item_kind.as_str())
            .bind(&h.item_id)
            .bind(h.before.as_ref().map(|b| b.as_storage().to_owned()))
            .execute(&mut *c)
            .await?;
            Ok(())
        })
    }
}
