//! Telling on-call: an incident's opening, reminders while it lasts, and its
//! recovery, written for Slack, Mattermost, Microsoft Teams or as Ordo's own
//! JSON, posted to each configured webhook through a durable queue (retried
//! with back-off, every attempt logged), and e-mailed through the outbox.
//! Webhook addresses and secrets stay in the configuration: the queue names
//! the channel only.

use crate::OpsError;
use ordo_app::{App, Webhook, WebhookFormat};
use ordo_core::time::Timestamp;
use ordo_store::Incident;
use secrecy::ExposeSecret;
use serde_json::json;
use std::time::Duration;

/// Which notice about an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Opened,
    Reminder,
    Resolved,
    /// `ordo alert test`.
    Test,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Opened => "opened",
            Event::Reminder => "reminder",
            Event::Resolved => "resolved",
            Event::Test => "test",
        }
    }
}

/// Attempts before a delivery is given up on (back-off from 15 s, capped at
/// 15 minutes: about a day). Each failure is logged.
pub const MAX_ATTEMPTS: i64 = 100;
const LEASE_SECS: i64 = 60;

/// Seconds to wait after the `attempts`-th failure.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 16) as u32;
    (15_i64.saturating_mul(1_i64 << exp)).min(900)
}

/// The one-line title and the text of a notice, the same in every channel.
pub fn text(event: Event, i: &Incident, public_url: &str) -> (String, String) {
    let mark = match (event, i.severity.as_str()) {
        (Event::Resolved, _) => "RESOLVED",
        (Event::Test, _) => "TEST",
        (_, "critical") => "CRITICAL",
        _ => "WARNING",
    };
    let title = match event {
        Event::Reminder => format!("[{mark}] Still firing: {}", i.summary),
        _ => format!("[{mark}] {}", i.summary),
    };
    let mut body =
        format!("{}\n\nRule: {} · subject: {} · since {}", i.detail, i.rule, i.subject, i.opened_at.rfc3339());
    if let Some(at) = i.resolved_at {
        body.push_str(&format!(" · resolved {}", at.rfc3339()));
    }
    body.push_str(&format!(
        "\nIncident {} · runbook: docs/operations.md#alert-{} · status: {public_url}/ops/",
        i.id,
        i.rule.replace('_', "-")
    ));
    (title, body)
}

/// The request body for a webhook of this format.
pub fn payload(format: WebhookFormat, event: Event, i: &Incident, public_url: &str) -> serde_json::Value {
    let (title, body) = text(event, i, public_url);
    match format {
        // Slack and Mattermost incoming webhooks take the same shape.
        WebhookFormat::Slack | WebhookFormat::Mattermost => json!({
            "username": "Ordo",
            "text": format!("*{title}*\n{body}"),
        }),
        // A Microsoft Teams workflow ("Post to a channel when a webhook
        // request is received") takes an Adaptive Card.
        WebhookFormat::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true,
                         "color": if event == Event::Resolved { "Good" } else { "Attention" }},
                        {"type": "TextBlock", "text": body, "wrap": true},
                    ],
                },
            }],
        }),
        WebhookFormat::Json => json!({
            "source": "ordo",
            "event": event.as_str(),
            "title": title,
            "text": body,
            "incident": {
                "id": i.id, "rule": i.rule, "subject": i.subject, "severity": i.severity,
                "summary": i.summary, "detail": i.detail, "opened_at": i.opened_at.rfc3339(),
                "resolved_at": i.resolved_at.map(|t| t.rfc3339()), "reminders": i.reminders,
            },
        }),
    }
}

/// The HTTP client for webhooks: TLS 1.2+ (rustls, ring), no redirects, a
/// short timeout.
pub fn client() -> Result<reqwest::Client, OpsError> {
    crate::tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .user_agent("Ordo-alerts")
        .build()
        .map_err(|e| OpsError::Http(e.to_string()))
}

/// The headers that sign a JSON notice, in the Standard Webhooks form
/// (<https://www.standardwebhooks.com>): `webhook-id` (the same on every
/// retry, so a receiver can drop duplicates), `webhook-timestamp` (Unix
/// seconds, so it can refuse stale ones) and `webhook-signature`,
/// `v1,` + base64 of HMAC-SHA-256 over `id.timestamp.body`. A secret written
/// `whsec_<base64>` is used as the key it encodes, as the standard's
/// libraries expect; any other secret is used as it is.
pub fn signature_headers(secret: &str, id: &str, at: Timestamp, body: &str) -> [(&'static str, String); 3] {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key =
        secret.strip_prefix("whsec_").and_then(|k| b64.decode(k).ok()).unwrap_or_else(|| secret.as_bytes().to_vec());
    let ts = at.unix().to_string();
    let mac = ordo_crypto::digest::hmac_sha256(&key, format!("{id}.{ts}.{body}").as_bytes());
    [("webhook-id", id.to_owned()), ("webhook-timestamp", ts), ("webhook-signature", format!("v1,{}", b64.encode(mac)))]
}

/// Post a notice to a webhook: Ok with the status if it took it (2xx).
/// `id` names the notice (stable across retries), `at` is when this attempt
/// is made.
pub async fn post(
    client: &reqwest::Client,
    hook: &Webhook,
    id: &str,
    at: Timestamp,
    body: &str,
) -> Result<u16, String> {
    let mut req = client.post(hook.url.expose_secret()).header("content-type", "application/json");
    if hook.format == WebhookFormat::Json
        && let Some(secret) = &hook.secret
    {
        for (name, value) in signature_headers(secret.expose_secret(), id, at, body) {
            req = req.header(name, value);
        }
    }
    match req.body(body.to_owned()).send().await {
        Ok(res) if res.status().is_success() => Ok(res.status().as_u16()),
        Ok(res) => Err(format!("{} answered {}", hook.name, res.status().as_u16())),
        // The error may name the address (with its token): say what failed, not where.
        Err(e) if e.is_timeout() => Err(format!("{}: no answer within 10 s", hook.name)),
        Err(e) if e.is_connect() => Err(format!("{}: cannot connect", hook.name)),
        Err(_) => Err(format!("{}: the request failed", hook.name)),
    }
}

/// Queue the notice of `event` for every webhook, and e-mail it to the
/// on-call addresses, in the transaction that opens, reminds or closes the
/// incident: the notice is sent if and only if that change is kept. Call
/// [`announced`] once it is committed.
pub async fn announce(tx: &mut ordo_store::Tx, app: &App, incident: &Incident, event: Event) -> Result<(), OpsError> {
    let s = &app.settings.alerts;
    let now = app.now();
    let items: Vec<(String, String)> = s
        .webhooks
        .iter()
        .map(|h| (h.name.clone(), payload(h.format, event, incident, &app.settings.public_url).to_string()))
        .collect();
    if !items.is_empty() {
        tx.enqueue_deliveries(&incident.id, event.as_str(), &items, now).await?;
    }
    if !s.emails.is_empty() {
        let (title, body) = text(event, incident, &app.settings.public_url);
        for to in &s.emails {
            tx.enqueue_mail(None, &ordo_app::mail::platform_mail(app, to, &title, &body)?, now).await?;
        }
    }
    Ok(())
}

/// After the announcing transaction committed: wake the workers, log it.
pub fn announced(app: &App, incident: &Incident, event: Event) {
    app.alert_wakeup.notify_one();
    app.mail_wakeup.notify_one();
    tracing::warn!(
        event = "alert",
        notice = event.as_str(),
        rule = %incident.rule,
        subject = %incident.subject,
        incident = %incident.id,
        summary = %incident.summary,
        "alert {}",
        event.as_str()
    );
}

/// Deliver one due alert, if any. Returns true if there was one.
pub async fn deliver_one(app: &App, client: &reqwest::Client) -> Result<bool, OpsError> {
    let now = app.now();
    let Some(d) = app.platform_store().claim_delivery(now, LEASE_SECS).await? else {
        return Ok(false);
    };
    let result = match app.settings.alerts.webhooks.iter().find(|h| h.name == d.channel) {
        Some(hook) => post(client, hook, &format!("msg_{}", d.id), now, &d.payload).await,
        None => Err(format!("no webhook named {} in the configuration any more", d.channel)),
    };
    match result {
        Ok(status) => {
            app.platform_store().delivery_sent(&d.id, app.now()).await?;
            tracing::info!(event = "alert.delivered", channel = %d.channel, delivery = %d.id, status, "alert delivered");
        }
        Err(err) => {
            let attempts = d.attempts + 1;
            let give_up = attempts >= MAX_ATTEMPTS;
            let next = Timestamp::from_unix(app.now().unix() + backoff_secs(d.attempts));
            app.platform_store().delivery_failed(&d.id, &err, next, give_up).await?;
            if give_up {
                tracing::error!(event = "alert.undeliverable", channel = %d.channel, delivery = %d.id, attempts, error = %err, "alert given up on");
            } else {
                tracing::warn!(event = "alert.retry", channel = %d.channel, delivery = %d.id, attempts, error = %err, retry_at = %next, "alert not delivered; will retry");
            }
        }
    }
    Ok(true)
}

/// The delivery worker: runs until `shutdown` resolves.
pub async fn run_delivery_worker(app: App, shutdown: impl std::future::Future<Output = ()>) {
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "alert delivery worker not started");
            return;
        }
    };
    tokio::pin!(shutdown);
    loop {
        match deliver_one(&app, &client).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "alert delivery worker"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = app.alert_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// `ordo alert test`: a test notice posted to every webhook now (not
/// queued: the operator sees each answer), and queued for the e-mail
/// addresses. Returns each channel with what happened.
pub async fn send_test(app: &App) -> Result<Vec<(String, Result<u16, String>)>, OpsError> {
    let client = client()?;
    let now = app.now();
    let incident = Incident {
        id: format!("test-{}", now.unix()),
        rule: "test".into(),
        subject: "platform".into(),
        severity: "warning".into(),
        summary: "Test alert from Ordo".into(),
        detail: "If you read this, alerts reach you here. Nothing is wrong.".into(),
        opened_at: now,
        last_notified_at: now,
        reminders: 0,
        resolved_at: None,
    };
    let mut out = Vec::new();
    for hook in &app.settings.alerts.webhooks {
        let body = payload(hook.format, Event::Test, &incident, &app.settings.public_url).to_string();
        let id = format!("msg_test_{}", ordo_crypto::random::token(12).unwrap_or_default());
        out.push((
            format!("{} ({})", hook.name, hook.format.as_str()),
            post(&client, hook, &id, app.now(), &body).await,
        ));
    }
    if !app.settings.alerts.emails.is_empty() {
        let (title, body) = text(Event::Test, &incident, &app.settings.public_url);
        let mut tx = app.platform_store().begin().await?;
        for to in &app.settings.alerts.emails {
            tx.enqueue_mail(None, &ordo_app::mail::platform_mail(app, to, &title, &body)?, now).await?;
            out.push((format!("e-mail to {to}"), Ok(0)));
        }
        tx.commit().await?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Incident {
        Incident {
            id: "i1".into(),
            rule: "tenant_down".into(),
            subject: "acme".into(),
            severity: "critical".into(),
            summary: "Tenant acme is down".into(),
            detail: "its key-encryption key cannot be read".into(),
            opened_at: Timestamp::from_unix(1_800_000_000),
            last_notified_at: Timestamp::from_unix(1_800_000_000),
            reminders: 0,
            resolved_at: None,
        }
    }

    #[test]
    fn each_format_carries_the_incident() {
        let i = incident();
        for f in [WebhookFormat::Slack, WebhookFormat::Mattermost] {
            let p = payload(f, Event::Opened, &i, "https://ordo.example");
            let text = p["text"].as_str().unwrap();
            assert!(text.starts_with("*[CRITICAL] Tenant acme is down*"), "{text}");
            assert!(text.contains("tenant_down") && text.contains("https://ordo.example/ops/"));
        }
        let teams = payload(WebhookFormat::Teams, Event::Resolved, &i, "https://ordo.example");
        let card = &teams["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert!(card["body"][0]["text"].as_str().unwrap().starts_with("[RESOLVED]"));
        assert_eq!(card["body"][0]["color"], "Good");
        let j = payload(WebhookFormat::Json, Event::Reminder, &i, "https://ordo.example");
        assert_eq!((j["event"].as_str(), j["incident"]["subject"].as_str()), (Some("reminder"), Some("acme")));
        assert!(j["title"].as_str().unwrap().contains("Still firing"));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_secs(0), 15);
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(5), 480);
        assert_eq!(backoff_secs(6), 900);
        assert_eq!(backoff_secs(99), 900);
    }
}
