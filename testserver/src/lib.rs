//! A Zulip-compatible HTTP and HTTPS server on 127.0.0.1 for testing login clients.
//!
//! [`TestServer::start`] opens, on free ports of 127.0.0.1:
//! - a plain HTTP listener,
//! - one HTTPS listener per [`CertVariant`], with certificates from a CA generated at start-up,
//! - one plain HTTP listener per [`Realm`] other than [`Realm::Modern`],
//! - an HTTP proxy that only reaches 127.0.0.1, and a proxy that always returns 502.
//!
//! All Zulip listeners serve the same endpoints: `POST /api/v1/fetch_api_key` with the demo
//! users of [`users`] and the scenarios of [`scenarios`], `GET /api/v1/server_settings`, the
//! development login at `POST /api/v1/dev_fetch_api_key` and `GET /api/v1/dev_list_users`,
//! the mobile SSO redirect at the login URL of each external method (Google, GitHub and SAML),
//! and the test-control endpoints `GET /__test/requests` and `POST /__test/clear`. The realm of
//! a listener changes the `server_settings` response and the development login, and
//! [`Realm::Redirecting`] redirects every request. The default HTTP and HTTPS listeners serve
//! [`Realm::Modern`]. The HTTP layer is written by hand so that scenarios can stall, reset or
//! trickle responses.

mod connection;
mod control;
mod dev_login;
mod form;
mod http;
mod proxy;
mod realms;
mod record;
mod routes;
pub mod scenarios;
mod server;
mod sso;
mod tls;
pub mod users;
mod zulip;

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub use realms::Realm;
pub use record::RecordedRequest;
pub use tls::CertVariant;

use server::{ListenerKind, RunningListener, ServerState};
use tls::TestCertificates;

/// Settings for [`TestServer::start_with`].
#[derive(Clone, Debug, Default)]
pub struct TestServerOptions {
    /// Port of the plain HTTP listener. 0 picks a free port.
    pub http_port: u16,
    /// Port of the HTTPS listener with the valid chain. 0 picks a free port. The other
    /// certificate variants always get free ports.
    pub https_port: u16,
    /// Logs each request (listener, method, path, status) and each connection error to standard
    /// error. Bodies, queries and header values are never logged.
    pub log_requests: bool,
}

/// A running test server. Dropping it stops every listener and closes every open connection.
pub struct TestServer {
    state: Arc<ServerState>,
    certificates: TestCertificates,
    http: RunningListener,
    https: Vec<(CertVariant, RunningListener)>,
    /// Listeners of every realm except [`Realm::Modern`], which `http` serves.
    realms: Vec<(Realm, RunningListener)>,
    proxy: RunningListener,
    broken_proxy: RunningListener,
}

impl TestServer {
    /// Starts all listeners on free ports of 127.0.0.1, without logging.
    pub fn start() -> io::Result<TestServer> {
        TestServer::start_with(TestServerOptions::default())
    }

    /// Starts all listeners on 127.0.0.1. Every listener accepts connections when this returns.
    pub fn start_with(options: TestServerOptions) -> io::Result<TestServer> {
        let certificates = TestCertificates::generate()?;

        // Bind everything first so that redirects can name the final ports.
        let http_listener = server::bind_loopback(options.http_port)?;
        let mut https_listeners = Vec::new();
        for variant in CertVariant::ALL {
            let port = if variant == CertVariant::Valid {
                options.https_port
            } else {
                0
            };
            https_listeners.push((variant, server::bind_loopback(port)?));
        }
        let mut realm_listeners = Vec::new();
        for realm in Realm::ALL {
            if realm != Realm::Modern {
                realm_listeners.push((realm, server::bind_loopback(0)?));
            }
        }
        let proxy_listener = server::bind_loopback(0)?;
        let broken_proxy_listener = server::bind_loopback(0)?;

        let http_port = http_listener.local_addr()?.port();
        let https_port = https_listeners[0].1.local_addr()?.port();
        let state = Arc::new(ServerState::new(
            http_port,
            https_port,
            options.log_requests,
        ));

        let default_kind = ListenerKind::Http {
            name: Realm::Modern.listener_name(),
            realm: Realm::Modern,
        };
        let http = RunningListener::spawn(http_listener, default_kind, Arc::clone(&state))?;
        let mut https = Vec::new();
        for (variant, listener) in https_listeners {
            let kind = ListenerKind::Https {
                name: variant.listener_name(),
                config: certificates.server_config(variant),
            };
            https.push((
                variant,
                RunningListener::spawn(listener, kind, Arc::clone(&state))?,
            ));
        }
        let mut realms = Vec::new();
        for (realm, listener) in realm_listeners {
            let kind = ListenerKind::Http {
                name: realm.listener_name(),
                realm,
            };
            realms.push((
                realm,
                RunningListener::spawn(listener, kind, Arc::clone(&state))?,
            ));
        }
        let proxy =
            RunningListener::spawn(proxy_listener, ListenerKind::Proxy, Arc::clone(&state))?;
        let broken_proxy = RunningListener::spawn(
            broken_proxy_listener,
            ListenerKind::BrokenProxy,
            Arc::clone(&state),
        )?;

        Ok(TestServer {
            state,
            certificates,
            http,
            https,
            realms,
            proxy,
            broken_proxy,
        })
    }

    fn https_address(&self, variant: CertVariant) -> SocketAddr {
        self.https
            .iter()
            .find(|(candidate, _)| *candidate == variant)
            .map(|(_, listener)| listener.address)
            .expect("a listener exists for every CertVariant")
    }

    /// Returns `http://127.0.0.1:PORT` of the plain HTTP listener.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http.address.port())
    }

    /// Returns `https://localhost:PORT` of the listener with the valid chain (leaf and
    /// intermediate, the leaf valid for `localhost` and `127.0.0.1`).
    pub fn https_url(&self) -> String {
        self.https_url_for(CertVariant::Valid)
    }

    /// Returns `https://localhost:PORT` of the listener that presents `variant`.
    pub fn https_url_for(&self, variant: CertVariant) -> String {
        format!("https://localhost:{}", self.https_address(variant).port())
    }

    /// Returns `http://127.0.0.1:PORT` of the plain HTTP listener that serves `realm`.
    /// [`Realm::Modern`] gives [`TestServer::http_url`].
    pub fn realm_url(&self, realm: Realm) -> String {
        if realm == Realm::Modern {
            return self.http_url();
        }
        let address = self
            .realms
            .iter()
            .find(|(candidate, _)| *candidate == realm)
            .map(|(_, listener)| listener.address)
            .expect("a listener exists for every Realm except Modern");
        format!("http://127.0.0.1:{}", address.port())
    }

    /// Returns the root CA of the test chain, PEM.
    pub fn ca_pem(&self) -> String {
        self.certificates.ca_pem.clone()
    }

    /// Returns a root CA, PEM, that issued none of the certificates this server presents.
    pub fn other_ca_pem(&self) -> String {
        self.certificates.other_ca_pem.clone()
    }

    /// Returns the certificate of [`CertVariant::SelfSigned`], PEM, for tests that trust a
    /// self-signed server certificate directly.
    pub fn self_signed_pem(&self) -> String {
        self.certificates.self_signed_pem.clone()
    }

    /// Writes [`TestServer::ca_pem`] to `path`.
    pub fn write_ca_pem(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.certificates.ca_pem.as_bytes())
    }

    /// Returns every request received by the HTTP, realm and HTTPS listeners, oldest first, except
    /// requests to the `/__test/` endpoints. Requests forwarded or tunnelled by the proxy appear
    /// as received by their target listener.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }

    /// Returns how many TCP connections the HTTP, realm and HTTPS listeners have accepted. Connections
    /// to the proxies are not counted, but the connection a proxy opens to a listener is.
    pub fn connection_count(&self) -> usize {
        self.state.connection_count()
    }

    /// Returns `http://127.0.0.1:PORT` of the proxy that reaches only 127.0.0.1 and localhost.
    pub fn proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy.address.port())
    }

    /// Returns how many CONNECT tunnels the proxy has opened.
    pub fn proxy_tunnel_count(&self) -> usize {
        self.state.proxy_tunnel_count.load(Ordering::SeqCst)
    }

    /// Returns how many absolute-form `http://` requests the proxy has forwarded.
    pub fn proxy_forward_count(&self) -> usize {
        self.state.proxy_forward_count.load(Ordering::SeqCst)
    }

    /// Returns `http://127.0.0.1:PORT` of a proxy that responds to every request with
    /// `502 Bad Gateway` and closes.
    pub fn broken_proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.broken_proxy.address.port())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.state.stop();
        self.http.stop();
        for (_, listener) in &mut self.https {
            listener.stop();
        }
        for (_, listener) in &mut self.realms {
            listener.stop();
        }
        self.proxy.stop();
        self.broken_proxy.stop();
        // Connections accepted while the listeners were stopping are shut down as well.
        self.state.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_server_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<TestServer>();
        assert_send_sync::<RecordedRequest>();
    }
}
