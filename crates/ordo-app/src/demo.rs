//! Demo and benchmark data: fills a tenant with realistic meetings (agenda,
//! decisions, actions with owners, remarks, photos of whiteboards), sealed
//! like real data, until it holds about the size asked for. Used to measure
//! backups and restores (`scripts/bench-backup.py`); never run by the server.

use crate::keys::Field;
use crate::{App, AppError};
use ordo_core::ids::{CommentId, ElementId, MeetingId, TopicId};
use ordo_core::meeting::{ActionStatus, ElementKind, MeetingRole, MeetingStatus};
use ordo_core::tenant::Slug;
use ordo_store::{AttachmentRow, CommentRow, ElementRow, MeetingRow, TopicRow};

const WORDS: &[&str] = &[
    "budget",
    "launch",
    "customer",
    "review",
    "release",
    "hiring",
    "roadmap",
    "pricing",
    "support",
    "quality",
    "deadline",
    "partner",
    "contract",
    "training",
    "security",
    "migration",
    "feedback",
    "report",
    "campaign",
    "inventory",
    "supplier",
    "meeting",
    "quarter",
    "forecast",
    "audit",
    "office",
    "planning",
    "design",
    "survey",
];

/// A small deterministic generator (xorshift): realistic-looking text
/// without a dependency, and photos that do not compress (like real ones).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn sentence(&mut self, words: usize) -> String {
        let s: Vec<&str> = (0..words).map(|_| WORDS[self.pick(WORDS.len())]).collect();
        let mut out = s.join(" ");
        if let Some(c) = out.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        out
    }
    /// A PNG of `w`×`h` noise: about w×h×3 bytes.
    fn photo(&mut self, w: u32, h: u32) -> Result<Vec<u8>, AppError> {
        let mut img = image::RgbImage::new(w, h);
        for p in img.pixels_mut() {
            let v = self.next().to_le_bytes();
            *p = image::Rgb([v[0], v[1], v[2]]);
        }
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).map_err(|_| AppError::Internal("demo image"))?;
        Ok(out.into_inner())
    }
}

/// Fill the tenant with meetings organised by its first owner until it
/// holds about `bytes` of stored data; returns (meetings, bytes written).
#[tracing::instrument(skip_all)]
pub async fn generate(app: &App, slug: &Slug, bytes: u64) -> Result<(u64, u64), AppError> {
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, &tenant).await?;
    let users = app.store.list_users(tenant.id).await?;
    let owner = users.iter().find(|u| u.role == ordo_core::user::Role::Owner).ok_or(AppError::NotFound)?.id;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ bytes);
    let (mut written, mut meetings) = (0u64, 0u64);
    let now = app.now();
    while written < bytes {
        let id = MeetingId::new();
        let rid = id.to_string();
        let title = format!("{} — week {}", rng.sentence(3), meetings % 52 + 1);
        let m = MeetingRow {
            tenant_id: tenant.id,
            id,
            title: keys.seal(Field::MeetingTitle, &rid, &title)?,
            objectives: keys.seal(Field::MeetingObjectives, &rid, &rng.sentence(25))?,
            place: keys.seal(Field::MeetingPlace, &rid, "Room 2 / video")?,
            starts_at: now.minus_secs(i64::try_from(meetings).unwrap_or(0) * 3600),
            time_zone: "Europe/Paris".into(),
            duration_minutes: 60,
            organiser_id: owner,
            status: MeetingStatus::Archived,
            version: 1,
            revision: 1,
            ics_sequence: 0,
            created_at: now,
            updated_at: now,
        };
        let mut tx = app.store.begin().await?;
        tx.insert_meeting(&m).await?;
        tx.set_participant(tenant.id, id, owner, MeetingRole::Organiser).await?;
        written += (title.len() + 200) as u64;
        let mut first_topic = None;
        for t in 0..5 {
            let tid = TopicId::new();
            let topic = TopicRow {
                id: tid,
                meeting_id: id,
                parent_id: None,
                position: t,
                title: keys.seal(Field::TopicTitle, &tid.to_string(), &rng.sentence(4))?,
            };
            tx.insert_topic(tenant.id, &topic, now).await?;
            first_topic.get_or_insert(tid);
            for e in 0..8 {
                let eid = ElementId::new();
                let erid = eid.to_string();
                let kind = [ElementKind::Decision, ElementKind::Action, ElementKind::Discuss, ElementKind::Note][e % 4];
                let description = format!("<p>{}</p><ul><li>{}</li></ul>", rng.sentence(30), rng.sentence(12));
                let row = ElementRow {
                    id: eid,
                    meeting_id: id,
                    topic_id: tid,
                    position: 0,
                    kind,
                    title: keys.seal(Field::ElementTitle, &erid, &rng.sentence(6))?,
                    description: keys.seal(Field::ElementDescription, &erid, &description)?,
                    due_date: (kind == ElementKind::Action).then(|| "2026-12-31".to_owned()),
                    action_status: (kind == ElementKind::Action).then_some(ActionStatus::Open),
                    created_by: owner,
                    version: 1,
                    updated_at: now,
                };
                tx.insert_element(tenant.id, &row, now).await?;
                written += (row.title.as_storage().len() + row.description.as_storage().len() + 300) as u64;
                if e % 4 == 0 {
                    let cid = CommentId::new();
                    let c = CommentRow {
                        id: cid,
                        meeting_id: id,
                        element_id: eid,
                        parent_id: None,
                        author_id: owner,
                        body: keys.seal(Field::CommentBody, &cid.to_string(), &rng.sentence(15))?,
                        created_at: now,
                    };
                    tx.insert_comment(tenant.id, &c).await?;
                    written += (c.body.as_storage().len() + 200) as u64;
                }
            }
        }
        // Two photos of the whiteboard per meeting.
        for _ in 0..2 {
            let eid = ElementId::new();
            let png = rng.photo(256, 192)?;
            let row = ElementRow {
                id: eid,
                meeting_id: id,
                // Filed under the meeting's first topic.
                topic_id: first_topic.ok_or(AppError::Internal("demo topic"))?,
                position: 0,
                kind: ElementKind::Image,
                title: keys.seal(Field::ElementTitle, &eid.to_string(), "Whiteboard")?,
                description: keys.seal(Field::ElementDescription, &eid.to_string(), "")?,
                due_date: None,
                action_status: None,
                created_by: owner,
                version: 1,
                updated_at: now,
            };
            tx.insert_element(tenant.id, &row, now).await?;
            let a = AttachmentRow {
                id: eid,
                meeting_id: id,
                content_type: "image/png".into(),
                size: png.len() as i64,
                width: 256,
                height: 192,
                data: keys.seal_bytes(Field::AttachmentData, &eid.to_string(), &png)?,
            };
            tx.insert_attachment(tenant.id, &a, now).await?;
            written += a.data.as_storage().len() as u64 + 300;
        }
        tx.commit().await?;
        meetings += 1;
    }
    Ok((meetings, written))
}

/// An element of the sample meetings (actions are the owner's).
fn sample_element<'a>(
    topic: TopicId,
    kind: ElementKind,
    title: &'a str,
    description: &'a str,
    due_date: &'a str,
    owner: ordo_core::ids::UserId,
) -> crate::meetings::ElementInput<'a> {
    let action = kind == ElementKind::Action;
    crate::meetings::ElementInput {
        topic,
        kind,
        title,
        description,
        due_date: if action { due_date } else { "" },
        owners: if action { vec![owner] } else { Vec::new() },
    }
}

/// A first look at Ordo: two meetings of a team, last week's and next
/// week's, organised by the tenant's owner, written through the use cases
/// like anything a user does (sealed, audited). Returns the meetings' ids.
#[tracing::instrument(skip_all)]
pub async fn sample(app: &App, slug: &Slug) -> Result<Vec<MeetingId>, AppError> {
    use crate::meetings::{self, MeetingInput};
    use ElementKind::*;
    let tenant = app.store.tenant_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, &tenant).await?;
    let row = app
        .store
        .list_users(tenant.id)
        .await?
        .into_iter()
        .find(|u| u.role == ordo_core::user::Role::Owner)
        .ok_or(AppError::NotFound)?;
    let owner = crate::accounts::open_user(&keys, row)?;
    let (o, day, now) = (owner.id, 86_400, app.now());
    let date = |secs: i64| ordo_core::meeting::Start::local(now.plus_secs(secs), "Europe/Paris")[..10].to_owned();
    let mut ids = Vec::new();
    for (title, at, past) in [("Launch preparation", -7 * day, true), ("Weekly team meeting", 7 * day, false)] {
        let start = format!("{}T09:30", date(at));
        let (due_before, due_after) = (date(at - 2 * day), date(at + 5 * day));
        let input = MeetingInput {
            title,
            objectives: "Review last week's actions, decide on the launch, share the news.",
            starts_at: &start,
            time_zone: "Europe/Paris",
            duration_minutes: "45",
            place: "Room 2 and video",
        };
        let id = meetings::create(app, &tenant, &owner, input).await?;
        let follow_up = meetings::add_topic(app, &tenant, &owner, id, None, "Actions from last time").await?;
        let launch = meetings::add_topic(app, &tenant, &owner, id, None, "Product launch").await?;
        let marketing = meetings::add_topic(app, &tenant, &owner, id, Some(launch), "Marketing").await?;
        let other = meetings::add_topic(app, &tenant, &owner, id, None, "Any other business").await?;
        let decision_text = "<p>Agreed by <b>everyone</b> present; the date is <mark>final</mark>.</p>";
        let mut added = Vec::new();
        for input in [
            sample_element(follow_up, Action, "Book the venue for the launch", "", &due_before, o),
            sample_element(launch, Decision, "Launch on the 15th", decision_text, "", o),
            sample_element(
                marketing,
                Action,
                "Prepare the press kit",
                "<ul><li>photos</li><li>quotes</li></ul>",
                &due_after,
                o,
            ),
            sample_element(marketing, Discuss, "Prices for schools", "", "", o),
            sample_element(other, Note, "Sales are up 12 % on last month", "", "", o),
        ] {
            added.push(meetings::add_element(app, &tenant, &owner, id, input).await?);
        }
        meetings::add_comment(app, &tenant, &owner, id, added[1], None, "The 15th is a Friday: fine for the press.")
            .await?;
        if past {
            meetings::set_action_status(app, &tenant, &owner, id, added[0], ActionStatus::Done).await?;
        }
        meetings::share(app, &tenant, &owner, id).await?;
        ids.push(id);
    }
    Ok(ids)
}
