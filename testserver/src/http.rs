//! HTTP/1.1 message parsing and writing, shared by the server listeners and the proxy.
//!
//! The parser is deliberately small: request line, header fields, and a body framed by
//! `Content-Length` or `Transfer-Encoding: chunked`. It rejects obsolete line folding and
//! ambiguous framing instead of guessing, so a client bug shows up as a 400.

use std::io::{self, Read, Write};

/// Maximum size of a request line plus header fields, in bytes.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Maximum size of a decoded request body, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Maximum length of one chunk-size line or trailer line in a chunked body, in bytes.
const MAX_CHUNK_LINE_BYTES: usize = 4096;

/// A stream wrapper that buffers reads and keeps bytes received past the end of one message
/// for the next one (keep-alive and pipelining).
pub struct BufferedStream<S> {
    inner: S,
    buffer: Vec<u8>,
    start: usize,
}

impl<S: Read> BufferedStream<S> {
    pub fn new(inner: S) -> Self {
        BufferedStream {
            inner,
            buffer: Vec::with_capacity(8192),
            start: 0,
        }
    }

    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Removes and returns the bytes that were read from the stream but not consumed yet.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self.buffer[self.start..].to_vec();
        self.buffer.clear();
        self.start = 0;
        rest
    }

    fn buffered(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    fn consume(&mut self, count: usize) {
        self.start += count;
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        }
    }

    /// Reads more bytes from the stream into the buffer. Returns 0 at end of stream.
    fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 && self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        }
        let mut chunk = [0u8; 8192];
        loop {
            match self.inner.read(&mut chunk) {
                Ok(count) => {
                    self.buffer.extend_from_slice(&chunk[..count]);
                    return Ok(count);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Reads raw bytes, first from the buffer, then from the stream. Returns 0 at end of stream.
    pub fn read_some(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.buffered().is_empty() && self.fill()? == 0 {
            return Ok(0);
        }
        let count = out.len().min(self.buffered().len());
        out[..count].copy_from_slice(&self.buffered()[..count]);
        self.consume(count);
        Ok(count)
    }

    /// Reads up to and including the blank line that ends a message head.
    ///
    /// Returns `Ok(None)` when the stream ends before the first byte of a new message, which is
    /// how a keep-alive client closes an idle connection.
    pub fn read_head(&mut self, max_bytes: usize) -> Result<Option<Vec<u8>>, RequestError> {
        let mut searched = 0;
        loop {
            let data = self.buffered();
            if let Some(end) = find_head_end(data, searched) {
                let head = data[..end].to_vec();
                self.consume(end);
                return Ok(Some(head));
            }
            if data.len() > max_bytes {
                return Err(RequestError::HeadTooLarge);
            }
            searched = data.len().saturating_sub(3);
            let was_empty = data.is_empty();
            if self.fill().map_err(RequestError::Io)? == 0 {
                if was_empty {
                    return Ok(None);
                }
                return Err(RequestError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed in the middle of a message head",
                )));
            }
        }
    }

    /// Reads exactly `count` bytes.
    pub fn read_exact_bytes(&mut self, count: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(count.min(1 << 20));
        while out.len() < count {
            if self.buffered().is_empty() && self.fill()? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "connection closed after {} of {count} body bytes",
                        out.len()
                    ),
                ));
            }
            let take = (count - out.len()).min(self.buffered().len());
            out.extend_from_slice(&self.buffered()[..take]);
            self.consume(take);
        }
        Ok(out)
    }

    /// Reads one line ending in LF and returns it without the CRLF or LF.
    fn read_line(&mut self, max_bytes: usize) -> Result<Vec<u8>, RequestError> {
        loop {
            if let Some(position) = self.buffered().iter().position(|&byte| byte == b'\n') {
                let mut line = self.buffered()[..position].to_vec();
                self.consume(position + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buffered().len() > max_bytes {
                return Err(RequestError::Malformed("chunk line too long"));
            }
            if self.fill().map_err(RequestError::Io)? == 0 {
                return Err(RequestError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed in the middle of a chunked body",
                )));
            }
        }
    }
}

/// Returns the index just past the `\r\n\r\n` (or bare `\n\n`) that ends a head, searching
/// from `from` so repeated calls do not rescan the whole buffer.
fn find_head_end(data: &[u8], from: usize) -> Option<usize> {
    let mut index = from;
    while index < data.len() {
        if data[index] == b'\n' {
            if data[index + 1..].starts_with(b"\r\n") {
                return Some(index + 3);
            }
            if data[index + 1..].starts_with(b"\n") {
                return Some(index + 2);
            }
        }
        index += 1;
    }
    None
}

/// Failure to read a request, with the status code the server sends for it.
#[derive(Debug)]
pub enum RequestError {
    Io(io::Error),
    Malformed(&'static str),
    HeadTooLarge,
    BodyTooLarge,
    UnsupportedTransferEncoding,
}

impl RequestError {
    pub fn status(&self) -> u16 {
        match self {
            RequestError::Io(_) | RequestError::Malformed(_) => 400,
            RequestError::HeadTooLarge => 431,
            RequestError::BodyTooLarge => 413,
            RequestError::UnsupportedTransferEncoding => 501,
        }
    }

    pub fn message(&self) -> String {
        match self {
            RequestError::Io(error) => format!("failed to read the request: {error}"),
            RequestError::Malformed(reason) => format!("malformed request: {reason}"),
            RequestError::HeadTooLarge => {
                format!("request line and header fields exceed {MAX_HEAD_BYTES} bytes")
            }
            RequestError::BodyTooLarge => format!("request body exceeds {MAX_BODY_BYTES} bytes"),
            RequestError::UnsupportedTransferEncoding => {
                "only Transfer-Encoding: chunked is supported".to_string()
            }
        }
    }
}

/// Request line and header fields of one HTTP request.
#[derive(Clone, Debug)]
pub struct RequestHead {
    pub method: String,
    /// The request target as sent: origin-form (`/path?query`), absolute-form or authority-form.
    pub target: String,
    /// Minor version of HTTP/1.x: 0 or 1.
    pub minor_version: u8,
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// Parses a head as returned by [`BufferedStream::read_head`].
    pub fn parse(raw: &[u8]) -> Result<RequestHead, RequestError> {
        let text = String::from_utf8_lossy(raw);
        let mut lines = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line));

        // Empty lines before the request line are skipped, as a robust HTTP/1.1 server should.
        let request_line = lines
            .by_ref()
            .find(|line| !line.is_empty())
            .ok_or(RequestError::Malformed("empty request"))?;
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default();
        let target = parts.next().unwrap_or_default();
        let version = parts.next().unwrap_or_default();
        if parts.next().is_some() || method.is_empty() || target.is_empty() {
            return Err(RequestError::Malformed("invalid request line"));
        }
        if !method.bytes().all(is_token_byte) {
            return Err(RequestError::Malformed("invalid method"));
        }
        let minor_version = match version {
            "HTTP/1.1" => 1,
            "HTTP/1.0" => 0,
            _ => return Err(RequestError::Malformed("unsupported HTTP version")),
        };

        let mut headers = Vec::new();
        for line in lines {
            if line.is_empty() {
                break;
            }
            if line.starts_with(' ') || line.starts_with('\t') {
                return Err(RequestError::Malformed(
                    "obsolete line folding in header field",
                ));
            }
            let (name, value) = line
                .split_once(':')
                .ok_or(RequestError::Malformed("header field without a colon"))?;
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(RequestError::Malformed("invalid header field name"));
            }
            headers.push((
                name.to_string(),
                value.trim_matches([' ', '\t']).to_string(),
            ));
        }

        Ok(RequestHead {
            method: method.to_string(),
            target: target.to_string(),
            minor_version,
            headers,
        })
    }

    /// Returns the first value of a header field, matching the name case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Returns whether the `Connection` header field contains `token`.
    fn connection_has(&self, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, value)| value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }

    /// Returns whether the connection must close after the response to this request.
    pub fn wants_close(&self) -> bool {
        if self.minor_version == 0 {
            !self.connection_has("keep-alive")
        } else {
            self.connection_has("close")
        }
    }

    pub fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|value| value.eq_ignore_ascii_case("100-continue"))
    }

    /// Determines how the body of this request is delimited.
    pub fn body_framing(&self) -> Result<BodyFraming, RequestError> {
        let transfer_encodings: Vec<&str> = self
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("transfer-encoding"))
            .map(|(_, value)| value.as_str())
            .collect();
        let content_lengths: Vec<&str> = self
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .map(|(_, value)| value.as_str())
            .collect();

        if !transfer_encodings.is_empty() {
            if !content_lengths.is_empty() {
                return Err(RequestError::Malformed(
                    "both Transfer-Encoding and Content-Length are present",
                ));
            }
            let codings: Vec<String> = transfer_encodings
                .iter()
                .flat_map(|value| value.split(','))
                .map(|coding| coding.trim().to_ascii_lowercase())
                .filter(|coding| !coding.is_empty())
                .collect();
            if codings == ["chunked"] {
                return Ok(BodyFraming::Chunked);
            }
            return Err(RequestError::UnsupportedTransferEncoding);
        }

        let mut length = None;
        for value in content_lengths.iter().flat_map(|value| value.split(',')) {
            let value = value.trim();
            if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(RequestError::Malformed("invalid Content-Length"));
            }
            let parsed: u64 = value
                .parse()
                .map_err(|_| RequestError::Malformed("invalid Content-Length"))?;
            if length.is_some_and(|previous| previous != parsed) {
                return Err(RequestError::Malformed("conflicting Content-Length values"));
            }
            length = Some(parsed);
        }
        match length {
            None | Some(0) => Ok(BodyFraming::Empty),
            Some(count) if count > MAX_BODY_BYTES as u64 => Err(RequestError::BodyTooLarge),
            Some(count) => Ok(BodyFraming::Length(count as usize)),
        }
    }
}

/// Framing of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFraming {
    Empty,
    Length(usize),
    Chunked,
}

/// Reads a request body according to `framing`, decoding chunked transfer coding.
pub fn read_body<S: Read>(
    stream: &mut BufferedStream<S>,
    framing: BodyFraming,
) -> Result<Vec<u8>, RequestError> {
    match framing {
        BodyFraming::Empty => Ok(Vec::new()),
        BodyFraming::Length(count) => stream.read_exact_bytes(count).map_err(RequestError::Io),
        BodyFraming::Chunked => read_chunked_body(stream),
    }
}

fn read_chunked_body<S: Read>(stream: &mut BufferedStream<S>) -> Result<Vec<u8>, RequestError> {
    let mut body = Vec::new();
    loop {
        let line = stream.read_line(MAX_CHUNK_LINE_BYTES)?;
        let line = String::from_utf8_lossy(&line);
        // A chunk extension follows the size after a semicolon and carries nothing we need.
        let size_text = line.split(';').next().unwrap_or_default().trim();
        if size_text.is_empty() || !size_text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(RequestError::Malformed("invalid chunk size"));
        }
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| RequestError::Malformed("chunk size too large"))?;
        if size == 0 {
            break;
        }
        if body.len() + size > MAX_BODY_BYTES {
            return Err(RequestError::BodyTooLarge);
        }
        body.extend_from_slice(&stream.read_exact_bytes(size).map_err(RequestError::Io)?);
        if !stream.read_line(MAX_CHUNK_LINE_BYTES)?.is_empty() {
            return Err(RequestError::Malformed("chunk data longer than its size"));
        }
    }
    // Trailer fields end with an empty line and are ignored.
    while !stream.read_line(MAX_CHUNK_LINE_BYTES)?.is_empty() {}
    Ok(body)
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Returns the first value of a header field in `headers`, matching the name case-insensitively.
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Splits an origin-form request target into path and query.
pub fn split_target(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    }
}

/// An HTTP response that is sent in one piece.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    /// Header fields other than `Content-Length`, `Transfer-Encoding` and `Connection`, which
    /// [`write_response`] adds.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Sends the body with chunked transfer coding instead of `Content-Length`.
    pub chunked: bool,
    /// Closes the connection after this response even if the client asked for keep-alive.
    pub close: bool,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.into(),
            chunked: false,
            close: false,
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status, "text/html; charset=utf-8", body)
    }

    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// Returns the standard reason phrase for the status codes this server sends.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// Serializes a status line and header fields, including the blank line that ends the head.
pub fn encode_head(status: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).into_bytes();
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Returns the header fields of `response` plus the framing and `Connection` fields.
pub fn complete_headers(response: &Response, close: bool) -> Vec<(String, String)> {
    let mut headers = response.headers.clone();
    if response.chunked {
        headers.push(("Transfer-Encoding".to_string(), "chunked".to_string()));
    } else {
        headers.push((
            "Content-Length".to_string(),
            response.body.len().to_string(),
        ));
    }
    if close {
        headers.push(("Connection".to_string(), "close".to_string()));
    }
    headers
}

/// Size of each chunk when a response body is sent with chunked transfer coding.
const RESPONSE_CHUNK_BYTES: usize = 64 * 1024;

/// Writes a complete response. With `head_only` (a HEAD request) the body is left out but the
/// framing header fields still describe it.
pub fn write_response<W: Write>(
    writer: &mut W,
    response: &Response,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    let head = encode_head(response.status, &complete_headers(response, close));
    if head_only {
        writer.write_all(&head)?;
    } else if response.chunked {
        writer.write_all(&head)?;
        for chunk in response.body.chunks(RESPONSE_CHUNK_BYTES) {
            write_chunk(writer, chunk)?;
        }
        writer.write_all(b"0\r\n\r\n")?;
    } else {
        let mut message = head;
        message.extend_from_slice(&response.body);
        writer.write_all(&message)?;
    }
    writer.flush()
}

/// Writes one chunk of a chunked body. An empty `data` would end the body, so it is skipped.
pub fn write_chunk<W: Write>(writer: &mut W, data: &[u8]) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(b"\r\n");
    writer.write_all(&chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(bytes: &[u8]) -> BufferedStream<&[u8]> {
        BufferedStream::new(bytes)
    }

    #[test]
    fn head_parses_request_line_and_fields() {
        let raw = b"POST /api/v1/fetch_api_key?x=1 HTTP/1.1\r\nHost: localhost\r\nX-Empty:\r\n\r\n";
        let head = RequestHead::parse(raw).unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.target, "/api/v1/fetch_api_key?x=1");
        assert_eq!(head.minor_version, 1);
        assert_eq!(head.header("HOST"), Some("localhost"));
        assert_eq!(head.header("x-empty"), Some(""));
        assert!(!head.wants_close());
    }

    #[test]
    fn head_rejects_line_folding() {
        let raw = b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n";
        assert!(matches!(
            RequestHead::parse(raw),
            Err(RequestError::Malformed(_))
        ));
    }

    #[test]
    fn http10_closes_by_default() {
        let head = RequestHead::parse(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(head.wants_close());
        let head = RequestHead::parse(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
        assert!(!head.wants_close());
    }

    #[test]
    fn pipelined_requests_stay_buffered() {
        let mut input = stream(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
        let first = RequestHead::parse(&input.read_head(MAX_HEAD_BYTES).unwrap().unwrap()).unwrap();
        let second =
            RequestHead::parse(&input.read_head(MAX_HEAD_BYTES).unwrap().unwrap()).unwrap();
        assert_eq!(first.target, "/a");
        assert_eq!(second.target, "/b");
        assert!(input.read_head(MAX_HEAD_BYTES).unwrap().is_none());
    }

    #[test]
    fn chunked_body_is_decoded() {
        let mut input = stream(b"4;ext=1\r\nabcd\r\n2\r\nef\r\n0\r\nTrailer: x\r\n\r\nNEXT");
        let body = read_body(&mut input, BodyFraming::Chunked).unwrap();
        assert_eq!(body, b"abcdef");
        assert_eq!(input.take_buffered(), b"NEXT");
    }

    #[test]
    fn framing_rejects_conflicts() {
        let both = RequestHead::parse(
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
        assert!(both.body_framing().is_err());
        let conflicting = RequestHead::parse(
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        )
        .unwrap();
        assert!(conflicting.body_framing().is_err());
        let gzip =
            RequestHead::parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").unwrap();
        assert!(matches!(
            gzip.body_framing(),
            Err(RequestError::UnsupportedTransferEncoding)
        ));
    }

    #[test]
    fn oversized_head_is_rejected() {
        let mut raw = b"GET / HTTP/1.1\r\nX: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES + 10));
        let mut input = stream(&raw);
        assert!(matches!(
            input.read_head(MAX_HEAD_BYTES),
            Err(RequestError::HeadTooLarge)
        ));
    }

    #[test]
    fn chunked_response_is_framed() {
        let mut response = Response::text(200, "hello");
        response.chunked = true;
        let mut out = Vec::new();
        write_response(&mut out, &response, false, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("Transfer-Encoding: chunked\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    }
}
