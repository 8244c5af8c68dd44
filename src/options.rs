//! Settings of a [`Client`](crate::Client).

use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::error::{Error, ErrorKind};

/// The overall timeout of a call when none is set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The timeout for name resolution and for connecting when none is set.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a client's proxy setting comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProxySetting {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either letter case), read when
    /// the client is created.
    Environment,
    /// No proxy, whatever the environment says.
    Disabled,
    /// This proxy URL.
    Url(String),
}

/// Settings of a [`Client`](crate::Client): timeouts, User-Agent, trusted roots and proxy.
#[derive(Clone)]
pub struct ClientOptions {
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) extra_roots: Vec<CertificateDer<'static>>,
    pub(crate) only_extra_roots: bool,
    pub(crate) proxy: ProxySetting,
    pub(crate) allow_insecure_http: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: default_user_agent(),
            extra_roots: Vec::new(),
            only_extra_roots: false,
            proxy: ProxySetting::Environment,
            allow_insecure_http: false,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let proxy = match &self.proxy {
            ProxySetting::Url(url) => ProxySetting::Url(redact_userinfo(url)),
            other => other.clone(),
        };
        f.debug_struct("ClientOptions")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("extra_roots", &self.extra_roots.len())
            .field("only_extra_roots", &self.only_extra_roots)
            .field("proxy", &proxy)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

/// Returns the default User-Agent, `zulip-auth/<version> (<OS>)`.
pub fn default_user_agent() -> String {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "android" => "Android",
        "ios" => "iOS",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    };
    format!("zulip-auth/{} ({os})", env!("CARGO_PKG_VERSION"))
}

impl ClientOptions {
    /// Creates the default options: 30 s overall timeout, 10 s connect timeout, the library's
    /// User-Agent, the platform's trust store, the proxy from the environment, and plain
    /// `http://` only to loopback hosts.
    pub fn new() -> ClientOptions {
        ClientOptions::default()
    }

    /// Sets the overall time limit of one call, from name resolution to the end of the body.
    /// `None` restores the default of 30 s.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout.unwrap_or(DEFAULT_TIMEOUT);
    }

    /// Sets the time limit for resolving the host name and for opening the TCP connection, each.
    /// `None` restores the default of 10 s.
    pub fn set_connect_timeout(&mut self, timeout: Option<Duration>) {
        self.connect_timeout = timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    }

    /// Sets the `User-Agent` header, such as `ZulipMobile/27.1 (iOS 17.4)`.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`] when the value is empty or has characters that
    /// an HTTP header cannot carry (control characters, non-ASCII).
    pub fn set_user_agent(&mut self, user_agent: &str) -> Result<(), Error> {
        let valid = !user_agent.trim().is_empty() && user_agent.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
        if !valid {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("User-Agent {user_agent:?} is invalid: it must be non-empty printable ASCII, such as \"MyApp/1.2 (iOS 17.4)\""),
            ));
        }
        self.user_agent = user_agent.to_owned();
        Ok(())
    }

    /// Adds every certificate in `pem` (one or more `BEGIN CERTIFICATE` blocks) to the trusted
    /// roots, and returns how many were added.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`] when `pem` has no certificate, a block cannot
    /// be decoded, or a certificate cannot serve as a root.
    pub fn add_root_certificates_pem(&mut self, pem: &[u8]) -> Result<usize, Error> {
        let mut found = Vec::new();
        for (index, item) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let certificate = item.map_err(|error| {
                Error::new(ErrorKind::InvalidArgument, format!("root certificate PEM block {} cannot be decoded: {error}; pass PEM text with BEGIN CERTIFICATE blocks", index + 1))
            })?;
            let mut trial = RootCertStore::empty();
            trial.add(certificate.clone()).map_err(|error| {
                Error::new(ErrorKind::InvalidArgument, format!("root certificate {} in the PEM text cannot be used as a root: {error}", index + 1))
            })?;
            found.push(certificate);
        }
        if found.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the root certificate PEM text contains no \"-----BEGIN CERTIFICATE-----\" block; pass the CA certificate in PEM format",
            ));
        }
        let count = found.len();
        self.extra_roots.extend(found);
        Ok(count)
    }

    /// With `true`, trusts only the roots added with [`ClientOptions::add_root_certificates_pem`]
    /// and not the platform's trust store (certificate pinning to a private CA).
    pub fn set_trust_only_added_roots(&mut self, only_added: bool) {
        self.only_extra_roots = only_added;
    }

    /// Uses the proxy named by the environment (the default): `HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY`, read when the client is created.
    pub fn set_proxy_from_environment(&mut self) {
        self.proxy = ProxySetting::Environment;
    }

    /// Connects directly, ignoring proxy environment variables.
    pub fn set_no_proxy(&mut self) {
        self.proxy = ProxySetting::Disabled;
    }

    /// Uses the proxy at `url`: `http://host:port` (HTTP CONNECT), `socks5://host:port`, or
    /// `socks4://host:port`, optionally with `user:password@`.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`] when the URL cannot be parsed or names another
    /// scheme.
    ///
    /// NOTE: a SOCKS proxy connection is opened by `ureq`'s own connector, so cancelling does
    /// not interrupt a read blocked on it (the timeouts still apply), and a refused connection
    /// to a SOCKS proxy is reported as [`ErrorKind::Connect`]. SOCKS is not covered by tests.
    pub fn set_proxy_url(&mut self, url: &str) -> Result<(), Error> {
        let trimmed = url.trim();
        let scheme = trimmed.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        let supported = matches!(scheme.as_deref(), Some("http" | "https" | "socks4" | "socks4a" | "socks5" | "socks5h"));
        if !supported || ureq::Proxy::new(trimmed).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("proxy URL '{}' is invalid: use http://host:port, socks5://host:port or socks4://host:port", redact_userinfo(trimmed)),
            ));
        }
        self.proxy = ProxySetting::Url(trimmed.to_owned());
        Ok(())
    }

    /// With `true`, allows plain `http://` to hosts other than loopback. Off by default, because
    /// the password would cross the network unencrypted.
    pub fn set_allow_insecure_http(&mut self, allow: bool) {
        self.allow_insecure_http = allow;
    }
}

/// Replaces the `user:password@` part of a URL, so that messages never show a proxy password.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) if scheme.is_empty() => format!("<redacted>@{}", &rest[at + 1..]),
        Some(at) => format!("{scheme}://<redacted>@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_rejects_control_characters() {
        let mut options = ClientOptions::new();
        assert!(options.set_user_agent("ZulipMobile/27.1 (iOS 17.4)").is_ok());
        assert_eq!(options.set_user_agent("App\r\nX-Evil: 1").unwrap_err().kind(), ErrorKind::InvalidArgument);
        assert!(options.set_user_agent(" ").is_err());
        assert_eq!(options.user_agent, "ZulipMobile/27.1 (iOS 17.4)");
    }

    #[test]
    fn default_user_agent_names_library() {
        assert!(default_user_agent().starts_with(concat!("zulip-auth/", env!("CARGO_PKG_VERSION"), " (")));
    }

    #[test]
    fn root_pem_without_certificate_is_rejected() {
        let mut options = ClientOptions::new();
        let error = options.add_root_certificates_pem(b"not a certificate").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("BEGIN CERTIFICATE"), "{}", error.message());
        let garbled = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(options.add_root_certificates_pem(garbled).is_err());
        assert!(options.extra_roots.is_empty());
    }

    #[test]
    fn proxy_url_is_validated_and_redacted() {
        let mut options = ClientOptions::new();
        assert!(options.set_proxy_url("http://127.0.0.1:3128").is_ok());
        assert!(options.set_proxy_url("socks5://user:secret@127.0.0.1:1080").is_ok());
        let error = options.set_proxy_url("ftp://user:secret@proxy.example.com").unwrap_err();
        assert!(!error.message().contains("secret"), "{}", error.message());
        assert!(error.message().contains("<redacted>@proxy.example.com"), "{}", error.message());
        assert!(!format!("{options:?}").contains("secret"));
    }
}
