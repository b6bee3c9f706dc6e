//! A few expensive requests per client at once. Exports, search and the
//! audit log read a whole meeting or many rows and spend CPU on each; one
//! client sending dozens in parallel would hold the pool and both cores for
//! everyone. Routes declared [`costly`](crate::routes::Decl::costly) take a
//! slot of their client (the signed-in user, else the client address) for
//! as long as they run; beyond the limit the answer is 429 with
//! `Retry-After: 1`, at once, before any work.
//!
//! The map holds an entry only while one of its client's requests runs, so
//! its size is bounded by the requests in flight, not by the clients seen.

use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The slots of every client, per node.
#[derive(Debug)]
pub struct ClientSlots {
    per_client: usize,
    held: Mutex<HashMap<String, usize>>,
}

/// One request's slot, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<ClientSlots>,
    client: String,
}

impl ClientSlots {
    pub fn new(per_client: usize) -> Arc<Self> {
        Arc::new(Self { per_client, held: Mutex::new(HashMap::new()) })
    }

    /// A slot for `client`, or `None` when it already runs its limit.
    pub fn try_take(self: &Arc<Self>, client: &str) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.get(client).copied().unwrap_or(0) >= self.per_client {
            return None;
        }
        *held.entry(client.to_owned()).or_insert(0) += 1;
        Some(Slot { slots: Arc::clone(self), client: client.to_owned() })
    }

    /// Clients with a request running (for the tests of the bound).
    pub fn clients(&self) -> usize {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = held.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.client);
            }
        }
    }
}

/// The middleware of costly routes (inside the tenant middleware, which
/// has put the caller in the request).
pub(crate) async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let client = match req.extensions().get::<Ctx>() {
        Some(Ctx { auth: Some(a), tenant, .. }) => format!("u:{}:{}", tenant.id, a.user.id),
        Some(ctx) => format!("ip:{}", ctx.ip),
        None => "ip:".to_owned(),
    };
    let Some(slot) = st.costly.try_take(&client) else {
        tracing::warn!("too many costly requests of one client at once");
        return WebError::Throttled(1).into_response();
    };
    let res = next.run(req).await;
    drop(slot);
    res
}

#[cfg(test)]
mod tests {
    use super::ClientSlots;

    #[test]
    fn a_client_gets_its_limit_and_the_map_forgets_it_after() {
        let slots = ClientSlots::new(2);
        let a1 = slots.try_take("a").unwrap();
        let a2 = slots.try_take("a").unwrap();
        assert!(slots.try_take("a").is_none(), "a third at once is refused");
        let b = slots.try_take("b").unwrap();
        assert_eq!(slots.clients(), 2);
        drop(a1);
        let a3 = slots.try_take("a").unwrap();
        drop((a2, a3, b));
        assert_eq!(slots.clients(), 0, "no entry is kept for a client with nothing running");
    }

    #[test]
    fn a_limit_of_zero_refuses_everything_and_keeps_nothing() {
        let slots = ClientSlots::new(0);
        assert!(slots.try_take("a").is_none());
        assert_eq!(slots.clients(), 0);
    }
}
