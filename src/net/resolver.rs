//! Name resolution that a cancellation token can interrupt.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;
use ureq::config::Config;

use super::{check_cancelled, NetError};

/// How often a wait checks the cancellation token.
pub(super) const CANCEL_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Resolves host names on a helper thread so that the calling thread can give up on a
/// cancellation or a timeout; the system resolver itself cannot be interrupted, so the helper
/// thread finishes the lookup in the background. IP literals are used without a lookup.
#[derive(Debug, Default)]
pub(crate) struct CancellableResolver;

impl Resolver for CancellableResolver {
    fn resolve(&self, uri: &Uri, _config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        check_cancelled()?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(ureq::Error::BadUri(uri.to_string()));
        };
        let Some(host_port) = DefaultResolver::host_and_port(scheme, authority) else {
            return Err(ureq::Error::BadUri(uri.to_string()));
        };

        let mut addresses = self.empty();
        if let Ok(address) = host_port.parse::<SocketAddr>() {
            addresses.push(address);
            return Ok(addresses);
        }

        let found = lookup_in_background(&host_port, authority.host(), timeout)?;
        for address in found.into_iter().take(16) {
            addresses.push(address);
        }
        Ok(addresses)
    }
}

fn lookup_in_background(host_port: &str, host: &str, timeout: NextTimeout) -> Result<Vec<SocketAddr>, ureq::Error> {
    let (sender, receiver) = mpsc::channel();
    let query = host_port.to_owned();
    std::thread::Builder::new()
        .name("zulip-auth-dns".into())
        .spawn(move || {
            let result = query.to_socket_addrs().map(Iterator::collect::<Vec<_>>);
            // The receiver is gone when the call gave up waiting, which is fine.
            let _ = sender.send(result);
        })
        .map_err(ureq::Error::Io)?;

    let deadline = timeout.not_zero().map(|after| Instant::now() + *after);
    loop {
        check_cancelled()?;
        let wait = match deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()).min(CANCEL_POLL_INTERVAL),
            None => CANCEL_POLL_INTERVAL,
        };
        match receiver.recv_timeout(wait) {
            Ok(Ok(found)) if !found.is_empty() => return Ok(found),
            Ok(Ok(_)) => return Err(dns_error(host, "no addresses found".into())),
            Ok(Err(error)) => return Err(dns_error(host, error.to_string())),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                    return Err(ureq::Error::Timeout(timeout.reason));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(dns_error(host, "the lookup thread stopped".into())),
        }
    }
}

fn dns_error(host: &str, detail: String) -> ureq::Error {
    NetError::Dns { host: host.to_owned(), detail }.into()
}
