//! A signed-in user's session, as the layers above the store see it (its
//! secret is never kept: only its SHA-256, in the store).

use crate::ids::{SessionId, TenantId, UserId};
use crate::time::Timestamp;

#[derive(Clone)]
pub struct Session {
    pub tenant_id: TenantId,
    pub id: SessionId,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The anti-forgery token and the client's details stay out of logs.
        f.debug_struct("Session").field("id", &self.id).field("user_id", &self.user_id).finish_non_exhaustive()
    }
}
