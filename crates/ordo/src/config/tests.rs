use super::*;

#[test]
fn secrets_are_redacted_in_debug_output() {
    let c = Config {
        config_file: None,
        mode: Mode::Production,
        listen: "127.0.0.1:8080".parse().unwrap(),
        metrics_listen: None,
        data_dir: "data".into(),
        database_url: SecretString::from("postgres://ordo:db-s3cret@db/ordo"),
        public_url: "https://ordo.example.com".into(),
        master_key_file: Some("/etc/ordo/master.key".into()),
        old_master_key_files: vec![],
        key_dir: "/var/lib/ordo/keys".into(),
        smtp_url: Some(SecretString::from("smtps://mailer:smtp-s3cret@mail.example.com")),
        mail_from: "Ordo <no-reply@example.com>".into(),
        session_idle_minutes: 30,
        session_max_hours: 12,
        activation_ttl_hours: 72,
        reset_ttl_minutes: 30,
        trusted_proxies: vec![],
        max_image_bytes: 5 * 1024 * 1024,
        max_image_pixels: 40_000_000,
        image_decode_budget_mb: 512,
        meeting_cache_entries: 256,
        backup_quota_gb: 100,
        backup_retention: Default::default(),
        backup_target: TargetSpec::S3(ordo_backup::target::S3Settings {
            endpoint: "https://s3.example.com".into(),
            region: "eu-west-3".into(),
            bucket: "backups".into(),
            prefix: "ordo".into(),
            access_key_id: "AKIA".into(),
            secret_access_key: "s3-s3cret".into(),
            allow_http: false,
        }),
        backup_tenant_targets: [(
            "acme".to_owned(),
            TargetSpec::S3(ordo_backup::target::S3Settings {
                endpoint: "https://s3.example.com".into(),
                region: "eu-west-3".into(),
                bucket: "acme-backups".into(),
                prefix: String::new(),
                access_key_id: "AKIA2".into(),
                secret_access_key: "acme-s3cret".into(),
                allow_http: false,
            }),
        )]
        .into(),
        log: "info".into(),
        log_format: LogFormat::Text,
        alerts: ordo_app::AlertSettings {
            webhooks: vec![ordo_app::Webhook {
                name: "oncall".into(),
                url: SecretString::from("https://hooks.slack.com/services/T0/B0/hook-s3cret"),
                format: ordo_app::WebhookFormat::Slack,
                secret: Some(SecretString::from("sig-s3cret")),
            }],
            ..Default::default()
        },
    };
    let shown = format!("{c:?} {:?}", c.settings());
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("REDACTED"));
    assert!(c.check_production().is_ok());
}

#[test]
fn backup_quota_retention_and_metrics_listener_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ordo.toml");
    let load = |text: &str| {
        std::fs::write(&path, text).unwrap();
        Config::load(&Overrides {
            config: Some(path.clone()),
            data_dir: Some(dir.path().join("data")),
            listen: None,
            metrics_listen: None,
        })
    };
    let s = load("").unwrap().settings();
    assert_eq!(s.backup_quota_bytes, 100_000_000_000);
    assert_eq!(s.backup_retention, ordo_backup::retention::Retention::default());
    let s = load("backup_quota_gb = 5\nbackup_keep_all_days = 7\nbackup_keep_weekly_weeks = 0\n").unwrap().settings();
    assert_eq!(s.backup_quota_bytes, 5_000_000_000);
    assert_eq!(
        s.backup_retention,
        ordo_backup::retention::Retention { all_days: 7, weekly_weeks: 0, monthly_months: 12 }
    );
    assert!(load("backup_quota_gb = 0\n").is_err());
    // Metrics: on their own listener, or off; never the public port.
    assert_eq!(load("").unwrap().metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
    assert_eq!(load("metrics_listen = \"off\"\n").unwrap().metrics_listen, None);
    assert!(load("listen = \"0.0.0.0:8080\"\nmetrics_listen = \"127.0.0.1:8080\"\n").is_err());
    assert!(load("backup_keep_all_days = 0\n").is_err());
}

fn file(text: &str) -> FileConfig {
    toml::from_str(text).unwrap()
}

#[test]
fn a_tenant_can_have_its_own_bucket_and_credentials() {
    let f = file(
        r#"
        backup_s3_endpoint = "https://s3.example.com"
        backup_s3_region = "eu-west-3"
        [backup_tenants.acme]
        s3_url = "s3://acme-backups/ordo"
        s3_access_key_id = "AKIA2"
        s3_secret_access_key = "acme-secret"
        [backup_tenants.globex]
        dir = "/srv/globex-backups"
        "#,
    );
    let t = tenant_targets(&f).unwrap();
    let TargetSpec::S3(acme) = &t["acme"] else { panic!("{t:?}") };
    assert_eq!((acme.bucket.as_str(), acme.prefix.as_str()), ("acme-backups", "ordo"));
    assert_eq!((acme.endpoint.as_str(), acme.region.as_str()), ("https://s3.example.com", "eu-west-3"));
    assert_eq!(acme.secret_access_key, "acme-secret");
    assert!(matches!(&t["globex"], TargetSpec::Dir(d) if d.ends_with("globex-backups")));
    // Its own bucket needs its own credentials (never the shared ones),
    // TLS, a real slug, and one place only.
    for bad in [
        "[backup_tenants.acme]
s3_url = \"s3://b\"
s3_endpoint = \"https://s3\"",
        "[backup_tenants.acme]
s3_url = \"s3://b\"
s3_endpoint = \"http://s3\"
s3_access_key_id = \"a\"
s3_secret_access_key = \"b\"",
        "[backup_tenants.Not_A_Slug]
dir = \"/x\"",
        "[backup_tenants.acme]
dir = \"/x\"
s3_url = \"s3://b\"",
    ] {
        assert!(tenant_targets(&file(bad)).is_err(), "{bad}");
    }
}
