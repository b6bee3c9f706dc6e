//! When the certificate users are served at the public address expires:
//! a TLS handshake with the public host (TLS 1.2 or 1.3), then the leaf
//! certificate's `notAfter`, read with a few lines of DER. The chain is not
//! judged here (browsers do that); only its date is, so that an expiring
//! certificate is renewed before anyone sees a warning.

use ordo_core::time::Timestamp;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;

/// Accepts any chain, checks the handshake's signatures: we only read the date.
#[derive(Debug)]
struct ReadTheDate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for ReadTheDate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The host and port of an `https://` address.
pub fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split('/').next()?;
    match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => Some((h.to_owned(), p.parse().ok()?)),
        _ => Some((authority.to_owned(), 443)),
    }
}

/// When the certificate served at `connect` (for the name `host`) expires.
pub async fn expires(host: &str, connect: (&str, u16)) -> Result<Timestamp, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS set-up: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ReadTheDate(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|_| format!("{host} is not a host name"))?;
    let work = async {
        let tcp = tokio::net::TcpStream::connect(connect).await.map_err(|e| format!("cannot connect: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        let (_, session) = tls.get_ref();
        let leaf = session.peer_certificates().and_then(|c| c.first()).ok_or("no certificate was sent")?;
        not_after(leaf.as_ref()).ok_or_else(|| "the certificate's dates cannot be read".to_owned())
    };
    tokio::time::timeout(Duration::from_secs(10), work).await.map_err(|_| "no answer within 10 s".to_owned())?
}

/// One DER element: (tag, content, what follows).
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The `notAfter` of an X.509 certificate (RFC 5280 §4.1).
pub fn not_after(der: &[u8]) -> Option<Timestamp> {
    let (0x30, cert, _) = element(der)? else { return None };
    let (0x30, tbs, _) = element(cert)? else { return None };
    let mut rest = tbs;
    // [0] version, if present; then serial number, signature algorithm, issuer.
    let (tag, _, after) = element(rest)?;
    if tag == 0xa0 {
        rest = after;
    }
    for _ in 0..3 {
        rest = element(rest)?.2;
    }
    let (0x30, validity, _) = element(rest)? else { return None };
    let (_, _, after_not_before) = element(validity)?;
    let (tag, time, _) = element(after_not_before)?;
    let text = std::str::from_utf8(time).ok()?;
    let full = match tag {
        // UTCTime: two-digit years, 50 and later are 19xx (RFC 5280).
        0x17 => {
            let yy: i32 = text.get(..2)?.parse().ok()?;
            format!("{}{text}", if yy >= 50 { "19" } else { "20" })
        }
        0x18 => text.to_owned(),
        _ => return None,
    };
    let dt = jiff::civil::DateTime::strptime("%Y%m%d%H%M%SZ", &full).ok()?;
    let ts = dt.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(Timestamp::from_unix(ts.as_second()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn public_addresses() {
        assert_eq!(super::host_port("https://ordo.example.com"), Some(("ordo.example.com".into(), 443)));
        assert_eq!(super::host_port("https://ordo.example.com:8443/x"), Some(("ordo.example.com".into(), 8443)));
        assert_eq!(super::host_port("http://ordo.example.com"), None);
    }

    #[test]
    fn garbage_has_no_date() {
        assert_eq!(super::not_after(b""), None);
        assert_eq!(super::not_after(&[0x30, 0x82, 0xff]), None);
        assert_eq!(super::not_after(&[0x30, 0x03, 0x30, 0x01, 0x00]), None);
    }
}
