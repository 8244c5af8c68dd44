//! TCP connections whose connect, reads and writes a cancellation token can interrupt.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use zeroize::Zeroize;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle, Transport,
};

use super::resolver::CANCEL_POLL_INTERVAL;
use super::{check_cancelled, NetError};
use crate::cancel::{self, CancelToken};

/// Opens TCP connections and registers each socket with the calling thread's cancellation
/// token, so that cancelling shuts the socket down.
#[derive(Debug)]
pub(crate) struct CancellableTcpConnector {
    /// `host:port` of the configured proxy, to report failures to reach it as proxy errors.
    proxy_authority: Option<String>,
}

impl CancellableTcpConnector {
    pub(crate) fn new(proxy: Option<&ureq::Proxy>) -> CancellableTcpConnector {
        let proxy_authority = proxy.map(|proxy| format!("{}:{}", proxy.host(), proxy.port()));
        CancellableTcpConnector { proxy_authority }
    }
}

impl<In: Transport> Connector<In> for CancellableTcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            // A SOCKS connector earlier in the chain already made the connection.
            return Ok(Some(Either::A(transport)));
        }
        check_cancelled()?;

        let deadline = details.timeout.not_zero().map(|after| Instant::now() + *after);
        let mut last_error = None;
        let mut stream = None;
        for address in details.addrs.iter() {
            match connect_one(*address, deadline) {
                Ok(connected) => {
                    stream = Some(connected);
                    break;
                }
                Err(error) if error.kind() == io::ErrorKind::TimedOut => {
                    return Err(ureq::Error::Timeout(details.timeout.reason));
                }
                Err(error) => {
                    check_cancelled()?;
                    last_error = Some(error);
                }
            }
        }
        let Some(stream) = stream else {
            let error = last_error.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to connect to"));
            return Err(self.connect_error(details, error));
        };

        let transport = TcpTransport::new(stream, details);
        (details.register_shutdown)(Arc::downgrade(&transport.stream) as Weak<dyn ShutdownHandle>)?;
        Ok(Some(Either::B(transport)))
    }
}

impl CancellableTcpConnector {
    fn connect_error(&self, details: &ConnectionDetails, error: io::Error) -> ureq::Error {
        // Compared without user information: a proxy URL may carry `user:password@`.
        let target = details
            .uri
            .authority()
            .map(|authority| format!("{}:{}", authority.host(), authority.port_u16().unwrap_or(80)))
            .unwrap_or_default();
        match &self.proxy_authority {
            Some(proxy) if *proxy == target => NetError::ProxyConnect { proxy: proxy.clone(), source: error }.into(),
            _ => ureq::Error::Io(error),
        }
    }
}

/// Connects to one address without blocking for longer than one poll interval at a time, so a
/// cancellation is noticed while the connect is pending.
fn connect_one(address: SocketAddr, deadline: Option<Instant>) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(address), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_nonblocking(true)?;
    match socket.connect(&SockAddr::from(address)) {
        Ok(()) => {}
        Err(error) if is_connect_pending(&error) => wait_until_connected(&socket, deadline)?,
        Err(error) => return Err(error),
    }
    socket.set_nonblocking(false)?;
    socket.set_tcp_nodelay(true)?;
    Ok(socket.into())
}

fn is_connect_pending(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::WouldBlock || error.raw_os_error() == Some(libc::EINPROGRESS)
}

fn wait_until_connected(socket: &Socket, deadline: Option<Instant>) -> io::Result<()> {
    loop {
        if cancel::current_is_cancelled() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, NetError::Cancelled));
        }
        let wait = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                left.min(CANCEL_POLL_INTERVAL)
            }
            None => CANCEL_POLL_INTERVAL,
        };
        if poll_writable(socket, wait)? {
            return match socket.take_error()? {
                Some(error) => Err(error),
                None => Ok(()),
            };
        }
    }
}

#[cfg(unix)]
fn poll_writable(socket: &Socket, wait: Duration) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut poll_fd = libc::pollfd { fd: socket.as_raw_fd(), events: libc::POLLOUT, revents: 0 };
    let millis = wait.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
    // SAFETY: `poll_fd` is a valid, initialized pollfd array of length 1 that outlives the call.
    let ready = unsafe { libc::poll(&mut poll_fd, 1, millis) };
    match ready {
        -1 => {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(error)
            }
        }
        0 => Ok(false),
        _ => Ok(true),
    }
}

/// A TCP connection. Every read and write first registers the socket with the current call's
/// cancellation token, because a pooled connection can serve several calls with different tokens.
pub(crate) struct TcpTransport {
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    registered_with: Option<CancelToken>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl TcpTransport {
    fn new(stream: TcpStream, details: &ConnectionDetails) -> TcpTransport {
        let config = details.config;
        TcpTransport {
            stream: Arc::new(stream),
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            registered_with: None,
            read_timeout: None,
            write_timeout: None,
        }
    }

    fn register_with_current_token(&mut self) -> Result<(), ureq::Error> {
        let Some(token) = cancel::current() else {
            return Ok(());
        };
        if self.registered_with.as_ref().is_some_and(|registered| registered.same_as(&token)) {
            return check_cancelled();
        }
        if !token.register(&self.stream) {
            return Err(NetError::Cancelled.into());
        }
        self.registered_with = Some(token);
        Ok(())
    }
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport").field("peer", &self.stream.peer_addr().ok()).finish()
    }
}

fn timeout_error(error: io::Error, timeout: NextTimeout) -> ureq::Error {
    if matches!(error.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) {
        ureq::Error::Timeout(timeout.reason)
    } else {
        ureq::Error::Io(error)
    }
}

/// Sets a socket timeout only when it changed, to save a system call per read or write.
fn update_timeout(
    cached: &mut Option<Duration>,
    timeout: NextTimeout,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
) -> Result<(), ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    let wanted = timeout.not_zero().map(|after| *after);
    if wanted != *cached {
        set(wanted)?;
        *cached = wanted;
    }
    Ok(())
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.register_with_current_token()?;
        let timeout = timeout.for_write();
        let stream = Arc::clone(&self.stream);
        update_timeout(&mut self.write_timeout, timeout, |t| stream.set_write_timeout(t))?;
        let output = &mut self.buffers.output()[..amount];
        let written = (&*self.stream).write_all(output).map_err(|error| timeout_error(error, timeout));
        // The request body contains the password, so no copy stays in the pooled buffer.
        output.zeroize();
        written
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.register_with_current_token()?;
        let timeout = timeout.for_read();
        let stream = Arc::clone(&self.stream);
        update_timeout(&mut self.read_timeout, timeout, |t| stream.set_read_timeout(t))?;
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&*self.stream).read(input) {
                // A signal interrupted the read; the socket timeout still bounds the retry.
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => break result.map_err(|error| timeout_error(error, timeout))?,
            }
        };
        check_cancelled()?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        probe_open(&self.stream).unwrap_or(false)
    }
}

/// Returns whether an idle pooled connection is still usable: the server has neither closed it
/// nor sent unexpected bytes.
fn probe_open(stream: &TcpStream) -> io::Result<bool> {
    stream.set_nonblocking(true)?;
    let mut byte = [0u8; 1];
    let open = matches!(stream.peek(&mut byte), Err(ref error) if error.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false)?;
    Ok(open)
}
