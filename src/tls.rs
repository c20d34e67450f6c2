//! TLS: the self-signed certificate made at `init`, and the rustls server
//! configuration (TLS 1.2 and 1.3 only, ring as the one crypto provider).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate or key file could not be read or parsed.
    #[error(
        "{path}: {why}; give a PEM file in tls.cert_file / tls.key_file, or run `examhall init` for a self-signed pair"
    )]
    File {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        why: String,
    },
    /// rustls refused the pair.
    #[error("the certificate and key do not form a usable pair: {0}")]
    Rustls(#[from] rustls::Error),
    /// The certificate could not be generated.
    #[error("could not generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// A certificate made by [`generate_self_signed`].
pub struct SelfSigned {
    /// PEM certificate.
    pub cert_pem: String,
    /// PEM private key.
    pub key_pem: String,
    /// SHA-256 of the DER certificate, as colon-separated hex.
    pub fingerprint: String,
}

/// A self-signed certificate for `localhost`, the loopback addresses and
/// `extra_names` (the server's host name, say), valid from a day before `now`
/// (clocks of client machines drift) for ten years.
///
/// # Errors
/// When a name is not a valid DNS name or IP address.
pub fn generate_self_signed(extra_names: &[String], now: time::OffsetDateTime) -> Result<SelfSigned, TlsError> {
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    names.extend(extra_names.iter().filter(|n| !n.is_empty()).cloned());
    names.dedup();
    let mut params = rcgen::CertificateParams::new(names)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "examhall (self-signed)");
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(SelfSigned { fingerprint: fingerprint(cert.der()), cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// The SHA-256 fingerprint of a DER certificate, as browsers show it.
#[must_use]
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Writes a PEM file that must not exist yet, private to this user.
///
/// # Errors
/// When the file exists or cannot be written.
pub fn write_new_pem(path: &Path, pem: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(pem.as_bytes())?;
    file.sync_all()
}

/// The fingerprint of the first certificate in a PEM file.
///
/// # Errors
/// When the file holds no certificate.
pub fn fingerprint_of_file(path: &Path) -> Result<String, TlsError> {
    let certs = read_certs(path)?;
    Ok(fingerprint(&certs[0]))
}

/// When the first certificate in a PEM file stops being valid.
///
/// # Errors
/// When the file holds no certificate, or one that cannot be read.
pub fn not_after_of_file(path: &Path) -> Result<time::OffsetDateTime, TlsError> {
    Ok(inspect_file(path)?.not_after)
}

/// What `examhall doctor` checks of a certificate.
#[derive(Debug, Clone)]
pub struct CertificateFacts {
    /// When it starts being valid.
    pub not_before: time::OffsetDateTime,
    /// When it stops.
    pub not_after: time::OffsetDateTime,
    /// Issued by itself (no authority vouches for it).
    pub self_signed: bool,
    /// The DNS names and IP addresses it is for (subject alternative names).
    pub names: Vec<String>,
}

impl CertificateFacts {
    /// Whether it is valid for `host` (a DNS name, `*.` wildcards of one
    /// label included, or an IP address).
    #[must_use]
    pub fn names_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.names.iter().any(|name| {
            let name = name.to_ascii_lowercase();
            match name.strip_prefix("*.") {
                Some(parent) => host.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
                None => name == host,
            }
        })
    }
}

/// Reads the first certificate of a PEM file.
///
/// # Errors
/// When the file holds no certificate, or one that cannot be read.
pub fn inspect_file(path: &Path) -> Result<CertificateFacts, TlsError> {
    use x509_parser::extensions::GeneralName;
    let certs = read_certs(path)?;
    let unreadable = |why: String| TlsError::File { path: path.to_owned(), why };
    let (_, cert) = x509_parser::parse_x509_certificate(&certs[0]).map_err(|e| unreadable(e.to_string()))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => names.push((*dns).to_owned()),
                GeneralName::IPAddress(bytes) => {
                    let ip = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes).ok().map(|b| std::net::IpAddr::from(b).to_string()),
                        16 => <[u8; 16]>::try_from(*bytes).ok().map(|b| std::net::IpAddr::from(b).to_string()),
                        _ => None,
                    };
                    names.extend(ip);
                }
                _ => {}
            }
        }
    }
    Ok(CertificateFacts {
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        self_signed: cert.issuer() == cert.subject(),
        names,
    })
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let file_error = |why: String| TlsError::File { path: path.to_owned(), why };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(e.to_string()))?;
    if certs.is_empty() {
        return Err(file_error("no certificate in the file".to_owned()));
    }
    Ok(certs)
}

/// The server configuration: TLS 1.3 and 1.2 only, HTTP/2 and HTTP/1.1.
///
/// # Errors
/// When the files cannot be read or do not match.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let certs = read_certs(cert_file)?;
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| TlsError::File { path: key_file.to_owned(), why: e.to_string() })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
