//! Test certificates generated at start-up and the rustls configurations that serve them.
//!
//! Every start creates new keys: a root CA, an intermediate CA signed by it, and one leaf per
//! [`CertVariant`]. Nothing is read from or written to disk here, so no key is ever committed.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;
use time::{Duration, OffsetDateTime};

/// The certificate chain an HTTPS listener presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertVariant {
    /// Leaf for `localhost` and `127.0.0.1`, sent with the intermediate CA.
    Valid,
    /// The same valid leaf sent without the intermediate CA, so the chain cannot be built from
    /// the root alone.
    MissingIntermediate,
    /// Leaf for `localhost` and `127.0.0.1` whose validity ended in 2021, sent with the
    /// intermediate CA.
    Expired,
    /// Leaf valid only for `other.invalid`, sent with the intermediate CA.
    WrongHostName,
    /// Self-signed leaf for `localhost` and `127.0.0.1`, not issued by the test CA.
    SelfSigned,
}

impl CertVariant {
    pub const ALL: [CertVariant; 5] = [
        CertVariant::Valid,
        CertVariant::MissingIntermediate,
        CertVariant::Expired,
        CertVariant::WrongHostName,
        CertVariant::SelfSigned,
    ];

    /// Name of the listener serving this variant, as stored in
    /// [`RecordedRequest::listener`](crate::RecordedRequest::listener).
    pub fn listener_name(self) -> &'static str {
        match self {
            CertVariant::Valid => "https",
            CertVariant::MissingIntermediate => "https-missing-intermediate",
            CertVariant::Expired => "https-expired",
            CertVariant::WrongHostName => "https-wrong-host-name",
            CertVariant::SelfSigned => "https-self-signed",
        }
    }

    /// Snake-case name used in the `--info-out` file of the binary, for example `expired`.
    pub fn key(self) -> &'static str {
        match self {
            CertVariant::Valid => "valid",
            CertVariant::MissingIntermediate => "missing_intermediate",
            CertVariant::Expired => "expired",
            CertVariant::WrongHostName => "wrong_host_name",
            CertVariant::SelfSigned => "self_signed",
        }
    }
}

/// All certificates of one server run.
pub struct TestCertificates {
    /// The root CA that issues the intermediate CA, PEM.
    pub ca_pem: String,
    /// A root CA that issued nothing this server presents, PEM.
    pub other_ca_pem: String,
    /// The certificate of [`CertVariant::SelfSigned`], PEM.
    pub self_signed_pem: String,
    configs: Vec<(CertVariant, Arc<ServerConfig>)>,
}

impl TestCertificates {
    /// Generates new keys and certificates and builds one rustls configuration per variant.
    pub fn generate() -> io::Result<TestCertificates> {
        let now = OffsetDateTime::now_utc();
        // Start validity a day early so a client clock slightly behind still accepts the chain.
        let valid_from = now - Duration::days(1);
        let ca_valid_until = now + Duration::days(3650);
        let leaf_valid_until = now + Duration::days(90);

        let root = new_ca(
            "zulip-test-server root CA",
            valid_from,
            ca_valid_until,
            None,
        )?;
        let intermediate = new_ca(
            "zulip-test-server intermediate CA",
            valid_from,
            ca_valid_until,
            Some(&root),
        )?;
        let other_root = new_ca(
            "zulip-test-server unrelated CA",
            valid_from,
            ca_valid_until,
            None,
        )?;

        let localhost_names = ["localhost", "127.0.0.1"];
        let valid = new_leaf(
            &localhost_names,
            valid_from,
            leaf_valid_until,
            Some(&intermediate),
        )?;
        let expired = new_leaf(
            &localhost_names,
            rcgen::date_time_ymd(2020, 1, 1),
            rcgen::date_time_ymd(2021, 1, 1),
            Some(&intermediate),
        )?;
        let wrong_host = new_leaf(
            &["other.invalid"],
            valid_from,
            leaf_valid_until,
            Some(&intermediate),
        )?;
        let self_signed = new_leaf(&localhost_names, valid_from, leaf_valid_until, None)?;

        let intermediate_der = intermediate.der().clone();
        let chains = [
            (
                CertVariant::Valid,
                vec![valid.der.clone(), intermediate_der.clone()],
                &valid,
            ),
            (
                CertVariant::MissingIntermediate,
                vec![valid.der.clone()],
                &valid,
            ),
            (
                CertVariant::Expired,
                vec![expired.der.clone(), intermediate_der.clone()],
                &expired,
            ),
            (
                CertVariant::WrongHostName,
                vec![wrong_host.der.clone(), intermediate_der],
                &wrong_host,
            ),
            (
                CertVariant::SelfSigned,
                vec![self_signed.der.clone()],
                &self_signed,
            ),
        ];
        let mut configs = Vec::new();
        for (variant, chain, leaf) in chains {
            configs.push((variant, Arc::new(server_config(chain, &leaf.key)?)));
        }

        Ok(TestCertificates {
            ca_pem: root.pem(),
            other_ca_pem: other_root.pem(),
            self_signed_pem: self_signed.pem,
            configs,
        })
    }

    pub fn server_config(&self, variant: CertVariant) -> Arc<ServerConfig> {
        self.configs
            .iter()
            .find(|(candidate, _)| *candidate == variant)
            .map(|(_, config)| config.clone())
            .expect("a configuration exists for every CertVariant")
    }
}

/// A leaf certificate with its private key.
struct Leaf {
    der: CertificateDer<'static>,
    pem: String,
    key: KeyPair,
}

fn generation_error(error: rcgen::Error) -> io::Error {
    io::Error::other(format!("failed to generate a test certificate: {error}"))
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "zulip-test-server");
    name.push(DnType::CommonName, common_name);
    name
}

/// Creates a CA certificate, self-signed when `issuer` is `None`. An issued CA may only sign
/// leaf certificates (path length 0).
fn new_ca(
    common_name: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    issuer: Option<&CertifiedIssuer<'static, KeyPair>>,
) -> io::Result<CertifiedIssuer<'static, KeyPair>> {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(common_name);
    params.not_before = not_before;
    params.not_after = not_after;
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().map_err(generation_error)?;
    match issuer {
        None => {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            CertifiedIssuer::self_signed(params, key).map_err(generation_error)
        }
        Some(issuer) => {
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.use_authority_key_identifier_extension = true;
            CertifiedIssuer::signed_by(params, key, issuer).map_err(generation_error)
        }
    }
}

/// Creates a TLS server certificate for `names` (DNS names or IP addresses), self-signed when
/// `issuer` is `None`.
fn new_leaf(
    names: &[&str],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    issuer: Option<&CertifiedIssuer<'static, KeyPair>>,
) -> io::Result<Leaf> {
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).map_err(generation_error)?;
    params.distinguished_name = distinguished_name(&names[0]);
    params.not_before = not_before;
    params.not_after = not_after;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(generation_error)?;
    let certificate = match issuer {
        None => params.self_signed(&key),
        Some(issuer) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, issuer)
        }
    }
    .map_err(generation_error)?;
    Ok(Leaf {
        der: certificate.der().clone(),
        pem: certificate.pem(),
        key,
    })
}

fn server_config(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> io::Result<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|error| io::Error::other(format!("invalid TLS versions: {error}")))?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|error| io::Error::other(format!("invalid test certificate: {error}")))?;
    // Clients that send ALPN must offer HTTP/1.1, the only protocol this server speaks.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
