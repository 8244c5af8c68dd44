//! Entry points for the fuzz targets in `fuzz/`. Each `check_*` function takes the raw input of
//! one target, runs the parser under test and panics when one of the parser's invariants does
//! not hold, so that libFuzzer reports the input as a crash.
//!
//! The module has content only with the `fuzzing` feature and in this crate's unit tests,
//! which replay the committed seed corpus and every crash input found so far. In other builds
//! it is empty, so the public API does not grow. Nothing here is meant for applications.
//!
//! The condition is an inner attribute rather than a `cfg` on the `mod` item, so that every
//! build reads this file and lists it among its inputs. Otherwise editing only this file would
//! not rebuild `libzulip_auth.so`, and the tests that compare the library's age with `src/`
//! would fail.
#![cfg(any(test, feature = "fuzzing"))]

use std::time::Duration;

use zeroize::Zeroizing;

use crate::api_key::{self, ApiKey};
use crate::dev;
use crate::error::{Error, ErrorKind};
use crate::response::RawResponse;
use crate::server_settings::{self, PasswordLogin, ServerSettings};
use crate::server_url::ServerUrl;
use crate::sso::SsoSession;

/// The endpoints named in error messages; the host does not matter to the parsers.
const FETCH_API_KEY: &str = "https://chat.example.com/api/v1/fetch_api_key";
const DEV_FETCH_API_KEY: &str = "https://chat.example.com/api/v1/dev_fetch_api_key";
const DEV_LIST_USERS: &str = "https://chat.example.com/api/v1/dev_list_users";
const SERVER_SETTINGS: &str = "https://chat.example.com/api/v1/server_settings";
const SERVER_SETTINGS_ORIGIN: &str = "https://chat.example.com";

/// The login URL of the single sign-on sessions that [`check_sso_callback`] creates.
const SSO_LOGIN_PATH: &str = "/accounts/login/social/github";

/// The size of a single sign-on pad in bytes; the encrypted key has twice as many hex digits.
pub const PAD_BYTES: usize = 32;

/// The longest `Retry-After` delay the classification keeps: one day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(86_400);

/// Every kind that classifying a complete HTTP response can produce. Transport failures,
/// argument checks and [`ErrorKind::Internal`] cannot come out of a parser.
const RESPONSE_KINDS: &[ErrorKind] = &[
    ErrorKind::Redirect,
    ErrorKind::HttpStatus,
    ErrorKind::InvalidResponse,
    ErrorKind::AuthenticationFailed,
    ErrorKind::UserDeactivated,
    ErrorKind::RealmDeactivated,
    ErrorKind::PasswordAuthDisabled,
    ErrorKind::PasswordResetRequired,
    ErrorKind::RateLimited,
    ErrorKind::RealmNotFound,
    ErrorKind::BadRequest,
    ErrorKind::Server,
    ErrorKind::DevLoginUnavailable,
];

/// Reads a fuzz input as an HTTP response: a status line (`HTTP/1.1 200 OK`, or the bare status
/// code), header lines, an empty line and the body. Lines may end in CRLF or LF. Returns `None`
/// when the status line has no status code from 100 to 999, the range the `http` crate accepts.
///
/// A header value is kept only when it is visible ASCII, spaces and tabs, because the HTTP
/// client drops other values before the response reaches the parsers. The first of repeated
/// headers wins.
pub fn parse_http_response(data: &[u8], url: &str) -> Option<RawResponse> {
    let (head, body) = split_head(data);
    let mut lines = head.split(|&byte| byte == b'\n').map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let status = parse_status_line(lines.next()?)?;

    let mut response = RawResponse {
        url: url.to_owned(),
        status,
        body: Zeroizing::new(body.to_vec()),
        ..RawResponse::default()
    };
    for line in lines {
        let Some(colon) = line.iter().position(|&byte| byte == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], header_value(&line[colon + 1..]));
        let slot = if name.eq_ignore_ascii_case(b"content-type") {
            &mut response.content_type
        } else if name.eq_ignore_ascii_case(b"retry-after") {
            &mut response.retry_after
        } else if name.eq_ignore_ascii_case(b"location") {
            &mut response.location
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = value;
        }
    }
    Some(response)
}

fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    for separator in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
        if let Some(at) = data.windows(separator.len()).position(|window| window == separator) {
            return (&data[..at], &data[at + separator.len()..]);
        }
    }
    (data, &[])
}

fn parse_status_line(line: &[u8]) -> Option<u16> {
    let code = match line.strip_prefix(b"HTTP/") {
        Some(rest) => rest.split(|&byte| byte == b' ').nth(1)?,
        None => line.split(|&byte| byte == b' ').next()?,
    };
    if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status: u16 = std::str::from_utf8(code).ok()?.parse().ok()?;
    (100..=999).contains(&status).then_some(status)
}

fn header_value(raw: &[u8]) -> Option<String> {
    let value = raw.trim_ascii();
    let visible = value.iter().all(|&byte| byte == b'\t' || (b' '..=b'~').contains(&byte));
    visible.then(|| String::from_utf8(value.to_vec()).expect("visible ASCII is UTF-8"))
}

/// Checks the error that classifying `response` produced.
fn check_response_error(error: &Error, response: &RawResponse) {
    assert!(RESPONSE_KINDS.contains(&error.kind()), "unexpected kind {:?} for HTTP {}: {}", error.kind(), response.status, error.message());
    assert!(!error.message().is_empty(), "an error has a message");
    if (300..400).contains(&response.status) {
        assert_eq!(error.kind(), ErrorKind::Redirect, "a 3xx is a redirect: {}", error.message());
    }
    if let Some(delay) = error.retry_after() {
        assert_eq!(error.kind(), ErrorKind::RateLimited, "only a rate limit has a retry delay");
        assert!(delay <= MAX_RETRY_AFTER, "retry delay {delay:?} is over a day");
    }
    assert_eq!(error.http_status(), Some(response.status), "the error carries the response's status: {}", error.message());
}

/// Checks credentials that parsing `response` produced.
fn check_api_key(key: &ApiKey, response: &RawResponse) {
    assert!((200..300).contains(&response.status), "a success needs a 2xx status, not {}", response.status);
    let api_key = key.api_key.expose();
    assert!(!api_key.is_empty(), "the API key is not empty");
    assert!(api_key.bytes().all(|byte| byte.is_ascii_graphic()), "the API key is printable ASCII");
    assert!(!key.email.is_empty(), "the email is not empty");
}

/// Fuzz target `api_key_response`: an HTTP response (see [`parse_http_response`]) to
/// `fetch_api_key`, and to the development endpoints that read the same responses.
pub fn check_api_key_response(data: &[u8]) {
    let Some(response) = parse_http_response(data, FETCH_API_KEY) else {
        return;
    };
    match api_key::parse(&response, FETCH_API_KEY) {
        Ok(key) => check_api_key(&key, &response),
        Err(error) => check_response_error(&error, &response),
    }
    match api_key::parse(&response, DEV_FETCH_API_KEY).map_err(|error| dev::classify(error, DEV_FETCH_API_KEY)) {
        Ok(key) => check_api_key(&key, &response),
        Err(error) => check_response_error(&error, &response),
    }
    if let Err(error) = dev::parse_users(&response, DEV_LIST_USERS).map_err(|error| dev::classify(error, DEV_LIST_USERS)) {
        check_response_error(&error, &response);
    }
}

/// Fuzz target `server_settings_response`: an HTTP response (see [`parse_http_response`]) to
/// `server_settings` fetched from `https://chat.example.com`.
pub fn check_server_settings_response(data: &[u8]) {
    let Some(response) = parse_http_response(data, SERVER_SETTINGS) else {
        return;
    };
    let fetched_from = ServerUrl::parse(SERVER_SETTINGS_ORIGIN).expect("the origin is valid");
    match server_settings::parse(&response, SERVER_SETTINGS, &fetched_from) {
        Ok(settings) => check_server_settings(&settings, &response),
        Err(error) => check_response_error(&server_settings::classify(error, SERVER_SETTINGS), &response),
    }
}

fn check_server_settings(settings: &ServerSettings, response: &RawResponse) {
    assert!((200..300).contains(&response.status), "a success needs a 2xx status, not {}", response.status);
    let realm = ServerUrl::parse(&settings.realm_url).expect("the realm URL parses");
    assert_eq!(realm.origin(), settings.realm_url, "the realm URL is an origin");
    let names: Vec<&str> = settings.authentication_methods.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "authentication methods are sorted and unique: {names:?}");
    for method in &settings.external_methods {
        assert!(!method.login_url.is_empty(), "method {} has a login URL", method.name);
        assert!(!method.signup_url.is_empty(), "method {} has a sign-up URL", method.name);
    }
    let expected = if !settings.email_auth_enabled && !settings.authentication_method("ldap") {
        PasswordLogin::Unavailable
    } else if settings.require_email_format_usernames {
        PasswordLogin::Email
    } else {
        PasswordLogin::Username
    };
    assert_eq!(settings.password_login(), expected);
}

/// Fuzz target `server_url`: a server address as a user types it, as UTF-8 (the C ABI rejects
/// other input before parsing).
///
/// The invariants: a success's origin parses back to the same server, white space around the
/// input and a path after it change nothing, and a failure is [`ErrorKind::InvalidUrl`].
pub fn check_server_url(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let url = match ServerUrl::parse(input) {
        Ok(url) => url,
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::InvalidUrl, "{}", error.message());
            assert!(error.message().starts_with("server URL '"), "the message quotes the input: {}", error.message());
            return;
        }
    };

    let origin = url.origin();
    let reparsed = ServerUrl::parse(&origin).unwrap_or_else(|error| panic!("origin {origin} of {input:?} does not parse: {}", error.message()));
    assert_eq!(reparsed, url, "origin {origin} of {input:?} parses to another server");
    assert_eq!(reparsed.origin(), origin);
    assert_eq!(url.to_string(), origin);
    assert_eq!(url.join("/api/v1/fetch_api_key"), format!("{origin}/api/v1/fetch_api_key"));

    let host = url.host();
    assert!(!host.is_empty(), "the host is not empty");
    assert!(!host.bytes().any(|byte| byte.is_ascii_uppercase()), "the host {host} is lower case");
    let default_port = if url.is_https() { 443 } else { 80 };
    assert_ne!(url.port(), Some(default_port), "the default port is dropped");
    assert_ne!(url.port(), Some(0), "port 0 is rejected");

    let padded = ServerUrl::parse(&format!(" \t{input}\n ")).expect("white space around a valid input is trimmed");
    assert_eq!(padded, url, "white space changes {input:?}");
    let with_path = ServerUrl::parse(&format!("{origin}/login/?next=%2F#narrow")).expect("a path after the origin is dropped");
    assert_eq!(with_path, url, "a path changes {origin}");
}

/// Fuzz target `sso_callback`: three lines, the session's pad as 64 hex digits, the realm URL
/// the session starts at, and the `zulip://login?...` callback URL (which may contain line
/// breaks itself). A first line that is not 64 hex digits gives a pad of zeros.
pub fn check_sso_callback(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let (Some(pad_hex), Some(realm_url), Some(callback)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let pad = decode_pad(pad_hex.trim_end_matches('\r')).unwrap_or([0; PAD_BYTES]);
    let Ok(session) = PaddedSsoSession::new(realm_url.trim_end_matches('\r'), SSO_LOGIN_PATH, pad) else {
        return;
    };
    // The message may quote the callback, so the chosen pad may appear in it only when the
    // callback contains it. The real pad is random and must never appear.
    let chosen_pad = hex(&pad);
    let callback_has_pad = callback.to_ascii_lowercase().contains(&chosen_pad);
    let real_pad = session.real_pad_hex().to_owned();

    match session.finish(callback) {
        Ok(key) => {
            let api_key = key.api_key.expose();
            assert_eq!(api_key.len(), PAD_BYTES, "a decrypted key has one byte per pad byte");
            assert!(api_key.bytes().all(|byte| byte.is_ascii_graphic()), "the decrypted key is printable ASCII");
            assert!(!key.email.is_empty(), "the email is not empty");
            assert!(!key.email.chars().any(char::is_control), "the email has no control characters");
            assert!(key.user_id.is_some_and(|id| id >= 0), "the user id is a non-negative integer");
            let again = session.finish(callback).expect_err("a session finishes once");
            assert!(again.message().contains("already finished"), "{}", again.message());
            assert!(!again.message().contains(api_key), "the message contains the API key");
        }
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::InvalidCallback, "{}", error.message());
            let message = error.message().to_ascii_lowercase();
            assert!(callback_has_pad || !message.contains(&chosen_pad), "the message contains the pad: {message}");
            assert!(!message.contains(&real_pad), "the message contains the session's pad: {message}");
        }
    }
}

/// Returns the pad that 64 hex digits encode.
pub fn decode_pad(text: &str) -> Option<[u8; PAD_BYTES]> {
    let bytes = decode_hex(text)?;
    bytes.try_into().ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let value = |digit: u8| (digit as char).to_digit(16).map(|value| value as u8);
    digits.chunks(2).map(|pair| Some((value(pair[0])? << 4) | value(pair[1])?)).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Encrypts `api_key` with `pad` the way the Zulip server does: each byte of the key XORed with
/// the byte of the pad at the same position, in hex. The result is as long as the shorter of
/// the two.
pub fn encrypt_api_key(api_key: &str, pad: &[u8; PAD_BYTES]) -> String {
    let encrypted: Vec<u8> = api_key.bytes().zip(pad).map(|(key, pad)| key ^ pad).collect();
    hex(&encrypted)
}

/// A single sign-on session that decrypts callbacks with a pad chosen by the caller.
///
/// NOTE: [`SsoSession`] draws its pad from the operating system and has no constructor that
/// takes one. This wrapper starts a real session, reads its pad from the browser URL, and
/// re-encrypts the key of each callback from the chosen pad to the real one before the real
/// session parses it. Only a key that `SsoSession::finish` would decrypt (64 hex digits after
/// percent-decoding) is rewritten, so every other part of the callback reaches the parser
/// unchanged.
pub struct PaddedSsoSession {
    session: SsoSession,
    /// The chosen pad XORed with the session's real pad.
    translation: [u8; PAD_BYTES],
}

impl PaddedSsoSession {
    /// Starts a session as [`SsoSession::new`] does, decrypting with `pad`.
    pub fn new(realm_url: &str, login_url: &str, pad: [u8; PAD_BYTES]) -> Result<PaddedSsoSession, Error> {
        let session = SsoSession::new(realm_url, login_url)?;
        let real = decode_pad(pad_hex_of(&session)).expect("the pad in the browser URL is 64 hex digits");
        let mut translation = [0; PAD_BYTES];
        for (index, byte) in translation.iter_mut().enumerate() {
            *byte = pad[index] ^ real[index];
        }
        Ok(PaddedSsoSession { session, translation })
    }

    /// Finishes the session as [`SsoSession::finish`] does, with the chosen pad.
    pub fn finish(&self, callback_url: &str) -> Result<ApiKey, Error> {
        self.session.finish(&self.translate(callback_url.trim()))
    }

    /// Returns the real session.
    pub fn session(&self) -> &SsoSession {
        &self.session
    }

    /// Returns the real session's pad as 64 lower-case hex digits.
    pub fn real_pad_hex(&self) -> &str {
        pad_hex_of(&self.session)
    }

    /// Splits the callback where `SsoSession::finish` does (the first `://`, the fragment, the
    /// query) and rewrites each `otp_encrypted_api_key` value that is 64 hex digits.
    fn translate(&self, url: &str) -> String {
        let Some(scheme_end) = url.find("://") else {
            return url.to_owned();
        };
        let after_scheme = scheme_end + 3;
        let fragment_start = url[after_scheme..].find('#').map_or(url.len(), |at| after_scheme + at);
        let Some(query_start) = url[after_scheme..fragment_start].find('?').map(|at| after_scheme + at + 1) else {
            return url.to_owned();
        };

        let pairs: Vec<String> = url[query_start..fragment_start]
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("otp_encrypted_api_key", value)) => match percent_decode(value).as_deref().and_then(decode_pad) {
                    Some(encrypted) => {
                        let translated: Vec<u8> = encrypted.iter().zip(&self.translation).map(|(key, pad)| key ^ pad).collect();
                        format!("otp_encrypted_api_key={}", hex(&translated))
                    }
                    None => pair.to_owned(),
                },
                _ => pair.to_owned(),
            })
            .collect();
        format!("{}{}{}", &url[..query_start], pairs.join("&"), &url[fragment_start..])
    }
}

/// Returns the pad of `session` as its browser URL carries it, in hex.
fn pad_hex_of(session: &SsoSession) -> &str {
    let (_, pad_hex) = session.browser_url().rsplit_once("mobile_flow_otp=").expect("the browser URL carries the pad");
    pad_hex
}

/// Decodes `%XX` escapes and `+` as `SsoSession::finish` does; `None` for a malformed escape or
/// bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let escape = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
                decoded.push(decode_hex(escape)?[0]);
                index += 3;
            }
            b'+' => {
                decoded.push(b' ');
                index += 1;
            }
            byte => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    /// Runs `check` on every file of `fuzz/corpus/<target>/`, naming the file that fails.
    fn replay_corpus(target: &str, check: fn(&[u8])) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display())) {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
                std::panic::resume_unwind(Box::new(format!("{} fails: {panic:?}", path.display())));
            }
            count += 1;
        }
        assert!(count >= 3, "{} has only {count} seeds", dir.display());
    }

    #[test]
    fn api_key_corpus_passes() {
        replay_corpus("api_key_response", check_api_key_response);
    }

    #[test]
    fn server_settings_corpus_passes() {
        replay_corpus("server_settings_response", check_server_settings_response);
    }

    #[test]
    fn server_url_corpus_passes() {
        replay_corpus("server_url", check_server_url);
    }

    #[test]
    fn sso_callback_corpus_passes() {
        replay_corpus("sso_callback", check_sso_callback);
    }

    /// A success with status 201 and no email must carry HTTP status 201 in its error, as the C
    /// API documents. Input found by `api_key_response`.
    #[test]
    fn unusable_201_keeps_status() {
        let data = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{\"result\":\"success\",\"api_key\":\"k1\"}";
        let response = parse_http_response(data, FETCH_API_KEY).unwrap();
        let error = api_key::parse(&response, FETCH_API_KEY).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidResponse);
        assert_eq!(error.http_status(), Some(201));
    }

    /// A 404 with a Zulip rate-limit error becomes DevLoginUnavailable on the development
    /// endpoints, and then must not keep the retry delay, which the C API documents as -1
    /// unless rate limited. Input found by `api_key_response`.
    #[test]
    fn dev_refusal_has_no_retry_delay() {
        let data = b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"code\":\"RATE_LIMIT_HIT\",\"msg\":\"API usage exceeded rate limit\",\"result\":\"error\",\"retry-after\":28.7}";
        let response = parse_http_response(data, DEV_FETCH_API_KEY).unwrap();
        let error = api_key::parse(&response, DEV_FETCH_API_KEY).map(|_| ()).map_err(|error| dev::classify(error, DEV_FETCH_API_KEY)).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::DevLoginUnavailable);
        assert_eq!(error.retry_after(), None);
    }

    /// With a pad of zeros, a callback whose host is a run of zeros is quoted in the error
    /// message, which is not a leaked pad. Input found by `sso_callback`.
    #[test]
    fn callback_quoting_zero_pad_passes() {
        let data = format!("{}\nhttps://chat.example.com\nzulip://{}l.example.com", "0".repeat(64), "0".repeat(72));
        check_sso_callback(data.as_bytes());
    }

    #[test]
    fn sso_seeds_reach_success() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sso_callback");
        for name in ["valid", "valid-upper-hex", "loopback-realm", "percent-encoded-key"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let mut lines = text.splitn(3, '\n');
            let (pad, realm, callback) = (lines.next().unwrap(), lines.next().unwrap(), lines.next().unwrap());
            let session = PaddedSsoSession::new(realm, SSO_LOGIN_PATH, decode_pad(pad).unwrap()).unwrap();
            let key = session.finish(callback).unwrap_or_else(|error| panic!("seed {name}: {}", error.message()));
            assert_eq!(key.api_key.expose(), KEY, "seed {name}");
        }
    }

    #[test]
    fn http_response_input_format() {
        let data = b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After:  3 \r\nretry-after: 9\r\nLocation: caf\xc3\xa9\r\n\r\n{\"result\":\"error\"}";
        let response = parse_http_response(data, FETCH_API_KEY).unwrap();
        assert_eq!(response.status, 429);
        assert_eq!(response.content_type.as_deref(), Some("application/json"));
        assert_eq!(response.retry_after.as_deref(), Some("3"));
        assert_eq!(response.location, None, "a non-ASCII value is dropped");
        assert_eq!(response.body.as_slice(), b"{\"result\":\"error\"}");

        let bare = parse_http_response(b"200\n\n{}", FETCH_API_KEY).unwrap();
        assert_eq!(bare.status, 200);
        assert_eq!(bare.body.as_slice(), b"{}");
        assert!(parse_http_response(b"HTTP/1.1 20 OK\r\n\r\n", FETCH_API_KEY).is_none());
        assert!(parse_http_response(b"099\n\n", FETCH_API_KEY).is_none());
    }

    #[test]
    fn padded_session_decrypts_with_chosen_pad() {
        let pad = [0x5a; PAD_BYTES];
        let session = PaddedSsoSession::new("https://chat.example.com", SSO_LOGIN_PATH, pad).unwrap();
        let encrypted = encrypt_api_key(KEY, &pad).to_uppercase();
        let callback = format!("zulip://login?realm=https%3A%2F%2Fchat.example.com&email=iago%40zulip.com&user_id=5&otp_encrypted_api_key={encrypted}#x");
        let key = session.finish(&callback).unwrap();
        assert_eq!(key.api_key.expose(), KEY);
        assert_eq!(key.user_id, Some(5));
    }

    #[test]
    fn padded_session_rejects_other_pad() {
        let session = PaddedSsoSession::new("https://chat.example.com", SSO_LOGIN_PATH, [1; PAD_BYTES]).unwrap();
        let encrypted = encrypt_api_key(KEY, &[0x80; PAD_BYTES]);
        let callback = format!("zulip://login?otp_encrypted_api_key={encrypted}&email=a%40b.c&user_id=5&realm=https://chat.example.com");
        let error = session.finish(&callback).unwrap_err();
        assert!(error.message().contains("does not decrypt"), "{}", error.message());
    }

    #[test]
    fn padded_session_leaves_other_parts_alone() {
        let session = PaddedSsoSession::new("https://chat.example.com", SSO_LOGIN_PATH, [7; PAD_BYTES]).unwrap();
        let key_hex = "ab".repeat(PAD_BYTES);
        for url in [
            "zulip:login".to_owned(),
            format!("zulip://login#otp_encrypted_api_key={key_hex}"),
            format!("zulip://login?realm=otp_encrypted_api_key={key_hex}&x"),
            format!("zulip://login?otp_encrypted_api_key={}", &key_hex[2..]),
        ] {
            assert_eq!(session.translate(&url), url);
        }
    }
}
