//! The account flows a newcomer and an admin go through.

use crate::helpers::*;

both!(newcomer_journey, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner) = t.tenant(ordo_core::tenant::Plan::Pro).await;

    // The owner's activation link arrives by mail.
    let mails = t.wait_mails(&owner, 1).await;
    assert!(mails[0].subject.contains(&format!("Org {slug}")), "{}", mails[0].subject);
    let link = mails[0].link("/activate/").expect("activation link");
    let c = t.client();
    let page = c.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&owner), "the form shows whose account it is");
    c.activate(&link, "Olivia Owner", PASSWORD).await;

    // Sign in; the home page greets by name; sign-out is on the page.
    c.login(&slug, &owner, PASSWORD).await;
    let home = c.get(&format!("/t/{slug}/")).await;
    assert!(home.body.contains("Hello, Olivia Owner"));
    assert!(home.body.contains(&format!("action=\"/t/{slug}/logout\"")));

    // Invite a member, who activates and signs in.
    let (member, m) = t.member(&slug, &c, "member").await;
    let members = c.get(&format!("/t/{slug}/admin/members")).await;
    assert!(members.body.contains(&member));
    assert!(m.get(&format!("/t/{slug}/")).await.body.contains("Hello, Mia member"));
    // A member does not administer.
    assert_eq!(m.get(&format!("/t/{slug}/admin/members")).await.status, 403);

    // The owner sees their session, with device and address.
    let sessions = c.get(&format!("/t/{slug}/settings/sessions")).await;
    assert_eq!(sessions.status, 200);
    assert!(sessions.body.contains("Firefox · Linux"));
    assert!(sessions.body.contains("127.0.0.1"));
    assert!(sessions.body.contains("this device"));

    // Sign out: the session is gone.
    let r = c.post_form(&format!("/t/{slug}/logout"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(r.location().ends_with("/login?notice=signed_out"));
    assert_eq!(r.header("clear-site-data").as_deref(), Some("\"cache\", \"storage\""));
    assert!(!c.signed_in(&slug).await);
});

both!(activation_link_is_single_use_and_expires, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner) = t.tenant(ordo_core::tenant::Plan::Free).await;
    let link = t.link_in_mail(&owner, "/activate/").await;
    let c = t.client();
    c.activate(&link, "Olivia", PASSWORD).await;
    // Used once: it no longer works.
    assert_eq!(c.get(&link).await.status, 410);
    let r = c.post_form(&link, &[("display_name", "X"), ("password", "another long passphrase")]).await;
    assert_eq!(r.status, 410);

    // An invitation link expires after 72 hours.
    c.login(&slug, &owner, PASSWORD).await;
    let late = TestApp::email("late");
    c.post_form(&format!("/t/{slug}/admin/members/invite"), &[("email", &late), ("role", "member")]).await;
    let link = t.link_in_mail(&late, "/activate/").await;
    t.clock.advance_secs(71 * 3600);
    assert_eq!(c.get(&link).await.status, 200);
    t.clock.advance_secs(2 * 3600);
    let other = t.client();
    assert_eq!(other.get(&link).await.status, 410);
});

both!(forgotten_password, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, owner_c) = t.tenant_with_owner().await;

    // Same answer for an unknown and a known address.
    let c = t.client();
    c.get(&format!("/t/{slug}/forgot-password")).await;
    let unknown = c.post_form(&format!("/t/{slug}/forgot-password"), &[("email", "nobody@example.org")]).await;
    let known = c.post_form(&format!("/t/{slug}/forgot-password"), &[("email", &owner)]).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);

    let link = t.link_in_mail(&owner, "/reset/").await;
    assert_eq!(c.get(&link).await.status, 200);
    // Policy still applies.
    let r = c.post_form(&link, &[("password", "too short")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least 12 characters"));
    let r = c.post_form(&link, &[("password", "a brand new passphrase")]).await;
    assert_eq!(r.status, 303);
    assert!(r.location().ends_with("login?notice=password_reset"));

    // Every session of the account ended; the new password works, the old not.
    assert!(!owner_c.signed_in(&slug).await);
    assert_eq!(c.try_login(&slug, &owner, PASSWORD).await.status, 401);
    c.login(&slug, &owner, "a brand new passphrase").await;
    // Single use.
    assert_eq!(t.client().get(&link).await.status, 410);

    // A reset link expires after 30 minutes.
    let c2 = t.client();
    c2.get(&format!("/t/{slug}/forgot-password")).await;
    c2.post_form(&format!("/t/{slug}/forgot-password"), &[("email", &owner)]).await;
    let mails = t.wait_mails(&owner, 3).await;
    let link2 = mails.last().unwrap().link("/reset/").unwrap();
    t.clock.advance_secs(31 * 60);
    assert_eq!(c2.get(&link2).await.status, 410);
});

both!(change_password, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    let other = t.client();
    other.login(&slug, &owner, PASSWORD).await;
    let third = t.client();
    third.login(&slug, &owner, PASSWORD).await;
    let path = format!("/t/{slug}/settings/password");
    c.get(&path).await;

    // The current password is required.
    let r = c
        .post_form(&path, &[("current_password", "wrong wrong wrong"), ("new_password", "a brand new passphrase")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("The current password is wrong"));
    // The new one follows the policy.
    let r = c.post_form(&path, &[("current_password", PASSWORD), ("new_password", "password1234")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("too common"));

    // Without ending other sessions: they stay.
    let r = c.post_form(&path, &[("current_password", PASSWORD), ("new_password", "a brand new passphrase")]).await;
    assert_eq!(r.status, 303);
    assert!(other.signed_in(&slug).await);

    // Ending other sessions: they end, this one stays.
    c.get(&path).await;
    let r = c
        .post_form(
            &path,
            &[
                ("current_password", "a brand new passphrase"),
                ("new_password", "yet another passphrase"),
                ("end_other_sessions", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(c.signed_in(&slug).await);
    assert!(!other.signed_in(&slug).await);
    assert!(!third.signed_in(&slug).await);
    assert_eq!(t.client().try_login(&slug, &owner, PASSWORD).await.status, 401);
    t.client().login(&slug, &owner, "yet another passphrase").await;
});

both!(disabling_a_user_ends_all_their_sessions, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, admin) = t.tenant_with_owner().await;
    let (member, m1) = t.member(&slug, &admin, "member").await;
    let m2 = t.client();
    m2.login(&slug, &member, PASSWORD).await;
    let users = admin.get(&format!("/t/{slug}/api/v1/members")).await.json();
    let id = users["members"].as_array().unwrap().iter().find(|u| u["email"] == member.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    admin.get(&format!("/t/{slug}/admin/members")).await;
    let r = admin.post_form(&format!("/t/{slug}/admin/members/{id}/disable"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(!m1.signed_in(&slug).await);
    assert!(!m2.signed_in(&slug).await);
    // A disabled account cannot sign in, and is told nothing more than for a wrong password.
    let r = t.client().try_login(&slug, &member, PASSWORD).await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Wrong e-mail address or password"));

    // Enabled again, it can.
    admin.get(&format!("/t/{slug}/admin/members")).await;
    assert_eq!(admin.post_form(&format!("/t/{slug}/admin/members/{id}/enable"), &[]).await.status, 303);
    t.client().login(&slug, &member, PASSWORD).await;
});

both!(roles_and_their_limits, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, oc) = t.tenant_with_owner().await;
    let (admin_email, ac) = t.member(&slug, &oc, "admin").await;
    let (member, _mc) = t.member(&slug, &oc, "member").await;
    let list = oc.get(&format!("/t/{slug}/api/v1/members")).await.json();
    let id_of = |e: &str| {
        list["members"].as_array().unwrap().iter().find(|u| u["email"] == e).unwrap()["id"].as_str().unwrap().to_owned()
    };

    // An admin may promote a member to admin, not to owner, and may not touch an owner.
    ac.get(&format!("/t/{slug}/admin/members")).await;
    let r = ac.post_form(&format!("/t/{slug}/admin/members/{}/role", id_of(&member)), &[("role", "owner")]).await;
    assert_eq!(r.status, 403);
    let r = ac.post_form(&format!("/t/{slug}/admin/members/{}/disable", id_of(&owner)), &[]).await;
    assert_eq!(r.status, 403);
    let r = ac.post_form(&format!("/t/{slug}/admin/members/{}/role", id_of(&member)), &[("role", "admin")]).await;
    assert_eq!(r.status, 303);
    // Nobody disables themselves.
    let r = ac.post_form(&format!("/t/{slug}/admin/members/{}/disable", id_of(&admin_email)), &[]).await;
    assert_eq!(r.status, 403);
    // An admin cannot invite an owner.
    let r = ac
        .post_form(&format!("/t/{slug}/admin/members/invite"), &[("email", &TestApp::email("x")), ("role", "owner")])
        .await;
    assert_eq!(r.status, 403);
    // Inviting someone who is already active is refused with a clear message.
    let r = oc.post_form(&format!("/t/{slug}/admin/members/invite"), &[("email", &member), ("role", "guest")]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("already has an account"));
});

both!(sessions_are_listed_and_ended, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    let mut phone = t.client();
    phone.user_agent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36".into();
    phone.login(&slug, &owner, PASSWORD).await;

    let list = c.get(&format!("/t/{slug}/api/v1/sessions")).await.json();
    let sessions = list["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    let phone_id = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    assert!(sessions.iter().any(|s| s["device"] == "Chrome · Android"));

    // The page lists both; ending the phone's session signs the phone out.
    let page = c.get(&format!("/t/{slug}/settings/sessions")).await;
    assert!(page.body.contains(&phone_id));
    let r = c.post_form(&format!("/t/{slug}/settings/sessions/{phone_id}/end"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(!phone.signed_in(&slug).await);
    assert!(c.signed_in(&slug).await);

    // Through the API: the token header is required.
    phone.login(&slug, &owner, PASSWORD).await;
    let list = c.get(&format!("/t/{slug}/api/v1/sessions")).await.json();
    let phone_id = list["sessions"].as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/t/{slug}/api/v1/sessions/{phone_id}");
    let r = c.send(c.request(reqwest::Method::DELETE, &path)).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "csrf");
    let token = c.csrf.lock().unwrap().clone().unwrap();
    let r = c.send(c.request(reqwest::Method::DELETE, &path).header("x-csrf-token", token.clone())).await;
    assert_eq!(r.status, 204);
    assert!(!phone.signed_in(&slug).await);
    // Ending one's own current session signs out.
    let me = list["sessions"].as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.get(&format!("/t/{slug}/settings/sessions")).await;
    let r = c.post_form(&format!("/t/{slug}/settings/sessions/{me}/end"), &[]).await;
    assert!(r.location().ends_with("login?notice=signed_out"));
    assert!(!c.signed_in(&slug).await);
});

both!(language_follows_the_browser_then_the_user, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let fr = t.client().with_header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5");
    let page = fr.get(&format!("/t/{slug}/login")).await;
    assert!(page.body.contains("<html lang=\"fr\">"));
    assert!(page.body.contains("Se connecter"));
    let en = t.client().with_header("accept-language", "en-GB");
    assert!(en.get(&format!("/t/{slug}/login")).await.body.contains("Sign in"));

    // The user's choice wins over the browser's.
    c.get(&format!("/t/{slug}/settings/profile")).await;
    let r =
        c.post_form(&format!("/t/{slug}/settings/profile"), &[("display_name", "Olivia O."), ("locale", "fr")]).await;
    assert_eq!(r.status, 303);
    let home = c.get(&format!("/t/{slug}/")).await;
    assert!(home.body.contains("Bonjour, Olivia O."), "{}", home.body);
    // Bad input is refused field by field and changes nothing.
    c.get(&format!("/t/{slug}/settings/profile")).await;
    let r = c.post_form(&format!("/t/{slug}/settings/profile"), &[("display_name", "   "), ("locale", "fr")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(c.get(&format!("/t/{slug}/")).await.body.contains("Bonjour, Olivia O."));
});
