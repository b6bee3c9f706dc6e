//! Search over everything a user may see (requirement M14), on encrypted
//! tenants too, without storing a word in clear.
//!
//! The index holds, for each place (a meeting's own texts, or one element
//! with its remarks), the HMAC-SHA-256 of each folded word under the
//! tenant's index key ([`ordo_core::words`]), with a weight: titles count
//! more than descriptions and remarks. A query is folded and hashed the
//! same way, places holding every word are ranked by weight, and only the
//! meetings the user may see are kept, decrypted for display as any page.
//!
//! The indexer redoes a meeting whenever its revision has moved (any
//! change, by triggers): a background task keeps up, and a search first
//! catches up its own tenant, so results are never older than the query.
//! What the index reveals is in docs/security/crypto.md.

use crate::accounts::User;
use crate::keys::TenantKeys;
use crate::meetings::{self, Content, Meeting};
use crate::{App, AppError};
use ordo_core::ids::MeetingId;
use ordo_core::meeting::MeetingRole;
use ordo_core::words::words;
use ordo_store::{Hit, Tenant, Term};
use std::collections::{BTreeMap, HashSet};

const TITLE: i64 = 4;
const MEETING_TITLE: i64 = 5;
const BODY: i64 = 1;
/// At most this many words of a query are used.
const MAX_QUERY_WORDS: usize = 8;
const MAX_RESULTS: usize = 50;

fn term(keys: &TenantKeys, word: &str) -> String {
    keys.ring().blind_index("search", word)
}

/// Add the words of `text` at `weight` to a place's terms.
fn add(place: &mut BTreeMap<String, i64>, keys: &TenantKeys, text: &str, weight: i64) {
    for w in words(text) {
        *place.entry(term(keys, &w)).or_insert(0) += weight;
    }
}

/// Every term of a meeting, by place.
fn terms_of(keys: &TenantKeys, m: &Meeting, c: &Content) -> Vec<Term> {
    let mut out = Vec::new();
    let mut own = BTreeMap::new();
    add(&mut own, keys, &m.title, MEETING_TITLE);
    add(&mut own, keys, &m.objectives, BODY);
    add(&mut own, keys, &m.place, BODY);
    for t in &c.topics {
        add(&mut own, keys, &t.title, TITLE);
    }
    out.extend(own.into_iter().map(|(term, weight)| Term { element: None, term, weight }));
    for e in &c.elements {
        let mut place = BTreeMap::new();
        add(&mut place, keys, &e.title, TITLE);
        add(&mut place, keys, &crate::minutes::text_of(&e.description), BODY);
        for r in c.comments.iter().filter(|r| r.element_id == e.id) {
            add(&mut place, keys, &r.body, BODY);
        }
        let id = e.id.to_string();
        out.extend(place.into_iter().map(|(term, weight)| Term { element: Some(id.clone()), term, weight }));
    }
    out
}

/// Index one meeting at its current revision. Returns false if there was
/// nothing to do (gone, or indexed meanwhile).
#[tracing::instrument(skip_all)]
pub async fn index_meeting(app: &App, tenant: &Tenant, id: MeetingId) -> Result<bool, AppError> {
    let Some((row, meeting, content)) = meetings::open_for_index(app, tenant, id).await? else {
        return Ok(false);
    };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let terms = terms_of(&keys, &meeting, &content);
    let mut tx = app.store.begin().await?;
    let done = tx.replace_search_terms(tenant.id, id, row.revision, &terms).await?;
    tx.commit().await?;
    Ok(done)
}

/// Index up to `limit` meetings changed since they were indexed, of one
/// tenant or all. Returns how many were indexed.
#[tracing::instrument(skip_all)]
pub async fn index_pending(app: &App, tenant: Option<&Tenant>, limit: i64) -> Result<usize, AppError> {
    let mut n = 0;
    for (tenant_id, id, _) in app.store.search_pending(tenant.map(|t| t.id), limit).await? {
        let t = match tenant {
            Some(t) => t.clone(),
            None => match app.store.tenant_by_id(tenant_id).await? {
                Some(t) => t,
                None => continue,
            },
        };
        match index_meeting(app, &t, id).await {
            Ok(true) => n += 1,
            Ok(false) => {}
            // Another node indexing the same meeting at once (it wins), or
            // a meeting that cannot be read: the others go on.
            Err(e) => tracing::warn!(meeting = %id, error = %e, "meeting not indexed"),
        }
    }
    Ok(n)
}

/// One thing found.
#[derive(Clone, Debug)]
pub struct Found {
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    /// Local start and zone of the meeting.
    pub when: String,
    /// The element found in, if not the meeting itself.
    pub element: Option<FoundElement>,
    pub score: i64,
}

#[derive(Clone, Debug)]
pub struct FoundElement {
    pub id: String,
    pub kind: ordo_core::meeting::ElementKind,
    pub title: String,
    /// The start of its text.
    pub excerpt: String,
}

/// Search what `actor` may see. An empty query (or one of stop words
/// only) finds nothing.
#[tracing::instrument(skip_all)]
pub async fn search(app: &App, tenant: &Tenant, actor: &User, query: &str) -> Result<Vec<Found>, AppError> {
    let mut seen = HashSet::new();
    let wanted: Vec<String> =
        words(query).into_iter().filter(|w| seen.insert(w.clone())).take(MAX_QUERY_WORDS).collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // Catch up this tenant first, so nothing just written is missed.
    index_pending(app, Some(tenant), 200).await?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let terms: Vec<String> = wanted.iter().map(|w| term(&keys, w)).collect();
    let hits: Vec<Hit> = app.store.search_terms(tenant.id, &terms, 500).await?;
    // Only what the meeting policy lets them see: their own, or shared.
    let visible: HashSet<MeetingId> = app
        .store
        .meetings_of_user(tenant.id, actor.id)
        .await?
        .into_iter()
        .filter(|(_, p)| p.role == MeetingRole::Organiser || p.shared_at.is_some())
        .map(|(m, _)| m.id)
        .collect();
    let mut out = Vec::new();
    let mut opened: BTreeMap<MeetingId, (std::sync::Arc<Content>, Meeting)> = BTreeMap::new();
    for h in hits.into_iter().filter(|h| visible.contains(&h.meeting)) {
        if out.len() >= MAX_RESULTS {
            break;
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = opened.entry(h.meeting) {
            // The page's own checks again, and its cached decryption.
            let p = match meetings::page(app, tenant, actor, h.meeting).await {
                Ok(p) => p,
                Err(AppError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            slot.insert((p.content.clone(), p.meeting));
        }
        let (content, m) = &opened[&h.meeting];
        let element = match &h.element {
            None => None,
            Some(id) => match content.elements.iter().find(|e| e.id.to_string() == *id) {
                Some(e) => Some(FoundElement {
                    id: id.clone(),
                    kind: e.kind,
                    title: e.title.clone(),
                    excerpt: crate::minutes::text_of(&e.description).chars().take(160).collect(),
                }),
                // Deleted since it was indexed.
                None => continue,
            },
        };
        out.push(Found {
            meeting_id: h.meeting,
            meeting_title: m.title.clone(),
            when: m.when(),
            element,
            score: h.score,
        });
    }
    Ok(out)
}

/// The indexer: keeps the index up with changes until `shutdown`.
#[tracing::instrument(skip_all)]
pub async fn run_worker(app: App, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let pause = match index_pending(&app, None, 50).await {
            Ok(n) if n > 0 => std::time::Duration::from_millis(100),
            Ok(_) => std::time::Duration::from_secs(2),
            Err(e) => {
                tracing::error!(error = %e, "search indexer error");
                std::time::Duration::from_secs(10)
            }
        };
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}
