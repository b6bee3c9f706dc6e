//! Reminders (issue 7): a daily e-mail to each user with open actions due
//! soon or overdue, at most once a day, with an opt-out.

use crate::helpers::*;

both!(a_daily_digest_lists_my_actions_due_soon_until_i_opt_out, |engine| {
    let t = TestApp::spawn(engine).await;
    // From 07:00 UTC today on: digests go from then.
    let secs = t.app.now().unix().rem_euclid(86_400);
    if secs < 7 * 3600 {
        t.clock.advance_secs(7 * 3600 - secs);
    }
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    let day = |n: i64| t.app.now().plus_secs(n * 86_400).date_utc();
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[("title", "Ops"), ("starts_at", "2026-12-07T09:30"), ("time_zone", "UTC"), ("duration_minutes", "30")],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Follow-up")]).await;
    let topic = org.get(&path).await.body.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    let member_id = t.db.text("SELECT user_id FROM meeting_participants WHERE role = 'contributor'").await;
    for (title, due) in [
        ("Renew the certificate", day(1)),
        ("Send the overdue invoice", day(-2)),
        ("Plan next year", day(10)),
        ("Already done thing", day(1)),
    ] {
        let r = org
            .post_form(
                &format!("{path}/elements"),
                &[("topic", &topic), ("kind", "action"), ("title", title), ("owner", &member_id), ("due_date", &due)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let page = org.get(&path).await.body;
    let done = page.split("Already done thing").next().unwrap().rsplit("id=\"el-").next().unwrap()[..36].to_owned();
    let r = org.post_form(&format!("{path}/elements/{done}/status"), &[("status", "done")]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Not shared yet: the meeting's actions are not the member's to see.
    assert_eq!(ordo_app::reminders::send_due(&t.app).await.unwrap(), 0);
    let before = t.mails_to(&member).len();
    org.post_form(&format!("{path}/share"), &[]).await;
    assert_eq!(ordo_app::reminders::send_due(&t.app).await.unwrap(), 1, "the member only: the organiser owns none");
    // The invitation, then the digest.
    let mails = t.wait_mails(&member, before + 2).await;
    let mail = mails.iter().find(|m| m.body.contains("These actions of yours")).unwrap();
    assert!(
        mail.body.contains("Renew the certificate") && mail.body.contains(&format!("due {}", day(1))),
        "{}",
        mail.body
    );
    assert!(mail.body.contains(&format!("Send the overdue invoice (overdue since {})", day(-2))), "{}", mail.body);
    assert!(!mail.body.contains("Plan next year") && !mail.body.contains("Already done thing"));
    assert!(mail.body.contains(&format!("/t/{slug}/settings/profile")));

    // Once a day, whoever runs it.
    assert_eq!(ordo_app::reminders::send_due(&t.app).await.unwrap(), 0);
    assert_eq!(ordo_app::reminders::send_due(&t.other_node().await).await.unwrap(), 0);
    t.clock.advance_secs(86_400);
    assert_eq!(ordo_app::reminders::send_due(&t.app).await.unwrap(), 1);

    // Opted out from the profile page: nothing more; back in: again.
    mc.login(&slug, &member, PASSWORD).await;
    let profile = mc.get(&format!("/t/{slug}/settings/profile")).await.body;
    assert!(profile.contains("name=\"reminders\" value=\"1\" checked"), "on by default");
    let r = mc.post_form(&format!("/t/{slug}/settings/reminders"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(!mc.get(&format!("/t/{slug}/settings/profile")).await.body.contains("value=\"1\" checked"));
    t.clock.advance_secs(86_400);
    assert_eq!(ordo_app::reminders::send_due(&t.app).await.unwrap(), 0);
    mc.login(&slug, &member, PASSWORD).await;
    assert_eq!(
        mc.post_form(&format!("/t/{slug}/settings/reminders"), &[("reminders", "yes please")]).await.status,
        400
    );
    mc.post_form(&format!("/t/{slug}/settings/reminders"), &[("reminders", "1")]).await;
    assert_eq!(ordo_app::reminders::send_due(&t.app).await.unwrap(), 1);
});
