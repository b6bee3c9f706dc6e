use super::*;

#[test]
fn webhooks_and_thresholds_are_configured_and_checked() {
    let f = |text: &str| -> FileConfig { toml::from_str(text).unwrap() };
    let a = alert_settings(
        &f(r#"
        alert_emails = ["oncall@example.org"]
        alert_remind_minutes = 30
        [[alert_webhooks]]
        name = "slack"
        url = "https://hooks.slack.com/services/x"
        format = "slack"
        [[alert_webhooks]]
        name = "teams"
        url = "https://example.webhook.office.com/x"
        format = "teams"
        "#),
        Mode::Production,
    )
    .unwrap();
    assert_eq!(a.webhooks.len(), 2);
    assert_eq!(a.webhooks[1].format, ordo_app::WebhookFormat::Teams);
    assert_eq!((a.emails.len(), a.remind_minutes, a.interval_secs), (1, 30, 60));
    for bad in [
        "[[alert_webhooks]]\nname = \"x\"\nurl = \"http://hooks.example\"\nformat = \"slack\"",
        "[[alert_webhooks]]\nname = \"x\"\nurl = \"https://hooks.example\"\nformat = \"pager\"",
        "[[alert_webhooks]]\nname = \"a b\"\nurl = \"https://hooks.example\"\nformat = \"json\"",
        "alert_emails = [\"not an address\"]",
        "alert_error_rate_percent = 0",
    ] {
        assert!(alert_settings(&f(bad), Mode::Production).is_err(), "{bad}");
    }
    // Plain http only for a development receiver.
    let dev = "[[alert_webhooks]]\nname = \"x\"\nurl = \"http://127.0.0.1:9/hook\"\nformat = \"json\"";
    assert!(alert_settings(&f(dev), Mode::Development).is_ok());
}
