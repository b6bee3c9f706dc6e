//! The live meeting page: a stream of the meeting's revision.

use crate::error::WebError;
use crate::extract::Query;
use crate::extract::path::MeetingAt;
use crate::extract::{At, Me};
use crate::routes::{Decl, Guard, get};
use axum::response::{IntoResponse, Response};
use ordo_app::meetings;
use ordo_core::meeting::MeetingAction as A;
use serde::Deserialize;

pub fn decls() -> Vec<Decl> {
    vec![get("/t/{slug}/meetings/{id}/events", Guard::Meeting(A::View), events)]
}

#[derive(Deserialize, Default)]
pub struct RevisionQuery {
    #[serde(default)]
    revision: i64,
}

/// How long one live stream lasts: the browser then reconnects, and the
/// session and the access are checked afresh.
const LIVE_STREAM: std::time::Duration = std::time::Duration::from_secs(60);
/// How often a live stream reads the meeting's revision.
const LIVE_POLL: std::time::Duration = std::time::Duration::from_millis(400);

/// An event each time the meeting's revision moves (`data`: the new
/// revision), read from the database every 400 ms so that changes made
/// through any node show within a second; a `gone` event when the user may
/// no longer see it. Authenticated by the session, this origin only.
#[tracing::instrument(skip_all)]
async fn events(
    axum::extract::State(st): axum::extract::State<crate::state::AppState>,
    me: Me,
    headers: axum::http::HeaderMap,
    At(p): At<MeetingAt>,
    Query(q): Query<RevisionQuery>,
) -> Result<Response, WebError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    crate::respond::same_origin(&st.origin, &headers)?;
    let id = p.id;
    let (app, tenant, user) = (me.app.clone(), me.tenant().clone(), me.user.clone());
    meetings::live_revision(&app, &tenant, &user, id).await?.ok_or(WebError::NotFound)?;
    // A reconnecting browser says the last revision it was told.
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let known = q.revision.max(last.unwrap_or(0));
    let until = tokio::time::Instant::now() + LIVE_STREAM;
    let stream = futures_util::stream::unfold(Some(known), move |state| {
        let (app, tenant, user) = (app.clone(), tenant.clone(), user.clone());
        async move {
            let known = state?;
            while tokio::time::Instant::now() < until {
                match meetings::live_revision(&app, &tenant, &user, id).await {
                    Ok(Some(r)) if r > known => {
                        let event = Event::default().id(r.to_string()).data(r.to_string());
                        return Some((Ok::<_, std::convert::Infallible>(event), Some(r)));
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => return Some((Ok(Event::default().event("gone").data("")), None)),
                    Err(e) => {
                        tracing::warn!(error = %e, "live meeting stream ended");
                        return None;
                    }
                }
                tokio::time::sleep(LIVE_POLL).await;
            }
            None
        }
    });
    Ok(crate::respond::unbuffered(Sse::new(stream).keep_alive(KeepAlive::default()).into_response()))
}
