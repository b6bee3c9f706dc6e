//! The platform's own people (the operator's staff), their roles and what
//! each may do in the operator console. Staff are not users of any tenant:
//! they sign in at `/ops/` with a password and a one-time code, and see no
//! tenant's meetings (support sees one only under a grant by the tenant's
//! admin, checked elsewhere). `docs/security/authorization.md` holds the
//! table [`rules_table`] prints, checked by a test.

use crate::Invalid;
use std::fmt;
use std::str::FromStr;

/// A platform role.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum PlatformRole {
    /// Runs the platform: staff accounts, tenants' plans and CSMs.
    OperatorAdmin,
    /// Answers the support chat.
    SupportAgent,
    /// A customer success manager: support chat, first for their tenants.
    Csm,
    /// Audits: reads the status, incidents and the platform audit log.
    SecurityOfficer,
}

impl PlatformRole {
    pub const ALL: [PlatformRole; 4] =
        [PlatformRole::OperatorAdmin, PlatformRole::SupportAgent, PlatformRole::Csm, PlatformRole::SecurityOfficer];

    pub fn as_str(self) -> &'static str {
        match self {
            PlatformRole::OperatorAdmin => "operator_admin",
            PlatformRole::SupportAgent => "support_agent",
            PlatformRole::Csm => "csm",
            PlatformRole::SecurityOfficer => "security_officer",
        }
    }
}

impl FromStr for PlatformRole {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        PlatformRole::ALL.into_iter().find(|r| r.as_str() == s).ok_or(Invalid::new("role", "platform_role.invalid"))
    }
}

impl fmt::Display for PlatformRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a staff member asks to do in the operator console.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StaffAction {
    /// The status page: tenants, their status, incidents.
    ViewStatus,
    /// The list of tenants with plan and CSM.
    ViewTenants,
    /// Invite, disable or enable staff; change their role.
    ManageStaff,
    /// Give a tenant its customer success manager.
    AssignCsm,
    /// The platform audit log.
    ViewPlatformAudit,
    /// The support inbox: conversations, replies.
    Support,
}

impl StaffAction {
    pub const ALL: [StaffAction; 6] = [
        StaffAction::ViewStatus,
        StaffAction::ViewTenants,
        StaffAction::ManageStaff,
        StaffAction::AssignCsm,
        StaffAction::ViewPlatformAudit,
        StaffAction::Support,
    ];

    fn label(self) -> &'static str {
        match self {
            StaffAction::ViewStatus => "Status page (tenants, incidents)",
            StaffAction::ViewTenants => "Tenants (plan, CSM)",
            StaffAction::ManageStaff => "Manage staff accounts",
            StaffAction::AssignCsm => "Assign a tenant's CSM",
            StaffAction::ViewPlatformAudit => "Platform audit log",
            StaffAction::Support => "Support inbox",
        }
    }
}

/// The console's policy. Only staff who have passed both factors reach it
/// (the web layer checks that first).
pub fn staff_may(role: PlatformRole, action: StaffAction) -> bool {
    use PlatformRole::*;
    use StaffAction::*;
    match action {
        ViewStatus | ViewTenants => true,
        ManageStaff | AssignCsm => role == OperatorAdmin,
        ViewPlatformAudit => matches!(role, OperatorAdmin | SecurityOfficer),
        Support => matches!(role, SupportAgent | Csm),
    }
}

/// The console's rules as a Markdown table, for docs/security/authorization.md.
pub fn rules_table() -> String {
    let mut out = String::from(
        "| Action | operator admin | support agent | customer success manager | security officer |\n|---|---|---|---|---|\n",
    );
    for a in StaffAction::ALL {
        out.push_str(&format!("| {}", a.label()));
        for r in PlatformRole::ALL {
            out.push_str(if staff_may(r, a) { " | yes" } else { " | no" });
        }
        out.push_str(" |\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_the_doc_matches_the_policy() {
        for r in PlatformRole::ALL {
            assert_eq!(r.as_str().parse::<PlatformRole>(), Ok(r));
        }
        assert!("root".parse::<PlatformRole>().is_err());
        let doc = include_str!("../../../docs/security/authorization.md");
        assert!(doc.contains(&rules_table()), "update docs/security/authorization.md with:\n{}", rules_table());
    }

    #[test]
    fn only_operator_admins_manage_and_only_support_answers() {
        assert!(staff_may(PlatformRole::OperatorAdmin, StaffAction::ManageStaff));
        assert!(!staff_may(PlatformRole::SecurityOfficer, StaffAction::ManageStaff));
        assert!(!staff_may(PlatformRole::OperatorAdmin, StaffAction::Support));
        assert!(staff_may(PlatformRole::Csm, StaffAction::Support));
        assert!(staff_may(PlatformRole::SecurityOfficer, StaffAction::ViewPlatformAudit));
        assert!(!staff_may(PlatformRole::SupportAgent, StaffAction::ViewPlatformAudit));
    }
}
