//! The command-line contract operators and later work rely on.

use crate::helpers::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn ordo(dir: &std::path::Path, db: Option<&TestDb>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ordo"));
    cmd.arg("--data-dir").arg(dir).args(args).env("ORDO_LOG", "warn");
    for k in [
        "ORDO_DATABASE_URL",
        "ORDO_MODE",
        "ORDO_CONFIG",
        "ORDO_SMTP_URL",
        "ORDO_PUBLIC_URL",
        "ORDO_MASTER_KEY_FILE",
        "ORDO_LISTEN",
    ] {
        cmd.env_remove(k);
    }
    if let Some(db) = db {
        cmd.env("ORDO_DATABASE_URL", &db.url);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

both!(tenant_create_prints_the_activation_url_last, |engine| {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = TestDb::new(engine, dir.path()).await;
    let dbo = (engine == Engine::Postgres).then_some(&db);

    // Bad input: a clear error, non-zero exit, nothing written.
    for args in [
        vec!["tenant", "create", "--slug", "Not OK", "--name", "Acme", "--owner-email", "a@example.org"],
        vec!["tenant", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "not-an-address"],
        vec!["tenant", "create", "--slug", "api", "--name", "Acme", "--owner-email", "a@example.org"],
        vec!["tenant", "create", "--slug", "acme", "--name", "  ", "--owner-email", "a@example.org"],
    ] {
        let o = ordo(&data, dbo, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("ordo: "), "{}", stderr(&o));
        assert!(!data.exists(), "nothing written for {args:?}");
    }

    let o = ordo(
        &data,
        dbo,
        &[
            "tenant",
            "create",
            "--slug",
            "acme",
            "--name",
            "Acme SA",
            "--owner-email",
            "boss@example.org",
            "--plan",
            "enterprise",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("http://127.0.0.1:8080/t/acme/activate/"), "{last}");
    assert!(last.len() > "http://127.0.0.1:8080/t/acme/activate/".len() + 40);

    // A taken slug is refused, and nothing changes.
    let o =
        ordo(&data, dbo, &["tenant", "create", "--slug", "acme", "--name", "Other", "--owner-email", "x@example.org"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already taken"));

    let o = ordo(&data, dbo, &["tenant", "list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("acme") && out.contains("enterprise") && out.contains("Acme SA"));
    assert!(!out.contains("Other"));
    let o = ordo(&data, dbo, &["audit", "verify", "--tenant", "acme"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("intact (2 entries)"));
    let o = ordo(&data, dbo, &["audit", "verify", "--tenant", "nope"]);
    assert_eq!(o.status.code(), Some(2));
});

#[test]
fn help_documents_every_option() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| stdout(&ordo(dir.path(), None, args));
    let top = help(&["--help"]);
    for cmd in ["serve", "migrate", "tenant", "audit", "keys"] {
        assert!(top.contains(cmd), "{cmd} missing from ordo --help");
    }
    for opt in ["--config", "--data-dir"] {
        assert!(top.contains(opt), "{opt}");
    }
    let serve = help(&["serve", "--help"]);
    for opt in ["--listen", "--config", "--data-dir", "ORDO_LISTEN", "ORDO_DATA_DIR", "ORDO_CONFIG"] {
        assert!(serve.contains(opt), "{opt} missing from ordo serve --help");
    }
    let create = help(&["tenant", "create", "--help"]);
    for opt in ["--slug", "--name", "--owner-email", "--plan", "--locale", "--data-dir"] {
        assert!(create.contains(opt), "{opt} missing from ordo tenant create --help");
    }
    assert!(help(&["audit", "verify", "--help"]).contains("--tenant"));
    assert!(help(&["tenant", "list", "--help"]).contains("--data-dir"));
}

#[test]
fn development_mode_creates_a_private_master_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let o = ordo(&data, None, &["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let key = data.join("master.key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(data.join("ordo.db")).unwrap().permissions().mode() & 0o777, 0o600);
    let before = std::fs::read(&key).unwrap();
    assert!(ordo(&data, None, &["migrate"]).status.success());
    assert_eq!(std::fs::read(&key).unwrap(), before, "an existing key is never replaced");
}

#[test]
fn production_mode_refuses_to_start_without_its_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let run = |envs: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ordo"));
        cmd.arg("--data-dir")
            .arg(dir.path().join("d"))
            .arg("migrate")
            .env("ORDO_LOG", "warn")
            .env("ORDO_MODE", "production");
        for k in ["ORDO_DATABASE_URL", "ORDO_CONFIG", "ORDO_SMTP_URL", "ORDO_PUBLIC_URL", "ORDO_MASTER_KEY_FILE"] {
            cmd.env_remove(k);
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let o = run(&[]);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    for needed in ["ORDO_PUBLIC_URL", "ORDO_MASTER_KEY_FILE", "ORDO_SMTP_URL"] {
        assert!(e.contains(needed), "{needed} not named in: {e}");
    }
    assert!(!dir.path().join("d").exists(), "nothing created");
    // An http public address is not enough.
    let key = dir.path().join("master.key");
    assert!(
        Command::new(env!("CARGO_BIN_EXE_ordo"))
            .args(["keys", "generate"])
            .arg(&key)
            .output()
            .unwrap()
            .status
            .success()
    );
    let key_s = key.to_str().unwrap();
    let o = run(&[
        ("ORDO_PUBLIC_URL", "http://ordo.example.com"),
        ("ORDO_MASTER_KEY_FILE", key_s),
        ("ORDO_SMTP_URL", "smtps://u:p@mail.example.com"),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("ORDO_PUBLIC_URL"));
    // Mail in clear is refused: it carries single-use links.
    let o = run(&[
        ("ORDO_PUBLIC_URL", "https://ordo.example.com"),
        ("ORDO_MASTER_KEY_FILE", key_s),
        ("ORDO_SMTP_URL", "smtp://u:p@mail.example.com:25"),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("must use TLS"), "{}", stderr(&o));
    // A missing key file is an error, never silently created.
    let o = run(&[
        ("ORDO_PUBLIC_URL", "https://ordo.example.com"),
        ("ORDO_MASTER_KEY_FILE", "/nonexistent/key"),
        ("ORDO_SMTP_URL", "smtps://u:p@mail.example.com"),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("master key"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("u:p@"), "the SMTP password never appears");
    // With everything: it starts.
    let o = run(&[
        ("ORDO_PUBLIC_URL", "https://ordo.example.com"),
        ("ORDO_MASTER_KEY_FILE", key_s),
        ("ORDO_SMTP_URL", "smtps://u:p@mail.example.com"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn configuration_file_then_environment() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ordo.toml");
    let data = dir.path().join("from-file");
    std::fs::write(
        &cfg,
        format!("data_dir = {:?}\npublic_url = \"https://file.example.com\"\nsession_idle_minutes = 10\n", data),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ordo"));
    cmd.args([
        "--config",
        cfg.to_str().unwrap(),
        "tenant",
        "create",
        "--slug",
        "acme",
        "--name",
        "A",
        "--owner-email",
        "a@example.org",
    ])
    .env("ORDO_LOG", "warn")
    .env_remove("ORDO_DATA_DIR")
    .env_remove("ORDO_DATABASE_URL");
    let o = cmd.env("ORDO_PUBLIC_URL", "https://env.example.com").output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(data.join("ordo.db").exists(), "data_dir from the file");
    assert!(
        stdout(&o).lines().last().unwrap().starts_with("https://env.example.com/t/acme/activate/"),
        "the environment wins over the file"
    );

    // An unknown key is refused, with the file named.
    std::fs::write(&cfg, "sesion_idle_minutes = 10\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["--config", cfg.to_str().unwrap(), "tenant", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ordo.toml") && stderr(&o).contains("sesion_idle_minutes"), "{}", stderr(&o));
}

/// Start `ordo serve` on port 0 and return the child and its address.
fn spawn_server(data: &std::path::Path) -> (std::process::Child, String) {
    let (child, addr, _) = spawn_server_logging(data, "warn");
    (child, addr)
}

type Lines = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Start `ordo serve` with JSON logs at `level`, keeping its log lines.
fn spawn_server_logging(data: &std::path::Path, level: &str) -> (std::process::Child, String, Lines) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ORDO_LOG", level)
        .env("ORDO_LOG_FORMAT", "json")
        .env_remove("ORDO_DATABASE_URL")
        .env_remove("ORDO_SMTP_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.strip_prefix("Ordo listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let kept: Lines = Default::default();
    let sink = kept.clone();
    std::thread::spawn(move || {
        for l in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(l);
        }
    });
    (child, addr, kept)
}

/// Every request's log line names its route (the template, never the
/// path), its tenant and its request id; every committed change its use
/// case and tenant, inside the request that made it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_name_the_route_the_tenant_and_the_use_case() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let o =
        ordo(&data, None, &["tenant", "create", "--slug", "logs", "--name", "Logs", "--owner-email", "o@example.org"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (mut child, addr, lines) = spawn_server_logging(&data, "info");
    let c = Client::new(&format!("http://{addr}"));
    assert_eq!(c.get("/t/logs/login").await.status, 200);
    // A failed sign-in is a change (its audit entry and the throttle).
    let r = c.post_form("/t/logs/login", &[("email", "o@example.org"), ("password", "not the password")]).await;
    assert_ne!(r.status, 500);
    let parsed = || -> Vec<serde_json::Value> {
        lines.lock().unwrap().iter().filter_map(|l| serde_json::from_str(l).ok()).collect()
    };
    let mut found = (false, false);
    for _ in 0..50 {
        let logs = parsed();
        found.0 = logs.iter().any(|l| {
            l["fields"]["message"] == "request"
                && l["span"]["route"] == "/t/{slug}/login"
                && l["span"]["tenant"] == "logs"
                && l["span"]["request_id"].as_str().is_some_and(|s| !s.is_empty())
        });
        found.1 = logs.iter().any(|l| {
            l["fields"]["message"] == "change committed"
                && l["span"]["use_case"] == "login.failure"
                && l["spans"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["name"] == "request" && s["tenant"] == "logs"))
        });
        if found == (true, true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    assert!(found.0, "no request line with route and tenant: {:#?}", parsed());
    assert!(found.1, "no committed change with its use case: {:#?}", parsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_work_while_the_server_runs_and_sigterm_stops_it_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (mut child, addr) = spawn_server(&data);
    let c = Client::new(&format!("http://{addr}"));
    assert_eq!(c.get("/healthz").await.status, 200);
    assert_eq!(c.get("/readyz").await.status, 200);

    // The CLI writes to the same SQLite database while the server serves it.
    let o = ordo(
        &data,
        None,
        &["tenant", "create", "--slug", "live", "--name", "Live", "--owner-email", "live@example.org"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let page = c.get("/t/live/login").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Live"));
    // And the server's mail worker delivers the CLI's queued mail.
    let mut found = false;
    for _ in 0..100 {
        if std::fs::read_dir(data.join("mail")).map(|d| d.count() > 0).unwrap_or(false) {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "the activation mail was written by the running server");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let status = status.expect("the server stops within 10 s of SIGTERM");
    assert!(status.success(), "graceful exit: {status:?}");
}

#[test]
fn key_commands_end_to_end_and_a_wrong_master_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let ok = |o: &Output| assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    ok(&ordo(&data, None, &["tenant", "create", "--slug", "enc", "--name", "E", "--owner-email", "e@example.org"]));
    ok(&ordo(
        &data,
        None,
        &[
            "tenant",
            "create",
            "--slug",
            "plain",
            "--name",
            "P",
            "--owner-email",
            "p@example.org",
            "--encryption",
            "off",
        ],
    ));
    let db = std::fs::read(data.join("ordo.db")).unwrap();
    let wal = std::fs::read(data.join("ordo.db-wal")).unwrap_or_default();
    let raw = String::from_utf8_lossy(&[db, wal].concat()).into_owned();
    assert!(raw.contains("p@example.org") && !raw.contains("e@example.org"));

    // Rotate a tenant's data key; switch encryption on and off.
    let o = ordo(&data, None, &["keys", "rotate", "--tenant", "enc"]);
    ok(&o);
    // The users are re-sealed at once; the queued invitation (no server is
    // running to send it) keeps the old key until it is sent.
    assert!(stdout(&o).contains("new data key version 2") && stdout(&o).contains("queued e-mails"), "{}", stdout(&o));
    let o = ordo(&data, None, &["tenant", "encryption", "--tenant", "plain", "--set", "on"]);
    ok(&o);
    assert!(stdout(&o).contains("encryption at rest of plain: on"), "{}", stdout(&o));
    let sqlite = TestDb::sqlite(&data.join("ordo.db"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let plain_left = rt.block_on(sqlite.text("SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE email LIKE 'p:%'"));
    assert_eq!(plain_left, "0", "the plain tenant's stored users are encrypted now");

    // Rotate the master key, then run with the new one only.
    let new_key = dir.path().join("new.key");
    ok(&Command::new(env!("CARGO_BIN_EXE_ordo")).args(["keys", "generate"]).arg(&new_key).output().unwrap());
    let o = ordo(&data, None, &["keys", "rotate-master", "--new-key-file", new_key.to_str().unwrap()]);
    ok(&o);
    assert!(stdout(&o).contains("2 tenant key(s) re-wrapped"), "{}", stdout(&o));
    let with_new = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ordo"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env("ORDO_MASTER_KEY_FILE", &new_key)
            .env("ORDO_LOG", "warn")
            .env_remove("ORDO_DATABASE_URL")
            .output()
            .unwrap()
    };
    let o = with_new(&["audit", "verify", "--tenant", "enc"]);
    ok(&o);

    // The old key alone (the development default file) is refused with a clear message.
    let o = ordo(&data, None, &["serve", "--listen", "127.0.0.1:0"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("master key does not match this database"), "{}", stderr(&o));
    // So is a wrong key.
    let wrong = dir.path().join("wrong.key");
    ok(&Command::new(env!("CARGO_BIN_EXE_ordo")).args(["keys", "generate"]).arg(&wrong).output().unwrap());
    let o = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ORDO_MASTER_KEY_FILE", &wrong)
        .env("ORDO_LOG", "warn")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("master key does not match this database"), "{}", stderr(&o));

    // Delete asks for confirmation; --yes deletes and shreds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .arg("--data-dir")
        .arg(&data)
        .args(["tenant", "delete", "enc"])
        .env("ORDO_MASTER_KEY_FILE", &new_key)
        .env("ORDO_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"not-the-slug\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&with_new(&["tenant", "list"])).contains("enc"));
    let keys_before = std::fs::read_dir(data.join("keys")).unwrap().count();
    let o = with_new(&["tenant", "delete", "enc", "--yes"]);
    ok(&o);
    assert!(!stdout(&with_new(&["tenant", "list"])).contains("enc "));
    assert_eq!(std::fs::read_dir(data.join("keys")).unwrap().count(), keys_before - 1, "its key file is destroyed");
}

both!(a_lost_server_is_rebuilt_and_a_tenant_restored_with_one_command, |engine| {
    // Server A backs up to storage that outlives it.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let remote = dir.path().join("remote-backups");
    let db_a = TestDb::new(engine, &dir.path().join("da")).await;
    let with_backups = |data: &std::path::Path, db: &TestDb, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ordo"));
        cmd.arg("--data-dir").arg(data).args(args).env("ORDO_LOG", "warn").env("ORDO_BACKUP_DIR", &remote);
        for k in [
            "ORDO_DATABASE_URL",
            "ORDO_MODE",
            "ORDO_CONFIG",
            "ORDO_SMTP_URL",
            "ORDO_PUBLIC_URL",
            "ORDO_MASTER_KEY_FILE",
            "ORDO_KEY_DIR",
        ] {
            cmd.env_remove(k);
        }
        if db.engine == Engine::Postgres {
            cmd.env("ORDO_DATABASE_URL", &db.url);
        }
        cmd.output().unwrap()
    };
    let o = with_backups(
        &a,
        &db_a,
        &["tenant", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "o@acme.example"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = with_backups(&a, &db_a, &["backup", "run", "--tenant", "acme"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = with_backups(&a, &db_a, &["backup", "list", "--tenant", "acme"]);
    let snapshot = stdout(&o).lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let o = with_backups(&a, &db_a, &["backup", "verify", "--tenant", "acme"]);
    assert!(o.status.success() && stdout(&o).contains("intact"), "{}", stdout(&o));
    let o = with_backups(&a, &db_a, &["backup", "drill", "--tenant", "acme"]);
    assert!(o.status.success() && stdout(&o).contains("restored and checked"), "{}{}", stdout(&o), stderr(&o));
    // The operator's view of every tenant's backups.
    let o = with_backups(&a, &db_a, &["backup", "status"]);
    let line = stdout(&o).lines().find(|l| l.starts_with("acme ")).unwrap_or_default().to_owned();
    assert!(o.status.success() && line.contains(" ok ") && !line.contains("never"), "{}", stdout(&o));
    // The platform's own backup, and on SQLite the whole database back out of it.
    let o = with_backups(&a, &db_a, &["backup", "platform"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let extracted = dir.path().join("platform");
    let o = with_backups(&a, &db_a, &["backup", "platform", "extract", "--out", extracted.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(extracted.join("ordo.db").exists(), engine == Engine::Sqlite, "{}", stdout(&o));

    // Server A is lost. Server B has a fresh, empty database, the master key
    // and the key store (kept apart from the backups), and the backups.
    std::fs::create_dir_all(&b).unwrap();
    std::fs::copy(a.join("master.key"), b.join("master.key")).unwrap();
    copy_dir(&a.join("keys"), &b.join("keys"));
    let db_b = TestDb::new(engine, &dir.path().join("db")).await;
    // Without the key store nothing can be restored (a stolen backup is useless).
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    let o = with_backups(
        &bare,
        &TestDb::new(engine, &bare).await,
        &["restore", "--tenant", "acme", "--snapshot", &snapshot],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nothing was written"), "{}", stderr(&o));
    // With it: one command.
    let o = with_backups(&b, &db_b, &["restore", "--tenant", "acme", "--snapshot", &snapshot]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("restored acme"), "{}", stdout(&o));
    let o = with_backups(&b, &db_b, &["tenant", "list"]);
    assert!(stdout(&o).contains("acme"), "{}", stdout(&o));
    let o = with_backups(&b, &db_b, &["audit", "verify", "--tenant", "acme"]);
    assert!(o.status.success() && stdout(&o).contains("intact"), "{}", stdout(&o));
    // Running it again is refused without --replace, and harmless with it.
    let o = with_backups(&b, &db_b, &["restore", "--tenant", "acme", "--snapshot", &snapshot]);
    assert!(!o.status.success() && stderr(&o).contains("--replace"), "{}", stderr(&o));
    let o = with_backups(&b, &db_b, &["restore", "--tenant", "acme", "--snapshot", &snapshot, "--replace"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A copy beside it, under another name, with its own keys and chain.
    let o = with_backups(&b, &db_b, &["restore", "--tenant", "acme", "--snapshot", &snapshot, "--into", "acme-copy"]);
    assert!(o.status.success() && stdout(&o).contains("acme-copy (a copy of acme)"), "{}{}", stdout(&o), stderr(&o));
    let o = with_backups(&b, &db_b, &["audit", "verify", "--tenant", "acme-copy"]);
    assert!(o.status.success() && stdout(&o).contains("intact"), "{}", stdout(&o));
    let o = with_backups(&b, &db_b, &["restore", "--tenant", "acme", "--snapshot", &snapshot, "--into", "acme-copy"]);
    assert!(!o.status.success() && stderr(&o).contains("nothing was written"), "{}", stderr(&o));
});

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

both!(demo_sample_gives_a_new_tenant_two_meetings_to_look_at, |engine| {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = TestDb::new(engine, dir.path()).await;
    let dbo = (engine == Engine::Postgres).then_some(&db);
    let o =
        ordo(&data, dbo, &["tenant", "create", "--slug", "demo", "--name", "Demo", "--owner-email", "o@example.org"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ordo(&data, dbo, &["demo", "sample", "--tenant", "demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "demo: 2 sample meetings added");
    let o = ordo(&data, dbo, &["demo", "sample", "--tenant", "nope"]);
    assert!(!o.status.success());
    // Written through the use cases: sealed, shared, and in the audit log.
    let db = if engine == Engine::Sqlite { TestDb::sqlite(&data.join("ordo.db")) } else { db };
    assert_eq!(db.text("SELECT CAST(COUNT(*) AS TEXT) FROM meetings WHERE status = 'shared'").await, "2");
    assert_eq!(db.text("SELECT CAST(COUNT(*) AS TEXT) FROM elements WHERE kind = 'action'").await, "4");
    assert!(db.text("SELECT title FROM meetings LIMIT 1").await.starts_with("e1."));
    assert_eq!(db.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE kind = 'meeting.shared'").await, "2");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordo_alert_test_reaches_the_webhook_and_says_when_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut receiver = crate::alerts::Receiver::start().await;
    let data = dir.path().to_path_buf();
    let run = move |url: String| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ordo"));
        cmd.arg("--data-dir").arg(&data).args(["alert", "test"]).env("ORDO_LOG", "warn");
        cmd.env_remove("ORDO_DATABASE_URL").env_remove("ORDO_CONFIG").env_remove("ORDO_MODE");
        cmd.env("ORDO_ALERT_WEBHOOK_URL", url).env("ORDO_ALERT_WEBHOOK_FORMAT", "slack");
        cmd.output().unwrap()
    };
    let o = tokio::task::spawn_blocking({
        let url = receiver.url();
        let run = run.clone();
        move || run(url)
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{} {}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("default (slack): delivered (200)"), "{}", stdout(&o));
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0]["text"].as_str().unwrap().starts_with("*[TEST] Test alert from Ordo*"), "{got:?}");
    receiver.stop();
    let url = receiver.url();
    let o = tokio::task::spawn_blocking(move || run(url)).await.unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("NOT DELIVERED") && !stdout(&o).contains("127.0.0.1"), "{}", stdout(&o));
    // Without any channel: said plainly.
    let o = ordo(dir.path(), None, &["alert", "test"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no alert channel is configured"), "{}", stderr(&o));
}

both!(staff_create_prints_the_activation_link_of_the_first_operator, |engine| {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = TestDb::new(engine, dir.path()).await;
    let dbo = (engine == Engine::Postgres).then_some(&db);
    let args = ["staff", "create", "--email", "Ada@Example.org", "--name", "Ada Admin", "--role", "operator_admin"];
    let o = ordo(&data, dbo, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().last().unwrap().contains("/ops/activate/"), "{out}");
    // The same address again, an unknown role: refused, nothing added.
    assert_eq!(ordo(&data, dbo, &args).status.code(), Some(2));
    let o = ordo(&data, dbo, &["staff", "create", "--email", "b@example.org", "--name", "B", "--role", "root"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown role"));
    let list = stdout(&ordo(&data, dbo, &["staff", "list"]));
    assert!(list.contains("ada@example.org") && list.contains("operator_admin") && list.contains("pending"), "{list}");
    assert_eq!(list.lines().count(), 2, "{list}");
});
