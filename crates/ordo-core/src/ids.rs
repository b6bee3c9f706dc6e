//! Typed identifiers. Each is a random UUID (v4) so that ids are not guessable
//! and never collide across tenants, and each kind is its own type so that a
//! user id can never be passed where a tenant id is expected.

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(uuid::Uuid::new_v4())
            }
            pub fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.as_hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.as_hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = crate::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // Only the canonical hyphenated lowercase form is accepted, so an
                // id has exactly one spelling (in URLs, in the database, in logs).
                let u = uuid::Uuid::parse_str(s)
                    .map_err(|_| crate::Invalid::new("id", "id.invalid"))?;
                if u.as_hyphenated().to_string() != s {
                    return Err(crate::Invalid::new("id", "id.invalid"));
                }
                Ok(Self(u))
            }
        }
    };
}

id_type!(
    /// A support conversation, a message of one, or a grant (support's
    /// records of a tenant).
    SupportId
);

id_type!(
    /// An agenda template of a tenant.
    TemplateId
);

id_type!(
    /// A series of recurring meetings of a tenant.
    SeriesId
);

id_type!(
    /// A member of the platform's staff (outside every tenant).
    StaffId
);

id_type!(
    /// A staff session of the operator console.
    StaffSessionId
);

id_type!(
    /// A tenant (client organisation).
    TenantId
);
id_type!(
    /// A user account, always inside one tenant.
    UserId
);
id_type!(
    /// The public handle of a session: shown in the session list and used to
    /// end it. It is not the secret cookie value, which is never stored.
    SessionId
);
id_type!(
    /// An audit log entry.
    AuditId
);
id_type!(
    /// A message in the mail outbox.
    MailId
);
id_type!(
    /// A meeting.
    MeetingId
);
id_type!(
    /// An entry of a meeting's change history.
    HistoryId
);
id_type!(
    /// A topic (or sub-topic) of a meeting's agenda.
    TopicId
);
id_type!(
    /// A remark on an element.
    CommentId
);
id_type!(
    /// An element of the note space (decision, action, topic to discuss, note, image).
    ElementId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_canonical_form() {
        let id = UserId::new();
        assert_eq!(id.to_string().parse::<UserId>(), Ok(id));
        assert!(id.to_string().to_uppercase().parse::<UserId>().is_err());
        assert!("not-an-id".parse::<UserId>().is_err());
        assert!("".parse::<TenantId>().is_err());
    }
}
