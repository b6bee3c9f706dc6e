//! The mail outbox: delivered over SMTP (the test script runs a real SMTP
//! server), written as .eml files without SMTP, retried with back-off, and
//! never lost across a restart.

use crate::helpers::*;
use ordo_core::tenant::Plan;
use ordo_core::user::Locale;

both!(without_smtp_messages_are_written_as_eml_files, |engine| {
    let t = TestApp::spawn_with(engine, Opts { smtp_url: Some(None), ..Default::default() }).await;
    let (_slug, owner) = t.tenant(Plan::Free).await;
    let mails = t.wait_mails(&owner, 1).await;
    assert!(mails[0].body.contains("/activate/"));
    let files: Vec<_> = std::fs::read_dir(t.dir.path().join("mail")).unwrap().filter_map(|e| e.ok()).collect();
    let eml: Vec<_> = files.iter().filter(|f| f.path().extension().is_some_and(|e| e == "eml")).collect();
    assert_eq!(eml.len(), 1);
    // And a plain-text copy beside it, whose link is whole on one line.
    assert_eq!(files.len(), 2);
    let text = std::fs::read_to_string(eml[0].path().with_extension("txt")).unwrap();
    let link = mails[0].link("/activate/").unwrap();
    assert!(text.lines().any(|l| l.trim_end().ends_with(&link)), "{link} not whole in:\n{text}");
    assert!(text.starts_with(&format!("To: {owner}\n")), "{text}");
    // Once sent, the outbox keeps no copy of the link.
    for _ in 0..50 {
        if t.db.text("SELECT status FROM mail_outbox").await == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(t.db.text("SELECT status FROM mail_outbox").await, "sent");
    assert_eq!(t.db.text("SELECT body_text FROM mail_outbox").await, "");
});

both!(undeliverable_mail_is_retried_and_survives_a_restart, |engine| {
    // Port 9 on loopback: nothing listens, delivery fails at once.
    let t =
        TestApp::spawn_with(engine, Opts { smtp_url: Some(Some("smtp://127.0.0.1:9".into())), ..Default::default() })
            .await;
    let owner = TestApp::email("owner");
    let slug = TestApp::slug();
    ordo_app::accounts::create_tenant(&t.app, &slug, "Retry Org", &owner, Plan::Free, Locale::Fr, true).await.unwrap();
    let mut attempts = String::new();
    for _ in 0..100 {
        attempts = t.db.text("SELECT CAST(attempts AS TEXT) FROM mail_outbox").await;
        if attempts != "0" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(attempts, "1", "one failed attempt, then back-off");
    assert_eq!(t.db.text("SELECT status FROM mail_outbox").await, "pending");
    let err = t.db.text("SELECT last_error FROM mail_outbox").await;
    assert!(err.starts_with("smtp"), "{err}");
    // Back-off: no second attempt before the delay.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(t.db.text("SELECT CAST(attempts AS TEXT) FROM mail_outbox").await, "1");

    // Restart with a working transport: the message goes out, in French.
    let (db, dir, clock) = t.stop().await;
    clock.advance_secs(31);
    let t2 = TestApp::start(db, dir, clock, Opts::default()).await;
    let mails = t2.wait_mails(&owner, 1).await;
    assert!(mails[0].subject.contains("Votre invitation"), "{}", mails[0].subject);
    assert!(mails[0].body.contains(&format!("/t/{slug}/activate/")));
});

#[cfg_attr(not(ordo_smtp), ignore = "the test script starts an SMTP server and sets ORDO_TEST_SMTP_URL")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_through_a_real_smtp_server() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let (_slug, owner) = t.tenant(Plan::Free).await;
    let mails = t.wait_mails(&owner, 1).await;
    assert!(mails[0].body.contains("/activate/"));
    // It came through SMTP into the server's mailbox, not as a local file.
    assert!(!t.dir.path().join("mail").exists());
}
