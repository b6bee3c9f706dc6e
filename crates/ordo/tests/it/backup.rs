//! Backups and restores (requirements O1, O2): every tenant table goes into
//! the archive and comes back equal, through a directory and through a real
//! S3-compatible server; a damaged archive or a failing restore changes
//! nothing.

use crate::helpers::*;
use ordo_app::App;
use ordo_backup::BackupError;
use ordo_core::tenant::Slug;
use ordo_store::dump::{NOT_BACKED_UP, TENANT_TABLES, Value};
use std::collections::BTreeMap;

type Tables = BTreeMap<String, Vec<Vec<Value>>>;

/// A table's columns and the tenant's rows in it.
async fn rows_of(
    tx: &mut ordo_store::Tx,
    tenant: ordo_core::ids::TenantId,
    table: &str,
) -> (Vec<ordo_store::dump::ColumnDef>, Vec<Vec<Value>>) {
    let mut rows = Vec::new();
    let cols = tx
        .dump_table(tenant, table, |r| {
            rows.push(r);
            Ok::<(), ordo_store::StoreError>(())
        })
        .await
        .unwrap();
    (cols, rows)
}

/// Everything the database holds for a tenant, table by table, but the
/// revision counters (caches' stamps, moved on purpose by a restore).
async fn contents(app: &App, slug: &str) -> Tables {
    let tenant = app.platform_store().tenant_by_slug(&Slug::parse(slug).unwrap()).await.unwrap().unwrap();
    let mut tx = app.platform_store().begin_snapshot().await.unwrap();
    let mut out = Tables::new();
    for (table, _) in TENANT_TABLES {
        let (cols, rows) = rows_of(&mut tx, tenant.id, table).await;
        let keep: Vec<usize> = (0..cols.len()).filter(|i| !cols[*i].name.ends_with("revision")).collect();
        out.insert(
            (*table).to_owned(),
            rows.into_iter().map(|r| keep.iter().map(|i| r[*i].clone()).collect()).collect(),
        );
    }
    tx.commit().await.unwrap();
    out
}

/// A tenant with something in every table: members, tokens, a meeting with
/// topics, contributors, an action with owners, a remark, an image, mail.
async fn busy_tenant(t: &TestApp) -> (String, String, Client) {
    let (slug, owner, c) = t.tenant_with_owner().await;
    let (member, _) = t.member(&slug, &c, "member").await;
    c.get(&format!("/t/{slug}/settings/tokens")).await;
    c.post_form(&format!("/t/{slug}/settings/tokens"), &[("name", "script")]).await;
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Board"),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "45"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    c.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    c.post_form(&format!("{path}/topics"), &[("title", "Budget")]).await;
    let page = c.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    let id = path.rsplit('/').next().unwrap();
    let meeting = c.get(&format!("/t/{slug}/api/v1/meetings/{id}")).await.json();
    let member_id =
        meeting["participants"].as_array().unwrap().iter().find(|p| p["role"] == "contributor").unwrap()["user_id"]
            .as_str()
            .unwrap()
            .to_owned();
    c.post_form(&format!("{path}/topics/{topic}/contributors"), &[("user", &member_id)]).await;
    c.post_form(
        &format!("{path}/elements"),
        &[
            ("topic", &topic),
            ("kind", "action"),
            ("title", "Close the books"),
            ("owner", &member_id),
            ("due_date", "2026-12-20"),
        ],
    )
    .await;
    c.post_multipart(
        &format!("{path}/images"),
        &[("topic", &topic), ("title", "Chart")],
        Some(("c.png", "image/png", &png(8, 8))),
    )
    .await;
    let page = c.get(&path).await.body;
    let element = page.split("id=\"el-").nth(1).unwrap()[..36].to_owned();
    c.post_form(&format!("{path}/elements/{element}/comments"), &[("body", "Audited figures only")]).await;
    c.post_form(&format!("{path}/share"), &[]).await;
    // A support conversation (with a picture), answered, and support's
    // access to the meeting granted.
    let tenant = t.store.tenant_by_slug(&Slug::parse(&slug).unwrap()).await.unwrap().unwrap();
    let keys = t.app.keys.for_tenant(&t.store, &tenant).await.unwrap();
    let owner_row = t.store.user_by_email_index(tenant.id, &keys.email_index(&owner)).await.unwrap().unwrap();
    let owner_user = ordo_app::accounts::open_user(&keys, owner_row).unwrap();
    let msg = ordo_app::support::NewMessage { body: "Where is the export?", image: Some(png(6, 6)) };
    let (conversation, _) = ordo_app::support::user_send(&t.app, &tenant, &owner_user, msg).await.unwrap();
    let agent = crate::console::staff_auth(t, ordo_core::staff::PlatformRole::SupportAgent).await;
    let reply = ordo_app::support::NewMessage { body: "Under Settings.", image: None };
    ordo_app::support::staff_send(&t.app, &agent, &slug, &conversation, reply).await.unwrap();
    let meeting_id: ordo_core::ids::MeetingId = id.parse().unwrap();
    ordo_app::support::grant(&t.app, &tenant, &owner_user, meeting_id, agent.staff.id, 2, "127.0.0.1").await.unwrap();
    // The meeting's agenda saved as a template.
    ordo_app::templates::save_from_meeting(&t.app, &tenant, &owner_user, id, "Board pack").await.unwrap();
    // The owner's reminder settings.
    ordo_app::reminders::set_wanted(&t.app, &tenant, &owner_user, false).await.unwrap();
    // A series with its first meeting.
    let input = ordo_app::meetings::MeetingInput {
        title: "Weekly",
        objectives: "",
        starts_at: "2026-12-07T09:00",
        time_zone: "Europe/Paris",
        duration_minutes: "30",
        place: "",
    };
    let repeat = ordo_app::series::Repeat { frequency: "weekly", interval: "1", until: "", count: "4" };
    ordo_app::series::create(&t.app, &tenant, &owner_user, input, repeat, None).await.unwrap();
    // The owner's calendar feed.
    ordo_app::feeds::create(&t.app, &tenant, &owner_user).await.unwrap();
    // Let the mail worker deliver what is queued: it changes mail rows.
    for _ in 0..100 {
        if t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM mail_outbox WHERE status = 'pending'").await == "0" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (slug, owner, c)
}

both!(every_tenant_table_of_the_schema_is_backed_up_or_excluded_with_a_reason, |engine| {
    let t = TestApp::spawn(engine).await;
    let in_schema = t.store.tenant_tables_in_schema().await.unwrap();
    let mut covered: Vec<String> =
        TENANT_TABLES.iter().chain(NOT_BACKED_UP.iter()).map(|(name, _)| (*name).to_owned()).collect();
    covered.sort();
    assert_eq!(in_schema, covered, "a table holding tenant data is missing from ordo_store::dump::TENANT_TABLES");
});

both!(every_table_of_the_schema_is_in_a_tenant_or_the_platform_backup, |engine| {
    let t = TestApp::spawn(engine).await;
    let mut listed: Vec<&str> = TENANT_TABLES
        .iter()
        .chain(NOT_BACKED_UP.iter())
        .map(|(name, _)| *name)
        .chain(ordo_store::dump::PLATFORM_TABLES.iter().copied())
        .chain(ordo_store::dump::PLATFORM_NOT_BACKED_UP.iter().map(|(name, _)| *name))
        .chain(["ordo_migrations"])
        .collect();
    listed.sort();
    assert_eq!(t.store.tables_in_schema().await.unwrap(), listed, "a table is in no backup");
});

both!(the_platform_backup_holds_its_tables_configuration_and_on_sqlite_the_database, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let s = Slug::parse(&slug).unwrap();
    ordo_app::keyops::rotate_tenant_key(&t.app, &s).await.unwrap();
    let config = t.dir.path().join("ordo.toml");
    std::fs::write(&config, "mode = \"development\"\n# the operator's settings\n").unwrap();
    let node = t.other_node_with(|settings| settings.config_file = Some(config.clone())).await;

    let out = ordo_app::backups::platform(&node).await.unwrap();
    assert_eq!(ordo_app::backups::platform_list(&node).await.unwrap().len(), 1);
    // Encrypted: the platform audit's words are not in the file.
    let file = t.dir.path().join("backups/_platform").join(format!("{}.ordobak", out.snapshot));
    let bytes = std::fs::read(&file).unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"key.rotated"));
    assert!(!bytes.windows(21).any(|w| w == b"the operator's settin"));

    let dir = t.dir.path().join("extracted");
    let x = ordo_app::backups::platform_extract(&node, None, &dir).await.unwrap();
    assert_eq!(x.header.snapshot, out.snapshot);
    let audit = std::fs::read_to_string(dir.join("platform_audit.ndjson")).unwrap();
    let entries = t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM platform_audit").await;
    assert_eq!(audit.lines().count().to_string(), (entries.parse::<usize>().unwrap() + 1).to_string());
    assert!(audit.contains("key.rotated"), "{audit}");
    assert!(std::fs::read_to_string(dir.join("platform_state.ndjson")).unwrap().contains("master_key_id"));
    assert_eq!(std::fs::read_to_string(dir.join("ordo.toml")).unwrap(), std::fs::read_to_string(&config).unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(dir.join("ordo.toml")).unwrap().permissions().mode() & 0o077, 0);
    let db = dir.join("ordo.db");
    if engine == Engine::Sqlite {
        // The whole database, consistent, ready to be put back.
        let copy = ordo_store::Store::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        let tenant = copy.tenant_by_slug(&s).await.unwrap().unwrap();
        assert!(matches!(copy.verify_audit_chain(tenant.id).await.unwrap(), ordo_store::ChainCheck::Intact { .. }));
        assert_eq!(copy.tables_in_schema().await.unwrap(), t.store.tables_in_schema().await.unwrap());
        copy.close().await;
    } else {
        assert!(!db.exists(), "PostgreSQL is copied by pg_dump or PITR");
    }

    // A damaged archive is refused before anything is written.
    let mut bad = bytes.clone();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    std::fs::write(&file, &bad).unwrap();
    let again = t.dir.path().join("again");
    let e = ordo_app::backups::platform_extract(&node, Some(&out.snapshot), &again).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(_)), "{e}");
    assert!(!again.exists());

    // Scheduled: due once, claimed by one node of two, then 12 hours later.
    let other = t.other_node().await;
    assert!(ordo_app::backups::platform_due(&node).await.unwrap());
    assert!(!ordo_app::backups::platform_due(&other).await.unwrap());
    assert!(!ordo_app::backups::platform_due(&node).await.unwrap());
    t.clock.advance_secs(12 * 3600);
    assert!(ordo_app::backups::platform_due(&other).await.unwrap());
    assert_eq!(ordo_app::backups::platform_list(&node).await.unwrap().len(), 3);
});

both!(a_tenant_comes_back_equal_from_a_directory_backup, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = busy_tenant(&t).await;
    let before = contents(&t.app, &slug).await;
    for (table, rows) in &before {
        if !["user_tokens"].contains(&table.as_str()) {
            assert!(!rows.is_empty(), "the test tenant has no {table}");
        }
    }
    let s = Slug::parse(&slug).unwrap();
    let out = ordo_app::backups::run(&t.app, &s).await.unwrap();
    assert_eq!(out.tables.len(), TENANT_TABLES.len());
    // Encrypted: nothing of the content is readable in the archive.
    let file = t.dir.path().join("backups").join(&slug).join(format!("{}.ordobak", out.snapshot));
    let bytes = std::fs::read(&file).unwrap();
    for secret in ["Board", "Budget", "Close the books", "Audited figures", owner.as_str()] {
        assert!(!String::from_utf8_lossy(&bytes).contains(secret), "{secret} in clear");
    }
    let listed = ordo_app::backups::list(&t.app, &s).await.unwrap();
    assert_eq!(listed.len(), 1);
    ordo_app::backups::verify(&t.app, &s, None).await.unwrap();

    // Life goes on after the backup...
    c.get(&format!("/t/{slug}/meetings")).await;
    c.post_form(
        &format!("/t/{slug}/meetings"),
        &[
            ("title", "After the backup"),
            ("starts_at", "2026-12-02T09:30"),
            ("time_zone", "UTC"),
            ("duration_minutes", "30"),
        ],
    )
    .await;
    assert_ne!(contents(&t.app, &slug).await, before);
    // ...a restore over an existing tenant needs --replace, and changes
    // nothing without it.
    let now = contents(&t.app, &slug).await;
    let e = ordo_app::backups::restore(&t.app, &s, &out.snapshot, false).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(BackupError::TenantExists(_))), "{e}");
    assert_eq!(contents(&t.app, &slug).await, now);
    // With it, the tenant is exactly as it was at the backup.
    ordo_app::backups::restore(&t.app, &s, &out.snapshot, true).await.unwrap();
    assert_eq!(contents(&t.app, &slug).await, before);
    // Sessions are not restored: sign in again, and everything reads back.
    assert_eq!(c.get(&format!("/t/{slug}/meetings")).await.status, 303);
    let again = t.client();
    again.login(&slug, &owner, PASSWORD).await;
    // Both were on 1 and 2 December: past meetings.
    let list = again.get(&format!("/t/{slug}/meetings?view=past")).await.body;
    assert!(list.contains("Board") && !list.contains("After the backup"));
    // The restore is in the platform's audit log.
    assert!(t.db.text("SELECT kind FROM platform_audit ORDER BY seq DESC LIMIT 1").await.contains("tenant.restored"));
});

/// What a tenant's rows mean, independent of which tenant and keys hold
/// them: protected values opened, the tenant column, blind index, revision
/// counters and mail ids (global, so a copy's are new) left out, rows
/// sorted. The tables a copy does not carry over are compared apart.
async fn meaning(app: &App, slug: &str) -> Tables {
    use ordo_app::keys::Field;
    let tenant = app.platform_store().tenant_by_slug(&Slug::parse(slug).unwrap()).await.unwrap().unwrap();
    let keys = app.keys.for_tenant(app.platform_store(), &tenant).await.unwrap();
    let mut tx = app.platform_store().begin_snapshot().await.unwrap();
    let mut out = Tables::new();
    for (table, tenant_column) in TENANT_TABLES {
        if ["tenants", "tenant_keys", "user_tokens", "api_tokens", "calendar_feeds", "audit_log"].contains(table) {
            continue;
        }
        let (cols, rows) = rows_of(&mut tx, tenant.id, table).await;
        let id_at = cols.iter().position(|c| c.name == "id");
        let mut meant: Vec<Vec<Value>> = rows
            .into_iter()
            .map(|r| {
                let mut v = Vec::new();
                for (i, c) in cols.iter().enumerate() {
                    let skip = c.name == *tenant_column
                        || c.name.ends_with("revision")
                        || c.name == "email_index"
                        || (*table == "mail_outbox" && c.name == "id");
                    if skip {
                        continue;
                    }
                    let field = Field::ALL.into_iter().find(|f| f.table_column() == (*table, c.name.as_str()));
                    v.push(match (field, &r[i]) {
                        // Empty: scrubbed after use (a sent mail's body).
                        (Some(f), Value::Text(stored)) if !stored.is_empty() => {
                            let Value::Text(row) = &r[id_at.unwrap()] else { panic!("id") };
                            let sealed = ordo_store::Sealed::from_storage(stored.clone());
                            Value::Text(if f.is_binary() {
                                ordo_crypto::digest::sha256_hex(&keys.open_bytes(f, row, &sealed).unwrap())
                            } else {
                                keys.open(f, row, &sealed).unwrap()
                            })
                        }
                        (_, value) => value.clone(),
                    });
                }
                v
            })
            .collect();
        meant.sort_by_key(|r| format!("{r:?}"));
        out.insert((*table).to_owned(), meant);
    }
    tx.commit().await.unwrap();
    out
}

both!(a_tenant_restored_into_a_new_tenant_is_an_independent_copy, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, _c) = busy_tenant(&t).await;
    let s = Slug::parse(&slug).unwrap();
    let out = ordo_app::backups::run(&t.app, &s).await.unwrap();
    let meant = meaning(&t.app, &slug).await;
    let original = contents(&t.app, &slug).await;
    let source = t.store.tenant_by_slug(&s).await.unwrap().unwrap();
    let head = t.db.text(&format!("SELECT audit_head FROM tenants WHERE id = '{}'", source.id)).await;

    let copy = Slug::parse(&format!("{slug}-copy")).unwrap();
    let (copy_id, _) = ordo_app::backups::restore_into(&t.app, &s, &out.snapshot, &copy).await.unwrap();
    assert_ne!(copy_id, source.id);
    // The original is not touched.
    assert_eq!(contents(&t.app, &slug).await, original);
    // The copy means the same, every protected value sealed again for it.
    assert_eq!(meaning(&t.app, copy.as_str()).await, meant);
    let copied = contents(&t.app, copy.as_str()).await;
    for table in ["users", "meetings", "topics", "elements", "comments", "attachments"] {
        assert_eq!(copied[table].len(), original[table].len(), "{table}");
        for (a, b) in copied[table].iter().zip(&original[table]) {
            assert_ne!(a, b, "{table}: a row copied as it was: its sealed values still bound to the original");
        }
    }
    // Its own keys, its own chain, opened by where it came from.
    let tenant = t.store.tenant_by_slug(&copy).await.unwrap().unwrap();
    assert_eq!(tenant.name, source.name);
    assert!(matches!(
        t.store.verify_audit_chain(copy_id).await.unwrap(),
        ordo_store::ChainCheck::Intact { entries: 1, .. }
    ));
    let entry = &t.store.list_audit(copy_id, None, 10).await.unwrap()[0];
    assert_eq!(entry.kind, "tenant.restored");
    assert!(entry.detail.contains(&head) && entry.detail.contains(&out.snapshot), "{}", entry.detail);
    // One-time links and API tokens of the original do not open the copy.
    for table in ["user_tokens", "api_tokens", "calendar_feeds", "audit_log"] {
        assert!(copied[table].len() <= 1, "{table}: {:?}", copied[table]);
    }
    // A name that is taken is refused, and nothing changes.
    let e = ordo_app::backups::restore_into(&t.app, &s, &out.snapshot, &copy).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(BackupError::TenantExists(_))), "{e}");
    assert_eq!(contents(&t.app, copy.as_str()).await, copied);

    // Destroying the original's keys leaves the copy whole: its users sign
    // in (the blind index was recomputed) and read everything.
    ordo_app::keyops::delete_tenant(&t.app, &s).await.unwrap();
    let c = t.client();
    c.login(copy.as_str(), &owner, PASSWORD).await;
    let list = c.get(&format!("/t/{copy}/meetings?view=past")).await.body;
    assert!(list.contains("Board"), "{list}");
    let board = list.split(">Board</a>").next().unwrap();
    let meeting = board.rsplit(&format!("/t/{copy}/meetings/")).next().unwrap()[..36].to_owned();
    let page = c.get(&format!("/t/{copy}/meetings/{meeting}")).await.body;
    assert!(page.contains("Close the books") && page.contains("Audited figures only"), "{page}");
    // And it is backed up and drilled like any tenant.
    ordo_app::backups::run(&t.app, &copy).await.unwrap();
    ordo_app::backups::drill(&t.app, &copy).await.unwrap();
});

both!(awkward_characters_come_back_byte_for_byte, |engine| {
    // A tenant without encryption: its values are stored as typed, so the
    // restore's own encoding (COPY's text format on PostgreSQL) is exercised.
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let s = Slug::parse(&slug).unwrap();
    ordo_app::keyops::set_encryption(&t.app, &s, false, "operator").await.unwrap();
    let awkward = "tab\there\nnew line\r\nback\\slash \\N \\\\t é 🎉 'quote\" ;--";
    c.get(&format!("/t/{slug}/meetings")).await;
    let r = c
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Awkward"),
                ("objectives", awkward),
                ("starts_at", "2026-12-01T09:30"),
                ("time_zone", "UTC"),
                ("duration_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let stored = t.db.text("SELECT objectives FROM meetings").await;
    assert!(stored.contains("back\\slash") && stored.contains('\t'), "{stored:?}");
    let before = contents(&t.app, &slug).await;
    let out = ordo_app::backups::run(&t.app, &s).await.unwrap();
    ordo_app::backups::restore(&t.app, &s, &out.snapshot, true).await.unwrap();
    assert_eq!(contents(&t.app, &slug).await, before);
    assert_eq!(t.db.text("SELECT objectives FROM meetings").await, stored);
});

both!(a_damaged_archive_is_refused_before_anything_is_written, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = busy_tenant(&t).await;
    let s = Slug::parse(&slug).unwrap();
    let out = ordo_app::backups::run(&t.app, &s).await.unwrap();
    let file = t.dir.path().join("backups").join(&slug).join(format!("{}.ordobak", out.snapshot));
    let good = std::fs::read(&file).unwrap();
    let before = contents(&t.app, &slug).await;
    let flipped = {
        let mut b = good.clone();
        let at = b.len() - 20;
        b[at] ^= 0x40;
        b
    };
    let truncated = good[..good.len() - 100].to_vec();
    let mut extended = good.clone();
    extended.extend_from_slice(b"more");
    for (what, bytes) in [("flipped", flipped), ("truncated", truncated), ("extended", extended)] {
        std::fs::write(&file, &bytes).unwrap();
        let e = ordo_app::backups::verify(&t.app, &s, None).await.unwrap_err();
        assert!(matches!(e, ordo_app::AppError::Backup(_)), "{what}: {e}");
        let e = ordo_app::backups::restore(&t.app, &s, &out.snapshot, true).await.unwrap_err();
        assert!(matches!(e, ordo_app::AppError::Backup(_)), "{what}: {e}");
        assert_eq!(contents(&t.app, &slug).await, before, "{what}: the database changed");
    }
    // Another tenant's key cannot open it (the archive names its tenant; a
    // copy filed under another tenant's name is refused).
    std::fs::write(&file, &good).unwrap();
    let (other, _, _) = t.tenant_with_owner().await;
    let other_dir = t.dir.path().join("backups").join(&other);
    std::fs::create_dir_all(&other_dir).unwrap();
    std::fs::copy(&file, other_dir.join(format!("{}.ordobak", out.snapshot))).unwrap();
    let e = ordo_app::backups::verify(&t.app, &Slug::parse(&other).unwrap(), None).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(_)), "{e}");
    // A partial file left by a crash is never listed.
    std::fs::write(t.dir.path().join("backups").join(&slug).join("20990101T000000Z-00000000.ordobak.part"), b"x")
        .unwrap();
    assert_eq!(ordo_app::backups::list(&t.app, &s).await.unwrap().len(), 1);
    // A deleted tenant's keys are gone: so is every way into its backups.
    ordo_app::keyops::delete_tenant(&t.app, &s).await.unwrap();
    let e = ordo_app::backups::restore(&t.app, &s, &out.snapshot, false).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(BackupError::WrongKey)), "{e}");
});

both!(a_restore_that_fails_half_way_leaves_the_database_as_it_was, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = busy_tenant(&t).await;
    let s = Slug::parse(&slug).unwrap();
    let before = contents(&t.app, &slug).await;
    let tenant = t.store.tenant_by_slug(&s).await.unwrap().unwrap();
    // A valid, well-sealed archive whose rows the database refuses half-way
    // (a user twice): written with the tenant's own key, as a bug could.
    let kek = t.app.keys.kek(&tenant.id.to_string()).unwrap();
    let key = ordo_crypto::keys::SecretKey::generate().unwrap();
    let snapshot = "20261201T000000Z-0badc0de";
    let header = ordo_backup::format::Header {
        tenant_id: tenant.id.to_string(),
        tenant_slug: slug.clone(),
        snapshot: snapshot.into(),
        created_at: 0,
        schema_version: ordo_store::SCHEMA_VERSION,
        wrapped_key: ordo_crypto::keys::wrap_tenant_key(
            &kek,
            &key,
            &tenant.id.to_string(),
            &format!("backup/{snapshot}"),
            1,
        )
        .unwrap(),
    };
    let mut w = ordo_backup::format::ArchiveWriter::new(Vec::new(), &header, &key).unwrap();
    for (table, rows) in &before {
        let mut tx = t.store.begin_snapshot().await.unwrap();
        let (cols, full) = rows_of(&mut tx, tenant.id, table).await;
        let cols: Vec<String> = cols.into_iter().map(|c| c.name).collect();
        tx.commit().await.unwrap();
        assert_eq!(full.len(), rows.len());
        w.begin_table(table, &cols).unwrap();
        for r in &full {
            w.row(r).unwrap();
        }
        if table == "users" {
            w.row(&full[0]).unwrap();
        }
        w.end_table().unwrap();
    }
    let (bytes, _) = w.finish().unwrap();
    let dir = t.dir.path().join("backups").join(&slug);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{snapshot}.ordobak")), bytes).unwrap();
    // The archive itself is intact: the failure comes from the database...
    ordo_app::backups::verify(&t.app, &s, Some(snapshot)).await.unwrap();
    let e = ordo_app::backups::restore(&t.app, &s, snapshot, true).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(BackupError::Store(_))), "{e}");
    // ...after the old rows were deleted and half the new ones written: all
    // of it was rolled back.
    assert_eq!(contents(&t.app, &slug).await, before);
});

#[cfg_attr(
    not(ordo_s3),
    ignore = "the test script starts an S3-compatible server (moto) and sets ORDO_TEST_S3_ENDPOINT"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_comes_back_equal_from_s3_compatible_storage_on_sqlite() {
    s3_round_trip(Engine::Sqlite).await;
}

#[cfg_attr(
    not(all(ordo_s3, ordo_pg)),
    ignore = "the test script starts moto and PostgreSQL and sets ORDO_TEST_S3_ENDPOINT and ORDO_TEST_DATABASE_URL"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_comes_back_equal_from_s3_compatible_storage_on_postgres() {
    s3_round_trip(Engine::Postgres).await;
}

fn s3(bucket: &str, prefix: &str) -> ordo_backup::target::TargetSpec {
    ordo_backup::target::TargetSpec::S3(ordo_backup::target::S3Settings {
        endpoint: std::env::var("ORDO_TEST_S3_ENDPOINT").unwrap(),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        prefix: prefix.into(),
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        allow_http: true,
    })
}

#[cfg_attr(
    not(ordo_s3),
    ignore = "the test script starts an S3-compatible server (moto) and sets ORDO_TEST_S3_ENDPOINT"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_with_a_bucket_of_its_own_is_backed_up_there_only() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let (shared_slug, _, _) = t.tenant_with_owner().await;
    let (own_slug, _, _) = t.tenant_with_owner().await;
    let endpoint = std::env::var("ORDO_TEST_S3_ENDPOINT").unwrap();
    let shared = std::env::var("ORDO_TEST_S3_BUCKET").unwrap_or_else(|_| "ordo-test".into());
    let own = format!("own-{}", TestApp::slug());
    let r = reqwest::Client::new().put(format!("{endpoint}/{own}")).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let prefix = format!("run-{}", TestApp::slug());
    let app = t
        .other_node_with(|settings| {
            settings.backup_target = s3(&shared, &prefix);
            settings.backup_tenant_targets.insert(own_slug.clone(), s3(&own, ""));
        })
        .await;
    for slug in [&shared_slug, &own_slug] {
        ordo_app::backups::run(&app, &Slug::parse(slug).unwrap()).await.unwrap();
    }
    let listing = |bucket: &str| {
        let bucket = bucket.to_owned();
        let endpoint = endpoint.clone();
        async move { reqwest::get(format!("{endpoint}/{bucket}?list-type=2")).await.unwrap().text().await.unwrap() }
    };
    let in_shared = listing(&shared).await;
    let in_own = listing(&own).await;
    assert!(in_shared.contains(&format!("{prefix}/{shared_slug}/")), "{in_shared}");
    assert!(!in_shared.contains(&format!("/{own_slug}/")), "{in_shared}");
    assert!(in_own.contains(&format!("<Key>{own_slug}/")), "{in_own}");
    // Listing, checking and restoring find it there.
    let s = Slug::parse(&own_slug).unwrap();
    let snapshot = ordo_app::backups::list(&app, &s).await.unwrap().pop().unwrap().snapshot;
    ordo_app::backups::verify(&app, &s, Some(&snapshot)).await.unwrap();
    ordo_app::backups::restore(&app, &s, &snapshot, true).await.unwrap();
}

#[cfg_attr(
    not(ordo_s3),
    ignore = "the test script starts an S3-compatible server (moto) and sets ORDO_TEST_S3_ENDPOINT"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_off_half_way_is_never_listed() {
    use object_store::{MultipartUpload, ObjectStoreExt};
    let bucket = std::env::var("ORDO_TEST_S3_BUCKET").unwrap_or_else(|_| "ordo-test".into());
    let prefix = format!("run-{}", TestApp::slug());
    let target = s3(&bucket, &prefix).open().unwrap();
    let ordo_backup::target::Target::S3 { store, .. } = &target else { panic!("an S3 target") };
    // A backup's upload as a crash leaves it: parts sent, never completed.
    let path = object_store::path::Path::from(format!("{prefix}/acme/20990101T000000Z-00000000.ordobak"));
    let mut upload = store.put_multipart(&path).await.unwrap();
    upload.put_part(vec![7u8; 5 << 20].into()).await.unwrap();
    drop(upload);
    assert!(target.list("acme").await.unwrap().is_empty());
    assert!(store.head(&path).await.is_err());
    // A completed one is listed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a");
    std::fs::write(&file, b"archive").unwrap();
    target.put("acme", "20990101T000001Z-00000000", &file).await.unwrap();
    assert_eq!(target.list("acme").await.unwrap().len(), 1);
}

async fn s3_round_trip(engine: Engine) {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = busy_tenant(&t).await;
    let s = Slug::parse(&slug).unwrap();
    let endpoint = std::env::var("ORDO_TEST_S3_ENDPOINT").unwrap();
    let bucket = std::env::var("ORDO_TEST_S3_BUCKET").unwrap_or_else(|_| "ordo-test".into());
    let app = t
        .other_node_with(|settings| {
            settings.backup_target = ordo_backup::target::TargetSpec::S3(ordo_backup::target::S3Settings {
                endpoint,
                region: "us-east-1".into(),
                bucket,
                prefix: format!("run-{}", TestApp::slug()),
                access_key_id: "testing".into(),
                secret_access_key: "testing".into(),
                allow_http: true,
            });
        })
        .await;
    let before = contents(&app, &slug).await;
    let out = ordo_app::backups::run(&app, &s).await.unwrap();
    let listed = ordo_app::backups::list(&app, &s).await.unwrap();
    assert_eq!(listed.iter().map(|l| l.snapshot.as_str()).collect::<Vec<_>>(), [out.snapshot.as_str()]);
    assert_eq!(listed[0].size, out.bytes);
    ordo_app::backups::verify(&app, &s, Some(&out.snapshot)).await.unwrap();
    // The local directory target got nothing: the archive went to S3 only.
    assert!(!t.dir.path().join("backups").join(&slug).exists());
    ordo_app::backups::restore(&app, &s, &out.snapshot, true).await.unwrap();
    assert_eq!(contents(&app, &slug).await, before);
    let e = ordo_app::backups::restore(&app, &s, "20990101T000000Z-00000000", true).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(BackupError::NoSnapshot(_))), "{e}");
    // And into a new tenant, from the same storage: the same content.
    let copy = Slug::parse(&format!("{slug}-copy")).unwrap();
    ordo_app::backups::restore_into(&app, &s, &out.snapshot, &copy).await.unwrap();
    assert_eq!(meaning(&app, copy.as_str()).await, meaning(&app, &slug).await);
}

both!(backups_run_twice_a_day_once_across_nodes_within_quota_and_retention, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, owner, c) = busy_tenant(&t).await;
    let s = Slug::parse(&slug).unwrap();
    // A new tenant is due at once; two nodes run the due jobs together:
    // exactly one backup is taken.
    let other = t.other_node().await;
    let (a, b) = tokio::join!(ordo_app::backups::run_due(&t.app), ordo_app::backups::run_due(&other));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(ordo_app::backups::list(&t.app, &s).await.unwrap().len(), 1);
    // Nothing more is due until 12 hours later.
    t.clock.advance_secs(11 * 3600);
    assert_eq!(ordo_app::backups::run_due(&t.app).await.unwrap(), 0);
    t.clock.advance_secs(3600 + 1);
    assert_eq!(ordo_app::backups::run_due(&t.app).await.unwrap(), 1);
    assert_eq!(ordo_app::backups::list(&t.app, &s).await.unwrap().len(), 2);
    // A job claimed by a node that died is taken over when its lease ends.
    t.clock.advance_secs(12 * 3600 + 1);
    let tenant = t.store.tenant_by_slug(&s).await.unwrap().unwrap();
    let claimed = t.store.claim_due(ordo_store::Job::Backup, t.app.now(), 3600).await.unwrap();
    assert_eq!(claimed.map(|(id, _)| id), Some(tenant.id));
    assert_eq!(ordo_app::backups::run_due(&t.app).await.unwrap(), 0, "leased to the dead node");
    t.clock.advance_secs(3601);
    assert_eq!(ordo_app::backups::run_due(&t.app).await.unwrap(), 1);

    // Over quota: the backup fails, is recorded as failed, and every
    // earlier backup stays.
    let small = t.other_node_with(|s| s.backup_quota_bytes = 1000).await;
    let before = ordo_app::backups::list(&t.app, &s).await.unwrap();
    let e = ordo_app::backups::run(&small, &s).await.unwrap_err();
    assert!(matches!(e, ordo_app::AppError::Backup(BackupError::Quota { .. })), "{e}");
    assert_eq!(ordo_app::backups::list(&t.app, &s).await.unwrap(), before);
    let runs = t.store.backup_runs(tenant.id, 10).await.unwrap();
    assert!(!runs[0].ok && runs[0].detail.contains("quota"), "{runs:?}");
    assert!(runs[1..].iter().all(|r| r.ok && r.kind == "backup"));

    // Retention: snapshots from long ago are thinned out after the next
    // backup (every one of the last 14 days kept, none older than a year).
    let dir = t.dir.path().join("backups").join(&slug);
    let now = t.app.now().unix();
    let name_at = |unix: i64| {
        let ts = ordo_core::time::Timestamp::from_unix(unix).rfc3339();
        format!("{}-00000000.ordobak", ts.replace(['-', ':'], ""))
    };
    let old_name = |days: i64| name_at(now - days * 86_400);
    // Two snapshots of one week (weeks are counted from the epoch), 20 to
    // 27 days old whatever today is.
    let week = 7 * 86_400;
    let week_start = (now - 20 * 86_400).div_euclid(week) * week;
    let (same_week_a, same_week_b) = (name_at(week_start + 3600), name_at(week_start + 7200));
    for name in [old_name(3), same_week_a.clone(), same_week_b.clone(), old_name(400)] {
        std::fs::write(dir.join(name), b"old").unwrap();
    }
    ordo_app::backups::run(&t.app, &s).await.unwrap();
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.contains(&old_name(3)));
    assert!(names.contains(&same_week_b), "the newest of its week is kept: {names:?}");
    assert!(!names.contains(&same_week_a), "one of the same week is kept: {names:?}");
    assert!(!names.contains(&old_name(400)), "{names:?}");

    // The admins see it all (signed in again: a day has passed).
    drop(c);
    let c = t.client();
    c.login(&slug, &owner, PASSWORD).await;
    let page = c.get(&format!("/t/{slug}/admin/backups")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("quota") && page.body.contains(&before[0].snapshot), "{}", page.body);
});

both!(the_daily_restore_drill_proves_the_latest_backup_and_alerts_on_failure, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = busy_tenant(&t).await;
    let s = Slug::parse(&slug).unwrap();
    ordo_app::backups::run_due(&t.app).await.unwrap();
    assert_eq!(ordo_app::backups::drill_due(&t.app).await.unwrap(), 1);
    let tenant = t.store.tenant_by_slug(&s).await.unwrap().unwrap();
    let runs = t.store.backup_runs(tenant.id, 10).await.unwrap();
    let drill = runs.iter().find(|r| r.kind == "drill").unwrap();
    assert!(drill.ok, "{drill:?}");
    assert!(drill.rows_total > 10);
    // The live database was not touched by the drill.
    assert_eq!(
        t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM platform_audit WHERE kind = 'tenant.restored'").await,
        "0"
    );
    assert_eq!(ordo_app::backups::drill_due(&t.app).await.unwrap(), 0, "once a day");
    // A damaged archive fails the next day's drill, which is recorded.
    let snap = ordo_app::backups::list(&t.app, &s).await.unwrap().pop().unwrap().snapshot;
    let file = t.dir.path().join("backups").join(&slug).join(format!("{snap}.ordobak"));
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    t.clock.advance_secs(24 * 3600 + 1);
    // (The backup due meanwhile is not run here: the drill takes the newest.)
    assert_eq!(ordo_app::backups::drill_due(&t.app).await.unwrap(), 1);
    let runs = t.store.backup_runs(tenant.id, 10).await.unwrap();
    assert!(runs[0].kind == "drill" && !runs[0].ok, "{runs:?}");
    // No scratch database is left behind.
    let left: Vec<_> = std::fs::read_dir(t.dir.path().join("tmp")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
});

both!(generated_demo_data_reads_back_and_survives_a_backup, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    let s = Slug::parse(&slug).unwrap();
    let (meetings, bytes) = ordo_app::demo::generate(&t.app, &s, 2_000_000).await.unwrap();
    assert!(meetings >= 2 && bytes >= 2_000_000, "{meetings} {bytes}");
    // Sealed like real data: the pages decrypt it.
    let (upcoming, past) =
        (c.get(&format!("/t/{slug}/meetings")).await, c.get(&format!("/t/{slug}/meetings?view=past")).await);
    assert_eq!((upcoming.status, past.status), (200, 200));
    assert!(upcoming.body.contains("week 1") || past.body.contains("week 1"), "{}{}", upcoming.body, past.body);
    let json = c.get(&format!("/t/{slug}/api/v1/meetings")).await.json();
    let id = json["meetings"][0]["id"].as_str().unwrap().to_owned();
    let page = c.get(&format!("/t/{slug}/meetings/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("class=\"el-image\""));
    ordo_app::backups::run(&t.app, &s).await.unwrap();
    let drill = ordo_app::backups::drill(&t.app, &s).await.unwrap();
    assert!(drill.rows > 100);
});
