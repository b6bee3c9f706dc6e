//! Mail read back from the SMTP server's mailbox (or the development
//! `.eml` files), decoded.

use super::*;
use std::path::PathBuf;
use std::time::Duration;

impl TestApp {
    /// Messages delivered to `to` so far, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut dirs = vec![self.dir.path().join("mail")];
        if let Ok(md) = std::env::var("ORDO_TEST_MAILDIR") {
            dirs.push(PathBuf::from(&md).join("new"));
            dirs.push(PathBuf::from(&md).join("cur"));
        }
        for d in dirs {
            if let Ok(rd) = std::fs::read_dir(&d) {
                files.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        }
        let mut out: Vec<(std::time::SystemTime, Mail)> = files
            .iter()
            .filter_map(|p| {
                let raw = std::fs::read(p).ok()?;
                let m = Mail::parse(&raw)?;
                let t = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
                (m.to.eq_ignore_ascii_case(to)).then_some((t, m))
            })
            .collect();
        out.sort_by_key(|(t, _)| *t);
        out.into_iter().map(|(_, m)| m).collect()
    }

    /// Wait (up to 20 s) until `to` has received at least `n` messages.
    pub async fn wait_mails(&self, to: &str, n: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let m = self.mails_to(to);
            if m.len() >= n {
                return m;
            }
            self.app.mail_wakeup.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail (or fewer than {n}) for {to}");
    }

    /// The link containing `marker` in the newest message to `to` that has
    /// one (waiting up to 20 s for it), as a path.
    pub async fn link_in_mail(&self, to: &str, marker: &str) -> String {
        for _ in 0..200 {
            if let Some(link) = self.mails_to(to).iter().rev().find_map(|m| m.link(marker)) {
                return link;
            }
            self.app.mail_wakeup.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail with a {marker} link for {to}");
    }
}

/// A delivered message, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The HTML alternative, if there is one.
    pub html: Option<String>,
    pub attachments: Vec<MailFile>,
}

/// An attachment of a delivered message.
#[derive(Debug, Clone)]
pub struct MailFile {
    pub name: String,
    /// `type/subtype`, lower case.
    pub content_type: String,
    /// The `method` parameter of the content type (calendar files).
    pub method: Option<String>,
    pub data: Vec<u8>,
}

impl Mail {
    fn parse(raw: &[u8]) -> Option<Mail> {
        let msg = mail_parser::MessageParser::default().parse(raw)?;
        let to = msg.to()?.first()?.address()?.to_string();
        use mail_parser::MimeHeaders as _;
        let attachments = msg
            .attachments()
            .map(|a| {
                let ct = a.content_type();
                MailFile {
                    name: a.attachment_name().unwrap_or("").to_owned(),
                    content_type: ct
                        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")).to_lowercase())
                        .unwrap_or_default(),
                    method: ct.and_then(|c| c.attribute("method")).map(str::to_owned),
                    data: a.contents().to_vec(),
                }
            })
            .collect();
        Some(Mail {
            to,
            subject: msg.subject().unwrap_or("").to_owned(),
            body: msg.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
            html: msg.html_body_count().gt(&0).then(|| msg.body_html(0).map(|b| b.to_string())).flatten(),
            attachments,
        })
    }

    /// The path (from `/t/`) of the first URL in the body containing `marker`.
    pub fn link(&self, marker: &str) -> Option<String> {
        self.body
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(marker))
            .and_then(|u| u.find("/t/").map(|i| u[i..].to_owned()))
    }
}
