//! One client connection to an HTTP or HTTPS listener: the keep-alive request loop and the
//! misbehaving responses that scenarios request.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rustls::{ServerConnection, StreamOwned};

use crate::http::{self, BufferedStream, RequestError, RequestHead, Response};
use crate::realms::Realm;
use crate::record::RecordedRequest;
use crate::routes;
use crate::server::ServerState;

/// How long a connection may stay idle between requests, or in the middle of one, before the
/// server closes it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a stalled or endless response lasts at most when the client keeps the connection.
pub(crate) const HOSTILE_RESPONSE_LIMIT: Duration = Duration::from_secs(60);

/// How often a waiting connection checks whether the client closed or the server is stopping.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How long a closing connection keeps reading, so that unread request bytes do not turn the
/// close into a reset before the client has read the response.
const CLOSE_DRAIN_LIMIT: Duration = Duration::from_secs(1);

/// A byte stream to a client, plain TCP or TLS.
pub(crate) trait Transport: Read + Write + Send {
    /// Ends the stream cleanly. For TLS this sends the `close_notify` alert.
    fn finish(&mut self) -> io::Result<()>;
}

impl Transport for TcpStream {
    fn finish(&mut self) -> io::Result<()> {
        self.flush()
    }
}

impl Transport for StreamOwned<ServerConnection, TcpStream> {
    fn finish(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush()
    }
}

/// Server behaviour in reply to one request.
pub(crate) enum Action {
    /// Sends a complete response, then keeps the connection unless either side asked to close.
    Respond(Response),
    /// Sends nothing and keeps the connection open until the client closes it, the server stops, or
    /// [`HOSTILE_RESPONSE_LIMIT`] passes.
    Stall,
    /// Sends the head with `Content-Length: declared_length` and only the first `sent_length`
    /// bytes of the body, then ends as `ending` specifies.
    Truncated {
        response: Response,
        declared_length: usize,
        sent_length: usize,
        ending: TruncatedEnding,
    },
    /// Sends the head, then the body one byte per second.
    SlowBody(Response),
    /// Sends a chunked head and the body as the first chunk, then more chunks of padding until
    /// the client closes, the server stops, or [`HOSTILE_RESPONSE_LIMIT`] passes.
    Endless(Response),
}

/// Ending of an [`Action::Truncated`] response.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TruncatedEnding {
    /// Keeps the connection open like [`Action::Stall`].
    Stall,
    /// Closes the connection cleanly (TLS `close_notify`, then TCP FIN).
    Close,
    /// Resets the connection: SO_LINGER 0, then close, which sends a TCP RST.
    Reset,
}

/// Facts about the listener and server that request handlers need.
pub(crate) struct RequestContext<'a> {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Port of the listener that received the request.
    pub local_port: u16,
    /// Organization configuration of the listener that received the request.
    pub realm: Realm,
    pub state: &'a ServerState,
}

/// Next step of a connection after one request.
enum Next {
    KeepAlive,
    /// Closes cleanly, reading what the client still sends for a short while.
    Close,
    /// Drops the connection without any further I/O.
    Drop,
}

/// Serves HTTP/1.1 on a plain TCP connection.
pub(crate) fn serve_plain(
    socket: TcpStream,
    listener: &'static str,
    realm: Realm,
    state: &Arc<ServerState>,
) {
    match socket.try_clone() {
        Ok(control) => serve(control, Box::new(socket), listener, "http", realm, state),
        Err(error) => state.log(&format!("failed to clone a socket on {listener}: {error}")),
    }
}

/// Serves HTTP/1.1 on `transport` until the connection ends. `control` is the same TCP socket,
/// used for timeouts, SO_LINGER and shutdown.
pub(crate) fn serve(
    control: TcpStream,
    transport: Box<dyn Transport>,
    listener: &'static str,
    scheme: &'static str,
    realm: Realm,
    state: &Arc<ServerState>,
) {
    let local_port = control
        .local_addr()
        .map(|address| address.port())
        .unwrap_or(0);
    let mut connection = Connection {
        stream: BufferedStream::new(transport),
        control,
        listener,
        context: RequestContext {
            scheme,
            local_port,
            realm,
            state,
        },
    };
    loop {
        if state.is_stopping() {
            return;
        }
        match connection.serve_one() {
            Ok(Next::KeepAlive) => continue,
            Ok(Next::Close) => {
                connection.close_gracefully();
                return;
            }
            Ok(Next::Drop) => return,
            Err(error) => {
                if !is_routine_disconnect(&error) {
                    state.log(&format!("connection on {listener} failed: {error}"));
                }
                return;
            }
        }
    }
}

/// Returns whether an I/O error is a normal way for a client or the idle timeout to end a
/// connection, as opposed to a TLS or protocol failure worth logging.
fn is_routine_disconnect(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::WouldBlock
            | ErrorKind::TimedOut
    )
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

struct Connection<'a> {
    stream: BufferedStream<Box<dyn Transport>>,
    control: TcpStream,
    listener: &'static str,
    context: RequestContext<'a>,
}

impl Connection<'_> {
    fn state(&self) -> &ServerState {
        self.context.state
    }

    fn serve_one(&mut self) -> io::Result<Next> {
        self.control.set_read_timeout(Some(IDLE_TIMEOUT))?;
        let raw_head = match self.stream.read_head(http::MAX_HEAD_BYTES) {
            Ok(Some(raw_head)) => raw_head,
            Ok(None) => return Ok(Next::Drop),
            Err(RequestError::Io(error)) => return Err(error),
            Err(error) => return self.reject(error),
        };
        let head = match RequestHead::parse(&raw_head) {
            Ok(head) => head,
            Err(error) => return self.reject(error),
        };
        let framing = match head.body_framing() {
            Ok(framing) => framing,
            Err(error) => return self.reject(error),
        };
        if head.expects_continue() && framing != http::BodyFraming::Empty {
            let interim = http::encode_head(100, &[]);
            self.stream.get_mut().write_all(&interim)?;
            self.stream.get_mut().flush()?;
        }
        let body = match http::read_body(&mut self.stream, framing) {
            Ok(body) => body,
            Err(RequestError::Io(error)) => return Err(error),
            Err(error) => return self.reject(error),
        };

        let (path, query) = http::split_target(&head.target);
        let request = RecordedRequest {
            method: head.method.clone(),
            path: path.to_string(),
            query: query.map(str::to_string),
            headers: head.headers.clone(),
            body,
            listener: self.listener.to_string(),
        };
        if !routes::is_control_path(&request.path) {
            self.state().record(request.clone());
        }
        let action = routes::handle(&request, &self.context);
        self.execute(action, &request, head.wants_close())
    }

    /// Sends an error status for a request that could not be read, then closes.
    fn reject(&mut self, error: RequestError) -> io::Result<Next> {
        let status = error.status();
        let message = error.message();
        self.state().log(&format!(
            "rejected a request on {}: {status} {message}",
            self.listener
        ));
        let response = Response::text(status, format!("{message}\n"));
        http::write_response(self.stream.get_mut(), &response, false, true)?;
        Ok(Next::Close)
    }

    fn log_request(&self, request: &RecordedRequest, outcome: &str) {
        // Only method, path and outcome: the body and query may carry credentials.
        self.state().log(&format!(
            "{} {} {} -> {outcome}",
            self.listener, request.method, request.path
        ));
    }

    fn execute(
        &mut self,
        action: Action,
        request: &RecordedRequest,
        close_requested: bool,
    ) -> io::Result<Next> {
        match action {
            Action::Respond(response) => {
                let close = close_requested || response.close;
                let head_only = request.method == "HEAD";
                http::write_response(self.stream.get_mut(), &response, head_only, close)?;
                self.log_request(request, &response.status.to_string());
                Ok(if close { Next::Close } else { Next::KeepAlive })
            }
            Action::Stall => {
                self.log_request(request, "stalled without a response");
                self.hold_until_client_closes(HOSTILE_RESPONSE_LIMIT);
                Ok(Next::Drop)
            }
            Action::Truncated {
                response,
                declared_length,
                sent_length,
                ending,
            } => self.send_truncated(request, response, declared_length, sent_length, ending),
            Action::SlowBody(response) => self.send_slowly(request, response, close_requested),
            Action::Endless(response) => self.send_endless(request, response),
        }
    }

    fn send_truncated(
        &mut self,
        request: &RecordedRequest,
        response: Response,
        declared_length: usize,
        sent_length: usize,
        ending: TruncatedEnding,
    ) -> io::Result<Next> {
        let mut headers = response.headers.clone();
        headers.push(("Content-Length".to_string(), declared_length.to_string()));
        let mut message = http::encode_head(response.status, &headers);
        message.extend_from_slice(&response.body[..sent_length.min(response.body.len())]);
        self.stream.get_mut().write_all(&message)?;
        self.stream.get_mut().flush()?;
        self.log_request(
            request,
            &format!(
                "{} with {sent_length} of {declared_length} body bytes, then {ending:?}",
                response.status
            ),
        );
        match ending {
            TruncatedEnding::Stall => {
                self.hold_until_client_closes(HOSTILE_RESPONSE_LIMIT);
                Ok(Next::Drop)
            }
            TruncatedEnding::Close => {
                let _ = self.stream.get_mut().finish();
                let _ = self.control.shutdown(Shutdown::Write);
                Ok(Next::Drop)
            }
            TruncatedEnding::Reset => {
                // With a zero linger time, close() discards unsent data and sends RST. The
                // socket closes when the last handle (this one, the transport and the tracked
                // copy) is dropped, which happens as the connection thread ends.
                socket2::SockRef::from(&self.control).set_linger(Some(Duration::ZERO))?;
                Ok(Next::Drop)
            }
        }
    }

    fn send_slowly(
        &mut self,
        request: &RecordedRequest,
        response: Response,
        close_requested: bool,
    ) -> io::Result<Next> {
        let close = close_requested || response.close;
        let head = http::encode_head(response.status, &http::complete_headers(&response, close));
        self.stream.get_mut().write_all(&head)?;
        self.stream.get_mut().flush()?;
        self.log_request(
            request,
            &format!("{} with the body sent one byte per second", response.status),
        );
        for (index, byte) in response.body.iter().enumerate() {
            if index > 0
                && (self.hold_until_client_closes(Duration::from_secs(1))
                    || self.state().is_stopping())
            {
                return Ok(Next::Drop);
            }
            self.stream
                .get_mut()
                .write_all(std::slice::from_ref(byte))?;
            self.stream.get_mut().flush()?;
        }
        Ok(if close { Next::Close } else { Next::KeepAlive })
    }

    fn send_endless(&mut self, request: &RecordedRequest, response: Response) -> io::Result<Next> {
        let mut headers = response.headers.clone();
        headers.push(("Transfer-Encoding".to_string(), "chunked".to_string()));
        self.stream
            .get_mut()
            .write_all(&http::encode_head(response.status, &headers))?;
        http::write_chunk(self.stream.get_mut(), &response.body)?;
        self.stream.get_mut().flush()?;
        self.log_request(
            request,
            &format!("{} with a chunked body that never ends", response.status),
        );

        let padding = vec![b' '; 16 * 1024];
        let deadline = Instant::now() + HOSTILE_RESPONSE_LIMIT;
        while Instant::now() < deadline && !self.state().is_stopping() {
            // A write fails once the client has closed, which ends the loop through `?`.
            http::write_chunk(self.stream.get_mut(), &padding)?;
            self.stream.get_mut().flush()?;
            thread::sleep(Duration::from_millis(10));
        }
        Ok(Next::Drop)
    }

    /// Reads and discards whatever the client sends until it closes the connection, the server
    /// stops, or `limit` passes. Returns whether the client closed the connection.
    fn hold_until_client_closes(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        if self.control.set_read_timeout(Some(POLL_INTERVAL)).is_err() {
            return true;
        }
        let mut scratch = [0u8; 4096];
        while Instant::now() < deadline && !self.state().is_stopping() {
            match self.stream.read_some(&mut scratch) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(error) if is_timeout(&error) => continue,
                Err(_) => return true,
            }
        }
        false
    }

    /// Closes after a final response: TLS `close_notify`, TCP FIN, then a bounded read of
    /// whatever the client still sends, so that the kernel does not reply to it with a reset.
    fn close_gracefully(&mut self) {
        let _ = self.stream.get_mut().finish();
        let _ = self.control.shutdown(Shutdown::Write);
        let deadline = Instant::now() + CLOSE_DRAIN_LIMIT;
        let _ = self.control.set_read_timeout(Some(POLL_INTERVAL));
        let mut scratch = [0u8; 4096];
        while Instant::now() < deadline && !self.state().is_stopping() {
            match self.control.read(&mut scratch) {
                Ok(0) => return,
                Ok(_) => continue,
                Err(error) if is_timeout(&error) => continue,
                Err(_) => return,
            }
        }
    }
}
