//! The permission policy: one function decides every tenant-level action, so
//! the rules can be read, tested and documented in one place
//! (`docs/security/authorization.md` is checked against [`rules_table`]).

use crate::user::Role;

/// Something a user asks to do in their tenant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TenantAction {
    /// See the member list and invitations.
    ViewMembers,
    /// Invite someone with the given role.
    Invite { role: Role },
    /// Change the role of a user who has `from` into `to`.
    ChangeRole { from: Role, to: Role },
    /// Disable, or enable again, a user who has `target` role.
    SetDisabled { target: Role },
    /// Read the tenant's audit log.
    ViewAudit,
}

/// Who is asking, and whether the action is aimed at themselves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Actor {
    pub role: Role,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("not allowed")]
pub struct Denied;

/// Decide. `on_self` is true when the target user is the actor: nobody changes
/// their own role or disables themselves, which also guarantees that a tenant
/// always keeps at least one owner.
pub fn authorize(actor: Actor, action: TenantAction, on_self: bool) -> Result<(), Denied> {
    use Role::*;
    let allowed = match action {
        TenantAction::ViewMembers | TenantAction::ViewAudit => actor.role.is_admin(),
        TenantAction::Invite { role } => match actor.role {
            Owner => true,
            Admin => role != Owner,
            Member | Guest => false,
        },
        TenantAction::ChangeRole { from, to } => {
            !on_self
                && match actor.role {
                    Owner => true,
                    Admin => from != Owner && to != Owner,
                    Member | Guest => false,
                }
        }
        TenantAction::SetDisabled { target } => {
            !on_self
                && match actor.role {
                    Owner => true,
                    Admin => target != Owner,
                    Member | Guest => false,
                }
        }
    };
    if allowed { Ok(()) } else { Err(Denied) }
}

/// The rules as a Markdown table: one row per action and target, one column per
/// actor role. Used to generate and check the authorization document.
pub fn rules_table() -> String {
    let mut rows: Vec<(String, TenantAction)> = vec![
        ("View members and invitations".into(), TenantAction::ViewMembers),
        ("Read the audit log".into(), TenantAction::ViewAudit),
    ];
    for r in Role::ALL {
        rows.push((format!("Invite as {r}"), TenantAction::Invite { role: r }));
    }
    for from in Role::ALL {
        for to in Role::ALL {
            if from != to {
                rows.push((format!("Change role {from} → {to}"), TenantAction::ChangeRole { from, to }));
            }
        }
    }
    for r in Role::ALL {
        rows.push((format!("Disable or enable a {r}"), TenantAction::SetDisabled { target: r }));
    }
    let mut out = String::from("| Action | owner | admin | member | guest |\n|---|---|---|---|---|\n");
    for (label, action) in rows {
        out.push_str("| ");
        out.push_str(&label);
        for role in Role::ALL {
            let ok = authorize(Actor { role }, action, false).is_ok();
            out.push_str(if ok { " | yes" } else { " | no" });
        }
        out.push_str(" |\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    fn can(role: Role, a: TenantAction) -> bool {
        authorize(Actor { role }, a, false).is_ok()
    }

    #[test]
    fn members_and_guests_administer_nothing() {
        for role in [Member, Guest] {
            assert!(!can(role, TenantAction::ViewMembers));
            assert!(!can(role, TenantAction::ViewAudit));
            for r in Role::ALL {
                assert!(!can(role, TenantAction::Invite { role: r }));
                assert!(!can(role, TenantAction::SetDisabled { target: r }));
            }
        }
    }

    #[test]
    fn admins_cannot_touch_owners() {
        assert!(!can(Admin, TenantAction::Invite { role: Owner }));
        assert!(can(Admin, TenantAction::Invite { role: Admin }));
        assert!(!can(Admin, TenantAction::ChangeRole { from: Owner, to: Admin }));
        assert!(!can(Admin, TenantAction::ChangeRole { from: Member, to: Owner }));
        assert!(can(Admin, TenantAction::ChangeRole { from: Member, to: Admin }));
        assert!(!can(Admin, TenantAction::SetDisabled { target: Owner }));
        assert!(can(Owner, TenantAction::SetDisabled { target: Owner }));
    }

    #[test]
    fn nobody_acts_on_themselves() {
        for role in Role::ALL {
            let a = Actor { role };
            assert!(authorize(a, TenantAction::SetDisabled { target: role }, true).is_err());
            assert!(authorize(a, TenantAction::ChangeRole { from: role, to: Guest }, true).is_err());
        }
    }

    #[test]
    fn authorization_doc_matches_policy() {
        let doc = include_str!("../../../docs/security/authorization.md");
        assert!(
            doc.contains(&rules_table()),
            "docs/security/authorization.md is out of date; regenerate it with `ordo policy table`:\n{}",
            rules_table()
        );
    }
}
