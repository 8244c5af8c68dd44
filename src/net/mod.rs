//! The transport under the HTTP client: cancellable TCP connections, name resolution and TLS
//! with configurable trust roots, plugged into `ureq`'s connector chain.

mod resolver;
mod tcp;
mod tls;

use std::fmt;
use std::io;

pub(crate) use resolver::CancellableResolver;
pub(crate) use tcp::CancellableTcpConnector;
pub(crate) use tls::{build_tls_config, TlsConnector, TrustRoots};

/// A transport failure that `ureq::Error` has no variant for. It travels inside
/// `ureq::Error::Other` and is classified by the client.
#[derive(Debug)]
pub(crate) enum NetError {
    /// The call's cancellation token was cancelled.
    Cancelled,
    /// The host name could not be resolved.
    Dns { host: String, detail: String },
    /// The connection to the proxy itself failed.
    ProxyConnect { proxy: String, source: io::Error },
    /// The TLS handshake failed.
    Tls(rustls::Error),
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Cancelled => f.write_str("the call was cancelled"),
            NetError::Dns { host, detail } => write!(f, "could not resolve host name '{host}': {detail}"),
            NetError::ProxyConnect { proxy, source } => write!(f, "could not connect to proxy {proxy}: {source}"),
            NetError::Tls(error) => write!(f, "TLS handshake failed: {error}"),
        }
    }
}

impl std::error::Error for NetError {}

impl From<NetError> for ureq::Error {
    fn from(error: NetError) -> ureq::Error {
        ureq::Error::Other(Box::new(error))
    }
}

/// Returns the `NetError` inside a `ureq` error, looking through I/O errors that wrap one.
pub(crate) fn find_net_error(error: &ureq::Error) -> Option<&NetError> {
    match error {
        ureq::Error::Other(inner) => inner.downcast_ref::<NetError>(),
        ureq::Error::Io(io_error) => io_error.get_ref().and_then(|inner| inner.downcast_ref::<NetError>()),
        _ => None,
    }
}

/// Returns the error of the call running on this thread if its token is cancelled.
pub(crate) fn check_cancelled() -> Result<(), ureq::Error> {
    if crate::cancel::current_is_cancelled() {
        Err(NetError::Cancelled.into())
    } else {
        Ok(())
    }
}
