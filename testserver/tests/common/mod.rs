//! A minimal HTTP/1.1 client over plain `TcpStream` and rustls, so the tests depend on nothing
//! but the server under test.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// Read timeout for test connections, so that a server bug fails a test instead of hanging it.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Returns the body as text, replacing invalid UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "response body is not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Returns the port of a URL such as `http://127.0.0.1:1234`.
pub fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|port| port.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("URL without a port: {url}"))
}

/// Percent-encodes a form value, leaving only unreserved characters.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// Encodes fields as an `application/x-www-form-urlencoded` body.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Builds a request with a form body and `Content-Length`.
pub fn form_request(method: &str, path: &str, port: u16, fields: &[(&str, &str)]) -> Vec<u8> {
    let body = form_body(fields);
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: zulip-test-server-tests\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Builds a login request for `fetch_api_key`.
pub fn login_request(port: u16, username: &str, password: &str) -> Vec<u8> {
    form_request(
        "POST",
        "/api/v1/fetch_api_key",
        port,
        &[("username", username), ("password", password)],
    )
}

pub fn connect_plain(url: &str) -> TcpStream {
    let stream =
        TcpStream::connect(("127.0.0.1", port_of(url))).expect("connect to the test server");
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream
}

/// Sends one request on a new connection and reads the response.
pub fn exchange(url: &str, request: &[u8]) -> HttpResponse {
    let mut stream = connect_plain(url);
    stream.write_all(request).unwrap();
    read_response(&mut BufReader::new(stream)).expect("read the response")
}

/// Logs in over plain HTTP on a new connection.
pub fn login(url: &str, username: &str, password: &str) -> HttpResponse {
    exchange(url, &login_request(port_of(url), username, password))
}

fn read_line<R: BufRead>(reader: &mut R) -> io::Result<String> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    while line
        .last()
        .is_some_and(|byte| *byte == b'\n' || *byte == b'\r')
    {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Reads the status line and header fields of a response, skipping 1xx interim responses.
pub fn read_response_head<R: BufRead>(reader: &mut R) -> io::Result<(u16, Vec<(String, String)>)> {
    loop {
        let status_line = read_line(reader)?;
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad status line: {status_line}"),
                )
            })?;
        let mut headers = Vec::new();
        loop {
            let line = read_line(reader)?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("header field with a colon");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        if !(100..200).contains(&status) {
            return Ok((status, headers));
        }
    }
}

/// Reads a complete response framed by `Content-Length`, chunked coding, or end of stream.
pub fn read_response<R: BufRead>(reader: &mut R) -> io::Result<HttpResponse> {
    let (status, headers) = read_response_head(reader)?;
    let find = |name: &str| {
        headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    let body =
        if find("transfer-encoding").is_some_and(|value| value.eq_ignore_ascii_case("chunked")) {
            read_chunked(reader)?
        } else if let Some(length) = find("content-length") {
            let mut body = vec![0; length.parse().expect("numeric Content-Length")];
            reader.read_exact(&mut body)?;
            body
        } else {
            let mut body = Vec::new();
            reader.read_to_end(&mut body)?;
            body
        };
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

fn read_chunked<R: BufRead>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(reader)?;
        let size = usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).map_err(
            |_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size: {size_line}"),
                )
            },
        )?;
        if size == 0 {
            while !read_line(reader)?.is_empty() {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        read_line(reader)?;
    }
}

/// Returns a rustls client configuration that trusts only the given PEM certificates.
pub fn client_config(trusted_pem: &[&str]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for pem in trusted_pem {
        let certificate = CertificateDer::from_pem_slice(pem.as_bytes()).expect("valid PEM");
        roots.add(certificate).expect("usable root certificate");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Starts TLS on `socket` for `host_name` and completes the handshake.
pub fn tls_over(
    socket: TcpStream,
    host_name: &str,
    config: Arc<ClientConfig>,
) -> io::Result<TlsStream> {
    let name = ServerName::try_from(host_name.to_string()).expect("valid server name");
    let connection = ClientConnection::new(config, name).expect("client connection");
    let mut stream = StreamOwned::new(connection, socket);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

/// Connects to an `https://localhost:PORT` URL and completes the handshake.
pub fn connect_tls(url: &str, config: Arc<ClientConfig>) -> io::Result<TlsStream> {
    tls_over(connect_plain(url), "localhost", config)
}

/// Returns the rustls error inside an I/O error from a TLS stream.
pub fn rustls_error(error: &io::Error) -> Option<&rustls::Error> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}
