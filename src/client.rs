//! The HTTP client that performs Zulip's login calls.

use std::io;
use std::sync::{Arc, OnceLock};

use rustls::CertificateError;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, SocksConnector};
use ureq::{Agent, Body, ResponseExt};
use zeroize::Zeroizing;

use crate::api_key::{self, ApiKey};
use crate::dev::{self, DevUser};
use crate::server_settings::{self, ServerSettings};
use crate::cancel::{self, CancelToken};
use crate::error::{Error, ErrorKind};
use crate::form;
use crate::net::{self, find_net_error, CancellableResolver, CancellableTcpConnector, NetError, TlsConnector};
use crate::options::{ClientOptions, ProxySetting};
use crate::response::{RawResponse, MAX_BODY_BYTES};
use crate::server_url::ServerUrl;

/// A Zulip login client: HTTP settings, trusted roots and a pool of reusable connections.
///
/// A `Client` is `Send + Sync`: share one between threads (e.g. in an `Arc`) and call it from
/// all of them at once. Connections to the same server are reused between calls.
#[derive(Clone)]
pub struct Client {
    agent: Agent,
    options: Arc<ClientOptions>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("options", &self.options).finish()
    }
}

/// Returns the process-wide client with default options, creating it on first use.
pub fn default_client() -> Result<&'static Client, Error> {
    static DEFAULT: OnceLock<Result<Client, Error>> = OnceLock::new();
    DEFAULT.get_or_init(|| Client::new(&ClientOptions::default())).as_ref().map_err(Clone::clone)
}

impl Client {
    /// Creates a client. Fails when the trust roots cannot be set up, or the proxy from the
    /// environment is unusable.
    pub fn new(options: &ClientOptions) -> Result<Client, Error> {
        let proxy = match &options.proxy {
            ProxySetting::Environment => ureq::Proxy::try_from_env(),
            ProxySetting::Disabled => None,
            ProxySetting::Url(url) => Some(ureq::Proxy::new(url).map_err(|_| {
                Error::new(ErrorKind::InvalidArgument, format!("proxy URL '{}' is invalid", crate::options::redact_userinfo(url)))
            })?),
        };
        let tls = net::build_tls_config(net::TrustRoots { extra: &options.extra_roots, only_extra: options.only_extra_roots })?;

        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(options.timeout))
            .timeout_resolve(Some(options.connect_timeout))
            .timeout_connect(Some(options.connect_timeout))
            .user_agent(options.user_agent.as_str())
            .accept("application/json")
            .max_response_header_size(64 * 1024)
            .proxy(proxy.clone())
            .build();
        let connector = ()
            .chain(SocksConnector::default())
            .chain(ConnectProxyConnector::default())
            .chain(CancellableTcpConnector::new(proxy.as_ref()))
            .chain(TlsConnector::new(tls));
        let agent = Agent::with_parts(config, connector, CancellableResolver::default());
        Ok(Client { agent, options: Arc::new(options.clone()) })
    }

    /// Logs in with a username and password: `POST /api/v1/fetch_api_key`.
    ///
    /// `server_url` is what the user typed (see [`ServerUrl::parse`]). The username and password
    /// are sent exactly as given, form-encoded, in the request body. A redirect is never
    /// followed: it fails with [`ErrorKind::Redirect`], whose message names the new location.
    /// With `cancel`, another thread can make the call return [`ErrorKind::Cancelled`].
    pub fn fetch_api_key(&self, server_url: &str, username: &str, password: &str, cancel: Option<&CancelToken>) -> Result<ApiKey, Error> {
        let server = self.server(server_url)?;
        let endpoint = server.join("/api/v1/fetch_api_key");
        let response = self.post_form(&server, &endpoint, &[("username", username), ("password", password)], cancel)?;
        api_key::parse(&response, &endpoint)
    }

    /// Fetches what a login screen needs to know: `GET /api/v1/server_settings`.
    ///
    /// Unlike the login calls, this request follows up to 5 redirects, because it carries no
    /// secret; [`ServerSettings::realm_url`] is where to log in afterwards.
    pub fn fetch_server_settings(&self, server_url: &str, cancel: Option<&CancelToken>) -> Result<ServerSettings, Error> {
        let server = self.server(server_url)?;
        let endpoint = server.join("/api/v1/server_settings");
        let response = self.run(&server, &endpoint, cancel, |agent| agent.get(&endpoint).config().max_redirects(5).build().call())?;
        let fetched_from = ServerUrl::parse(&response.url).unwrap_or(server);
        server_settings::parse(&response, &endpoint, &fetched_from).map_err(|error| server_settings::classify(error, &endpoint))
    }

    /// Logs in without a password on a Zulip development server: `POST /api/v1/dev_fetch_api_key`.
    ///
    /// Production servers refuse it with [`ErrorKind::DevLoginUnavailable`].
    pub fn dev_fetch_api_key(&self, server_url: &str, username: &str, cancel: Option<&CancelToken>) -> Result<ApiKey, Error> {
        let server = self.server(server_url)?;
        let endpoint = server.join("/api/v1/dev_fetch_api_key");
        let response = self.post_form(&server, &endpoint, &[("username", username)], cancel)?;
        api_key::parse(&response, &endpoint).map_err(|error| dev::classify(error, &endpoint))
    }

    /// Lists the accounts of a Zulip development server: `GET /api/v1/dev_list_users`.
    ///
    /// Production servers refuse it with [`ErrorKind::DevLoginUnavailable`].
    pub fn dev_list_users(&self, server_url: &str, cancel: Option<&CancelToken>) -> Result<Vec<DevUser>, Error> {
        let server = self.server(server_url)?;
        let endpoint = server.join("/api/v1/dev_list_users");
        let response = self.run(&server, &endpoint, cancel, |agent| agent.get(&endpoint).call())?;
        dev::parse_users(&response, &endpoint).map_err(|error| dev::classify(error, &endpoint))
    }

    /// Parses `server_url` and checks that this client may send credentials to it.
    fn server(&self, server_url: &str) -> Result<ServerUrl, Error> {
        let server = ServerUrl::parse(server_url)?;
        if !server.is_https() && !server.is_loopback() && !self.options.allow_insecure_http {
            return Err(Error::new(
                ErrorKind::InsecureUrl,
                format!(
                    "server URL '{}' uses plain http:// to a host that is not loopback, so the login would cross the network unencrypted; \
                     use https://, or enable the client option allow_insecure_http for a server you trust",
                    server.origin()
                ),
            ));
        }
        Ok(server)
    }

    /// Sends `fields` form-encoded in a POST body, which is zeroed afterwards because it may
    /// contain a password.
    fn post_form(&self, server: &ServerUrl, endpoint: &str, fields: &[(&str, &str)], cancel: Option<&CancelToken>) -> Result<RawResponse, Error> {
        let body = form::encode(fields);
        self.run(server, endpoint, cancel, |agent| {
            agent.post(endpoint).content_type("application/x-www-form-urlencoded").send(body.as_bytes())
        })
    }

    /// Sends one request with `cancel` as the thread's current token and reads the response.
    fn run(
        &self,
        server: &ServerUrl,
        endpoint: &str,
        cancel: Option<&CancelToken>,
        send: impl FnOnce(&Agent) -> Result<ureq::http::Response<Body>, ureq::Error>,
    ) -> Result<RawResponse, Error> {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(cancelled_error(endpoint));
        }
        let _current = cancel::enter(cancel);
        let response = send(&self.agent).map_err(|error| self.transport_error(error, server, endpoint, cancel))?;
        let status = response.status().as_u16();
        read_response(response).map_err(|error| {
            let failure = self.transport_error(error, server, endpoint, cancel);
            if failure.kind() == ErrorKind::Timeout {
                let message = format!(
                    "{endpoint} sent its response headers (HTTP {status}) but not the whole body within the overall timeout of {} ms; check the network connection, or raise the timeout in the client options",
                    self.options.timeout.as_millis()
                );
                return failure.reclassified(ErrorKind::Timeout, message).with_http_status(status);
            }
            failure.with_http_status(status)
        })
    }

    /// Turns a failure below HTTP into the error a caller can act on.
    fn transport_error(&self, error: ureq::Error, server: &ServerUrl, endpoint: &str, cancel: Option<&CancelToken>) -> Error {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return cancelled_error(endpoint);
        }
        if let Some(net_error) = find_net_error(&error) {
            return net_error_to_error(net_error, server, endpoint);
        }
        let origin = server.origin();
        match error {
            ureq::Error::Timeout(reason) => {
                let (limit, what) = match reason {
                    ureq::Timeout::Resolve | ureq::Timeout::Connect => (self.options.connect_timeout, "connect timeout"),
                    _ => (self.options.timeout, "overall timeout"),
                };
                Error::new(
                    ErrorKind::Timeout,
                    format!("{endpoint} did not answer within the {what} of {} ms; check the network connection, or raise the timeout in the client options", limit.as_millis()),
                )
            }
            ureq::Error::HostNotFound => Error::new(ErrorKind::Dns, format!("the host name of {origin} could not be resolved; check the server URL and the network connection")),
            ureq::Error::Io(io_error) => io_failure(&io_error, &origin),
            ureq::Error::ConnectProxyFailed(detail) => Error::new(ErrorKind::Proxy, format!("the proxy refused the tunnel to {origin}: {detail}; check the proxy setting")),
            ureq::Error::InvalidProxyUrl => Error::new(ErrorKind::Proxy, "the proxy URL is invalid; check the proxy setting and the HTTPS_PROXY, HTTP_PROXY and ALL_PROXY environment variables"),
            ureq::Error::BodyExceedsLimit(_) => Error::new(
                ErrorKind::ResponseTooLarge,
                format!("the response from {endpoint} is larger than {} bytes, more than any Zulip answer; check that the server URL points at a Zulip server", MAX_BODY_BYTES),
            ),
            ureq::Error::LargeResponseHeader(size, limit) => Error::new(
                ErrorKind::ResponseTooLarge,
                format!("the response headers from {endpoint} are over {limit} bytes ({size} read); check that the server URL points at a Zulip server"),
            ),
            ureq::Error::Protocol(detail) => Error::new(ErrorKind::InvalidResponse, format!("{origin} sent a malformed HTTP response: {detail}; check that the server URL points at a web server")),
            ureq::Error::BadUri(uri) => Error::new(ErrorKind::InvalidUrl, format!("the URL '{uri}' cannot be requested")),
            other => Error::new(ErrorKind::Internal, format!("the request to {endpoint} failed unexpectedly: {other}")),
        }
    }
}

fn cancelled_error(endpoint: &str) -> Error {
    Error::new(ErrorKind::Cancelled, format!("the call to {endpoint} was cancelled"))
}

fn read_response(mut response: ureq::http::Response<Body>) -> Result<RawResponse, ureq::Error> {
    let header = |name: &str| response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned);
    let mut raw = RawResponse {
        url: response.get_uri().to_string(),
        status: response.status().as_u16(),
        content_type: header("content-type"),
        retry_after: header("retry-after"),
        location: header("location"),
        body: Zeroizing::new(Vec::new()),
    };
    // NOTE: the transport's input buffer keeps the raw bytes of the last response until the
    // next one overwrites them; only the copies made here are zeroed.
    raw.body = Zeroizing::new(response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_vec()?);
    Ok(raw)
}

fn io_failure(error: &io::Error, origin: &str) -> Error {
    let message = match error.kind() {
        io::ErrorKind::ConnectionRefused => format!("the connection to {origin} was refused; check the server URL and port, and that the server is running"),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => {
            format!("the connection to {origin} was closed before the response was complete ({error}); try again")
        }
        _ => format!("the connection to {origin} failed: {error}; check the network connection"),
    };
    Error::new(ErrorKind::Connect, message)
}

fn net_error_to_error(error: &NetError, server: &ServerUrl, endpoint: &str) -> Error {
    match error {
        NetError::Cancelled => cancelled_error(endpoint),
        NetError::Dns { host, detail } => Error::new(
            ErrorKind::Dns,
            format!("the host name '{host}' could not be resolved ({detail}); check the server URL and the network connection"),
        ),
        NetError::ProxyConnect { proxy, source } => Error::new(
            ErrorKind::Proxy,
            format!("could not connect to the proxy {proxy} ({source}); check the proxy setting and the HTTPS_PROXY, HTTP_PROXY and ALL_PROXY environment variables"),
        ),
        NetError::Tls(rustls::Error::InvalidCertificate(problem)) => {
            Error::new(ErrorKind::TlsCertificate, certificate_message(problem, server.host()))
        }
        NetError::Tls(other) => Error::new(
            ErrorKind::Tls,
            format!("the TLS handshake with {} failed: {other}; check that the server URL's port serves HTTPS", server.origin()),
        ),
    }
}

fn certificate_message(problem: &CertificateError, host: &str) -> String {
    const PRIVATE_CA: &str = "if the server uses a private certificate authority, add its root certificate with the client option add_root_certificates_pem";
    match problem {
        CertificateError::UnknownIssuer => format!(
            "the TLS certificate of {host} is not trusted: it was issued by an unknown certificate authority, is self-signed, or the server did not send its intermediate certificates; {PRIVATE_CA}, or ask the server's administrator to serve the full chain"
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("the TLS certificate of {host} has expired; ask the server's administrator to renew it, and check this device's clock")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("the TLS certificate of {host} is not valid yet; check this device's clock")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => format!(
            "the TLS certificate presented by {host} is for a different host name; check the server URL, or ask the server's administrator for a certificate that names {host}"
        ),
        CertificateError::Revoked => format!("the TLS certificate of {host} has been revoked; tell the server's administrator"),
        other => format!("the TLS certificate of {host} was rejected ({other:?}); {PRIVATE_CA}"),
    }
}
