//! TLS over a chained transport, with the platform's trust store plus extra roots, or the given
//! roots alone.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use zeroize::Zeroize;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport, TransportAdapter,
};

use super::{check_cancelled, NetError};
use crate::error::{Error, ErrorKind};

/// Which certificate authorities a client trusts.
pub(crate) struct TrustRoots<'a> {
    pub(crate) extra: &'a [CertificateDer<'static>],
    pub(crate) only_extra: bool,
}

/// Builds the rustls configuration. With `only_extra`, the extra roots replace the platform's.
pub(crate) fn build_tls_config(roots: TrustRoots<'_>) -> Result<Arc<ClientConfig>, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| internal_tls_error(&error))?;

    let config = if roots.only_extra {
        if roots.extra.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "trusting only the given root certificates needs at least one root certificate; add one, or trust the platform's roots too",
            ));
        }
        let mut store = RootCertStore::empty();
        for certificate in roots.extra {
            store.add(certificate.clone()).map_err(|error| invalid_root(&error))?;
        }
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|error| internal_tls_error(&error))?;
        builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()
    } else {
        let verifier = shared_platform_verifier(roots.extra, provider)?;
        builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// How many platform verifiers, one per distinct list of extra roots, the process keeps.
const CACHED_PLATFORM_VERIFIERS: usize = 4;

/// Returns a platform verifier that also trusts `extra`, shared by the process's clients with
/// the same extra roots. Building one on Linux parses every root certificate of the system,
/// which took about 3 ms per new client (docs/BENCHMARKS.md).
///
/// NOTE: a root store that the system changes while the process runs is seen by clients with a
/// list of extra roots not used before, or after that list's verifier leaves the cache.
fn shared_platform_verifier(extra: &[CertificateDer<'static>], provider: Arc<CryptoProvider>) -> Result<Arc<rustls_platform_verifier::Verifier>, Error> {
    type Cache = Vec<(Vec<CertificateDer<'static>>, Arc<rustls_platform_verifier::Verifier>)>;
    static CACHE: Mutex<Cache> = Mutex::new(Vec::new());

    // Holding the lock while building makes concurrent first clients wait for one build instead
    // of each loading the roots.
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, verifier)) = cache.iter().find(|(roots, _)| roots.as_slice() == extra) {
        return Ok(Arc::clone(verifier));
    }
    let verifier = Arc::new(platform_verifier(extra, provider)?);
    if cache.len() == CACHED_PLATFORM_VERIFIERS {
        cache.remove(0);
    }
    cache.push((extra.to_vec(), Arc::clone(&verifier)));
    Ok(verifier)
}

#[cfg(not(target_os = "android"))]
fn platform_verifier(
    extra: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, Error> {
    rustls_platform_verifier::Verifier::new_with_extra_roots(extra.iter().cloned(), provider).map_err(|error| invalid_root(&error))
}

#[cfg(target_os = "android")]
fn platform_verifier(
    extra: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, Error> {
    if !extra.is_empty() {
        // NOTE: Android's platform verifier cannot add roots; apps there use only-these-roots
        // mode or a network security config.
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "on Android extra root certificates work only together with trusting only the given roots; enable that option or add the CA through the app's network security config",
        ));
    }
    rustls_platform_verifier::Verifier::new(provider).map_err(|error| internal_tls_error(&error))
}

fn invalid_root(error: &rustls::Error) -> Error {
    Error::new(ErrorKind::InvalidArgument, format!("a root certificate cannot be used as a trust anchor: {error}"))
}

fn internal_tls_error(error: &dyn std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, format!("could not set up TLS: {error}"))
}

/// Wraps the chained transport in TLS when the URL is `https`.
#[derive(Debug)]
pub(crate) struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl TlsConnector {
    pub(crate) fn new(config: Arc<ClientConfig>) -> TlsConnector {
        TlsConnector { config }
    }
}

impl<In: Transport> Connector<In> for TlsConnector {
    type Out = Either<In, TlsTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }

        let host = details.uri.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_owned()).map_err(|_| ureq::Error::BadUri(details.uri.to_string()))?;
        let mut connection = ClientConnection::new(Arc::clone(&self.config), name).map_err(NetError::Tls)?;
        let mut socket = TransportAdapter::new(transport.boxed(), Arc::clone(&details.current_time));
        socket.set_timeout(details.timeout);
        while connection.is_handshaking() {
            if let Err(error) = connection.complete_io(&mut socket) {
                check_cancelled()?;
                return Err(tls_io_error(error));
            }
        }

        let buffers = LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
        Ok(Some(Either::B(TlsTransport { buffers, stream: StreamOwned::new(connection, socket) })))
    }
}

/// Encrypts `data` into the connection's send buffer, sending buffered records to the socket
/// only when the buffer is full.
fn queue_tls(stream: &mut StreamOwned<ClientConnection, TransportAdapter>, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        let accepted = stream.conn.writer().write(data)?;
        data = &data[accepted..];
        if !data.is_empty() {
            send_queued_tls(stream)?;
        }
    }
    Ok(())
}

/// Sends every TLS record waiting in the connection's send buffer.
fn send_queued_tls(stream: &mut StreamOwned<ClientConnection, TransportAdapter>) -> io::Result<()> {
    while stream.conn.wants_write() {
        stream.conn.write_tls(&mut GatheringWriter(&mut stream.sock))?;
    }
    Ok(())
}

/// Writes the buffers of a vectored write with one write to the transport. rustls hands its
/// queued records over as one vectored write, and the transport's default `write_vectored`
/// would send only the first record per call, one TCP segment each.
struct GatheringWriter<'a>(&'a mut TransportAdapter);

impl Write for GatheringWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write(data)
    }

    fn write_vectored(&mut self, buffers: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let gathered: Vec<u8> = buffers.iter().flat_map(|buffer| buffer.iter().copied()).collect();
        self.0.write_all(&gathered)?;
        Ok(gathered.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Converts an I/O error of the TLS stream, recovering a rustls error so that certificate
/// problems can be told apart.
fn tls_io_error(error: io::Error) -> ureq::Error {
    if error.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
        let inner = error.into_inner().expect("checked above").downcast::<rustls::Error>().expect("checked above");
        return NetError::Tls(*inner).into();
    }
    // Unwraps a ureq error (a timeout, a cancellation) that the inner transport returned.
    ureq::Error::from(error)
}

pub(crate) struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTransport").finish()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    /// Encrypts the output into TLS records that stay in the connection's send buffer until the
    /// next read sends them all in one write. A request whose head and body arrive in two calls
    /// thus leaves in one TCP segment instead of two.
    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        let output = &mut self.buffers.output()[..amount];
        let queued = queue_tls(&mut self.stream, output);
        // The request body contains the password, so no plaintext copy stays in the pooled buffer.
        output.zeroize();
        queued.map_err(tls_io_error)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.get_mut().set_timeout(timeout);
        send_queued_tls(&mut self.stream).map_err(tls_io_error)?;
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input).map_err(tls_io_error)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
