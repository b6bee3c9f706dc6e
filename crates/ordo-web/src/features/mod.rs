//! The tenant side's features, each declaring its routes once (method,
//! path, who may reach it, handler, and for the API its bodies).

pub mod account;
pub mod admin;
pub mod auth;
pub mod meetings;
pub mod search;
pub mod support;
pub mod system;
pub mod templates;

use crate::routes::Decl;
use serde::Serialize;
use utoipa::ToSchema;

/// Every route under `/t/{slug}`.
pub fn decls() -> Vec<Decl> {
    [
        auth::decls(),
        account::decls(),
        admin::decls(),
        meetings::decls(),
        templates::decls(),
        search::decls(),
        support::decls(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What a creation answers: the new thing's id.
#[derive(Serialize, ToSchema)]
pub struct IdOut {
    pub id: String,
}
