//! HTTP proxies for tests: a working one that reaches only this machine's loopback listeners,
//! and a broken one that responds to every request with 502.
//!
//! The working proxy accepts `CONNECT host:port` tunnels and absolute-form `http://` requests.
//! It only connects to 127.0.0.1, resolving `localhost` to it without DNS, and answers any other
//! target with 403, so a misdirected test cannot reach another host through it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::http::{self, BufferedStream, RequestError, RequestHead, Response};
use crate::server::ServerState;

/// How long the proxy waits for a request head or for a connection to a target.
const PROXY_TIMEOUT: Duration = Duration::from_secs(30);

/// Header fields that apply to one hop and are not forwarded to the target.
const HOP_BY_HOP_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// Serves one client connection of the working proxy.
pub(crate) fn serve_proxy(client: TcpStream, state: &Arc<ServerState>) {
    if let Err(error) = handle_proxy_request(client, state) {
        state.log(&format!("proxy connection failed: {error}"));
    }
}

fn handle_proxy_request(client: TcpStream, state: &Arc<ServerState>) -> io::Result<()> {
    client.set_read_timeout(Some(PROXY_TIMEOUT))?;
    let mut writer = client.try_clone()?;
    let mut reader = BufferedStream::new(client);

    let head = match reader.read_head(http::MAX_HEAD_BYTES) {
        Ok(Some(raw)) => RequestHead::parse(&raw),
        Ok(None) => return Ok(()),
        Err(error) => Err(error),
    };
    let head = match head {
        Ok(head) => head,
        Err(RequestError::Io(error)) => return Err(error),
        Err(error) => {
            let response = Response::text(error.status(), format!("{}\n", error.message()));
            return http::write_response(&mut writer, &response, false, true);
        }
    };

    if head.method.eq_ignore_ascii_case("CONNECT") {
        open_tunnel(&head, reader, writer, state)
    } else if head.target.starts_with("http://") {
        forward_request(&head, reader, writer, state)
    } else {
        let response = Response::text(
            400,
            "this proxy accepts CONNECT and absolute-form http:// requests only\n",
        );
        http::write_response(&mut writer, &response, false, true)
    }
}

/// Returns the loopback address for an authority `host:port`, or `None` unless the host is
/// `127.0.0.1` or `localhost`.
fn loopback_target(authority: &str, default_port: Option<u16>) -> Option<SocketAddr> {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port_text)) => (host, port_text.parse::<u16>().ok()?),
        None => (authority, default_port?),
    };
    let is_loopback = host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost");
    if !is_loopback || port == 0 {
        return None;
    }
    Some(SocketAddr::from(([127, 0, 0, 1], port)))
}

fn reject_target(writer: &mut TcpStream, target: &str, state: &ServerState) -> io::Result<()> {
    state.log(&format!("proxy refused target {target}"));
    let response = Response::text(
        403,
        format!("this test proxy only connects to 127.0.0.1 and localhost, not {target}\n"),
    );
    http::write_response(writer, &response, false, true)
}

fn connect_target(
    address: SocketAddr,
    writer: &mut TcpStream,
    state: &ServerState,
) -> io::Result<Option<TcpStream>> {
    match TcpStream::connect_timeout(&address, PROXY_TIMEOUT) {
        Ok(upstream) => {
            let _ = upstream.set_nodelay(true);
            Ok(Some(upstream))
        }
        Err(error) => {
            state.log(&format!("proxy failed to connect to {address}: {error}"));
            let response =
                Response::text(502, format!("failed to connect to {address}: {error}\n"));
            http::write_response(writer, &response, false, true)?;
            Ok(None)
        }
    }
}

fn open_tunnel(
    head: &RequestHead,
    mut reader: BufferedStream<TcpStream>,
    mut writer: TcpStream,
    state: &Arc<ServerState>,
) -> io::Result<()> {
    let Some(address) = loopback_target(&head.target, None) else {
        return reject_target(&mut writer, &head.target, state);
    };
    let Some(mut upstream) = connect_target(address, &mut writer, state)? else {
        return Ok(());
    };
    let _tracked_upstream = state.track_socket(&upstream)?;

    // Count before responding, so a client that reads the 200 also reads the new count.
    state.proxy_tunnel_count.fetch_add(1, Ordering::SeqCst);
    writer.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?;
    writer.flush()?;
    state.log(&format!("proxy opened a tunnel to {}", head.target));

    // The client may send its first TLS bytes right behind the CONNECT head.
    upstream.write_all(&reader.take_buffered())?;
    let mut client = reader.get_mut().try_clone()?;
    client.set_read_timeout(None)?;

    let mut upstream_reader = upstream.try_clone()?;
    let mut client_writer = writer;
    let downstream = thread::Builder::new()
        .name("proxy-tunnel".to_string())
        .spawn(move || {
            let _ = io::copy(&mut upstream_reader, &mut client_writer);
            let _ = client_writer.shutdown(Shutdown::Write);
        })?;
    let _ = io::copy(&mut client, &mut upstream);
    let _ = upstream.shutdown(Shutdown::Write);
    let _ = downstream.join();
    Ok(())
}

/// Splits `http://authority/path?query` into authority and origin-form target.
fn split_absolute_http(target: &str) -> (&str, String) {
    let rest = target.strip_prefix("http://").unwrap_or(target);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    (authority, path)
}

/// Forwards one absolute-form request to a loopback listener and relays the response, then
/// closes the client connection.
fn forward_request(
    head: &RequestHead,
    mut reader: BufferedStream<TcpStream>,
    mut writer: TcpStream,
    state: &Arc<ServerState>,
) -> io::Result<()> {
    let (authority, origin_target) = split_absolute_http(&head.target);
    // Userinfo in the authority (`user@host`) also fails this check.
    let Some(address) = loopback_target(authority, Some(80)) else {
        return reject_target(&mut writer, authority, state);
    };
    let body = match head
        .body_framing()
        .and_then(|framing| http::read_body(&mut reader, framing))
    {
        Ok(body) => body,
        Err(RequestError::Io(error)) => return Err(error),
        Err(error) => {
            let response = Response::text(error.status(), format!("{}\n", error.message()));
            return http::write_response(&mut writer, &response, false, true);
        }
    };
    let Some(mut upstream) = connect_target(address, &mut writer, state)? else {
        return Ok(());
    };
    let _tracked_upstream = state.track_socket(&upstream)?;

    let mut request = format!("{} {origin_target} HTTP/1.1\r\n", head.method).into_bytes();
    for (name, value) in &head.headers {
        if !HOP_BY_HOP_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
    }
    if !body.is_empty()
        || head.header("content-length").is_some()
        || head.header("transfer-encoding").is_some()
    {
        request.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(&body);
    state.proxy_forward_count.fetch_add(1, Ordering::SeqCst);
    upstream.write_all(&request)?;
    state.log(&format!("proxy forwarded {} to {authority}", head.method));

    // The target closes after its response because the request asked it to.
    io::copy(&mut upstream, &mut writer)?;
    writer.shutdown(Shutdown::Write)
}

/// Serves one client connection of the broken proxy: reads the request head, responds with 502
/// and closes.
pub(crate) fn serve_broken_proxy(client: TcpStream, state: &Arc<ServerState>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(mut writer) = client.try_clone() else {
        return;
    };
    let mut reader = BufferedStream::new(client);
    let _ = reader.read_head(http::MAX_HEAD_BYTES);
    let response = Response::text(502, "the upstream proxy could not be reached\n");
    if let Err(error) = http::write_response(&mut writer, &response, false, true) {
        state.log(&format!("broken proxy failed to answer: {error}"));
    }
    let _ = writer.shutdown(Shutdown::Write);
    // Read what the client still sends for a moment so that the close is not turned into a
    // reset before it has read the 502.
    let mut scratch = [0u8; 4096];
    let _ = reader
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(500)));
    while let Ok(count) = reader.get_mut().read(&mut scratch) {
        if count == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_allowed() {
        assert_eq!(
            loopback_target("127.0.0.1:443", None),
            Some(SocketAddr::from(([127, 0, 0, 1], 443)))
        );
        assert_eq!(
            loopback_target("LOCALHOST:8080", None),
            Some(SocketAddr::from(([127, 0, 0, 1], 8080)))
        );
        assert_eq!(
            loopback_target("localhost", Some(80)),
            Some(SocketAddr::from(([127, 0, 0, 1], 80)))
        );
        assert_eq!(loopback_target("example.com:443", None), None);
        assert_eq!(loopback_target("127.0.0.2:443", None), None);
        assert_eq!(loopback_target("user@localhost:443", None), None);
        assert_eq!(loopback_target("[::1]:443", None), None);
        assert_eq!(loopback_target("localhost", None), None);
        assert_eq!(loopback_target("localhost:0", None), None);
    }

    #[test]
    fn absolute_targets_are_split() {
        assert_eq!(
            split_absolute_http("http://localhost:80/a?b=c"),
            ("localhost:80", "/a?b=c".to_string())
        );
        assert_eq!(
            split_absolute_http("http://localhost?x"),
            ("localhost", "/?x".to_string())
        );
        assert_eq!(
            split_absolute_http("http://localhost"),
            ("localhost", "/".to_string())
        );
    }
}
