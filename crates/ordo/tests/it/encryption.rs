//! Encryption at rest (requirement S6): what a stolen copy of the database
//! shows, what moving ciphertext does, key rotation with crashes, master-key
//! rotation, the wrong master key, and crypto-shredding.

use crate::helpers::*;
use ordo_core::tenant::{Plan, Slug};
use ordo_core::user::Locale;
use std::sync::Arc;

async fn raw_dump(t: &TestApp) -> String {
    t.raw_storage().await
}

async fn tenant_with(t: &TestApp, encryption: bool, owner: &str, name: &str) -> String {
    let slug = TestApp::slug();
    ordo_app::accounts::create_tenant(&t.app, &slug, &format!("Org {slug}"), owner, Plan::Pro, Locale::En, encryption)
        .await
        .unwrap();
    let link = t.link_in_mail(owner, "/activate/").await;
    let c = t.client();
    c.activate(&link, name, PASSWORD).await;
    slug
}

both!(a_copy_of_the_database_reveals_no_contact_details_of_encrypted_tenants, |engine| {
    let t = TestApp::spawn(engine).await;
    let secret_email = format!("zoe.secret.{}@confidential.example", random_suffix());
    let plain_email = format!("paul.plain.{}@open.example", random_suffix());
    let enc = tenant_with(&t, true, &secret_email, "Zoé Hiddenname").await;
    let plain = tenant_with(&t, false, &plain_email, "Paul Visiblename").await;
    // Queue one more message in each tenant (its recipient sits in the
    // outbox), and give each owner a telephone number.
    for (slug, owner, phone) in
        [(&enc, &secret_email, "+33 6 11 22 33 44"), (&plain, &plain_email, "+33 6 99 88 77 66")]
    {
        let c = t.client();
        c.login(slug, owner, PASSWORD).await;
        c.get(&format!("/t/{slug}/settings/profile")).await;
        let r = c
            .post_form(
                &format!("/t/{slug}/settings/profile"),
                &[
                    ("display_name", if slug == &enc { "Zoé Hiddenname" } else { "Paul Visiblename" }),
                    ("phone", phone),
                    ("locale", "en"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        c.post_form(
            &format!("/t/{slug}/admin/members/invite"),
            &[("email", &format!("invitee.{slug}@example.org")), ("role", "member")],
        )
        .await;
    }
    let dump = raw_dump(&t).await;
    for hidden in [
        secret_email.as_str(),
        "Zoé Hiddenname",
        "Hiddenname",
        "zoe.secret",
        &format!("invitee.{enc}"),
        "+33 6 11 22 33 44",
    ] {
        assert!(!dump.contains(hidden), "{hidden:?} is readable in the raw database");
    }
    // The test can fail: the unencrypted tenant's values are there.
    for visible in [plain_email.as_str(), "Paul Visiblename", "+33 6 99 88 77 66"] {
        assert!(dump.contains(visible), "{visible:?} should be stored in clear for a tenant without encryption");
    }
    // Both still work through Ordo, sign-in (blind index, any case) included.
    let c = t.client();
    c.login(&enc, &secret_email.to_uppercase(), PASSWORD).await;
    assert!(c.get(&format!("/t/{enc}/")).await.body.contains("Hello, Zoé Hiddenname"));
    assert!(c.get(&format!("/t/{enc}/settings/profile")).await.body.contains("+33 6 11 22 33 44"));
    let members = c.get(&format!("/t/{enc}/api/v1/members")).await.json();
    assert!(members.to_string().contains(&format!("invitee.{enc}@example.org")));
    // Uniqueness holds on the blind index.
    c.get(&format!("/t/{enc}/admin/members")).await;
    let r = c
        .post_form(
            &format!("/t/{enc}/admin/members/invite"),
            &[("email", &secret_email.to_uppercase()), ("role", "guest")],
        )
        .await;
    assert_eq!(r.status, 409);
});

both!(moved_ciphertext_is_refused_never_misread, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let (_m, _mc) = t.member(&slug, &c, "member").await;
    let (slug2, _owner2, _c2) = t.tenant_with_owner().await;
    let ids: Vec<String> = c.get(&format!("/t/{slug}/api/v1/members")).await.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let (a, b) = (&ids[0], &ids[1]);
    // Row: B's name replaced by A's ciphertext.
    t.db.exec(&format!(
        "UPDATE users SET display_name = (SELECT display_name FROM users WHERE id = '{a}') WHERE id = '{b}'"
    ))
    .await;
    let r = c.get(&format!("/t/{slug}/admin/members")).await;
    assert_eq!(r.status, 500, "a clear error");
    assert!(!r.body.contains("Olivia Owner"), "never A's name shown as B's");
    // Column: the e-mail ciphertext copied into the name column.
    t.db.exec(&format!("UPDATE users SET display_name = email WHERE id = '{b}'")).await;
    assert_eq!(c.get(&format!("/t/{slug}/api/v1/members")).await.status, 500);
    // Tenant: a ciphertext of tenant 1 copied into tenant 2.
    t.db.exec(&format!(
        "UPDATE users SET display_name = (SELECT display_name FROM users WHERE id = '{a}')
         WHERE tenant_id = (SELECT id FROM tenants WHERE slug = '{slug2}')"
    ))
    .await;
    let c2 = t.client();
    c2.get(&format!("/t/{slug2}/login")).await;
    // The owner of tenant 2 cannot even be shown: refused, not misread.
    assert_eq!(t.store.list_tenants().await.unwrap().len(), 2);
    let tenant2 = t.store.tenant_by_slug(&Slug::parse(&slug2).unwrap()).await.unwrap().unwrap();
    let err = ordo_app::accounts::list_users(&t.app, &tenant2).await.unwrap_err();
    assert!(matches!(err, ordo_app::AppError::Crypto(ordo_crypto::CryptoError::Decrypt)), "{err:?}");
    // The server stays up.
    assert_eq!(c.get("/healthz").await.status, 200);
});

both!(tenant_key_rotation_survives_a_crash, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = t.tenant_with_owner().await;
    for i in 0..4 {
        t.member(&slug, &c, if i % 2 == 0 { "member" } else { "guest" }).await;
    }
    // Meeting content too: a meeting with a topic and an element.
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Rotation meeting"),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "UTC"),
                ("duration_minutes", "30"),
            ],
        )
        .await;
    let mpath = r.location().split('?').next().unwrap().to_owned();
    c.post_form(&format!("{mpath}/topics"), &[("title", "Rotation topic")]).await;
    let s = Slug::parse(&slug).unwrap();
    let v = ordo_app::keyops::rotate_tenant_key(&t.app, &s).await.unwrap();
    assert_eq!(v, 2);
    // "Crash" after one batch of one user: values are under both keys.
    assert!(!ordo_app::keyops::reseal(&t.app, &s, 1, Some(1)).await.unwrap());
    let mixed = t.store.sealed_versions(t.store.tenant_by_slug(&s).await.unwrap().unwrap().id).await.unwrap();
    assert!(mixed.iter().any(|(v, _)| *v == Some(1)) && mixed.iter().any(|(v, _)| *v == Some(2)), "{mixed:?}");
    // Everything reads meanwhile, and new values use the new key.
    assert_eq!(c.get(&format!("/t/{slug}/api/v1/members")).await.json()["members"].as_array().unwrap().len(), 5);
    c.get(&format!("/t/{slug}/settings/profile")).await;
    c.post_form(&format!("/t/{slug}/settings/profile"), &[("display_name", "Olivia Rotated"), ("locale", "en")]).await;
    // Restart: a new server's worker finishes the job.
    let (db, dir, clock) = t.stop().await;
    let t = TestApp::start(db, dir, clock, Opts::default()).await;
    let tenant = loop {
        let tenant = t.store.tenant_by_slug(&s).await.unwrap().unwrap();
        if !tenant.reseal_pending {
            break tenant;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let versions = t.store.sealed_versions(tenant.id).await.unwrap();
    assert!(versions.iter().all(|(v, _)| *v == Some(2)), "{versions:?}");
    let keys: Vec<u32> = t
        .store
        .tenant_keys(tenant.id)
        .await
        .unwrap()
        .iter()
        .filter(|k| k.purpose == "data")
        .map(|k| k.version)
        .collect();
    assert_eq!(keys, vec![2], "the old key is gone once unused");
    let c = t.client();
    c.login(&slug, &owner, PASSWORD).await;
    assert!(c.get(&format!("/t/{slug}/")).await.body.contains("Olivia Rotated"));
    assert_eq!(c.get(&format!("/t/{slug}/api/v1/members")).await.json()["members"].as_array().unwrap().len(), 5);
    let page = c.get(&mpath).await;
    assert!(page.body.contains("Rotation meeting") && page.body.contains("Rotation topic"));
});

both!(switching_encryption_on_encrypts_existing_data_in_the_background, |engine| {
    let t = TestApp::spawn(engine).await;
    let email = format!("late.adopter.{}@example.org", random_suffix());
    let slug = tenant_with(&t, false, &email, "Léa Lateadopter").await;
    assert!(raw_dump(&t).await.contains("Léa Lateadopter"));
    let c = t.client();
    c.login(&slug, &email, PASSWORD).await;
    let page = c.get(&format!("/t/{slug}/admin/encryption")).await;
    assert!(page.body.contains("Switch encryption on"));
    let r = c.post_form(&format!("/t/{slug}/admin/encryption/enable"), &[]).await;
    assert_eq!(r.status, 303);
    // The worker of the running server re-seals; the admin sees it finish.
    let mut done = false;
    for _ in 0..100 {
        let page = c.get(&format!("/t/{slug}/admin/encryption")).await.body;
        if page.contains("100 %") && !raw_dump(&t).await.contains("Léa Lateadopter") {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(done, "existing data encrypted in the background");
    assert!(c.get(&format!("/t/{slug}/")).await.body.contains("Léa Lateadopter"));
    let n = t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = 'encryption.enabled'").await;
    assert_eq!(n, "1");
    // Switching off is for operators (command line), and goes to the platform log.
    let s = Slug::parse(&slug).unwrap();
    ordo_app::keyops::set_encryption(&t.app, &s, false, "operator").await.unwrap();
    assert!(ordo_app::keyops::reseal(&t.app, &s, 100, None).await.unwrap());
    assert!(raw_dump(&t).await.contains("Léa Lateadopter"));
    assert_eq!(t.db.text("SELECT kind FROM platform_audit ORDER BY seq DESC LIMIT 1").await, "encryption.disabled");
});

both!(master_key_rotation_rewraps_without_rewriting_data_and_resumes, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug1, owner1, _c) = t.tenant_with_owner().await;
    let (slug2, owner2, _c) = t.tenant_with_owner().await;
    let sealed_values = "SELECT COALESCE(string_agg(v, '|'), '') FROM (SELECT id || email || display_name AS v FROM users ORDER BY id) x";
    let sealed_values_sqlite = "SELECT COALESCE(group_concat(v, '|'), '') FROM (SELECT id || email || display_name AS v FROM users ORDER BY id)";
    let q = if engine == Engine::Sqlite { sealed_values_sqlite } else { sealed_values };
    let before = t.db.text(q).await;
    let (db, dir, clock) = t.stop().await;
    let old = test_key_provider(dir.path());
    let old_bytes = {
        let (k, _) = ordo_crypto::master_key::MasterKey::load_or_create(&dir.path().join("master.key")).unwrap();
        *k.bytes()
    };
    let new_path = dir.path().join("new-master.key");
    let (new_key, _) = ordo_crypto::master_key::MasterKey::load_or_create(&new_path).unwrap();
    let new_bytes = *new_key.bytes();
    let rotating = ordo_crypto::keys::FileKeyProvider::new(
        ordo_crypto::master_key::MasterKey::from_bytes(new_bytes),
        vec![ordo_crypto::master_key::MasterKey::from_bytes(old_bytes)],
    );
    // "Crash" after re-wrapping one tenant's key.
    let store = ordo_crypto::keys::KekStore::new(dir.path().join("keys"));
    let t1 = {
        let s = ordo_store::Store::connect(&db.url).await.unwrap();
        let id = s.tenant_by_slug(&Slug::parse(&slug1).unwrap()).await.unwrap().unwrap().id;
        s.close().await;
        id.to_string()
    };
    assert!(store.rewrap(&rotating, &t1).unwrap());
    drop(old);
    // A server holding both keys reads both tenants mid-rotation.
    let t = TestApp::start_with_provider(db.clone(), dir.clone(), clock.clone(), rotating).await;
    for (slug, owner) in [(&slug1, &owner1), (&slug2, &owner2)] {
        t.client().login(slug, owner, PASSWORD).await;
    }
    // Finish the rotation (run again: idempotent).
    assert_eq!(ordo_app::keyops::rotate_master(&t.app).await.unwrap(), 1);
    assert_eq!(ordo_app::keyops::rotate_master(&t.app).await.unwrap(), 0);
    assert_eq!(t.db.text(q).await, before, "no data rewritten");
    let (db, dir, clock) = t.stop().await;
    // The new key alone now suffices; the old one alone no longer does.
    let only_new =
        ordo_crypto::keys::FileKeyProvider::new(ordo_crypto::master_key::MasterKey::from_bytes(new_bytes), vec![]);
    let t = TestApp::start_with_provider(db.clone(), dir.clone(), clock.clone(), only_new).await;
    for (slug, owner) in [(&slug1, &owner1), (&slug2, &owner2)] {
        t.client().login(slug, owner, PASSWORD).await;
    }
    t.stop().await;
    let only_old =
        ordo_crypto::keys::FileKeyProvider::new(ordo_crypto::master_key::MasterKey::from_bytes(old_bytes), vec![]);
    let store = ordo_store::Store::connect(&db.url).await.unwrap();
    let keys = ordo_app::keys::Keys::new(Arc::new(only_old), ordo_crypto::keys::KekStore::new(dir.path().join("keys")));
    let app = ordo_app::App::new(store, Arc::new(clock), ordo_app::Settings::development(dir.path(), "http://x"), keys)
        .unwrap();
    assert!(matches!(ordo_app::keyops::check_master_key(&app).await, Err(ordo_app::AppError::WrongMasterKey)));
});

both!(deleting_a_tenant_shreds_its_data_in_old_copies_too, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let (other, other_owner, _c2) = t.tenant_with_owner().await;
    let s = Slug::parse(&slug).unwrap();
    let tenant = t.store.tenant_by_slug(&s).await.unwrap().unwrap();
    // The "copy taken before": the tenant's wrapped keys and a sealed value.
    let key_rows = t.store.tenant_keys(tenant.id).await.unwrap();
    let sealed = t.store.list_users(tenant.id).await.unwrap().remove(0);
    let keys = t.app.keys.for_tenant(&t.store, &tenant).await.unwrap();
    assert!(ordo_app::accounts::open_user(&keys, sealed.clone()).is_ok(), "readable before");

    ordo_app::keyops::delete_tenant(&t.app, &s).await.unwrap();

    assert!(t.store.tenant_by_slug(&s).await.unwrap().is_none());
    let left = t.db.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE tenant_id = '{}'", tenant.id)).await;
    assert_eq!(left, "0");
    assert_eq!(t.db.text("SELECT kind FROM platform_audit ORDER BY seq DESC LIMIT 1").await, "tenant.deleted");
    // With every key that remains (master key, key store), the copy is dead:
    // the tenant's key-encryption key is gone, so its wrapped keys are noise.
    let err = t.app.keys.kek_store().load(t.app.keys.provider(), &tenant.id.to_string()).unwrap_err();
    assert!(matches!(err, ordo_crypto::CryptoError::NoTenantKey), "{err:?}");
    for k in &key_rows {
        for other_kek in t.app.keys.kek_store().tenants().unwrap() {
            let kek = t.app.keys.kek_store().load(t.app.keys.provider(), &other_kek).unwrap();
            assert!(
                ordo_crypto::keys::unwrap_tenant_key(&kek, &k.wrapped, &tenant.id.to_string(), &k.purpose, k.version)
                    .is_err()
            );
        }
    }
    // Tenants that remain are untouched.
    t.client().login(&other, &other_owner, PASSWORD).await;
    drop(sealed);
});

// Switching encryption on is done when no earlier plaintext is left: not in
// the write-ahead log, not in the mail already sent, not in token names.
both!(switching_encryption_on_leaves_no_plaintext_behind, |engine| {
    let t = TestApp::spawn(engine).await;
    let email = format!("before.switch.{}@example.org", random_suffix());
    let slug = tenant_with(&t, false, &email, "Ines Beforeswitch").await;
    let c = t.client();
    c.login(&slug, &email, PASSWORD).await;
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Pineapple merger plan"),
                ("objectives", ""),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
                ("place", "Quai Pineapple"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let token = token_for(&c, &slug, "Pineapple project token").await;
    // The activation mail was sent: the outbox keeps its status and time only.
    t.wait_mails(&email, 1).await;
    for _ in 0..100 {
        if t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM mail_outbox WHERE status = 'pending'").await == "0" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let forgotten = "SELECT CAST(COUNT(*) AS TEXT) FROM mail_outbox WHERE status <> 'pending' AND (recipient <> '' OR subject <> '')";
    assert_eq!(t.db.text(forgotten).await, "0", "sent mail keeps no recipient or subject");
    let words =
        ["Ines Beforeswitch", email.as_str(), "Pineapple merger plan", "Quai Pineapple", "Pineapple project token"];
    // The control: before the switch, a copy shows them all.
    let before = t.raw_storage_as_it_is().await;
    for w in words {
        assert!(before.contains(w), "the control does not see {w:?}");
    }

    let r = c.post_form(&format!("/t/{slug}/admin/encryption/enable"), &[]).await;
    assert_eq!(r.status, 303);
    let s = Slug::parse(&slug).unwrap();
    let mut done = false;
    for _ in 0..50 {
        if ordo_app::keyops::reseal(&t.app, &s, 100, None).await.unwrap() {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "re-sealed");
    let after = t.raw_storage_as_it_is().await;
    for w in words {
        assert!(!after.contains(w), "{w:?} left behind after the switch");
    }
    // Everything still reads through Ordo, and the token still works.
    assert!(c.get(&format!("/t/{slug}/settings/tokens")).await.body.contains("Pineapple project token"));
    let api = t.client().with_header("authorization", &format!("Bearer {token}"));
    let list = api.get(&format!("/t/{slug}/api/v1/meetings")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Pineapple merger plan"));
});

// Once a tenant encrypts and is re-sealed, a value stored plain can only
// have been written behind Ordo's back: it is refused, not shown.
both!(a_plain_value_in_an_encrypted_tenant_is_refused, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let _ = token_for(&c, &slug, "Honest name").await;
    assert!(c.get(&format!("/t/{slug}/settings/tokens")).await.body.contains("Honest name"));
    t.db.exec("UPDATE api_tokens SET name = 'p:<b>Injected</b>'").await;
    let page = c.get(&format!("/t/{slug}/settings/tokens")).await;
    assert_eq!(page.status, 500, "a plain value in an encrypted tenant is not shown");
    assert!(!page.body.contains("Injected"));
});
