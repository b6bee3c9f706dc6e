//! The signed-in user's own pages and API: the dashboard, profile and
//! language, reminders, the calendar feed, password, sessions, API tokens.

pub(crate) mod home;
mod profile;
mod sessions;
mod tokens;

use crate::routes::Decl;

pub fn decls() -> Vec<Decl> {
    [home::decls(), profile::decls(), sessions::decls(), tokens::decls()].into_iter().flatten().collect()
}
