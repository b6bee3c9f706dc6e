//! E-mail: the messages Ordo sends, and the outbox worker that delivers them.
//!
//! Use cases queue a message in the `mail_outbox` table in the same
//! transaction as the change it reports, so a message is never sent for a
//! change that rolled back, nor lost for one that committed. The worker sends
//! it over SMTP (STARTTLS or TLS as the URL says), retries with exponential
//! back-off, and survives restarts. With no SMTP configured (development) each
//! message is written as an `.eml` file under `<data-dir>/mail/`.

use crate::i18n::Tr;
use crate::keys::{Field, TenantKeys};
use crate::{App, AppError};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use ordo_core::time::Timestamp;
use ordo_store::Mail;

/// A message in clear, before it is sealed into the outbox.
pub struct Outgoing {
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    /// An HTML alternative to the text (the text stays for plain readers).
    pub body_html: Option<String>,
    pub attachments: Vec<Attachment>,
}

impl Outgoing {
    /// A plain-text message.
    pub fn text(recipient: &str, subject: String, body_text: String) -> Self {
        Outgoing { recipient: recipient.to_owned(), subject, body_text, body_html: None, attachments: Vec::new() }
    }
}

/// A file sent with a message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub filename: String,
    /// The full content type, e.g. `text/calendar; charset=utf-8; method=REQUEST`.
    pub content_type: String,
    #[serde(with = "b64")]
    pub data: Vec<u8>,
}

mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// Seal a tenant's message for the outbox: every part under the tenant's
/// data key, bound to the message and column.
pub fn seal(keys: &TenantKeys, m: Outgoing) -> Result<ordo_store::NewMail, AppError> {
    let id = ordo_core::ids::MailId::new();
    let rid = id.to_string();
    let attachments = if m.attachments.is_empty() {
        None
    } else {
        let list = serde_json::to_string(&m.attachments).map_err(|_| AppError::Internal("attachments"))?;
        Some(keys.seal(Field::MailAttachments, &rid, &list)?)
    };
    Ok(ordo_store::NewMail {
        id,
        recipient: keys.seal(Field::MailRecipient, &rid, &m.recipient)?,
        subject: keys.seal(Field::MailSubject, &rid, &m.subject)?,
        body_text: keys.seal(Field::MailBody, &rid, &m.body_text)?,
        body_html: m.body_html.map(|h| keys.seal(Field::MailHtml, &rid, &h)).transpose()?,
        attachments,
    })
}

/// A message opened for delivery.
struct Opened {
    recipient: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    attachments: Vec<Attachment>,
}
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::time::Duration;

/// Attempts before a message is marked failed (about two days of back-off).
pub const MAX_ATTEMPTS: i64 = 16;
const LEASE_SECS: i64 = 120;

/// The invitation / activation message.
pub fn activation(tr: &Tr, to: &str, tenant_name: &str, link: &str, ttl_hours: i64) -> Outgoing {
    let hours = ttl_hours.to_string();
    Outgoing::text(
        to,
        tr.tf("mail.activation.subject", &[("tenant", tenant_name)]),
        tr.tf("mail.activation.body", &[("tenant", tenant_name), ("link", link), ("hours", &hours)]),
    )
}

/// The forgotten-password message.
pub fn reset(tr: &Tr, to: &str, tenant_name: &str, link: &str, ttl_minutes: i64) -> Outgoing {
    let minutes = ttl_minutes.to_string();
    Outgoing::text(
        to,
        tr.tf("mail.reset.subject", &[("tenant", tenant_name)]),
        tr.tf("mail.reset.body", &[("tenant", tenant_name), ("link", link), ("minutes", &minutes)]),
    )
}

/// A message of the platform itself (alerts to on-call, staff
/// invitations), outside any tenant: sealed under the platform key (its
/// invitation links are secrets), bound to the message and column.
pub fn platform_mail(app: &App, to: &str, subject: &str, body: &str) -> Result<ordo_store::NewMail, AppError> {
    let id = ordo_core::ids::MailId::new();
    let key = app.keys.platform_kek()?;
    let seal = |column: &str, text: &str| -> Result<ordo_store::Sealed, AppError> {
        use base64::Engine as _;
        let aad = format!("mail_outbox|{column}|{id}");
        let sealed = ordo_crypto::aead::seal(key.bytes(), aad.as_bytes(), text.as_bytes())?;
        Ok(ordo_store::Sealed::from_storage(format!(
            "ep:{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
        )))
    };
    Ok(ordo_store::NewMail {
        id,
        recipient: seal("recipient", to)?,
        subject: seal("subject", subject)?,
        body_text: seal("body_text", body)?,
        body_html: None,
        attachments: None,
    })
}

fn open_platform(app: &App, m: &Mail, column: &str, s: &ordo_store::Sealed) -> Result<String, AppError> {
    use base64::Engine as _;
    let stored = s.as_storage();
    if let Some(plain) = stored.strip_prefix("p:") {
        return Ok(plain.to_owned());
    }
    let b64 = stored.strip_prefix("ep:").ok_or(AppError::Internal("platform mail in an unknown form"))?;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .map_err(|_| AppError::Internal("platform mail not base64"))?;
    let key = app.keys.platform_kek()?;
    let aad = format!("mail_outbox|{column}|{}", m.id);
    let bytes = ordo_crypto::aead::open(key.bytes(), aad.as_bytes(), &raw)?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal("platform mail not text"))
}

/// Where messages go.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Transport {
    pub fn from_app(app: &App) -> Result<Self, AppError> {
        match &app.settings.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                .map(|b| Transport::Smtp(b.timeout(Some(Duration::from_secs(30))).build()))
                .map_err(|_| AppError::Internal("ORDO_SMTP_URL is not a valid smtp:// or smtps:// URL")),
            None => Ok(Transport::Files(app.settings.mail_dir.clone())),
        }
    }

    async fn deliver(&self, from: &str, m: &Mail, o: &Opened) -> Result<(), String> {
        let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
        let to: Mailbox = o.recipient.parse().map_err(|e| format!("recipient address: {e}"))?;
        let builder = Message::builder().from(from).to(to).subject(o.subject.clone());
        let msg = if o.body_html.is_none() && o.attachments.is_empty() {
            builder.header(ContentType::TEXT_PLAIN).body(o.body_text.clone())
        } else {
            builder.multipart(multipart(o)?)
        }
        .map_err(|e| format!("building the message: {e}"))?;
        match self {
            Transport::Smtp(t) => t.send(msg).await.map(|_| ()).map_err(|e| format!("smtp: {e}")),
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| format!("mail dir: {e}"))?;
                let path = dir.join(format!("{}-{}.eml", m.created_at.unix(), m.id));
                tokio::fs::write(&path, msg.formatted())
                    .await
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
                // Beside it, the text as a person reads it: an .eml's
                // quoted-printable lines break links when they are copied.
                let text = path.with_extension("txt");
                let copy = format!("To: {}\nSubject: {}\n\n{}\n", o.recipient, o.subject, o.body_text);
                tokio::fs::write(&text, copy).await.map_err(|e| format!("writing {}: {e}", text.display()))?;
                tracing::info!(path = %path.display(), "no SMTP configured: message written to file");
                Ok(())
            }
        }
    }
}

/// The body of a message with an HTML part or attachments: the text and
/// HTML as alternatives, then each attachment.
fn multipart(o: &Opened) -> Result<lettre::message::MultiPart, String> {
    use lettre::message::{MultiPart, SinglePart};
    let text = SinglePart::plain(o.body_text.clone());
    let body = match &o.body_html {
        Some(html) => MultiPart::alternative().singlepart(text).singlepart(SinglePart::html(html.clone())),
        None => MultiPart::mixed().singlepart(text),
    };
    if o.attachments.is_empty() {
        return Ok(body);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for a in &o.attachments {
        let ctype = ContentType::parse(&a.content_type).map_err(|e| format!("attachment type: {e}"))?;
        mixed = mixed.singlepart(lettre::message::Attachment::new(a.filename.clone()).body(a.data.clone(), ctype));
    }
    Ok(mixed)
}

/// Seconds to wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ...
/// capped at 4 hours.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    (30_i64.saturating_mul(1_i64 << exp)).min(4 * 3600)
}

/// Send one due message, if any. Returns true if there was one.
#[tracing::instrument(skip_all)]
pub async fn send_one(app: &App, transport: &Transport) -> Result<bool, AppError> {
    let now = app.now();
    let Some(m) = app.store.claim_mail(now, LEASE_SECS).await? else {
        return Ok(false);
    };
    let opened = match open_mail(app, &m).await {
        Ok(o) => o,
        Err(e) => {
            // Undecryptable (tenant deleted mid-way, or data altered): it
            // can never be sent; record why, without the content.
            app.store.mark_mail_failed(m.id, &format!("cannot be opened: {e}"), now, true).await?;
            tracing::error!(mail = %m.id, error = %e, "queued message cannot be opened; dropped");
            return Ok(true);
        }
    };
    match transport.deliver(&app.settings.mail_from, &m, &opened).await {
        Ok(()) => {
            app.store.mark_mail_sent(m.id, app.now()).await?;
            tracing::info!(mail = %m.id, "message sent");
        }
        Err(err) => {
            let attempts = m.attempts + 1;
            let give_up = attempts >= MAX_ATTEMPTS;
            let next = Timestamp::from_unix(app.now().unix() + backoff_secs(m.attempts));
            app.store.mark_mail_failed(m.id, &err, next, give_up).await?;
            if give_up {
                tracing::error!(mail = %m.id, attempts, error = %err, "message could not be delivered; giving up");
            } else {
                tracing::warn!(mail = %m.id, attempts, error = %err, retry_at = %next, "message not delivered; will retry");
            }
        }
    }
    Ok(true)
}

async fn open_mail(app: &App, m: &Mail) -> Result<Opened, AppError> {
    let Some(tenant_id) = m.tenant_id else {
        return Ok(Opened {
            recipient: open_platform(app, m, "recipient", &m.recipient)?,
            subject: open_platform(app, m, "subject", &m.subject)?,
            body_text: open_platform(app, m, "body_text", &m.body_text)?,
            body_html: None,
            attachments: Vec::new(),
        });
    };
    let tenant = app.store.tenant_by_id(tenant_id).await?.ok_or(AppError::NotFound)?;
    let keys = app.keys.for_tenant(&app.store, &tenant).await?;
    let rid = m.id.to_string();
    Ok(Opened {
        recipient: keys.open(Field::MailRecipient, &rid, &m.recipient)?,
        subject: keys.open(Field::MailSubject, &rid, &m.subject)?,
        body_text: keys.open(Field::MailBody, &rid, &m.body_text)?,
        body_html: m.body_html.as_ref().map(|h| keys.open(Field::MailHtml, &rid, h)).transpose()?,
        attachments: match &m.attachments {
            Some(sealed) => serde_json::from_str(&keys.open(Field::MailAttachments, &rid, sealed)?)
                .map_err(|_| AppError::Internal("attachments"))?,
            None => Vec::new(),
        },
    })
}

/// The outbox worker: runs until `shutdown` resolves.
#[tracing::instrument(skip_all)]
pub async fn run_worker(app: App, shutdown: impl std::future::Future<Output = ()>) {
    let transport = match Transport::from_app(&app) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "mail worker not started");
            return;
        }
    };
    tokio::pin!(shutdown);
    loop {
        match send_one(&app, &transport).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "mail worker error"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = app.mail_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff_secs(0), 30);
        assert_eq!(super::backoff_secs(1), 60);
        assert_eq!(super::backoff_secs(3), 240);
        assert_eq!(super::backoff_secs(15), 4 * 3600);
    }
}
