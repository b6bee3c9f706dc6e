//! The access matrix: every meeting route of the route table × every kind of
//! caller (anonymous, another tenant, a tenant guest and a tenant admin who
//! do not take part, reader, contributor, editor, organiser), each against a
//! fresh meeting, with the expected answer derived from the meeting policy.
//! A meeting route without its policy action in the table fails the test.

use crate::helpers::*;
use ordo_app::meetings::{self, ElementInput, MeetingInput};
use ordo_core::meeting::{ElementKind, MeetingAction, MeetingActor, MeetingRole, MeetingStatus, authorize_meeting};
use ordo_core::user::Role;
use ordo_web::routes::{Access, TENANT_ROUTES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anonymous,
    OtherTenant,
    TenantGuest,
    TenantAdmin,
    In(MeetingRole),
}

struct Fresh {
    id: String,
    topic: String,
    /// A second topic, whose contributors list the bystander.
    second: String,
    /// The organiser's remark on the action.
    comment: String,
    action: String,
    image: String,
    version: String,
    organiser: String,
    /// A participant who is none of the callers (removed, or given a role).
    bystander: String,
    /// A history entry holding a note's previous text.
    entry: String,
}

/// A shared meeting with one topic and one action owned by the organiser,
/// and the three participants.
async fn fresh_meeting(t: &TestApp, slug: &str, organiser: &str, people: &[(String, MeetingRole)]) -> Fresh {
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(slug).unwrap()).await.unwrap().unwrap();
    let keys = t.app.keys.for_tenant(&t.store, &tenant).await.unwrap();
    let org_row = t.store.user_by_email_index(tenant.id, &keys.email_index(organiser)).await.unwrap().unwrap();
    let org = ordo_app::accounts::open_user(&keys, org_row).unwrap();
    let input = MeetingInput {
        title: "Matrix",
        objectives: "",
        starts_at: "2026-12-01T09:30",
        time_zone: "UTC",
        duration_minutes: "30",
        place: "",
    };
    let id = meetings::create(&t.app, &tenant, &org, input).await.unwrap();
    for (email, role) in people {
        meetings::add_participant(&t.app, &tenant, &org, id, email, *role).await.unwrap();
    }
    let bystander = meetings::add_participant(&t.app, &tenant, &org, id, "bystander@example.org", MeetingRole::Reader)
        .await
        .unwrap();
    let topic = meetings::add_topic(&t.app, &tenant, &org, id, None, "Topic").await.unwrap();
    let second = meetings::add_topic(&t.app, &tenant, &org, id, None, "Second topic").await.unwrap();
    meetings::assign_topic_contributor(&t.app, &tenant, &org, id, second, bystander).await.unwrap();
    let input = ElementInput {
        topic,
        kind: ElementKind::Action,
        title: "Act",
        description: "",
        due_date: "",
        owners: vec![org.id],
    };
    let action = meetings::add_element(&t.app, &tenant, &org, id, input).await.unwrap();
    let image = meetings::add_image(&t.app, &tenant, &org, id, topic, "Picture", png(8, 8)).await.unwrap();
    let comment = meetings::add_comment(&t.app, &tenant, &org, id, action, None, "A remark").await.unwrap();
    // A note edited once: its history entry can be put back (the action
    // keeps its first version for the routes that edit it).
    let input =
        ElementInput { topic, kind: ElementKind::Note, title: "Noted", description: "", due_date: "", owners: vec![] };
    let note = meetings::add_element(&t.app, &tenant, &org, id, input).await.unwrap();
    let edit = meetings::ElementEdit {
        title: Some("Noted"),
        description: Some("<p>Now</p>"),
        due_date: None,
        topic: None,
        owners: None,
        version: 1,
    };
    meetings::update_element(&t.app, &tenant, &org, id, note, edit).await.unwrap();
    let history = meetings::history(&t.app, &tenant, &org, id).await.unwrap();
    let entry = history.iter().find(|h| h.item_kind == "element" && h.before.is_some()).unwrap().id.to_string();
    meetings::share(&t.app, &tenant, &org, id).await.unwrap();
    // Added after sharing: sharing again has someone to invite.
    meetings::add_participant(&t.app, &tenant, &org, id, "latecomer@example.org", MeetingRole::Reader).await.unwrap();
    let version = t.store.meeting_by_id(tenant.id, id).await.unwrap().unwrap().version.to_string();
    Fresh {
        id: id.to_string(),
        topic: topic.to_string(),
        second: second.to_string(),
        comment: comment.to_string(),
        action: action.to_string(),
        image: image.to_string(),
        version,
        organiser: org.id.to_string(),
        bystander: bystander.to_string(),
        entry,
    }
}

fn json_for(method: &str, path: &str, f: &Fresh) -> String {
    if method == "PATCH" && path.ends_with("/meetings/{id}") {
        format!(r#"{{"version":{},"title":"Renamed"}}"#, f.version)
    } else if method == "PATCH" && path.ends_with("/participants/{user}") {
        r#"{"role":"editor"}"#.into()
    } else if method == "PATCH" && path.ends_with("/elements/{element}") {
        r#"{"version":1,"title":"Act better"}"#.into()
    } else if method == "PATCH" && path.ends_with("/topics/{topic}") {
        r#"{"title":"Renamed topic"}"#.into()
    } else if method == "PATCH" && path.ends_with("/comments/{comment}") {
        r#"{"body":"A remark, rewritten"}"#.into()
    } else if path.ends_with("/presence") {
        r#"{"present":true}"#.into()
    } else if path.ends_with("/contributors") {
        format!(r#"{{"user_id":"{}"}}"#, f.organiser)
    } else if path.ends_with("/move") {
        r#"{"position":1}"#.into()
    } else if path.ends_with("/participants") {
        r#"{"email":"newcomer@example.org","role":"reader"}"#.into()
    } else if path.ends_with("/topics") {
        r#"{"title":"Another topic"}"#.into()
    } else if path.ends_with("/{id}/elements") {
        format!(r#"{{"topic_id":"{}","kind":"note","title":"A note"}}"#, f.topic)
    } else if path.ends_with("/comments") {
        r#"{"body":"A remark"}"#.into()
    } else if path.ends_with("/status") {
        r#"{"status":"done"}"#.into()
    } else if path.ends_with("/next") {
        r#"{"starts_at":"2026-12-08T10:00"}"#.into()
    } else {
        "{}".into()
    }
}

fn body_for(path: &str, f: &Fresh) -> Vec<(String, String)> {
    let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    if path.ends_with("/{id}/edit") {
        v(&[
            ("title", "Renamed"),
            ("starts_at", "2026-12-01T10:00"),
            ("time_zone", "UTC"),
            ("duration_minutes", "30"),
            ("version", f.version.as_str()),
        ])
    } else if path.ends_with("/participants") {
        v(&[("email", "newcomer@example.org"), ("role", "reader")])
    } else if path.ends_with("/role") {
        v(&[("role", "editor")])
    } else if path.ends_with("/contributors") {
        v(&[("user", &f.organiser)])
    } else if path.ends_with("/topics") {
        v(&[("title", "Another topic")])
    } else if path.ends_with("/{id}/elements") {
        v(&[("topic", &f.topic), ("kind", "note"), ("title", "A note")])
    } else if path.ends_with("/status") {
        v(&[("status", "done")])
    } else if path.ends_with("/move") {
        v(&[("direction", "down")])
    } else if path.ends_with("/comments") {
        v(&[("body", "A remark")])
    } else if path.ends_with("/{topic}/edit") {
        v(&[("title", "Renamed topic")])
    } else if path.ends_with("/{element}/edit") {
        v(&[("title", "Act better"), ("topic", &f.topic), ("version", "1")])
    } else if path.ends_with("/next") {
        v(&[("starts_at", "2026-12-08T10:00")])
    } else if path.ends_with("/presence") {
        v(&[("present", "1")])
    } else if path.ends_with("/{comment}/edit") {
        v(&[("body", "A remark, rewritten")])
    } else {
        Vec::new()
    }
}

both!(every_meeting_route_answers_every_caller_as_the_policy_says, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, org) = t.tenant_with_owner().await;
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    let (_other_slug, _o, other) = t.tenant_with_owner().await;
    let (guest_email, guest) = t.member(&slug, &org, "guest").await;
    let (_admin_email, admin) = t.member(&slug, &org, "admin").await;
    let mut people = Vec::new();
    let mut clients = Vec::new();
    for role in [MeetingRole::Reader, MeetingRole::Contributor, MeetingRole::Editor] {
        let (email, c) = t.member(&slug, &org, "member").await;
        people.push((email, role));
        clients.push((Caller::In(role), c));
    }
    let _ = guest_email;
    let anon = t.client();
    let callers: Vec<(Caller, &Client)> = vec![
        (Caller::Anonymous, &anon),
        (Caller::OtherTenant, &other),
        (Caller::TenantGuest, &guest),
        (Caller::TenantAdmin, &admin),
        (Caller::In(MeetingRole::Organiser), &org),
    ]
    .into_iter()
    .chain(clients.iter().map(|(k, c)| (*k, c)))
    .collect();

    let meeting_routes: Vec<_> = TENANT_ROUTES.iter().filter(|r| r.path.contains("/meetings/{id}")).collect();
    assert!(meeting_routes.len() >= 47);
    let mut checked = 0;
    for route in meeting_routes {
        let action = route
            .meeting
            .unwrap_or_else(|| panic!("{} {} has no meeting action in the route table", route.method, route.path));
        assert_eq!(route.access, Access::User);
        for (caller, client) in &callers {
            let f = fresh_meeting(&t, &slug, &owner, &people).await;
            let element = if route.path.ends_with("/image") { &f.image } else { &f.action };
            // The bystander is a contributor of the second topic only.
            let topic = if route.path.contains("/contributors/{user}") { &f.second } else { &f.topic };
            let path = route
                .path
                .replace("{slug}", &slug)
                .replace("{id}", &f.id)
                .replace("{element}", element)
                .replace("{topic}", topic)
                .replace("{comment}", &f.comment)
                .replace("{entry}", &f.entry)
                .replace("{user}", &f.bystander);
            let meeting_id: ordo_core::ids::MeetingId = f.id.parse().unwrap();
            let revision_before = t.store.meeting_by_id(tenant.id, meeting_id).await.unwrap().unwrap().revision;
            // Load a page first so the client holds a fresh anti-forgery token.
            client.get(&format!("/t/{slug}/")).await;
            let is_api = route.path.contains("/api/");
            let res = if route.path.ends_with("/events") {
                // A live stream: its answer, not its (endless) body.
                let (status, location) = client.get_head(&path).await;
                let mut headers = reqwest::header::HeaderMap::new();
                if let Ok(v) = location.parse() {
                    headers.insert("location", v);
                }
                Resp { status, headers, body: String::new(), bytes: Vec::new() }
            } else if route.method == "GET" {
                client.get(&path).await
            } else if route.path.ends_with("/images") {
                let topic_field = if is_api { "topic_id" } else { "topic" };
                client
                    .post_multipart(
                        &path,
                        &[(topic_field, &f.topic), ("title", "Another picture")],
                        Some(("p.png", "image/png", &png(8, 8))),
                    )
                    .await
            } else if is_api {
                let token = client.csrf.lock().unwrap().clone().unwrap_or_default();
                let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
                let req = client
                    .request(method, &path)
                    .header("content-type", "application/json")
                    .header("x-csrf-token", token)
                    .body(json_for(route.method, route.path, &f));
                client.send(req).await
            } else {
                let body = body_for(route.path, &f);
                let fields: Vec<(&str, &str)> = body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                client.post_form(&path, &fields).await
            };
            let expected_ok = match caller {
                Caller::In(role) => {
                    let who = MeetingActor { tenant_role: Role::Member, meeting_role: Some(*role), shared_with: true };
                    authorize_meeting(who, MeetingStatus::Shared, action)
                }
                _ => false,
            };
            let ok = matches!(res.status, 200 | 201 | 204 | 303)
                && !(res.status == 303 && res.location().contains("/login"));
            assert_eq!(
                ok,
                expected_ok,
                "{caller:?} {} {}: {} {}",
                route.method,
                route.path,
                res.status,
                res.location()
            );
            // Every change moves the meeting's revision forward (the cache
            // of decrypted meetings relies on it); a refused call does not.
            let revision_after = t.store.meeting_by_id(tenant.id, meeting_id).await.unwrap().unwrap().revision;
            if route.method != "GET" {
                // Sending the minutes changes nothing of the meeting.
                let changes = ok && action != MeetingAction::SendMinutes;
                assert_eq!(
                    revision_after > revision_before,
                    changes,
                    "{caller:?} {} {}: revision {revision_before} -> {revision_after}",
                    route.method,
                    route.path
                );
            }
            if !ok {
                let expected_status: &[u16] = match caller {
                    Caller::Anonymous => &[303, 401],
                    Caller::OtherTenant | Caller::TenantGuest | Caller::TenantAdmin => &[404],
                    Caller::In(_) => &[403],
                };
                assert!(
                    expected_status.contains(&res.status),
                    "{caller:?} {} {}: {}",
                    route.method,
                    route.path,
                    res.status
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 47 * 8);
});

/// Who calls a route that is not about one meeting: meeting roles do not
/// apply there, tenant roles do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TenantCaller {
    Anonymous,
    OtherTenant,
    Guest,
    Member,
    Admin,
}

/// A form body that the route's handler accepts or refuses on its merits
/// (never on a missing field): what is checked is who gets through.
fn tenant_form(path: &str, bystander_email: &str) -> Vec<(String, String)> {
    let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    if path.ends_with("/login") {
        v(&[("email", bystander_email), ("password", "not the password at all")])
    } else if path.ends_with("/forgot-password") {
        v(&[("email", bystander_email)])
    } else if path.contains("/activate/") || path.contains("/reset/") {
        v(&[("display_name", "Someone"), ("password", "a long enough password here")])
    } else if path.ends_with("/settings/profile") {
        v(&[("display_name", "Renamed Person"), ("locale", "en")])
    } else if path.ends_with("/settings/password") {
        v(&[("current_password", "wrong current password"), ("new_password", "another long password here")])
    } else if path.ends_with("/settings/tokens") {
        v(&[("name", "matrix token")])
    } else if path.ends_with("/meetings") {
        v(&[("title", "Matrix"), ("starts_at", "2026-12-01T09:30"), ("time_zone", "UTC"), ("duration_minutes", "30")])
    } else if path.ends_with("/invite") {
        v(&[("email", &TestApp::email("invitee")), ("role", "member")])
    } else if path.ends_with("/role") {
        v(&[("role", "member")])
    } else {
        Vec::new()
    }
}

fn tenant_json(path: &str) -> String {
    if path.ends_with("/meetings") {
        r#"{"title":"Matrix","starts_at":"2026-12-01T09:30","time_zone":"UTC","duration_minutes":30}"#.into()
    } else if path.ends_with("/members") {
        format!(r#"{{"email":"{}","role":"member"}}"#, TestApp::email("invitee"))
    } else if path.ends_with("/members/{id}") {
        r#"{"role":"member"}"#.into()
    } else if path.ends_with("/api/v1/tokens") {
        r#"{"name":"matrix token"}"#.into()
    } else if path.ends_with("/api/v1/me") {
        r#"{"display_name":"Renamed Person","locale":"en"}"#.into()
    } else {
        "{}".into()
    }
}

both!(every_other_tenant_route_answers_every_caller_by_its_access_class, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner_email, owner_client) = t.tenant_with_owner().await;
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    let keys = t.app.keys.for_tenant(&t.store, &tenant).await.unwrap();
    let owner_user = ordo_app::accounts::open_user(
        &keys,
        t.store.user_by_email_index(tenant.id, &keys.email_index(&owner_email)).await.unwrap().unwrap(),
    )
    .unwrap();
    let (_o, other_owner, other) = t.tenant_with_owner().await;
    let (bystander_email, _b) = t.member(&slug, &owner_client, "member").await;
    let bystander = t.store.user_by_email_index(tenant.id, &keys.email_index(&bystander_email)).await.unwrap().unwrap();
    let (guest_email, guest) = t.member(&slug, &owner_client, "guest").await;
    let (member_email, member) = t.member(&slug, &owner_client, "member").await;
    let (admin_email, admin) = t.member(&slug, &owner_client, "admin").await;
    let anon = t.client();
    let callers: Vec<(TenantCaller, &Client, String, String)> = vec![
        (TenantCaller::Anonymous, &anon, slug.clone(), String::new()),
        (TenantCaller::OtherTenant, &other, _o.clone(), other_owner.clone()),
        (TenantCaller::Guest, &guest, slug.clone(), guest_email.clone()),
        (TenantCaller::Member, &member, slug.clone(), member_email.clone()),
        (TenantCaller::Admin, &admin, slug.clone(), admin_email.clone()),
    ];
    let routes: Vec<_> = TENANT_ROUTES.iter().filter(|r| r.meeting.is_none()).collect();
    assert!(routes.len() >= 40, "{}", routes.len());
    let mut checked = 0;
    for route in &routes {
        for (caller, client, home_slug, email) in &callers {
            // Signed in again if a previous route signed the caller out.
            if *caller != TenantCaller::Anonymous && !client.signed_in(home_slug).await {
                client.login(home_slug, email, PASSWORD).await;
            }
            // Objects the caller may act on: a second session of theirs, a
            // token of theirs, a member to manage.
            let mut id = ordo_core::ids::UserId::new().to_string();
            if matches!(caller, TenantCaller::Guest | TenantCaller::Member | TenantCaller::Admin) {
                let user = t.store.user_by_email_index(tenant.id, &keys.email_index(email)).await.unwrap().unwrap();
                let user = ordo_app::accounts::open_user(&keys, user).unwrap();
                if route.path.contains("/sessions/{id}") {
                    let spare = t.client();
                    spare.login(&slug, email, PASSWORD).await;
                    let list = client.get(&format!("/t/{slug}/api/v1/sessions")).await.json();
                    id = list["sessions"].as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                } else if route.path.contains("/tokens/{id}") {
                    id = ordo_app::accounts::create_api_token(&t.app, &tenant, &user, "to revoke").await.unwrap().0;
                } else if route.path.contains("/members/{id}") {
                    id = bystander.id.to_string();
                } else if route.path.contains("/templates/{id}") {
                    // A template of the caller's own (a guest cannot save one: a member's).
                    let agenda: ordo_app::templates::Agenda =
                        serde_json::from_str(r#"{"topics":[{"title":"Weekly"}]}"#).unwrap();
                    let owner = if *caller == TenantCaller::Guest {
                        ordo_app::accounts::open_user(&keys, bystander.clone()).unwrap()
                    } else {
                        user.clone()
                    };
                    id = ordo_app::templates::save(&t.app, &tenant, &owner, "Matrix", &agenda)
                        .await
                        .unwrap()
                        .to_string();
                } else if route.path.contains("/support/grants/{id}") {
                    // A running grant of support's access to a meeting.
                    let input = MeetingInput {
                        title: "Granted",
                        objectives: "",
                        starts_at: "2026-12-07T09:00",
                        time_zone: "UTC",
                        duration_minutes: "30",
                        place: "",
                    };
                    let m = meetings::create(&t.app, &tenant, &owner_user, input).await.unwrap();
                    let now = t.app.now();
                    let g = ordo_store::GrantRow {
                        id: random_suffix(),
                        meeting_id: m,
                        staff_id: ordo_core::ids::StaffId::new(),
                        granted_by: owner_user.id,
                        created_at: now,
                        expires_at: now.plus_secs(3600),
                        revoked_at: None,
                    };
                    let mut tx = t.store.begin().await.unwrap();
                    tx.insert_grant(tenant.id, &g).await.unwrap();
                    tx.commit().await.unwrap();
                    id = g.id;
                } else if route.path.contains("/support/images/{id}") {
                    // A picture of the caller's own conversation.
                    let m = ordo_app::support::NewMessage { body: "", image: Some(png(4, 4)) };
                    let (c, _) = ordo_app::support::user_send(&t.app, &tenant, &user, m).await.unwrap();
                    let list = ordo_app::support::user_messages(&t.app, &tenant, &user, &c, 0).await.unwrap();
                    id = list.iter().rev().find(|m| m.image_type.is_some()).unwrap().id.clone();
                }
            }
            // A series with a meeting shared with the caller (a series
            // shows only the meetings one may see).
            let mut series = ordo_core::ids::SeriesId::new().to_string();
            if route.path.contains("{series}")
                && *caller != TenantCaller::Anonymous
                && *caller != TenantCaller::OtherTenant
            {
                let input = MeetingInput {
                    title: "Series",
                    objectives: "",
                    starts_at: "2026-12-07T09:00",
                    time_zone: "UTC",
                    duration_minutes: "30",
                    place: "",
                };
                let repeat = ordo_app::series::Repeat { frequency: "weekly", interval: "1", until: "", count: "3" };
                let m = ordo_app::series::create(&t.app, &tenant, &owner_user, input, repeat, None).await.unwrap();
                meetings::add_participant(&t.app, &tenant, &owner_user, m, email, MeetingRole::Reader).await.unwrap();
                meetings::share(&t.app, &tenant, &owner_user, m).await.unwrap();
                series = t.db.text(&format!("SELECT series_id FROM meetings WHERE id = '{m}'")).await;
            }
            let path = route
                .path
                .replace("{slug}", &slug)
                .replace("{id}", &id)
                .replace("{token}", "sometoken")
                .replace("{series}", &series);
            // A page first: the session's (or a visitor's) anti-forgery token.
            if *caller == TenantCaller::Anonymous || route.access == Access::Public {
                client.get(&format!("/t/{slug}/login")).await;
            } else {
                client.get(&format!("/t/{home_slug}/")).await;
            }
            let res = if route.path.ends_with("/events") {
                // A live stream: its answer, not its (endless) body.
                let (status, location) = client.get_head(&path).await;
                let mut headers = reqwest::header::HeaderMap::new();
                if let Ok(v) = location.parse() {
                    headers.insert("location", v);
                }
                Resp { status, headers, body: String::new(), bytes: Vec::new() }
            } else if route.method == "GET" {
                client.get(&path).await
            } else if route.path.contains("/api/") {
                let token = client.csrf.lock().unwrap().clone().unwrap_or_default();
                let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
                let req = client
                    .request(method, &path)
                    .header("content-type", "application/json")
                    .header("x-csrf-token", token)
                    .body(tenant_json(route.path));
                client.send(req).await
            } else {
                let body = tenant_form(route.path, &bystander_email);
                let fields: Vec<(&str, &str)> = body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                client.post_form(&path, &fields).await
            };
            let what = format!("{caller:?} {} {}: {} {}", route.method, route.path, res.status, res.location());
            assert!(res.status < 500, "{what} {}", res.body);
            // The middleware sends visitors to sign in with ?next=; a sign-out lands on the page too.
            let to_login = res.status == 303 && res.location().contains("/login?next=");
            let expected_ok = match (route.access, caller) {
                (Access::Public, _) => true,
                (_, TenantCaller::Anonymous | TenantCaller::OtherTenant) => false,
                (Access::User, _) => true,
                (Access::Member, c) => *c != TenantCaller::Guest,
                (Access::Admin, c) => *c == TenantCaller::Admin,
            };
            if route.access == Access::Public {
                // Reached by anyone: the handler's own answer (a failed
                // sign-in is 401, a bad link 410), never a refusal.
                assert!(!matches!(res.status, 403 | 404), "public: {what}");
            } else if expected_ok {
                assert!(!matches!(res.status, 401 | 403 | 404) && !to_login, "allowed: {what}");
            } else {
                let denied = match caller {
                    TenantCaller::Anonymous => res.status == 401 || to_login,
                    TenantCaller::OtherTenant => res.status == 404,
                    _ => res.status == 403,
                };
                assert!(denied, "denied: {what}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * callers.len());
    // Together with the meeting matrix, every route of the table is called.
    let meeting_routes = TENANT_ROUTES.iter().filter(|r| r.meeting.is_some()).count();
    assert_eq!(routes.len() + meeting_routes, TENANT_ROUTES.len());
    assert!(TENANT_ROUTES.iter().filter(|r| r.meeting.is_some()).all(|r| r.path.contains("/meetings/{id}")));
});

both!(archived_and_cancelled_meetings_refuse_every_change_to_everyone, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, org) = t.tenant_with_owner().await;
    let tenant = t.store.tenant_by_slug(&ordo_core::tenant::Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    let (editor_email, editor) = t.member(&slug, &org, "member").await;
    let people = vec![(editor_email, MeetingRole::Editor)];
    for status in [MeetingStatus::Archived, MeetingStatus::Cancelled] {
        for route in TENANT_ROUTES.iter().filter(|r| r.meeting.is_some() && r.method != "GET") {
            // Sending the minutes and preparing the next meeting change
            // nothing of this meeting: the policy allows them (unit-tested).
            let action = route.meeting.unwrap();
            let organiser = MeetingActor {
                tenant_role: Role::Owner,
                meeting_role: Some(MeetingRole::Organiser),
                shared_with: true,
            };
            if authorize_meeting(organiser, status, action) {
                assert!(matches!(action, MeetingAction::SendMinutes | MeetingAction::FollowUp), "{action:?}");
                continue;
            }
            let f = fresh_meeting(&t, &slug, &owner, &people).await;
            let id: ordo_core::ids::MeetingId = f.id.parse().unwrap();
            let keys = t.app.keys.for_tenant(&t.store, &tenant).await.unwrap();
            let org_row = t.store.user_by_email_index(tenant.id, &keys.email_index(&owner)).await.unwrap().unwrap();
            let org_user = ordo_app::accounts::open_user(&keys, org_row).unwrap();
            meetings::set_status(&t.app, &tenant, &org_user, id, status).await.unwrap();
            let before = t.store.meeting_by_id(tenant.id, id).await.unwrap().unwrap().revision;
            for client in [&org, &editor] {
                client.get(&format!("/t/{slug}/")).await;
                let topic = if route.path.contains("/contributors/{user}") { &f.second } else { &f.topic };
                let element = if route.path.ends_with("/image") { &f.image } else { &f.action };
                let path = route
                    .path
                    .replace("{slug}", &slug)
                    .replace("{id}", &f.id)
                    .replace("{element}", element)
                    .replace("{topic}", topic)
                    .replace("{comment}", &f.comment)
                    .replace("{entry}", &f.entry)
                    .replace("{user}", &f.bystander);
                let token = client.csrf.lock().unwrap().clone().unwrap_or_default();
                let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
                let res = if route.path.ends_with("/images") {
                    let field = if route.path.contains("/api/") { "topic_id" } else { "topic" };
                    client.post_multipart(&path, &[(field, &f.topic)], Some(("p.png", "image/png", &png(8, 8)))).await
                } else if route.path.contains("/api/") {
                    let req = client
                        .request(method, &path)
                        .header("content-type", "application/json")
                        .header("x-csrf-token", token)
                        .body(json_for(route.method, route.path, &f));
                    client.send(req).await
                } else {
                    let body = body_for(route.path, &f);
                    let fields: Vec<(&str, &str)> = body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    client.post_form(&path, &fields).await
                };
                assert_eq!(res.status, 403, "{status:?} {} {}: {}", route.method, route.path, res.status);
            }
            let after = t.store.meeting_by_id(tenant.id, id).await.unwrap().unwrap().revision;
            assert_eq!(before, after, "{status:?} {} {} changed the meeting", route.method, route.path);
        }
    }
});
