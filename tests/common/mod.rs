//! Safe wrappers over the C ABI for the integration tests, so that every test goes through the
//! exported functions exactly as a C caller does.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use zulip_auth::ffi::*;

/// Everything a C caller can read from a `ZulipApiKeyResult`.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: ZulipStatus,
    pub status_name: String,
    pub api_key: Option<String>,
    pub email: Option<String>,
    pub user_id: i64,
    pub ignored_parameters: Vec<String>,
    pub message: Option<String>,
    pub code: Option<String>,
    pub http_status: u16,
    pub retry_after_ms: i64,
}

fn text(pointer: *const c_char) -> Option<String> {
    if pointer.is_null() {
        None
    } else {
        // SAFETY: the library returns NUL-terminated strings valid until the result is freed.
        Some(unsafe { CStr::from_ptr(pointer) }.to_str().expect("the library returns UTF-8").to_owned())
    }
}

/// Reads every accessor of `result`, then frees it.
pub fn read_and_free(result: *mut ZulipApiKeyResult) -> Outcome {
    assert!(!result.is_null(), "login calls never return NULL");
    let status = zulip_api_key_result_status(result);
    let error = zulip_api_key_result_error(result);
    let count = zulip_api_key_result_ignored_parameter_count(result);
    let outcome = Outcome {
        status,
        status_name: text(zulip_status_name(status as u32)).unwrap(),
        api_key: text(zulip_api_key_result_api_key(result)),
        email: text(zulip_api_key_result_email(result)),
        user_id: zulip_api_key_result_user_id(result),
        ignored_parameters: (0..count).map(|i| text(zulip_api_key_result_ignored_parameter(result, i)).unwrap()).collect(),
        message: text(zulip_error_message(error)),
        code: text(zulip_error_code(error)),
        http_status: zulip_error_http_status(error),
        retry_after_ms: zulip_error_retry_after_ms(error),
    };
    if status == ZulipStatus::ZULIP_OK {
        assert!(error.is_null(), "a successful result has no error");
    } else {
        assert!(!error.is_null(), "a failed result has an error");
        assert_eq!(zulip_error_status(error), status);
        assert!(outcome.api_key.is_none(), "a failed result has no API key");
        assert!(outcome.email.is_none(), "a failed result has no email");
    }
    zulip_api_key_result_free(result);
    outcome
}

fn c(text: &str) -> CString {
    CString::new(text).expect("test strings have no NUL")
}

/// Logs in on the default client.
pub fn fetch(server_url: &str, username: &str, password: &str) -> Outcome {
    let (server_url, username, password) = (c(server_url), c(username), c(password));
    read_and_free(zulip_fetch_api_key(server_url.as_ptr(), username.as_ptr(), password.as_ptr()))
}

/// Options under construction; each setter asserts that it succeeded.
pub struct Options(*mut ZulipClientOptions);

impl Options {
    pub fn new() -> Options {
        Options(zulip_client_options_new())
    }

    pub fn raw(&self) -> *mut ZulipClientOptions {
        self.0
    }

    pub fn last_error(&self) -> Option<String> {
        text(zulip_client_options_last_error(self.0))
    }

    fn check(self, status: ZulipStatus) -> Options {
        assert_eq!(status, ZulipStatus::ZULIP_OK, "setter failed: {:?}", self.last_error());
        self
    }

    pub fn timeout_ms(self, ms: u64) -> Options {
        let status = zulip_client_options_set_timeout_ms(self.0, ms);
        self.check(status)
    }

    pub fn connect_timeout_ms(self, ms: u64) -> Options {
        let status = zulip_client_options_set_connect_timeout_ms(self.0, ms);
        self.check(status)
    }

    pub fn user_agent(self, value: &str) -> Options {
        let status = zulip_client_options_set_user_agent(self.0, c(value).as_ptr());
        self.check(status)
    }

    pub fn root_pem(self, pem: &str) -> Options {
        let status = zulip_client_options_add_root_certificates_pem(self.0, c(pem).as_ptr());
        self.check(status)
    }

    pub fn only_added_roots(self) -> Options {
        let status = zulip_client_options_set_trust_only_added_roots(self.0, true);
        self.check(status)
    }

    pub fn proxy(self, url: &str) -> Options {
        let status = zulip_client_options_set_proxy_url(self.0, c(url).as_ptr());
        self.check(status)
    }

    pub fn no_proxy(self) -> Options {
        let status = zulip_client_options_set_no_proxy(self.0);
        self.check(status)
    }

    pub fn allow_insecure_http(self) -> Options {
        let status = zulip_client_options_set_allow_insecure_http(self.0, true);
        self.check(status)
    }

    /// Creates the client, panicking with the error message on failure.
    pub fn build(self) -> Client {
        match self.try_build() {
            Ok(client) => client,
            Err((status, message)) => panic!("zulip_client_new failed: {status:?}: {message}"),
        }
    }

    /// Creates the client and returns the raw handle, which the caller frees.
    pub fn build_raw(self) -> *mut ZulipClient {
        let client = zulip_client_new(self.0, ptr::null_mut());
        assert!(!client.is_null());
        client
    }

    pub fn try_build(self) -> Result<Client, (ZulipStatus, String)> {
        let mut error: *mut ZulipError = ptr::null_mut();
        let client = zulip_client_new(self.0, &mut error);
        if client.is_null() {
            let failure = (zulip_error_status(error), text(zulip_error_message(error)).unwrap());
            zulip_error_free(error);
            Err(failure)
        } else {
            assert!(error.is_null());
            Ok(Client(client))
        }
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        zulip_client_options_free(self.0);
    }
}

/// A client that is freed on drop.
pub struct Client(*mut ZulipClient);

// SAFETY: the header documents ZulipClient as safe to share between threads.
unsafe impl Send for Client {}
// SAFETY: as above.
unsafe impl Sync for Client {}

impl Client {
    pub fn fetch(&self, server_url: &str, username: &str, password: &str) -> Outcome {
        self.fetch_cancellable(server_url, username, password, None)
    }

    pub fn fetch_cancellable(&self, server_url: &str, username: &str, password: &str, cancel: Option<&Token>) -> Outcome {
        let (server_url, username, password) = (c(server_url), c(username), c(password));
        let cancel = cancel.map_or(ptr::null(), |token| token.0 as *const ZulipCancelToken);
        read_and_free(zulip_client_fetch_api_key(self.0, server_url.as_ptr(), username.as_ptr(), password.as_ptr(), cancel))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        zulip_client_free(self.0);
    }
}

/// A cancellation token that is freed on drop.
pub struct Token(*mut ZulipCancelToken);

// SAFETY: the header documents every token function as callable from any thread.
unsafe impl Send for Token {}
// SAFETY: as above.
unsafe impl Sync for Token {}

impl Token {
    pub fn new() -> Token {
        Token(zulip_cancel_token_new())
    }

    pub fn cancel(&self) {
        zulip_cancel_token_cancel(self.0);
    }

    pub fn is_cancelled(&self) -> bool {
        zulip_cancel_token_is_cancelled(self.0)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        zulip_cancel_token_free(self.0);
    }
}

/// Returns a loopback port on which nothing listens.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Sends `GET url` over plain HTTP, acting as the browser of a single sign-on, and returns the
/// status code and the `Location` header.
pub fn browser_get(url: &str) -> (u16, Option<String>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("browser_get takes http:// URLs");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap();
    let location = response
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("location")).map(|(_, value)| value.trim().to_owned()));
    (status, location)
}
