//! Shared server state, listeners and their accept loops.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::connection;
use crate::proxy;
use crate::realms::Realm;
use crate::record::RecordedRequest;

/// State shared by every listener and connection of one [`TestServer`](crate::TestServer).
pub(crate) struct ServerState {
    requests: Mutex<Vec<RecordedRequest>>,
    connection_count: AtomicUsize,
    pub proxy_tunnel_count: AtomicUsize,
    pub proxy_forward_count: AtomicUsize,
    stopping: AtomicBool,
    open_sockets: Mutex<HashMap<u64, TcpStream>>,
    next_socket_id: AtomicU64,
    /// Port of the plain HTTP listener, for redirects to another origin on this server.
    pub http_port: u16,
    /// Port of the HTTPS listener with the valid chain, for redirects from HTTP to HTTPS.
    pub https_port: u16,
    log_requests: bool,
}

/// Locks a mutex, ignoring poisoning: a panicking connection thread leaves the request list
/// and socket table consistent, because each update is a single push or remove.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ServerState {
    pub fn new(http_port: u16, https_port: u16, log_requests: bool) -> ServerState {
        ServerState {
            requests: Mutex::new(Vec::new()),
            connection_count: AtomicUsize::new(0),
            proxy_tunnel_count: AtomicUsize::new(0),
            proxy_forward_count: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
            open_sockets: Mutex::new(HashMap::new()),
            next_socket_id: AtomicU64::new(0),
            http_port,
            https_port,
            log_requests,
        }
    }

    pub fn record(&self, request: RecordedRequest) {
        lock(&self.requests).push(request);
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub fn connection_count(&self) -> usize {
        self.connection_count.load(Ordering::SeqCst)
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Writes a line to standard error when the server was started with request logging.
    /// Callers must never pass passwords, API keys or request bodies.
    pub fn log(&self, message: &str) {
        if self.log_requests {
            eprintln!("zulip-test-server: {message}");
        }
    }

    /// Registers a socket so that [`ServerState::stop`] can shut it down. The registration ends
    /// when the returned guard is dropped.
    pub fn track_socket(self: &Arc<Self>, socket: &TcpStream) -> io::Result<TrackedSocket> {
        let id = self.next_socket_id.fetch_add(1, Ordering::SeqCst);
        lock(&self.open_sockets).insert(id, socket.try_clone()?);
        Ok(TrackedSocket {
            id,
            state: Arc::clone(self),
        })
    }

    /// Marks the server as stopping and shuts down every open connection, which wakes any thread
    /// blocked reading from one.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for socket in lock(&self.open_sockets).values() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

/// Registration of an open socket in [`ServerState`], removed on drop.
pub(crate) struct TrackedSocket {
    id: u64,
    state: Arc<ServerState>,
}

impl Drop for TrackedSocket {
    fn drop(&mut self) {
        lock(&self.state.open_sockets).remove(&self.id);
    }
}

/// Kind of listener, which decides how accepted connections are served.
#[derive(Clone)]
pub(crate) enum ListenerKind {
    /// Plain HTTP serving `realm`: the default listener (`http`, [`Realm::Modern`]) or a realm
    /// listener.
    Http {
        name: &'static str,
        realm: Realm,
    },
    /// HTTPS serving [`Realm::Modern`].
    Https {
        name: &'static str,
        config: Arc<ServerConfig>,
    },
    Proxy,
    BrokenProxy,
}

impl ListenerKind {
    fn name(&self) -> &'static str {
        match self {
            ListenerKind::Http { name, .. } => name,
            ListenerKind::Https { name, .. } => name,
            ListenerKind::Proxy => "proxy",
            ListenerKind::BrokenProxy => "broken-proxy",
        }
    }

    /// Returns whether connections to this listener count in [`ServerState::connection_count`]. Only the
    /// Zulip listeners do, so a tunnel through the proxy counts once, at the HTTPS listener.
    fn is_counted(&self) -> bool {
        matches!(self, ListenerKind::Http { .. } | ListenerKind::Https { .. })
    }
}

/// Binds a listener on 127.0.0.1. Port 0 picks a free port.
pub(crate) fn bind_loopback(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|error| {
        io::Error::new(
            error.kind(),
            format!("failed to listen on 127.0.0.1:{port}: {error}"),
        )
    })
}

/// A listener whose accept loop runs on its own thread.
pub(crate) struct RunningListener {
    pub address: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl RunningListener {
    /// Starts accepting connections on `listener`, one thread per connection.
    pub fn spawn(
        listener: TcpListener,
        kind: ListenerKind,
        state: Arc<ServerState>,
    ) -> io::Result<RunningListener> {
        let address = listener.local_addr()?;
        let thread = thread::Builder::new()
            .name(format!("accept-{}", kind.name()))
            .spawn(move || run_accept_loop(listener, kind, state))?;
        Ok(RunningListener {
            address,
            thread: Some(thread),
        })
    }

    /// Wakes the accept loop with a connection of our own and waits for its thread to end. The
    /// caller must have called [`ServerState::stop`] first.
    pub fn stop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        match TcpStream::connect_timeout(&self.address, Duration::from_secs(2)) {
            Ok(_) => {
                let _ = thread.join();
            }
            // Without the wake-up connection the thread stays blocked in accept, so it is left
            // detached rather than joined.
            Err(error) => eprintln!(
                "zulip-test-server: failed to wake the listener on {}: {error}",
                self.address
            ),
        }
    }
}

fn run_accept_loop(listener: TcpListener, kind: ListenerKind, state: Arc<ServerState>) {
    for incoming in listener.incoming() {
        if state.is_stopping() {
            break;
        }
        let socket = match incoming {
            Ok(socket) => socket,
            Err(error) => {
                state.log(&format!("accept failed on {}: {error}", kind.name()));
                // Back off so that a persistent error such as EMFILE does not spin a core.
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if kind.is_counted() {
            state.connection_count.fetch_add(1, Ordering::SeqCst);
        }
        let _ = socket.set_nodelay(true);
        let tracked = match state.track_socket(&socket) {
            Ok(tracked) => tracked,
            Err(error) => {
                state.log(&format!(
                    "failed to register a connection on {}: {error}",
                    kind.name()
                ));
                continue;
            }
        };
        let thread_state = Arc::clone(&state);
        let thread_kind = kind.clone();
        let spawned = thread::Builder::new()
            .name(format!("conn-{}", kind.name()))
            .spawn(move || {
                let _tracked = tracked;
                serve_connection(socket, thread_kind, thread_state);
            });
        if let Err(error) = spawned {
            state.log(&format!(
                "failed to start a connection thread on {}: {error}",
                kind.name()
            ));
        }
    }
}

fn serve_connection(socket: TcpStream, kind: ListenerKind, state: Arc<ServerState>) {
    match kind {
        ListenerKind::Http { name, realm } => connection::serve_plain(socket, name, realm, &state),
        ListenerKind::Https { name, config } => serve_tls(socket, name, config, &state),
        ListenerKind::Proxy => proxy::serve_proxy(socket, &state),
        ListenerKind::BrokenProxy => proxy::serve_broken_proxy(socket, &state),
    }
}

fn serve_tls(
    socket: TcpStream,
    name: &'static str,
    config: Arc<ServerConfig>,
    state: &Arc<ServerState>,
) {
    let control = match socket.try_clone() {
        Ok(control) => control,
        Err(error) => {
            state.log(&format!("failed to clone a socket on {name}: {error}"));
            return;
        }
    };
    let tls = match ServerConnection::new(config) {
        Ok(tls) => tls,
        Err(error) => {
            state.log(&format!("failed to start TLS on {name}: {error}"));
            return;
        }
    };
    // The handshake runs on the first read, under the same idle timeout as a request.
    connection::serve(
        control,
        Box::new(StreamOwned::new(tls, socket)),
        name,
        "https",
        Realm::Modern,
        state,
    );
}
