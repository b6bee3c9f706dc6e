//! When the certificate users are served at the public address expires:
//! a TLS handshake with the public host (TLS 1.2 or 1.3), then the leaf
//! certificate's `notAfter`, read with `x509-cert`. The chain is not
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

/// The `notAfter` of an X.509 certificate (RFC 5280 §4.1), parsed by
/// RustCrypto's `x509-cert`: these bytes come from the network.
pub fn not_after(der: &[u8]) -> Option<Timestamp> {
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let t = cert.tbs_certificate().validity().not_after.to_unix_duration();
    Some(Timestamp::from_unix(i64::try_from(t.as_secs()).ok()?))
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
