//! TLS: 1.2 and 1.3 accepted, 1.1 refused.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::helpers::spawn_app;

fn connector(app: &crate::helpers::TestApp, version: &'static rustls::SupportedProtocolVersion) -> TlsConnector {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let (cert, _) = app.state.config().tls_files();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(cert).unwrap()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn tls_1_2_and_1_3_handshakes_succeed() {
    let app = spawn_app().await;
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let tcp = TcpStream::connect(app.address).await.unwrap();
        let stream = connector(&app, version).connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
        assert_eq!(stream.get_ref().1.protocol_version(), Some(version.version));
    }
    app.stop().await;
}

/// A complete TLS 1.1 ClientHello. It offers the ECDHE AES-GCM and ChaCha20
/// suites the server accepts under TLS 1.2, so the version is the only thing
/// the server can refuse it for.
fn tls11_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02];
    body.extend([7u8; 32]);
    body.push(0);
    let suites: [u8; 12] = [0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8];
    body.extend(u16::try_from(suites.len()).unwrap().to_be_bytes());
    body.extend(suites);
    body.extend([1, 0]);
    let extensions: [u8; 28] = [
        0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, // supported_groups: x25519, secp256r1
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, // ec_point_formats: uncompressed
        // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256 (without it the
        // server refuses the hello before it looks at the version)
        0x00, 0x0d, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x08, 0x04, //
        0xff, 0x01, // renegotiation_info ...
    ];
    let mut extensions = extensions.to_vec();
    extensions.extend([0x00, 0x01, 0x00]);
    body.extend(u16::try_from(extensions.len()).unwrap().to_be_bytes());
    body.extend(extensions);
    let mut handshake = vec![0x01];
    handshake.extend(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend(u16::try_from(handshake.len()).unwrap().to_be_bytes());
    record.extend(handshake);
    record
}

#[tokio::test]
async fn a_tls_1_1_client_is_refused_with_an_alert() {
    let app = spawn_app().await;
    let mut tcp = TcpStream::connect(app.address).await.unwrap();
    tcp.write_all(&tls11_client_hello()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut answer)).await.unwrap().unwrap();
    // One alert record (content type 21, 2 bytes): fatal (2), protocol_version
    // (70). A closed connection or any other alert would not show that the
    // version was what the server refused.
    assert_eq!(answer[0], 0x15, "an alert record, not a ServerHello: {:02x?}", &answer[..read]);
    assert_eq!(&answer[3..read], &[0x00, 0x02, 2, 70], "one fatal protocol_version alert: {:02x?}", &answer[..read]);
    app.stop().await;
}
