//! Every write use case, run once, leaves the record it declares: its
//! entry in the tenant's audit chain and/or in the meeting's history. The
//! scenarios are one exhaustive `match`: a new use case does not compile
//! until it has one here.

use super::{TestApp, both};
use crate::meetings::{self, ElementEdit, ElementInput, MeetingInput, TopicMove};
use crate::write::UseCase;
use ordo_core::audit::AuditKind;
use ordo_core::ids::{ElementId, MeetingId, TenantId, TopicId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingRole, MeetingStatus};
use ordo_core::user::{Locale, Role};
use ordo_store::TokenPurpose;

const PASSWORD: &str = "a long and fine passphrase";
const IP: &str = "127.0.0.1";

fn input(title: &str) -> MeetingInput<'_> {
    MeetingInput {
        title,
        objectives: "",
        starts_at: "2031-03-03T09:30",
        time_zone: "Europe/Paris",
        duration_minutes: "60",
        place: "",
    }
}

/// A 2×2 PNG.
fn png() -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbaImage::from_pixel(2, 2, image::Rgba([200, 10, 10, 255]));
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// What the scenarios share: a meeting with a topic, an action and a remark.
struct World {
    t: TestApp,
    member: crate::User,
    meeting: MeetingId,
    topic: TopicId,
    element: ElementId,
}

impl World {
    async fn new(t: TestApp) -> World {
        let member = t.member("mia@acme.test", Role::Member).await;
        let meeting = meetings::create(&t.app, &t.tenant, &t.owner, input("Weekly")).await.unwrap();
        meetings::add_participant(&t.app, &t.tenant, &t.owner, meeting, "mia@acme.test", MeetingRole::Editor)
            .await
            .unwrap();
        let topic = meetings::add_topic(&t.app, &t.tenant, &t.owner, meeting, None, "Budget").await.unwrap();
        let element =
            meetings::add_element(&t.app, &t.tenant, &t.owner, meeting, action(topic, "Call the bank")).await.unwrap();
        World { t, member, meeting, topic, element }
    }

    /// A token of `purpose` for `user`, as its e-mail would carry it.
    async fn token(&self, tenant: TenantId, user: ordo_core::ids::UserId, purpose: TokenPurpose) -> String {
        let token = ordo_crypto::random::token(32).unwrap();
        let now = self.t.app.now();
        let mut tx = self.t.app.store.begin().await.unwrap();
        tx.insert_token(tenant, user, purpose, &ordo_crypto::sha256_hex(token.as_bytes()), now, now.plus_secs(3600))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        token
    }

    async fn audits(&self, tenant: TenantId, kind: AuditKind) -> usize {
        let all = self.t.app.store.list_audit(tenant, None, 10_000).await.unwrap();
        all.iter().filter(|e| e.kind == kind.as_str()).count()
    }

    async fn histories(&self, tenant: TenantId, use_case: UseCase) -> usize {
        let mut n = 0;
        for m in self.t.app.store.all_meetings(tenant).await.unwrap() {
            let h = self.t.app.store.history(tenant, m.id, 10_000).await.unwrap();
            n += h.iter().filter(|e| e.use_case == use_case.as_str()).count();
        }
        n
    }

    /// Run `use_case` once; returns the tenant whose records it wrote.
    async fn run(&self, use_case: UseCase) -> TenantId {
        let (app, tenant, owner) = (&self.t.app, &self.t.tenant, &self.t.owner);
        let (m, topic, element) = (self.meeting, self.topic, self.element);
        match use_case {
            UseCase::TenantCreate => {
                let made = crate::accounts::create_tenant(
                    app,
                    "beta",
                    "Beta",
                    "boss@beta.test",
                    ordo_core::tenant::Plan::Free,
                    Locale::Fr,
                    false,
                )
                .await
                .unwrap();
                return made.tenant.id;
            }
            UseCase::MemberInvite => {
                crate::accounts::invite(app, tenant, owner, "ivy@acme.test", Role::Guest, IP).await.unwrap();
            }
            UseCase::AccountActivate => {
                let id = crate::accounts::invite(app, tenant, owner, "ana@acme.test", Role::Member, IP).await.unwrap();
                let token = self.token(tenant.id, id, TokenPurpose::Activation).await;
                crate::accounts::activate(app, tenant, &token, PASSWORD, "Ana", IP).await.unwrap();
            }
            UseCase::Login => {
                crate::accounts::login(
                    app,
                    tenant,
                    "mia@acme.test",
                    PASSWORD,
                    crate::accounts::Signing::new(IP, "test"),
                )
                .await
                .unwrap();
            }
            UseCase::LoginFailure => {
                let r = crate::accounts::login(
                    app,
                    tenant,
                    "mia@acme.test",
                    "wrong",
                    crate::accounts::Signing::new(IP, "test"),
                )
                .await;
                assert!(matches!(r, Err(crate::AppError::BadCredentials)));
            }
            UseCase::LoginThrottle => {
                let mut throttled = false;
                for _ in 0..50 {
                    let r = crate::accounts::login(
                        app,
                        tenant,
                        "nobody@acme.test",
                        "wrong",
                        crate::accounts::Signing::new("10.0.0.9", "t"),
                    )
                    .await;
                    if matches!(r, Err(crate::AppError::Throttled { .. })) {
                        throttled = true;
                        break;
                    }
                }
                assert!(throttled, "never throttled");
            }
            UseCase::Logout => {
                let s = mia_signs_in(app, tenant).await;
                crate::accounts::logout(app, tenant, &s.session, IP).await.unwrap();
            }
            UseCase::SessionEnd => {
                let s = mia_signs_in(app, tenant).await;
                crate::accounts::end_session(app, tenant, &self.member, s.session.id, IP).await.unwrap();
            }
            UseCase::PasswordForgot => {
                crate::accounts::forgot_password(app, tenant, "mia@acme.test", IP, Locale::En).await.unwrap();
            }
            UseCase::PasswordReset => {
                let token = self.token(tenant.id, self.member.id, TokenPurpose::Reset).await;
                crate::accounts::reset_password(app, tenant, &token, PASSWORD, IP).await.unwrap();
            }
            UseCase::PasswordChange => {
                let s = mia_signs_in(app, tenant).await;
                let change =
                    crate::accounts::PasswordChange { current: PASSWORD, new: PASSWORD, end_other_sessions: true };
                crate::accounts::change_password(app, tenant, &s.user, s.session.id, change, IP).await.unwrap();
            }
            UseCase::MemberRole => {
                crate::accounts::set_role(app, tenant, owner, self.member.id, Role::Admin, IP).await.unwrap();
            }
            UseCase::MemberDisable => {
                let u = self.t.member("dan@acme.test", Role::Member).await;
                crate::accounts::set_disabled(app, tenant, owner, u.id, true, IP).await.unwrap();
            }
            UseCase::MemberEnable => {
                let u = self.t.member("eve@acme.test", Role::Member).await;
                crate::accounts::set_disabled(app, tenant, owner, u.id, true, IP).await.unwrap();
                crate::accounts::set_disabled(app, tenant, owner, u.id, false, IP).await.unwrap();
            }
            UseCase::ProfileUpdate => {
                crate::accounts::update_profile(
                    app,
                    tenant,
                    owner,
                    crate::accounts::Profile {
                        display_name: "Olive O.",
                        phone: "+33 1 23 45 67 89",
                        locale: Locale::Fr,
                        time_zone: "Europe/Paris",
                    },
                    IP,
                )
                .await
                .unwrap();
            }
            UseCase::ApiTokenCreate => {
                crate::accounts::create_api_token(app, tenant, owner, "script").await.unwrap();
            }
            UseCase::ApiTokenRevoke => {
                let (id, _) = crate::accounts::create_api_token(app, tenant, owner, "old").await.unwrap();
                crate::accounts::revoke_api_token(app, tenant, owner, &id).await.unwrap();
            }
            UseCase::RemindersSet => crate::reminders::set_wanted(app, tenant, owner, false).await.unwrap(),
            UseCase::CalendarFeedCreate => {
                crate::feeds::create(app, tenant, owner).await.unwrap();
            }
            UseCase::CalendarFeedRevoke => {
                crate::feeds::create(app, tenant, owner).await.unwrap();
                assert!(crate::feeds::revoke(app, tenant, owner).await.unwrap());
            }
            UseCase::EncryptionEnable | UseCase::EncryptionDisable => {
                // The tenant encrypts: switched off, then on again.
                crate::keyops::set_encryption(app, &tenant.slug, false, "test").await.unwrap();
                crate::keyops::set_encryption(app, &tenant.slug, true, "test").await.unwrap();
            }
            UseCase::KeyRotate => {
                crate::keyops::rotate_tenant_key(app, &tenant.slug).await.unwrap();
            }
            UseCase::BackupSchedule => crate::backups::set_schedule(app, &tenant.slug, 6).await.unwrap(),
            UseCase::SupportGrant | UseCase::SupportRevoke => {
                let staff = self.staff_agent().await;
                let id = crate::support::grant(app, tenant, owner, m, staff, 2, IP).await.unwrap();
                if use_case == UseCase::SupportRevoke {
                    crate::support::revoke(app, tenant, owner, &id, IP).await.unwrap();
                }
            }
            UseCase::TemplateSave => {
                crate::templates::save_from_meeting(app, tenant, owner, &m.to_string(), "Weekly agenda").await.unwrap();
            }
            UseCase::TemplateDelete => {
                let id = crate::templates::save_from_meeting(app, tenant, owner, &m.to_string(), "Old").await.unwrap();
                crate::templates::delete(app, tenant, owner, id).await.unwrap();
            }
            UseCase::MeetingCreate => {
                meetings::create(app, tenant, owner, input("One-off")).await.unwrap();
            }
            UseCase::SeriesCreate => {
                let repeat = crate::series::Repeat { frequency: "weekly", interval: "1", until: "", count: "4" };
                crate::series::create(app, tenant, owner, input("Stand-up"), repeat, None).await.unwrap();
            }
            UseCase::MeetingFollowUp => {
                crate::series::prepare_next(app, tenant, owner, m, Some("2031-03-10T09:30")).await.unwrap();
            }
            UseCase::MeetingUpdate => {
                let version = meetings::page(app, tenant, owner, m).await.unwrap().meeting.version;
                meetings::update(app, tenant, owner, m, input("Weekly review"), version).await.unwrap();
            }
            UseCase::MeetingCancel | UseCase::MeetingArchive => {
                let other = meetings::create(app, tenant, owner, input("Spare")).await.unwrap();
                let status =
                    if use_case == UseCase::MeetingCancel { MeetingStatus::Cancelled } else { MeetingStatus::Archived };
                meetings::set_status(app, tenant, owner, other, status).await.unwrap();
            }
            UseCase::MeetingShare => {
                meetings::share(app, tenant, owner, m).await.unwrap();
            }
            UseCase::MinutesSend => {
                crate::minutes::send(app, tenant, owner, m, Default::default()).await.unwrap();
            }
            UseCase::ParticipantAdd => {
                meetings::add_participant(app, tenant, owner, m, "guest@elsewhere.test", MeetingRole::Reader)
                    .await
                    .unwrap();
            }
            UseCase::ParticipantRole => {
                meetings::set_participant_role(app, tenant, owner, m, self.member.id, MeetingRole::Contributor)
                    .await
                    .unwrap();
            }
            UseCase::ParticipantRemove => {
                let u = meetings::add_participant(app, tenant, owner, m, "gone@elsewhere.test", MeetingRole::Reader)
                    .await
                    .unwrap();
                meetings::remove_participant(app, tenant, owner, m, u).await.unwrap();
            }
            UseCase::ParticipantPresence => {
                meetings::set_presence(app, tenant, owner, m, self.member.id, Some(true)).await.unwrap();
            }
            UseCase::TopicAdd => {
                meetings::add_topic(app, tenant, owner, m, Some(topic), "Details").await.unwrap();
            }
            UseCase::TopicRename => meetings::rename_topic(app, tenant, owner, m, topic, "Budget 2031").await.unwrap(),
            UseCase::TopicMove => {
                meetings::add_topic(app, tenant, owner, m, None, "Other").await.unwrap();
                meetings::move_topic(app, tenant, owner, m, topic, TopicMove::Down).await.unwrap();
            }
            UseCase::TopicDelete => {
                let t = meetings::add_topic(app, tenant, owner, m, None, "Doomed").await.unwrap();
                meetings::add_element(app, tenant, owner, m, action(t, "Doomed too")).await.unwrap();
                meetings::delete_topic(app, tenant, owner, m, t).await.unwrap();
            }
            UseCase::ContributorAssign | UseCase::ContributorRemove => {
                meetings::assign_topic_contributor(app, tenant, owner, m, topic, self.member.id).await.unwrap();
                if use_case == UseCase::ContributorRemove {
                    meetings::remove_topic_contributor(app, tenant, owner, m, topic, self.member.id).await.unwrap();
                }
            }
            UseCase::ElementAdd => {
                meetings::add_element(app, tenant, owner, m, action(topic, "Send the report")).await.unwrap();
            }
            UseCase::ImageAdd => {
                meetings::add_image(app, tenant, owner, m, topic, "chart", png()).await.unwrap();
            }
            UseCase::ElementEdit => {
                let page = meetings::page(app, tenant, owner, m).await.unwrap();
                let version = page.content.elements.iter().find(|e| e.id == element).unwrap().version;
                let edit = ElementEdit {
                    title: Some("Call the bank today"),
                    description: Some("<p>About the <strong>loan</strong></p>"),
                    due_date: Some("2031-03-05"),
                    topic: Some(topic),
                    owners: Some(vec![self.member.id]),
                    version,
                };
                meetings::update_element(app, tenant, owner, m, element, edit).await.unwrap();
            }
            UseCase::ElementStatus => {
                meetings::set_action_status(app, tenant, owner, m, element, ActionStatus::Done).await.unwrap();
            }
            UseCase::ElementMove => {
                meetings::add_element(app, tenant, owner, m, action(topic, "Second")).await.unwrap();
                meetings::move_element(app, tenant, owner, m, element, false).await.unwrap();
            }
            UseCase::ElementDelete => {
                let e = meetings::add_element(app, tenant, owner, m, action(topic, "Mistake")).await.unwrap();
                meetings::delete_element(app, tenant, owner, m, e).await.unwrap();
            }
            UseCase::CommentAdd => {
                meetings::add_comment(app, tenant, &self.member, m, element, None, "Which bank?").await.unwrap();
            }
            UseCase::CommentEdit => {
                let c = meetings::add_comment(app, tenant, owner, m, element, None, "Typo").await.unwrap();
                meetings::edit_comment(app, tenant, owner, m, c, "No typo").await.unwrap();
            }
            UseCase::CommentDelete => {
                let c = meetings::add_comment(app, tenant, owner, m, element, None, "Oops").await.unwrap();
                meetings::add_comment(app, tenant, &self.member, m, element, Some(c), "A reply").await.unwrap();
                meetings::delete_comment(app, tenant, owner, m, c).await.unwrap();
            }
        }
        tenant.id
    }

    /// A support agent who has answered this tenant's chat (the only staff
    /// a tenant admin may grant access to).
    async fn staff_agent(&self) -> ordo_core::ids::StaffId {
        let app = &self.t.app;
        if let Some((id, _)) =
            crate::support::grantable_staff(app, &self.t.tenant, &self.t.owner).await.unwrap().first()
        {
            return *id;
        }
        let role = ordo_core::staff::PlatformRole::SupportAgent;
        let (_, link) = crate::staff::invite(app, None, "agent@ordo.test", "Sam Agent", role).await.unwrap();
        let token = link.rsplit('/').next().unwrap();
        let id = crate::staff::activate(app, token, "an agent's long passphrase").await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        // Enrolled in the second factor (the secret is not used here).
        tx.set_staff_totp(id, "p:unused", 0, &[], app.now()).await.unwrap();
        tx.set_staff_available(id, true, app.now()).await.unwrap();
        tx.commit().await.unwrap();
        let m = crate::support::NewMessage { body: "Hello, can you help?", image: None };
        crate::support::user_send(app, &self.t.tenant, &self.t.owner, m).await.unwrap();
        id
    }
}

fn action(topic: TopicId, title: &str) -> ElementInput<'_> {
    ElementInput { topic, kind: ElementKind::Action, title, description: "", due_date: "", owners: Vec::new() }
}

both!(every_write_use_case_leaves_its_record, |engine| {
    let w = World::new(TestApp::new(engine).await).await;
    for &use_case in UseCase::ALL {
        let tenant = w.t.tenant.id;
        let audit_before = match use_case.audit() {
            Some(k) => w.audits(tenant, k).await,
            None => 0,
        };
        let history_before = w.histories(tenant, use_case).await;
        let wrote_to = w.run(use_case).await;
        if let Some(kind) = use_case.audit() {
            let before = if wrote_to == tenant { audit_before } else { 0 };
            assert!(w.audits(wrote_to, kind).await > before, "{use_case:?} wrote no {kind} audit entry");
        }
        if use_case.history() {
            assert!(w.histories(wrote_to, use_case).await > history_before, "{use_case:?} wrote no history entry");
        }
    }
    // The chain still verifies after all of them.
    let check = w.t.app.store.verify_audit_chain(w.t.tenant.id).await.unwrap();
    assert!(matches!(check, ordo_store::ChainCheck::Intact { .. }), "{check:?}");
});

/// The member signs in, as every session use case needs.
async fn mia_signs_in(app: &crate::App, tenant: &ordo_store::Tenant) -> crate::accounts::LoggedIn {
    crate::accounts::login(app, tenant, "mia@acme.test", PASSWORD, crate::accounts::Signing::new(IP, "t"))
        .await
        .unwrap()
}
