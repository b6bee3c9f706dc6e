//! The support chat (requirement M17) and support's access to a meeting:
//! a user writes from their tenant, an agent answers from the console, live
//! (server-sent events) or by e-mail when the user is away; Enterprise
//! tenants' conversations go to their CSM, others round-robin; support
//! reads a meeting only under a tenant admin's grant, which ends, can be
//! revoked, and is audited at every read.

use crate::console::{SignedIn, staff_signed_in};
use crate::helpers::*;
use ordo_core::staff::PlatformRole;
use std::time::Duration;

async fn send(c: &Client, slug: &str, body: &str, image: Option<&[u8]>) -> Resp {
    c.get(&format!("/t/{slug}/support")).await;
    c.post_multipart(&format!("/t/{slug}/support"), &[("body", body)], image.map(|b| ("p.png", "image/png", b))).await
}

fn conversation_of(inbox: &str, slug: &str) -> String {
    let marker = format!("/ops/support/{slug}/");
    let i = inbox.find(&marker).unwrap_or_else(|| panic!("no conversation of {slug} in {inbox}"));
    inbox[i + marker.len()..i + marker.len() + 36].to_owned()
}

both!(a_user_and_support_talk_live_and_a_reply_reaches_an_away_user_by_mail, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, user) = t.tenant_with_owner().await;
    let agent: SignedIn = staff_signed_in(&t, PlatformRole::SupportAgent).await;
    // Every page has the chat button.
    let home = user.get(&format!("/t/{slug}/")).await.body;
    assert!(home.contains(&format!("href=\"/t/{slug}/support\"")), "{home}");
    assert!(user.get(&format!("/t/{slug}/support")).await.body.contains("How can we help?"));
    let r = send(&user, &slug, "The export button does nothing", None).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Sealed like any of the tenant's data.
    assert!(t.db.text("SELECT body FROM support_messages").await.starts_with("e1."));

    // The agent finds it, assigned to them (the only agent), unread.
    let inbox = agent.client.get("/ops/support").await.body;
    assert!(inbox.contains(&format!("Org {slug}")) && inbox.contains("Sam support_agent"), "{inbox}");
    assert!(inbox.contains("class=\"unread-count\">1<"), "{inbox}");
    let conversation = conversation_of(&inbox, &slug);
    let path = format!("/ops/support/{slug}/{conversation}");
    let page = agent.client.get(&path).await.body;
    assert!(page.contains("The export button does nothing") && page.contains("Olivia Owner"), "{page}");
    assert!(!agent.client.get("/ops/support").await.body.contains("unread-count"), "read");

    // Live: the user's stream receives the reply as it is written.
    let stream = {
        let user_cookies = user.cookies.lock().unwrap().clone();
        let c = Client::new(&t.base);
        *c.cookies.lock().unwrap() = user_cookies;
        let path = format!("/t/{slug}/support/events?after=1");
        tokio::spawn(async move { stream_until(&c, &path, "Try reloading once").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    agent.client.get(&path).await;
    let r = agent.client.post_multipart(&path, &[("body", "Try reloading once")], None).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let got = tokio::time::timeout(Duration::from_secs(15), stream).await.unwrap().unwrap();
    assert!(got.contains("\"from_support\":true") && got.contains("\"author\":\"Sam support_agent\""), "{got}");
    // Seen live: nothing left unread, no e-mail.
    assert_eq!(user.get(&format!("/t/{slug}/support/unread")).await.json()["unread"], 0);
    assert!(user.get(&format!("/t/{slug}/support")).await.body.contains("Try reloading once"));

    // The chat left open for long without news: still here, not mailed.
    let stream = {
        let user_cookies = user.cookies.lock().unwrap().clone();
        let c = Client::new(&t.base);
        *c.cookies.lock().unwrap() = user_cookies;
        let path = format!("/t/{slug}/support/events?after=2");
        tokio::spawn(async move { stream_until(&c, &path, "Still looking into it").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    t.clock.advance_secs(5 * 60);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let queued = t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM mail_outbox").await;
    agent.client.get(&path).await;
    agent.client.post_multipart(&path, &[("body", "Still looking into it")], None).await;
    tokio::time::timeout(Duration::from_secs(15), stream).await.unwrap().unwrap();
    assert_eq!(
        t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM mail_outbox").await,
        queued,
        "no mail to someone watching"
    );

    // Away (the chat closed for a few minutes): the reply is e-mailed with a link back.
    let before = t.mails_to(&owner).len();
    t.clock.advance_secs(5 * 60);
    agent.client.get(&path).await;
    agent.client.post_multipart(&path, &[("body", "Fixed on our side")], None).await;
    let mails = t.wait_mails(&owner, before + 1).await;
    let mail = mails.last().unwrap();
    assert!(mail.body.contains("Fixed on our side"), "{}", mail.body);
    assert!(mail.link("/support").is_some(), "{}", mail.body);
    // The chat button counts it until the user reads it.
    assert_eq!(user.get(&format!("/t/{slug}/support/unread")).await.json()["unread"], 1);
    assert!(user.get(&format!("/t/{slug}/support")).await.body.contains("Fixed on our side"));
    assert_eq!(user.get(&format!("/t/{slug}/support/unread")).await.json()["unread"], 0);

    // Pictures: checked, served to both sides with their type, refused when not one.
    let r = send(&user, &slug, "", Some(&png(10, 10))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = user.get(&format!("/t/{slug}/support")).await.body;
    let img = page.split("class=\"chat-image\" src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let res = user.get(&img).await;
    assert_eq!((res.status, res.header("content-type").as_deref()), (200, Some("image/png")));
    let id = img.rsplit('/').next().unwrap();
    let res = agent.client.get(&format!("{path}/images/{id}")).await;
    assert_eq!(res.header("content-type").as_deref(), Some("image/png"));
    let r = send(&user, &slug, "", Some(b"<svg onload=alert(1)>")).await;
    assert_eq!(r.status, 422);
    let r = send(&user, &slug, "   ", None).await;
    assert_eq!(r.status, 422, "an empty message");
    // Another tenant's user sees none of it.
    let (other, _o, oc) = t.tenant_with_owner().await;
    assert_eq!(oc.get(&format!("/t/{slug}/support/images/{id}")).await.status, 404);
    assert!(!oc.get(&format!("/t/{other}/support")).await.body.contains("export button"));

    // Streams answer this origin only.
    let cross = user.clone_with_header("sec-fetch-site", "cross-site");
    assert_eq!(cross.get_head(&format!("/t/{slug}/support/events")).await.0, 403);
    let evil = user.clone_with_header("origin", "https://evil.example");
    assert_eq!(evil.get_head(&format!("/t/{slug}/support/events")).await.0, 403);

    // Resolved: the next message opens a new conversation.
    agent.client.get(&path).await;
    agent.client.post_form(&format!("{path}/status"), &[("status", "resolved")]).await;
    send(&user, &slug, "Another question", None).await;
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM support_conversations").await, "2");
});

async fn assigned(t: &TestApp, slug: &str) -> String {
    t.db.text(&format!(
        "SELECT assigned_to FROM support_conversations s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = '{slug}'"
    ))
    .await
}

both!(enterprise_conversations_go_to_their_csm_and_the_others_round_robin, |engine| {
    let t = TestApp::spawn(engine).await;
    let ada = staff_signed_in(&t, PlatformRole::SupportAgent).await;
    let bob = staff_signed_in(&t, PlatformRole::SupportAgent).await;
    let csm = staff_signed_in(&t, PlatformRole::Csm).await;
    let admin = staff_signed_in(&t, PlatformRole::OperatorAdmin).await;
    let (big, big_owner) = t.tenant(ordo_core::tenant::Plan::Enterprise).await;
    let link = t.link_in_mail(&big_owner, "/activate/").await;
    let bc = t.client();
    bc.activate(&link, "Erin Enterprise", PASSWORD).await;
    bc.login(&big, &big_owner, PASSWORD).await;
    admin.client.get(&format!("/ops/tenants/{big}")).await;
    let r = admin.client.post_form(&format!("/ops/tenants/{big}/csm"), &[("csm", &csm.id.to_string())]).await;
    assert_eq!(r.status, 303);
    send(&bc, &big, "We need help with SSO", None).await;
    assert_eq!(assigned(&t, &big).await, csm.id.to_string(), "the Enterprise tenant's CSM");
    // Two small tenants: one agent each, in turn.
    let (a, _, ac) = t.tenant_with_owner().await;
    let (b, _, bcl) = t.tenant_with_owner().await;
    send(&ac, &a, "Hello", None).await;
    send(&bcl, &b, "Hello", None).await;
    let (first, second) = (assigned(&t, &a).await, assigned(&t, &b).await);
    assert_ne!(first, second, "round-robin");
    let agents = [ada.id.to_string(), bob.id.to_string()];
    assert!(agents.contains(&first) && agents.contains(&second));
    // Bob steps away: new conversations pass him by until he is back.
    let inbox = bob.client.get("/ops/support").await.body;
    assert!(inbox.contains("Mark me away"), "{inbox}");
    let r = bob.client.post_form("/ops/support/availability", &[("available", "0")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(bob.client.get("/ops/support").await.body.contains("You are away"));
    assert_eq!(bob.client.post_form("/ops/support/availability", &[("available", "maybe")]).await.status, 422);
    for _ in 0..2 {
        let (c, _, cc) = t.tenant_with_owner().await;
        send(&cc, &c, "Hello", None).await;
        assert_eq!(assigned(&t, &c).await, ada.id.to_string(), "the only agent available");
    }
    bob.client.post_form("/ops/support/availability", &[("available", "1")]).await;
    let (c, _, cc) = t.tenant_with_owner().await;
    send(&cc, &c, "Hello", None).await;
    assert_eq!(assigned(&t, &c).await, bob.id.to_string(), "back, and the one given a conversation longest ago");
    // The CSM's inbox lists their tenant's conversation first.
    let inbox = csm.client.get("/ops/support").await.body;
    assert!(
        inbox.find(&format!("Org {big}")).unwrap() < inbox.find("<tr class=\"conversation\"").unwrap_or(usize::MAX)
    );
});

both!(support_reads_a_meeting_only_under_a_grant_that_ends_is_revoked_and_is_audited, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, admin) = t.tenant_with_owner().await;
    let agent = staff_signed_in(&t, PlatformRole::SupportAgent).await;
    // A CSM of other tenants: never given this one's conversations.
    let stranger = staff_signed_in(&t, PlatformRole::Csm).await;
    admin.get(&format!("/t/{slug}/meetings")).await;
    let r = admin
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Quarterly budget"),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "UTC"),
                ("duration_minutes", "30"),
            ],
        )
        .await;
    let meeting = r.location().split('?').next().unwrap().rsplit('/').next().unwrap().to_owned();
    admin.post_form(&format!("/t/{slug}/meetings/{meeting}/topics"), &[("title", "Salaries")]).await;
    let view = format!("/ops/grants/{slug}/{meeting}");
    // Support sees nothing of it by default.
    assert_eq!(agent.client.get(&view).await.status, 404);
    // Only staff who talked with this organisation may be chosen.
    let page = admin.get(&format!("/t/{slug}/admin/support")).await.body;
    assert!(page.contains("Nobody from support has talked"), "{page}");
    send(&admin, &slug, "Can you look at our budget meeting?", None).await;
    let r = admin
        .post_form(
            &format!("/t/{slug}/admin/support/grants"),
            &[("meeting", &meeting), ("staff", &stranger.id.to_string()), ("hours", "2")],
        )
        .await;
    assert_eq!(r.status, 422, "a stranger to this organisation");
    let page = admin.get(&format!("/t/{slug}/admin/support")).await.body;
    assert!(page.contains(&agent.id.to_string()) && !page.contains(&stranger.id.to_string()), "{page}");
    let r = admin
        .post_form(
            &format!("/t/{slug}/admin/support/grants"),
            &[("meeting", &meeting), ("staff", &agent.id.to_string()), ("hours", "2")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Granted: the agent reads it (the listed meeting), each read audited;
    // the other agent still does not.
    assert!(agent.client.get("/ops/support").await.body.contains(&view));
    let page = agent.client.get(&view).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Quarterly budget") && page.body.contains("Salaries"));
    agent.client.get(&view).await;
    assert_eq!(stranger.client.get(&view).await.status, 404);
    let audit = admin.get(&format!("/t/{slug}/admin/audit")).await.body;
    assert_eq!(audit.matches("Meeting read by support").count(), 2, "{audit}");
    assert!(audit.contains("Support given access to a meeting"));
    // It ends by itself (two hours on, both sign in again).
    t.clock.advance_secs(2 * 3600 + 1);
    crate::console::sign_in_again(&t, &agent).await;
    admin.login(&slug, &owner, PASSWORD).await;
    assert_eq!(agent.client.get(&view).await.status, 404);
    let page = admin.get(&format!("/t/{slug}/admin/support")).await.body;
    assert!(page.contains("Ended"), "{page}");
    // Granted again, then revoked: over at once.
    admin
        .post_form(
            &format!("/t/{slug}/admin/support/grants"),
            &[("meeting", &meeting), ("staff", &agent.id.to_string()), ("hours", "24")],
        )
        .await;
    assert_eq!(agent.client.get(&view).await.status, 200);
    let page = admin.get(&format!("/t/{slug}/admin/support")).await.body;
    let grant = page.split("name=\"grant\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = admin.post_form(&format!("/t/{slug}/admin/support/revoke"), &[("grant", &grant)]).await;
    assert_eq!(r.status, 303);
    assert_eq!(agent.client.get(&view).await.status, 404);
    assert!(admin.get(&format!("/t/{slug}/admin/audit")).await.body.contains("access to a meeting revoked"));
    assert_eq!(admin.post_form(&format!("/t/{slug}/admin/support/revoke"), &[("grant", &grant)]).await.status, 422);
    let r = admin
        .post_form(
            &format!("/t/{slug}/admin/support/grants"),
            &[("meeting", &meeting), ("staff", &agent.id.to_string()), ("hours", "100")],
        )
        .await;
    assert_eq!(r.status, 422, "at most 72 hours");
});
