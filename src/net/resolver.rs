//! Name resolution that a cancellation token can interrupt.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;
use ureq::config::Config;

use super::{check_cancelled, NetError};

/// How often a wait checks the cancellation token.
pub(super) const CANCEL_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How long a successful lookup is reused, as libcurl's DNS cache does by default.
const CACHE_TIME_TO_LIVE: Duration = Duration::from_secs(60);

/// How many host names the cache keeps; the oldest entry goes first.
const CACHE_ENTRIES: usize = 32;

/// Resolves host names on a helper thread, so that the calling thread can give up on a
/// cancellation or a timeout. The system resolver itself cannot be interrupted, so the helper
/// thread finishes the lookup in the background. IP literals are used without a lookup.
///
/// Successful lookups are kept for 60 s per client, so that a client reusing a pooled
/// connection does not start a lookup thread for every call (the HTTP layer resolves before it
/// looks in its pool).
#[derive(Debug, Default)]
pub(crate) struct CancellableResolver {
    cache: Mutex<Vec<CachedLookup>>,
}

#[derive(Debug)]
struct CachedLookup {
    host_port: String,
    resolved_at: Instant,
    addresses: Vec<SocketAddr>,
}

impl CancellableResolver {
    fn cached(&self, host_port: &str) -> Option<Vec<SocketAddr>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = cache.iter().find(|entry| entry.host_port == host_port)?;
        (entry.resolved_at.elapsed() < CACHE_TIME_TO_LIVE).then(|| entry.addresses.clone())
    }

    fn remember(&self, host_port: &str, addresses: &[SocketAddr]) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.retain(|entry| entry.host_port != host_port && entry.resolved_at.elapsed() < CACHE_TIME_TO_LIVE);
        if cache.len() >= CACHE_ENTRIES {
            cache.remove(0);
        }
        cache.push(CachedLookup { host_port: host_port.to_owned(), resolved_at: Instant::now(), addresses: addresses.to_vec() });
    }
}

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

        let found = match self.cached(&host_port) {
            Some(found) => found,
            None => {
                let found = lookup_in_background(&host_port, authority.host(), timeout)?;
                self.remember(&host_port, &found);
                found
            }
        };
        for address in found.into_iter().take(16) {
            addresses.push(address);
        }
        Ok(addresses)
    }
}

/// The outcome of a lookup, handed from the helper thread to the waiting caller.
type LookupSlot = (Mutex<Option<io::Result<Vec<SocketAddr>>>>, Condvar);

fn lookup_in_background(host_port: &str, host: &str, timeout: NextTimeout) -> Result<Vec<SocketAddr>, ureq::Error> {
    // A mutex and condition variable rather than a channel: a channel's receiver keeps a
    // thread handle in a thread-local, which memory checkers report as possibly lost.
    let slot: Arc<LookupSlot> = Arc::new((Mutex::new(None), Condvar::new()));
    let query = host_port.to_owned();
    let helper_slot = Arc::clone(&slot);
    std::thread::Builder::new()
        .name("zulip-auth-dns".into())
        .spawn(move || {
            let result = query.to_socket_addrs().map(Iterator::collect::<Vec<_>>);
            let (lock, ready) = &*helper_slot;
            *lock.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            ready.notify_one();
        })
        .map_err(ureq::Error::Io)?;

    let deadline = timeout.not_zero().map(|after| Instant::now() + *after);
    let (lock, ready) = &*slot;
    let mut outcome = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(result) = outcome.take() {
            return match result {
                Ok(found) if !found.is_empty() => Ok(found),
                Ok(_) => Err(dns_error(host, "no addresses found".into())),
                Err(error) => Err(dns_error(host, error.to_string())),
            };
        }
        check_cancelled()?;
        let wait = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ureq::Error::Timeout(timeout.reason));
                }
                left.min(CANCEL_POLL_INTERVAL)
            }
            None => CANCEL_POLL_INTERVAL,
        };
        outcome = ready.wait_timeout(outcome, wait).unwrap_or_else(PoisonError::into_inner).0;
    }
}

fn dns_error(host: &str, detail: String) -> ureq::Error {
    NetError::Dns { host: host.to_owned(), detail }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_returns_remembered_lookup() {
        let resolver = CancellableResolver::default();
        let address: SocketAddr = "127.0.0.1:9991".parse().unwrap();
        assert_eq!(resolver.cached("localhost:9991"), None);
        resolver.remember("localhost:9991", &[address]);
        assert_eq!(resolver.cached("localhost:9991"), Some(vec![address]));
        assert_eq!(resolver.cached("localhost:9992"), None);
    }

    #[test]
    fn cache_keeps_bounded_entries() {
        let resolver = CancellableResolver::default();
        let address: SocketAddr = "127.0.0.1:1".parse().unwrap();
        for port in 0..(CACHE_ENTRIES + 5) {
            resolver.remember(&format!("host{port}:1"), &[address]);
        }
        assert_eq!(resolver.cache.lock().unwrap().len(), CACHE_ENTRIES);
        assert_eq!(resolver.cached("host0:1"), None, "the oldest entry went first");
        assert!(resolver.cached(&format!("host{}:1", CACHE_ENTRIES + 4)).is_some());
    }

    #[test]
    fn expired_entry_is_not_used() {
        let resolver = CancellableResolver::default();
        let address: SocketAddr = "127.0.0.1:1".parse().unwrap();
        resolver.cache.lock().unwrap().push(CachedLookup {
            host_port: "old:1".into(),
            resolved_at: Instant::now() - CACHE_TIME_TO_LIVE - Duration::from_secs(1),
            addresses: vec![address],
        });
        assert_eq!(resolver.cached("old:1"), None);
    }
}
