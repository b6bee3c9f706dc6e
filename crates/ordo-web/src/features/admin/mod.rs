//! Tenant administration (owners and admins): members and their roles, the
//! audit log, encryption at rest, backups, every action, and support's
//! access to a meeting.

mod members;
mod records;
mod support;

use crate::routes::Decl;

pub fn decls() -> Vec<Decl> {
    [members::decls(), records::decls(), support::decls()].into_iter().flatten().collect()
}
