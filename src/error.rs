//! The error type of every call in the safe Rust API.

use std::fmt;
use std::time::Duration;

/// What went wrong, in the terms a login screen has to tell apart.
///
/// The C API maps each kind to one `ZulipStatus` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument is missing or unusable (NULL, invalid UTF-8, an unparsable option value).
    InvalidArgument,
    /// The server URL cannot be used as a Zulip server address.
    InvalidUrl,
    /// The server URL uses plain `http://` to a host that is not loopback.
    InsecureUrl,
    /// The `zulip://login` callback URL of a single sign-on is malformed, belongs to another
    /// session or organization, or its key does not decrypt to a valid API key.
    InvalidCallback,
    /// The server's host name could not be resolved.
    Dns,
    /// No connection could be made to the server, or the connection was lost.
    Connect,
    /// The server's TLS certificate was rejected.
    TlsCertificate,
    /// The TLS handshake or TLS session failed for a reason other than the certificate.
    Tls,
    /// A connect or overall timeout expired.
    Timeout,
    /// The call was cancelled through its cancellation token.
    Cancelled,
    /// The configured proxy could not be reached or refused the tunnel.
    Proxy,
    /// The server responded to the login request with a redirect, which is never followed.
    Redirect,
    /// The server responded with an HTTP error that is not a Zulip JSON error (e.g. an HTML 502).
    HttpStatus,
    /// The response is not valid Zulip JSON, or lacks a field a success needs.
    InvalidResponse,
    /// The response body or headers exceed the size limit.
    ResponseTooLarge,
    /// Wrong username or password (Zulip code `AUTHENTICATION_FAILED`).
    AuthenticationFailed,
    /// The account is deactivated (`USER_DEACTIVATED`).
    UserDeactivated,
    /// The organization is deactivated (`REALM_DEACTIVATED`).
    RealmDeactivated,
    /// The server allows no password login (`PASSWORD_AUTH_DISABLED`).
    PasswordAuthDisabled,
    /// The user must reset their password before logging in (`PASSWORD_RESET_REQUIRED`).
    PasswordResetRequired,
    /// Too many login attempts (`RATE_LIMIT_HIT` or HTTP 429); see [`Error::retry_after`].
    RateLimited,
    /// No organization exists at this address (`NONEXISTENT_SUBDOMAIN`).
    RealmNotFound,
    /// The server rejected the request's parameters (`BAD_REQUEST`, `REQUEST_VARIABLE_MISSING`),
    /// for example a username that is not an email address on a server without LDAP.
    BadRequest,
    /// The server does not offer development login (`dev_fetch_api_key`, `dev_list_users`),
    /// as production servers do not.
    DevLoginUnavailable,
    /// Any other Zulip error; [`Error::code`] contains the server's code when it sent one.
    Server,
    /// A bug in this library, such as a caught panic.
    Internal,
}

/// A failed call: its kind, a message for developers and logs, and what the server sent.
///
/// The message names the failing value and the next step. It never contains a password or
/// an API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    code: Option<String>,
    server_message: Option<String>,
    http_status: Option<u16>,
    retry_after: Option<Duration>,
}

impl Error {
    /// Creates an error of `kind` with `message` and no server details.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            code: None,
            server_message: None,
            http_status: None,
            retry_after: None,
        }
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Error {
        self.http_status = Some(status);
        self
    }

    pub(crate) fn with_code(mut self, code: Option<String>) -> Error {
        self.code = code;
        self
    }

    pub(crate) fn with_server_message(mut self, server_message: Option<String>) -> Error {
        self.server_message = server_message;
        self
    }

    /// Replaces the kind and message, keeping what the server sent except a retry delay, which
    /// only a rate limit carries.
    pub(crate) fn reclassified(mut self, kind: ErrorKind, message: String) -> Error {
        self.kind = kind;
        self.message = message;
        if kind != ErrorKind::RateLimited {
            self.retry_after = None;
        }
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Error {
        self.retry_after = retry_after;
        self
    }

    /// Returns the kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Returns the message: what failed, on which value, and what to do next.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Returns Zulip's error `code` string (e.g. `"AUTHENTICATION_FAILED"`) when the server sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Returns the server's own error message (Zulip's `msg`, in the language the server chose),
    /// suitable for showing to the user, when the server sent one.
    pub fn server_message(&self) -> Option<&str> {
        self.server_message.as_deref()
    }

    /// Returns the HTTP status of the response, or `None` when no response arrived.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// Returns how long to wait before retrying, when the server said so.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
