//! Single sign-on through `mobile_flow_otp`: the browser login of the official mobile apps.
//!
//! The app draws a one-time pad, opens the method's login URL with the pad in a browser, and
//! receives a `zulip://login?...` redirect whose API key is encrypted with the pad: the server
//! XORs the hex digits of the key's ASCII bytes with the pad's hex digits.

use std::sync::atomic::{AtomicBool, Ordering};

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, Zeroizing};

use crate::api_key::ApiKey;
use crate::error::{Error, ErrorKind};
use crate::secret::SecretString;
use crate::server_settings::resolve;
use crate::server_url::ServerUrl;

const PAD_BYTES: usize = 32;

/// One browser login in progress. Create it, open [`SsoSession::browser_url`] in a browser (an
/// `ASWebAuthenticationSession` or Custom Tab), and pass the `zulip://login?...` URL the app
/// receives to [`SsoSession::finish`]. The pad is zeroed when the session is dropped.
///
/// A session is `Send + Sync`; it finishes successfully at most once.
pub struct SsoSession {
    pad: Zeroizing<[u8; PAD_BYTES]>,
    realm: ServerUrl,
    browser_url: Zeroizing<String>,
    finished: AtomicBool,
}

impl std::fmt::Debug for SsoSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSession").field("realm", &self.realm.origin()).finish_non_exhaustive()
    }
}

impl SsoSession {
    /// Starts a session for the organization at `realm_url` with the external method whose
    /// login URL is `login_url` (relative to the realm, or absolute on the realm's origin, as
    /// `server_settings` lists it).
    ///
    /// Fails with [`ErrorKind::InvalidUrl`] or [`ErrorKind::InsecureUrl`] for an unusable realm
    /// URL (plain `http://` is allowed only to loopback hosts), [`ErrorKind::InvalidArgument`]
    /// for a login URL on another origin, and [`ErrorKind::Internal`] when the operating
    /// system's secure random generator fails.
    pub fn new(realm_url: &str, login_url: &str) -> Result<SsoSession, Error> {
        let realm = ServerUrl::parse(realm_url)?;
        if !realm.is_https() && !realm.is_loopback() {
            return Err(Error::new(
                ErrorKind::InsecureUrl,
                format!("realm URL '{}' uses plain http:// to a host that is not loopback; single sign-on needs https://", realm.origin()),
            ));
        }

        let login = resolve(&realm, login_url.trim());
        let login_origin = ServerUrl::parse(&login).map(|url| url.origin()).ok();
        if login_origin.as_deref() != Some(realm.origin().as_str()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("login URL '{login_url}' is not on the realm's origin {}; pass the login_url that server_settings lists", realm.origin()),
            ));
        }

        let mut pad = Zeroizing::new([0u8; PAD_BYTES]);
        SystemRandom::new()
            .fill(pad.as_mut())
            .map_err(|_| Error::new(ErrorKind::Internal, "the operating system's secure random generator failed"))?;

        let without_fragment = login.split('#').next().unwrap_or(&login);
        let separator = if without_fragment.contains('?') { '&' } else { '?' };
        let browser_url = Zeroizing::new(format!("{without_fragment}{separator}mobile_flow_otp={}", hex_encode(pad.as_ref()).as_str()));
        Ok(SsoSession { pad, realm, browser_url, finished: AtomicBool::new(false) })
    }

    /// Returns the URL to open in the browser: the method's login URL with
    /// `mobile_flow_otp=<64 hex digits>` added. It contains the pad, so do not log it.
    pub fn browser_url(&self) -> &str {
        &self.browser_url
    }

    /// Returns the origin of the organization this session logs in to.
    pub fn realm_url(&self) -> String {
        self.realm.origin()
    }

    /// Checks the `zulip://login?...` callback URL and decrypts the API key in it.
    ///
    /// Fails with [`ErrorKind::InvalidCallback`] when the URL is not `zulip://login`, lacks one
    /// of `otp_encrypted_api_key`, `email`, `user_id` and `realm`, has a `user_id` that is not an
    /// integer or a key that is not 64 hex digits, names another organization, or does not
    /// decrypt with this session's pad; and when the session already finished.
    pub fn finish(&self, callback_url: &str) -> Result<ApiKey, Error> {
        let callback = parse_callback(callback_url.trim())?;
        let realm = ServerUrl::parse(&callback.realm).map_err(|_| invalid(format!("its realm '{}' is not a server URL", callback.realm)))?;
        if realm.origin() != self.realm.origin() {
            return Err(invalid(format!(
                "it is for the organization {}, but this session started at {}; ignore it",
                realm.origin(),
                self.realm.origin()
            )));
        }
        let api_key = self.decrypt(&callback.encrypted_key)?;
        if self.finished.swap(true, Ordering::SeqCst) {
            return Err(invalid("this session already finished; start a new session for another login".to_owned()));
        }
        Ok(ApiKey { api_key, email: callback.email, user_id: Some(callback.user_id), ignored_parameters: Vec::new() })
    }

    fn decrypt(&self, encrypted_hex: &str) -> Result<SecretString, Error> {
        let mut key = hex_decode(encrypted_hex).ok_or_else(|| invalid("its otp_encrypted_api_key is not hexadecimal".to_owned()))?;
        for (byte, pad) in key.iter_mut().zip(self.pad.iter()) {
            *byte ^= pad;
        }
        // Zulip generates API keys from ASCII letters and digits only.
        if !key.iter().all(u8::is_ascii_alphanumeric) {
            key.zeroize();
            return Err(invalid("its API key does not decrypt with this session's pad to letters and digits, so it belongs to another session or was altered".to_owned()));
        }
        let text = String::from_utf8(key).expect("ASCII letters and digits are UTF-8");
        Ok(SecretString::new(text))
    }
}

/// The parameters of a `zulip://login` callback.
struct Callback {
    encrypted_key: Zeroizing<String>,
    email: String,
    user_id: i64,
    realm: String,
}

fn invalid(problem: String) -> Error {
    Error::new(ErrorKind::InvalidCallback, format!("the single sign-on callback URL was rejected: {problem}"))
}

fn parse_callback(url: &str) -> Result<Callback, Error> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(invalid("it must start with zulip://login".to_owned()));
    };
    if !scheme.eq_ignore_ascii_case("zulip") {
        return Err(invalid(format!("its scheme is '{scheme}', not 'zulip'")));
    }
    let rest = rest.split('#').next().unwrap_or("");
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let host = location.trim_end_matches('/');
    if !host.eq_ignore_ascii_case("login") {
        return Err(invalid(format!("its host is '{host}', not 'login'")));
    }

    let mut encrypted_key = None;
    let mut email = None;
    let mut user_id = None;
    let mut realm = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value).ok_or_else(|| invalid(format!("parameter '{name}' is not valid percent-encoded UTF-8")))?;
        let slot = match name {
            "otp_encrypted_api_key" => &mut encrypted_key,
            "email" => &mut email,
            "user_id" => &mut user_id,
            "realm" => &mut realm,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(invalid(format!("parameter '{name}' appears more than once")));
        }
    }

    let require = |value: Option<String>, name: &str| value.ok_or_else(|| invalid(format!("parameter '{name}' is missing")));
    let encrypted_key = Zeroizing::new(require(encrypted_key, "otp_encrypted_api_key")?);
    let email = require(email, "email")?;
    let user_id_text = require(user_id, "user_id")?;
    let realm = require(realm, "realm")?;

    if encrypted_key.len() != 2 * PAD_BYTES || !encrypted_key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(format!("its otp_encrypted_api_key must be 64 hexadecimal digits, not {} characters", encrypted_key.len())));
    }
    let user_id = user_id_text
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| invalid(format!("its user_id '{user_id_text}' is not a non-negative integer")))?;
    if email.is_empty() || email.chars().any(char::is_control) {
        return Err(invalid("its email is empty or contains control characters".to_owned()));
    }
    Ok(Callback { encrypted_key, email, user_id, realm })
}

fn hex_encode(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    text
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let value = |digit: u8| (digit as char).to_digit(16).map(|v| v as u8);
    digits.chunks(2).map(|pair| Some(value(pair[0])? << 4 | value(pair[1])?)).collect()
}

/// Decodes `%XX` escapes and `+` (a space, as in form encoding); `None` for a malformed escape
/// or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let escape = bytes.get(index + 1..index + 3)?;
                out.push(hex_decode(std::str::from_utf8(escape).ok()?)?[0]);
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Encrypts `api_key` with `pad` the way the Zulip server does, for tests.
#[cfg(test)]
fn encrypt_for_test(api_key: &str, pad: &[u8]) -> String {
    let encrypted: Vec<u8> = api_key.bytes().zip(pad).map(|(key, pad)| key ^ pad).collect();
    hex_encode(&encrypted).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

    fn session() -> SsoSession {
        SsoSession::new("https://chat.example.com", "/accounts/login/social/github").unwrap()
    }

    fn callback(session: &SsoSession, realm: &str) -> String {
        let encrypted = encrypt_for_test(KEY, session.pad.as_ref());
        format!("zulip://login?otp_encrypted_api_key={encrypted}&email=iago%40zulip.com&user_id=5&realm={realm}")
    }

    #[test]
    fn browser_url_carries_pad() {
        let session = session();
        let url = session.browser_url();
        let pad = url.strip_prefix("https://chat.example.com/accounts/login/social/github?mobile_flow_otp=").unwrap();
        assert_eq!(pad.len(), 64);
        assert_eq!(hex_decode(pad).unwrap(), session.pad.to_vec());
    }

    #[test]
    fn login_url_with_query_gets_ampersand() {
        let session = SsoSession::new("https://chat.example.com", "/accounts/login/start/saml/?idp=okta").unwrap();
        assert!(session.browser_url().starts_with("https://chat.example.com/accounts/login/start/saml/?idp=okta&mobile_flow_otp="));
    }

    #[test]
    fn pads_differ_between_sessions() {
        assert_ne!(session().pad.as_ref(), session().pad.as_ref());
    }

    #[test]
    fn finish_decrypts_key() {
        let session = session();
        let key = session.finish(&callback(&session, "https%3A%2F%2Fchat.example.com")).unwrap();
        assert_eq!(key.api_key.expose(), KEY);
        assert_eq!(key.email, "iago@zulip.com");
        assert_eq!(key.user_id, Some(5));
    }

    #[test]
    fn finish_succeeds_once() {
        let session = session();
        let url = callback(&session, "https://chat.example.com");
        assert!(session.finish(&url).is_ok());
        assert!(session.finish(&url).unwrap_err().message().contains("already finished"));
    }

    #[test]
    fn rejected_callbacks_have_own_messages() {
        let session = session();
        let good = callback(&session, "https://chat.example.com");
        let encrypted = encrypt_for_test(KEY, session.pad.as_ref());
        let cases = [
            (good.replacen("zulip://", "https://", 1), "scheme is 'https'"),
            (good.replacen("zulip://login", "zulip://logout", 1), "host is 'logout'"),
            (good.replace("&user_id=5", ""), "'user_id' is missing"),
            (good.replace("&email=iago%40zulip.com", ""), "'email' is missing"),
            (good.replace("&realm=https://chat.example.com", ""), "'realm' is missing"),
            (good.replace(&format!("otp_encrypted_api_key={encrypted}&"), ""), "'otp_encrypted_api_key' is missing"),
            (good.replace("user_id=5", "user_id=five"), "user_id 'five'"),
            (good.replace(&encrypted, &encrypted[..60]), "64 hexadecimal digits, not 60"),
            (good.replace(&encrypted, &format!("{}zz", &encrypted[..62])), "64 hexadecimal digits"),
            (good.replace("realm=https://chat.example.com", "realm=https://evil.example.com"), "organization https://evil.example.com"),
            (good.replace(&encrypted, &"00".repeat(32)), "does not decrypt"),
            (format!("{good}&email=x%40y.z"), "more than once"),
            ("zulip:login".to_owned(), "must start with zulip://login"),
        ];
        for (url, phrase) in cases {
            let error = session.finish(&url).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidCallback, "{url}");
            assert!(error.message().contains(phrase), "{url}: {}", error.message());
            assert!(!error.message().contains(KEY));
        }
        assert!(session.finish(&good).is_ok(), "rejected callbacks do not use up the session");
    }

    #[test]
    fn session_rejects_foreign_login_url_and_insecure_realm() {
        let foreign = SsoSession::new("https://chat.example.com", "https://evil.example.com/login").unwrap_err();
        assert_eq!(foreign.kind(), ErrorKind::InvalidArgument);
        let insecure = SsoSession::new("http://chat.example.com", "/login").unwrap_err();
        assert_eq!(insecure.kind(), ErrorKind::InsecureUrl);
        assert!(SsoSession::new("http://127.0.0.1:9991", "/login").is_ok());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b+c").as_deref(), Some("a@b c"));
        assert_eq!(percent_decode("%D0%B4").as_deref(), Some("д"));
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
