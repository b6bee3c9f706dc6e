//! The support chat (requirement M17): every user reaches the platform's
//! support from any page; agents answer from the console's inbox, in real
//! time; a reply reaches a user who is away by e-mail, with a link back.
//! Messages are tenant data: sealed with the tenant's key like a meeting's
//! remarks. New conversations go to the tenant's customer success manager
//! when it is an Enterprise tenant that has one, else round-robin to the
//! available agents.
//!
//! Support never reads a meeting unless one of the tenant's admins grants a
//! named staff member read access to that meeting, for a few hours; the
//! grant is listed for the admins, revocable, ends by itself, and every
//! read under it is written in the tenant's audit log.

use crate::accounts::{User, open_user};
use crate::i18n::Tr;
use crate::keys::{Field, TenantKeys};
use crate::staff::StaffAuth;
use crate::write::{UseCase, change};
use crate::{App, AppError, retrying};
use ordo_core::audit::AuditKind;
use ordo_core::ids::{MeetingId, StaffId};
use ordo_core::meeting::LongText;
use ordo_core::staff::{PlatformRole, StaffAction};
use ordo_core::tenant::{Plan, Slug};
use ordo_core::time::Timestamp;
use ordo_core::user::UserStatus;
use ordo_store::{AuditDraft, ConversationRow, GrantRow, MessageRow, Tenant};

/// A user counts as away when their chat has not been open for this long:
/// replies are then e-mailed.
pub const AWAY_SECS: i64 = 120;
/// How often an open chat tells that the user is still there.
const HERE_EVERY_SECS: i64 = 30;
/// The longest a grant may last.
pub const GRANT_MAX_HOURS: i64 = 72;

/// A message, opened.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub seq: i64,
    pub from_support: bool,
    pub author: String,
    pub body: String,
    pub image_type: Option<String>,
    pub created_at: Timestamp,
}

/// What a new message is.
pub struct NewMessage<'a> {
    pub body: &'a str,
    pub image: Option<Vec<u8>>,
}

struct Checked {
    body: LongText,
    image: Option<(&'static str, Vec<u8>)>,
}

/// A message's text and its picture (with the picture's type), sealed.
type SealedMessage = (ordo_store::Sealed, Option<(ordo_store::Sealed, &'static str)>);

impl Checked {
    /// The message's text and picture (with its type), sealed for row `id`.
    fn seal(&self, keys: &TenantKeys, id: &str) -> Result<SealedMessage, AppError> {
        let body = keys.seal(Field::SupportBody, id, self.body.as_str())?;
        let image = match &self.image {
            Some((t, bytes)) => Some((keys.seal_bytes(Field::SupportImage, id, bytes)?, *t)),
            None => None,
        };
        Ok((body, image))
    }
}

async fn check(app: &App, m: NewMessage<'_>) -> Result<Checked, AppError> {
    let body = LongText::parse("body", m.body)?;
    let image = match m.image.filter(|b| !b.is_empty()) {
        Some(bytes) => {
            let p = crate::images::check(app, bytes).await?;
            Some((p.content_type, p.bytes))
        }
        None => None,
    };
    if body.as_str().is_empty() && image.is_none() {
        return Err(AppError::Invalid(ordo_core::Invalid::new("body", "support.empty")));
    }
    Ok(Checked { body, image })
}

fn staff_names(staff: &[ordo_store::StaffRow]) -> impl Fn(&str) -> String + '_ {
    move |id: &str| staff.iter().find(|s| s.id.to_string() == id).map(|s| s.display_name.clone()).unwrap_or_default()
}

async fn open_messages(
    app: &App,
    tenant: &Tenant,
    keys: &TenantKeys,
    rows: Vec<MessageRow>,
) -> Result<Vec<Message>, AppError> {
    let staff = app.store.list_staff().await?;
    let staff_name = staff_names(&staff);
    let mut users = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let from_support = r.author_kind == "staff";
        let author = if from_support {
            staff_name(&r.author_id)
        } else {
            if !users.contains_key(&r.author_id) {
                let name = match r.author_id.parse() {
                    Ok(id) => match app.store.user_by_id(tenant.id, id).await? {
                        Some(u) => open_user(keys, u)?.display_name,
                        None => String::new(),
                    },
                    Err(_) => String::new(),
                };
                users.insert(r.author_id.clone(), name);
            }
            users.get(&r.author_id).cloned().unwrap_or_default()
        };
        out.push(Message {
            body: keys.open(Field::SupportBody, &r.id, &r.body)?,
            id: r.id,
            seq: r.seq,
            from_support,
            author,
            image_type: r.image_type,
            created_at: r.created_at,
        });
    }
    Ok(out)
}

/// Who answers a new conversation: the tenant's CSM for an Enterprise
/// tenant (if they can), else the available agent who was given one
/// longest ago (round-robin); None if nobody is available.
async fn assignee(app: &App, tenant: &Tenant) -> Result<Option<StaffId>, AppError> {
    let staff = app.store.list_staff().await?;
    let can = |s: &&ordo_store::StaffRow| s.status == UserStatus::Active && s.available && s.totp_secret.is_some();
    if tenant.plan == Plan::Enterprise
        && let Some((_, csm)) = app.store.tenant_csms().await?.into_iter().find(|(t, _)| *t == tenant.id)
        && staff.iter().filter(can).any(|s| s.id == csm)
    {
        return Ok(Some(csm));
    }
    let mut agents: Vec<&ordo_store::StaffRow> =
        staff.iter().filter(can).filter(|s| s.role == PlatformRole::SupportAgent).collect();
    agents.sort_by_key(|s| (s.last_assigned_at, s.id));
    Ok(agents.first().map(|s| s.id))
}

// ---- The user's side ----------------------------------------------------------

/// The user's current conversation: the latest not resolved, else the latest.
#[tracing::instrument(skip_all)]
pub async fn my_conversation(app: &App, tenant: &Tenant, user: &User) -> Result<Option<ConversationRow>, AppError> {
    let all = app.store.conversations_of_user(tenant.id, user.id).await?;
    Ok(all.iter().find(|c| c.status != "resolved").or(all.first()).cloned())
}

/// A user writes to support: into their open conversation, or a new one
/// (assigned as it opens). Returns the conversation and the message number.
#[tracing::instrument(skip_all)]
pub async fn user_send(app: &App, tenant: &Tenant, user: &User, m: NewMessage<'_>) -> Result<(String, i64), AppError> {
    let checked = check(app, m).await?;
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let now = app.now();
    let existing =
        app.store.conversations_of_user(tenant.id, user.id).await?.into_iter().find(|c| c.status != "resolved");
    let conversation = match existing {
        Some(c) => c,
        None => ConversationRow {
            tenant_id: tenant.id,
            id: uuid_like(),
            user_id: user.id,
            status: "open".into(),
            assigned_to: assignee(app, tenant).await?,
            created_at: now,
            updated_at: now,
            user_read: 0,
            staff_read: 0,
            user_seen_at: now,
            messages: 0,
        },
    };
    let is_new = conversation.messages == 0;
    let id = uuid_like();
    let (body, image) = checked.seal(&keys, &id)?;
    let seq = retrying!({
        let mut tx = app.store.begin().await?;
        if is_new {
            tx.insert_conversation(&conversation).await?;
            if let Some(s) = conversation.assigned_to {
                tx.staff_assigned(s, now).await?;
            }
        }
        let image = image.as_ref().map(|(s, t)| (s, *t));
        let seq = tx
            .append_message(tenant.id, &conversation.id, &id, "user", &user.id.to_string(), &body, image, "open", now)
            .await?;
        tx.commit().await?;
        Ok(seq)
    })?;
    app.store.mark_read(tenant.id, &conversation.id, false, seq, now).await?;
    app.support_wakeup.notify_waiters();
    Ok((conversation.id, seq))
}

/// The user's conversation's messages after `after` (their own only); the
/// user has now read them, and is here.
#[tracing::instrument(skip_all)]
pub async fn user_messages(
    app: &App,
    tenant: &Tenant,
    user: &User,
    conversation: &str,
    after: i64,
) -> Result<Vec<Message>, AppError> {
    let c = app.store.conversation(tenant.id, conversation).await?.ok_or(AppError::NotFound)?;
    if c.user_id != user.id {
        return Err(AppError::NotFound);
    }
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    let rows = app.store.messages_after(tenant.id, conversation, after).await?;
    let last = rows.last().map_or(c.user_read, |r| r.seq);
    app.store.mark_read(tenant.id, conversation, false, last, app.now()).await?;
    open_messages(app, tenant, &keys, rows).await
}

/// The user still has the chat open: note it (at most every
/// `HERE_EVERY_SECS`), so that support's replies are not e-mailed to
/// someone who is watching.
#[tracing::instrument(skip_all)]
pub async fn user_here(app: &App, tenant: &Tenant, c: &ConversationRow) -> Result<(), AppError> {
    let now = app.now();
    if now.unix() - c.user_seen_at.unix() >= HERE_EVERY_SECS {
        app.store.mark_read(tenant.id, &c.id, false, c.user_read, now).await?;
    }
    Ok(())
}

/// Replies from support the user has not read.
#[tracing::instrument(skip_all)]
pub async fn user_unread(app: &App, tenant: &Tenant, user: &User) -> Result<i64, AppError> {
    Ok(app.store.unread_for_user(tenant.id, user.id).await?)
}

/// A picture of a message, for the user of that conversation.
#[tracing::instrument(skip_all)]
pub async fn user_image(
    app: &App,
    tenant: &Tenant,
    user: &User,
    conversation: &str,
    message: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let c = app.store.conversation(tenant.id, conversation).await?.ok_or(AppError::NotFound)?;
    if c.user_id != user.id {
        return Err(AppError::NotFound);
    }
    image(app, tenant, conversation, message).await
}

async fn image(app: &App, tenant: &Tenant, conversation: &str, message: &str) -> Result<(String, Vec<u8>), AppError> {
    let m = app.store.support_message(tenant.id, conversation, message).await?.ok_or(AppError::NotFound)?;
    let (Some(sealed), Some(ctype)) = (m.image, m.image_type) else { return Err(AppError::NotFound) };
    let keys = app.keys.for_tenant(&app.store, tenant).await?;
    Ok((ctype, keys.open_bytes(Field::SupportImage, &m.id, &sealed)?))
}

// ---- Support's side ---------------------------------------------------------------

async fn tenant_of(app: &App, slug: &str) -> Result<Tenant, AppError> {
    let slug = Slug::parse(slug).map_err(|_| AppError::NotFound)?;
    app.store.tenant_by_slug(&slug).await?.ok_or(AppError::NotFound)
}

/// A conversation in the inbox.
#[derive(Clone, Debug)]
pub struct InboxRow {
    pub tenant_slug: String,
    pub tenant_name: String,
    pub plan: Plan,
    pub id: String,
    pub status: String,
    pub assigned: String,
    pub mine: bool,
    pub unread: i64,
    pub updated_at: Timestamp,
}

/// Every conversation, mine first, then the unresolved.
#[tracing::instrument(skip_all)]
pub async fn inbox(app: &App, auth: &StaffAuth) -> Result<Vec<InboxRow>, AppError> {
    auth.may(StaffAction::Support)?;
    let staff = app.store.list_staff().await?;
    let name = staff_names(&staff);
    let unread = app.store.unread_for_staff().await?;
    let tenants = app.store.list_tenants().await?;
    let mut rows: Vec<InboxRow> = app
        .store
        .inbox(500)
        .await?
        .into_iter()
        .filter_map(|c| {
            let t = tenants.iter().find(|t| t.id == c.tenant_id)?;
            Some(InboxRow {
                tenant_slug: t.slug.to_string(),
                tenant_name: t.name.clone(),
                plan: t.plan,
                unread: unread.iter().find(|(tid, id, _)| *tid == c.tenant_id && *id == c.id).map_or(0, |u| u.2),
                assigned: c.assigned_to.map(|s| name(&s.to_string())).unwrap_or_default(),
                mine: c.assigned_to == Some(auth.staff.id),
                id: c.id,
                status: c.status,
                updated_at: c.updated_at,
            })
        })
        .collect();
    rows.sort_by_key(|r| (!r.mine, r.status == "resolved", std::cmp::Reverse(r.updated_at)));
    Ok(rows)
}

/// A conversation as support sees it.
pub struct StaffView {
    pub tenant: Tenant,
    pub conversation: ConversationRow,
    pub user_name: String,
    pub assigned: String,
    pub messages: Vec<Message>,
}

/// Open a conversation (its messages after `after`); support has read them.
#[tracing::instrument(skip_all)]
pub async fn staff_conversation(
    app: &App,
    auth: &StaffAuth,
    slug: &str,
    conversation: &str,
    after: i64,
) -> Result<StaffView, AppError> {
    auth.may(StaffAction::Support)?;
    let tenant = tenant_of(app, slug).await?;
    let c = app.store.conversation(tenant.id, conversation).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, &tenant).await?;
    let user_name = match app.store.user_by_id(tenant.id, c.user_id).await? {
        Some(u) => open_user(&keys, u)?.display_name,
        None => String::new(),
    };
    let rows = app.store.messages_after(tenant.id, conversation, after).await?;
    if let Some(last) = rows.last() {
        app.store.mark_read(tenant.id, conversation, true, last.seq, app.now()).await?;
    }
    let messages = open_messages(app, &tenant, &keys, rows).await?;
    let staff = app.store.list_staff().await?;
    let assigned = c.assigned_to.map(|s| staff_names(&staff)(&s.to_string())).unwrap_or_default();
    Ok(StaffView { tenant, conversation: c, user_name, assigned, messages })
}

/// Support replies. The conversation waits for the user (`pending`); a
/// user who is away gets the reply by e-mail with a link back. An
/// unassigned conversation is taken by whoever answers it.
#[tracing::instrument(skip_all)]
pub async fn staff_send(
    app: &App,
    auth: &StaffAuth,
    slug: &str,
    conversation: &str,
    m: NewMessage<'_>,
) -> Result<i64, AppError> {
    auth.may(StaffAction::Support)?;
    let checked = check(app, m).await?;
    let tenant = tenant_of(app, slug).await?;
    let c = app.store.conversation(tenant.id, conversation).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, &tenant).await?;
    let now = app.now();
    let id = uuid_like();
    let (body, image) = checked.seal(&keys, &id)?;
    let away = now.unix() - c.user_seen_at.unix() > AWAY_SECS;
    let mail = if away {
        match app.store.user_by_id(tenant.id, c.user_id).await? {
            Some(row) => {
                let u = open_user(&keys, row)?;
                let tr = Tr::new(u.locale.unwrap_or_default());
                let link = crate::accounts::tenant_link(app, &tenant.slug, "support");
                let subject = tr.tf("mail.support.subject", &[("tenant", &tenant.name)]);
                let text = tr.tf(
                    "mail.support.body",
                    &[("agent", &auth.staff.display_name), ("message", checked.body.as_str()), ("link", &link)],
                );
                Some(crate::mail::seal(&keys, crate::mail::Outgoing::text(&u.email, subject, text))?)
            }
            None => None,
        }
    } else {
        None
    };
    let seq = retrying!({
        let mut tx = app.store.begin().await?;
        let image = image.as_ref().map(|(s, t)| (s, *t));
        let seq = tx
            .append_message(
                tenant.id,
                conversation,
                &id,
                "staff",
                &auth.staff.id.to_string(),
                &body,
                image,
                "pending",
                now,
            )
            .await?;
        if c.assigned_to.is_none() {
            tx.assign_conversation(tenant.id, conversation, auth.staff.id).await?;
        }
        if let Some(m) = &mail {
            tx.enqueue_mail(Some(tenant.id), m, now).await?;
        }
        tx.commit().await?;
        Ok(seq)
    })?;
    app.store.mark_read(tenant.id, conversation, true, seq, now).await?;
    if mail.is_some() {
        app.mail_wakeup.notify_one();
    }
    app.support_wakeup.notify_waiters();
    Ok(seq)
}

/// Mark a conversation open, pending or resolved.
#[tracing::instrument(skip_all)]
pub async fn set_status(
    app: &App,
    auth: &StaffAuth,
    slug: &str,
    conversation: &str,
    status: &str,
) -> Result<(), AppError> {
    auth.may(StaffAction::Support)?;
    if !matches!(status, "open" | "pending" | "resolved") {
        return Err(AppError::Invalid(ordo_core::Invalid::new("status", "status.invalid")));
    }
    let tenant = tenant_of(app, slug).await?;
    let mut tx = app.store.begin().await?;
    if !tx.set_conversation_status(tenant.id, conversation, status, app.now()).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    app.support_wakeup.notify_waiters();
    Ok(())
}

/// A picture of a message, for support.
#[tracing::instrument(skip_all)]
pub async fn staff_image(
    app: &App,
    auth: &StaffAuth,
    slug: &str,
    conversation: &str,
    message: &str,
) -> Result<(String, Vec<u8>), AppError> {
    auth.may(StaffAction::Support)?;
    let tenant = tenant_of(app, slug).await?;
    image(app, &tenant, conversation, message).await
}

// ---- Grants -----------------------------------------------------------------------

fn admin_only(user: &User) -> Result<(), AppError> {
    ordo_core::policy::authorize(
        ordo_core::policy::Actor { role: user.role },
        ordo_core::policy::TenantAction::ViewMembers,
        false,
    )?;
    Ok(())
}

/// A grant, as the admins see it.
#[derive(Clone, Debug)]
pub struct Grant {
    pub id: String,
    pub meeting_id: MeetingId,
    pub meeting_title: String,
    pub staff_name: String,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub live: bool,
}

/// Staff who may be granted access: those who have handled a conversation
/// of this tenant (the admins know them from the chat; the platform's staff
/// directory is not shown).
#[tracing::instrument(skip_all)]
pub async fn grantable_staff(app: &App, tenant: &Tenant, admin: &User) -> Result<Vec<(StaffId, String)>, AppError> {
    admin_only(admin)?;
    let staff = app.store.list_staff().await?;
    let mut ids: Vec<StaffId> = Vec::new();
    for c in app.store.inbox(10_000).await?.into_iter().filter(|c| c.tenant_id == tenant.id) {
        if let Some(s) = c.assigned_to
            && !ids.contains(&s)
        {
            ids.push(s);
        }
    }
    Ok(staff
        .into_iter()
        .filter(|s| ids.contains(&s.id) && s.status == UserStatus::Active)
        .map(|s| (s.id, s.display_name))
        .collect())
}

#[tracing::instrument(skip_all)]
pub async fn grants(app: &App, tenant: &Tenant, admin: &User) -> Result<Vec<Grant>, AppError> {
    admin_only(admin)?;
    let titles = crate::meetings::titles_for_admin(app, tenant, admin).await?;
    let staff = app.store.list_staff().await?;
    let now = app.now();
    Ok(app
        .store
        .grants(tenant.id)
        .await?
        .into_iter()
        .map(|g| Grant {
            meeting_title: titles
                .iter()
                .find(|(id, _, _)| *id == g.meeting_id)
                .map(|t| t.1.clone())
                .unwrap_or_default(),
            staff_name: staff_names(&staff)(&g.staff_id.to_string()),
            live: g.revoked_at.is_none() && g.expires_at > now,
            id: g.id,
            meeting_id: g.meeting_id,
            expires_at: g.expires_at,
            revoked_at: g.revoked_at,
        })
        .collect())
}

/// An admin grants one staff member read access to one meeting for `hours`.
#[tracing::instrument(skip_all)]
pub async fn grant(
    app: &App,
    tenant: &Tenant,
    admin: &User,
    meeting: MeetingId,
    staff: StaffId,
    hours: i64,
    ip: &str,
) -> Result<String, AppError> {
    admin_only(admin)?;
    if !(1..=GRANT_MAX_HOURS).contains(&hours) {
        return Err(AppError::Invalid(ordo_core::Invalid::new("hours", "grant.hours")));
    }
    if !grantable_staff(app, tenant, admin).await?.iter().any(|(s, _)| *s == staff) {
        return Err(AppError::Invalid(ordo_core::Invalid::new("staff", "grant.staff")));
    }
    let now = app.now();
    let g = GrantRow {
        id: uuid_like(),
        meeting_id: meeting,
        staff_id: staff,
        granted_by: admin.id,
        created_at: now,
        expires_at: now.plus_secs(hours * 3600),
        revoked_at: None,
    };
    let detail = serde_json::json!({
        "meeting": meeting.to_string(), "staff": staff.to_string(), "grant": g.id, "expires_at": g.expires_at.rfc3339(),
    })
    .to_string();
    change!(app, tenant.id, Some(admin.id), UseCase::SupportGrant, |c| {
        if c.tx.meeting_by_id(tenant.id, meeting).await?.is_none() {
            return Err(AppError::Invalid(ordo_core::Invalid::new("meeting", "id.invalid")));
        }
        c.tx.insert_grant(tenant.id, &g).await?;
        c.audit(AuditDraft::new(AuditKind::SupportAccessGranted).ip(ip).detail(detail.clone())).await?;
        Ok(())
    })?;
    Ok(g.id)
}

#[tracing::instrument(skip_all)]
pub async fn revoke(app: &App, tenant: &Tenant, admin: &User, id: &str, ip: &str) -> Result<(), AppError> {
    admin_only(admin)?;
    change!(app, tenant.id, Some(admin.id), UseCase::SupportRevoke, |c| {
        let g = c.tx.revoke_grant(tenant.id, id, c.now).await?.ok_or(AppError::NotFound)?;
        let detail =
            serde_json::json!({ "meeting": g.meeting_id.to_string(), "staff": g.staff_id.to_string(), "grant": g.id });
        c.audit(AuditDraft::new(AuditKind::SupportAccessRevoked).ip(ip).detail(detail.to_string())).await?;
        Ok(())
    })
}

/// The meetings a staff member may read now: (tenant slug, meeting, until).
#[tracing::instrument(skip_all)]
pub async fn my_grants(app: &App, auth: &StaffAuth) -> Result<Vec<(String, MeetingId, Timestamp)>, AppError> {
    auth.may(StaffAction::Support)?;
    let tenants = app.store.list_tenants().await?;
    Ok(app
        .store
        .live_grants_of(auth.staff.id, app.now())
        .await?
        .into_iter()
        .filter_map(|(t, g)| {
            tenants.iter().find(|x| x.id == t).map(|x| (x.slug.to_string(), g.meeting_id, g.expires_at))
        })
        .collect())
}

/// Support reads a meeting: only under a grant still running for this
/// staff member, and the read is written in the tenant's audit log.
#[tracing::instrument(skip_all)]
pub async fn view_meeting(
    app: &App,
    auth: &StaffAuth,
    slug: &str,
    meeting: MeetingId,
    ip: &str,
) -> Result<(crate::meetings::Meeting, std::sync::Arc<crate::meetings::Content>), AppError> {
    auth.may(StaffAction::Support)?;
    let tenant = tenant_of(app, slug).await?;
    let now = app.now();
    let live = app.store.live_grants_of(auth.staff.id, now).await?;
    let Some((_, g)) = live.iter().find(|(t, g)| *t == tenant.id && g.meeting_id == meeting) else {
        tracing::warn!(staff = %auth.staff.id, tenant = %tenant.slug, "support read refused: no grant");
        return Err(AppError::NotFound);
    };
    let detail = serde_json::json!({
        "meeting": meeting.to_string(), "staff": auth.staff.id.to_string(), "name": auth.staff.display_name, "grant": g.id,
    })
    .to_string();
    retrying!({
        let mut tx = app.store.begin().await?;
        tx.append_audit(
            tenant.id,
            &AuditDraft::new(AuditKind::SupportMeetingViewed).ip(ip).detail(detail.clone()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })?;
    crate::meetings::read_under_grant(app, &tenant, meeting).await
}

fn uuid_like() -> String {
    ordo_core::ids::SupportId::new().to_string()
}
