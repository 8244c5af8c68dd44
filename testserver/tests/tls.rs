//! The certificate chain each HTTPS listener presents, checked with a recording verifier and
//! with rustls' real verifier.

mod common;

use std::io::{BufReader, ErrorKind, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use zulip_test_server::{CertVariant, TestServer};

/// Accepts any chain and stores the certificates the server sent, leaf first.
#[derive(Debug)]
struct ChainRecorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().unwrap();
        chain.push(end_entity.clone().into_owned());
        chain.extend(
            intermediates
                .iter()
                .map(|certificate| certificate.clone().into_owned()),
        );
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Returns the chain presented by the listener for `variant`.
fn presented_chain(server: &TestServer, variant: CertVariant) -> Vec<CertificateDer<'static>> {
    let provider = rustls::crypto::ring::default_provider();
    let recorder = Arc::new(ChainRecorder {
        chain: Mutex::new(Vec::new()),
        algorithms: provider.signature_verification_algorithms,
    });
    let config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    connect_tls(&server.https_url_for(variant), Arc::new(config))
        .expect("handshake with recording verifier");
    let chain = recorder.chain.lock().unwrap().clone();
    chain
}

/// Returns the certificate error of a failed handshake with only the test CA trusted.
fn verification_error(server: &TestServer, variant: CertVariant) -> CertificateError {
    let config = client_config(&[&server.ca_pem()]);
    let error = connect_tls(&server.https_url_for(variant), config).expect_err("handshake fails");
    match rustls_error(&error) {
        Some(rustls::Error::InvalidCertificate(certificate_error)) => certificate_error.clone(),
        other => panic!("{variant:?}: expected a certificate error, got {other:?} from {error}"),
    }
}

#[test]
fn variants_present_intended_chains() {
    let server = TestServer::start().unwrap();
    let valid = presented_chain(&server, CertVariant::Valid);
    let missing = presented_chain(&server, CertVariant::MissingIntermediate);
    let expired = presented_chain(&server, CertVariant::Expired);
    let wrong_host = presented_chain(&server, CertVariant::WrongHostName);
    let self_signed = presented_chain(&server, CertVariant::SelfSigned);

    assert_eq!(valid.len(), 2, "leaf and intermediate");
    assert_eq!(missing, valid[..1], "the valid leaf alone");
    assert_eq!(expired.len(), 2);
    assert_eq!(expired[1], valid[1], "same intermediate");
    assert_ne!(expired[0], valid[0]);
    assert_eq!(wrong_host.len(), 2);
    assert_eq!(wrong_host[1], valid[1], "same intermediate");
    assert_ne!(wrong_host[0], valid[0]);
    assert_eq!(self_signed.len(), 1);
    assert_ne!(self_signed[0], valid[0]);
    assert_eq!(
        self_signed[0].as_ref(),
        CertificateDer::from_pem_slice(server.self_signed_pem().as_bytes())
            .unwrap()
            .as_ref()
    );
}

#[test]
fn valid_chain_verifies_with_test_ca() {
    let server = TestServer::start().unwrap();
    let url = server.https_url();
    assert!(url.starts_with("https://localhost:"));
    assert_eq!(url, server.https_url_for(CertVariant::Valid));

    let stream =
        connect_tls(&url, client_config(&[&server.ca_pem()])).expect("valid chain verifies");
    let mut writer = stream;
    writer
        .write_all(&login_request(port_of(&url), "iago@zulip.com", "abcd1234"))
        .unwrap();
    let response = read_response(&mut BufReader::new(writer)).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.requests()[0].listener, "https");
}

#[test]
fn valid_leaf_covers_loopback_address() {
    let server = TestServer::start().unwrap();
    let socket = connect_plain(&server.https_url());
    tls_over(socket, "127.0.0.1", client_config(&[&server.ca_pem()]))
        .expect("IP address SAN verifies");
}

#[test]
fn broken_variants_fail_verification() {
    let server = TestServer::start().unwrap();
    assert_eq!(
        verification_error(&server, CertVariant::MissingIntermediate),
        CertificateError::UnknownIssuer
    );
    assert!(matches!(
        verification_error(&server, CertVariant::Expired),
        CertificateError::Expired | CertificateError::ExpiredContext { .. }
    ));
    assert!(matches!(
        verification_error(&server, CertVariant::WrongHostName),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
    ));
    assert_eq!(
        verification_error(&server, CertVariant::SelfSigned),
        CertificateError::UnknownIssuer
    );
}

#[test]
fn other_ca_does_not_verify() {
    let server = TestServer::start().unwrap();
    assert_ne!(server.other_ca_pem(), server.ca_pem());
    let error = connect_tls(
        &server.https_url(),
        client_config(&[&server.other_ca_pem()]),
    )
    .expect_err("unrelated CA");
    assert!(matches!(
        rustls_error(&error),
        Some(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer
        ))
    ));
}

#[test]
fn trusted_self_signed_leaf_verifies() {
    let server = TestServer::start().unwrap();
    let url = server.https_url_for(CertVariant::SelfSigned);
    let mut stream = connect_tls(&url, client_config(&[&server.self_signed_pem()]))
        .expect("trusted leaf verifies");
    stream
        .write_all(&login_request(port_of(&url), "iago@zulip.com", "abcd1234"))
        .unwrap();
    let response = read_response(&mut BufReader::new(stream)).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.requests()[0].listener, "https-self-signed");
}

#[test]
fn ca_pem_is_written_to_file() {
    let server = TestServer::start().unwrap();
    let path =
        std::env::temp_dir().join(format!("zulip-test-server-ca-{}.pem", std::process::id()));
    server.write_ca_pem(&path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(written, server.ca_pem());
    assert!(written.starts_with("-----BEGIN CERTIFICATE-----"));
}

#[test]
fn hostile_scenarios_work_over_tls() {
    let server = TestServer::start().unwrap();
    let url = server.https_url();
    let config = client_config(&[&server.ca_pem()]);

    let mut stalled = connect_tls(&url, config.clone()).unwrap();
    stalled
        .write_all(&login_request(
            port_of(&url),
            "stall-body@scenario.test",
            "x",
        ))
        .unwrap();
    let mut reader = BufReader::new(stalled);
    let (status, _) = read_response_head(&mut reader).unwrap();
    assert_eq!(status, 200);
    let mut partial = [0u8; 10];
    reader.read_exact(&mut partial).unwrap();
    reader
        .get_ref()
        .sock
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let error = reader.read(&mut [0u8; 1]).expect_err("body stalls");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );

    let mut reset = connect_tls(&url, config).unwrap();
    reset
        .write_all(&login_request(
            port_of(&url),
            "reset-mid-body@scenario.test",
            "x",
        ))
        .unwrap();
    let mut body = Vec::new();
    let error = BufReader::new(reset)
        .read_to_end(&mut body)
        .expect_err("connection is reset");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
}
