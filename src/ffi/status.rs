//! `ZulipStatus`: the status code of every call.

use std::ffi::{c_char, CStr};

use super::panic::ffi_call;
use crate::error::ErrorKind;

/// The outcome of a call. `ZULIP_OK` is 0; errors are grouped by family in blocks of 100:
/// caller errors (1xx), network and TLS (2xx), HTTP and response format (3xx), errors the Zulip
/// server reported (4xx), and library faults (9xx). Numbers are never reused or renumbered, and
/// later versions may add codes, so treat an unknown code like `ZULIP_ERROR_SERVER`.
#[repr(u32)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZulipStatus {
    /// Success.
    ZULIP_OK = 0,
    /// An argument is NULL, not UTF-8, or an unusable option value.
    ZULIP_ERROR_INVALID_ARGUMENT = 100,
    /// The server URL cannot be used as a Zulip server address.
    ZULIP_ERROR_INVALID_URL = 101,
    /// Plain http:// to a host that is not loopback, without the allow_insecure_http option.
    ZULIP_ERROR_INSECURE_URL = 102,
    /// The zulip://login callback of a single sign-on is malformed, belongs to another session
    /// or organization, or its key does not decrypt to a valid API key.
    ZULIP_ERROR_INVALID_CALLBACK = 103,
    /// The server's host name could not be resolved.
    ZULIP_ERROR_DNS = 200,
    /// No connection could be made, or the connection was lost.
    ZULIP_ERROR_CONNECT = 201,
    /// The server's TLS certificate was rejected (unknown issuer, expired, wrong host name...).
    ZULIP_ERROR_TLS_CERTIFICATE = 202,
    /// The TLS handshake failed for another reason.
    ZULIP_ERROR_TLS = 203,
    /// A connect or overall timeout expired.
    ZULIP_ERROR_TIMEOUT = 204,
    /// The call was cancelled through its cancellation token.
    ZULIP_ERROR_CANCELLED = 205,
    /// The proxy could not be reached or refused the tunnel.
    ZULIP_ERROR_PROXY = 206,
    /// The server responded with a redirect, which the login call never follows.
    ZULIP_ERROR_REDIRECT = 300,
    /// An HTTP error that is not a Zulip JSON error, such as an HTML 502 page from a proxy.
    ZULIP_ERROR_HTTP_STATUS = 301,
    /// The response is not valid Zulip JSON, or a success lacks a required field.
    ZULIP_ERROR_INVALID_RESPONSE = 302,
    /// The response body or headers exceed the size limit.
    ZULIP_ERROR_RESPONSE_TOO_LARGE = 303,
    /// Wrong username or password.
    ZULIP_ERROR_AUTHENTICATION_FAILED = 400,
    /// The account is deactivated.
    ZULIP_ERROR_USER_DEACTIVATED = 401,
    /// The organization is deactivated.
    ZULIP_ERROR_REALM_DEACTIVATED = 402,
    /// The server allows no password login.
    ZULIP_ERROR_PASSWORD_AUTH_DISABLED = 403,
    /// The user must reset the password first.
    ZULIP_ERROR_PASSWORD_RESET_REQUIRED = 404,
    /// Too many attempts; see zulip_error_retry_after_ms().
    ZULIP_ERROR_RATE_LIMITED = 405,
    /// No organization exists at this address.
    ZULIP_ERROR_REALM_NOT_FOUND = 406,
    /// The server rejected the request's parameters, e.g. a username that is not an email.
    ZULIP_ERROR_BAD_REQUEST = 407,
    /// Any other error the Zulip server reported; zulip_error_code() has its code.
    ZULIP_ERROR_SERVER = 408,
    /// The server does not offer development login, as production servers do not.
    ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE = 409,
    /// A bug in this library, such as a caught panic.
    ZULIP_ERROR_INTERNAL = 900,
}

impl From<ErrorKind> for ZulipStatus {
    fn from(kind: ErrorKind) -> ZulipStatus {
        use ZulipStatus::*;
        match kind {
            ErrorKind::InvalidArgument => ZULIP_ERROR_INVALID_ARGUMENT,
            ErrorKind::InvalidUrl => ZULIP_ERROR_INVALID_URL,
            ErrorKind::InsecureUrl => ZULIP_ERROR_INSECURE_URL,
            ErrorKind::InvalidCallback => ZULIP_ERROR_INVALID_CALLBACK,
            ErrorKind::Dns => ZULIP_ERROR_DNS,
            ErrorKind::Connect => ZULIP_ERROR_CONNECT,
            ErrorKind::TlsCertificate => ZULIP_ERROR_TLS_CERTIFICATE,
            ErrorKind::Tls => ZULIP_ERROR_TLS,
            ErrorKind::Timeout => ZULIP_ERROR_TIMEOUT,
            ErrorKind::Cancelled => ZULIP_ERROR_CANCELLED,
            ErrorKind::Proxy => ZULIP_ERROR_PROXY,
            ErrorKind::Redirect => ZULIP_ERROR_REDIRECT,
            ErrorKind::HttpStatus => ZULIP_ERROR_HTTP_STATUS,
            ErrorKind::InvalidResponse => ZULIP_ERROR_INVALID_RESPONSE,
            ErrorKind::ResponseTooLarge => ZULIP_ERROR_RESPONSE_TOO_LARGE,
            ErrorKind::AuthenticationFailed => ZULIP_ERROR_AUTHENTICATION_FAILED,
            ErrorKind::UserDeactivated => ZULIP_ERROR_USER_DEACTIVATED,
            ErrorKind::RealmDeactivated => ZULIP_ERROR_REALM_DEACTIVATED,
            ErrorKind::PasswordAuthDisabled => ZULIP_ERROR_PASSWORD_AUTH_DISABLED,
            ErrorKind::PasswordResetRequired => ZULIP_ERROR_PASSWORD_RESET_REQUIRED,
            ErrorKind::RateLimited => ZULIP_ERROR_RATE_LIMITED,
            ErrorKind::RealmNotFound => ZULIP_ERROR_REALM_NOT_FOUND,
            ErrorKind::BadRequest => ZULIP_ERROR_BAD_REQUEST,
            ErrorKind::Server => ZULIP_ERROR_SERVER,
            ErrorKind::DevLoginUnavailable => ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE,
            ErrorKind::Internal => ZULIP_ERROR_INTERNAL,
        }
    }
}

/// Every status with its name, in numeric order.
pub(crate) const STATUS_NAMES: &[(ZulipStatus, &CStr)] = &[
    (ZulipStatus::ZULIP_OK, c"ZULIP_OK"),
    (ZulipStatus::ZULIP_ERROR_INVALID_ARGUMENT, c"ZULIP_ERROR_INVALID_ARGUMENT"),
    (ZulipStatus::ZULIP_ERROR_INVALID_URL, c"ZULIP_ERROR_INVALID_URL"),
    (ZulipStatus::ZULIP_ERROR_INSECURE_URL, c"ZULIP_ERROR_INSECURE_URL"),
    (ZulipStatus::ZULIP_ERROR_INVALID_CALLBACK, c"ZULIP_ERROR_INVALID_CALLBACK"),
    (ZulipStatus::ZULIP_ERROR_DNS, c"ZULIP_ERROR_DNS"),
    (ZulipStatus::ZULIP_ERROR_CONNECT, c"ZULIP_ERROR_CONNECT"),
    (ZulipStatus::ZULIP_ERROR_TLS_CERTIFICATE, c"ZULIP_ERROR_TLS_CERTIFICATE"),
    (ZulipStatus::ZULIP_ERROR_TLS, c"ZULIP_ERROR_TLS"),
    (ZulipStatus::ZULIP_ERROR_TIMEOUT, c"ZULIP_ERROR_TIMEOUT"),
    (ZulipStatus::ZULIP_ERROR_CANCELLED, c"ZULIP_ERROR_CANCELLED"),
    (ZulipStatus::ZULIP_ERROR_PROXY, c"ZULIP_ERROR_PROXY"),
    (ZulipStatus::ZULIP_ERROR_REDIRECT, c"ZULIP_ERROR_REDIRECT"),
    (ZulipStatus::ZULIP_ERROR_HTTP_STATUS, c"ZULIP_ERROR_HTTP_STATUS"),
    (ZulipStatus::ZULIP_ERROR_INVALID_RESPONSE, c"ZULIP_ERROR_INVALID_RESPONSE"),
    (ZulipStatus::ZULIP_ERROR_RESPONSE_TOO_LARGE, c"ZULIP_ERROR_RESPONSE_TOO_LARGE"),
    (ZulipStatus::ZULIP_ERROR_AUTHENTICATION_FAILED, c"ZULIP_ERROR_AUTHENTICATION_FAILED"),
    (ZulipStatus::ZULIP_ERROR_USER_DEACTIVATED, c"ZULIP_ERROR_USER_DEACTIVATED"),
    (ZulipStatus::ZULIP_ERROR_REALM_DEACTIVATED, c"ZULIP_ERROR_REALM_DEACTIVATED"),
    (ZulipStatus::ZULIP_ERROR_PASSWORD_AUTH_DISABLED, c"ZULIP_ERROR_PASSWORD_AUTH_DISABLED"),
    (ZulipStatus::ZULIP_ERROR_PASSWORD_RESET_REQUIRED, c"ZULIP_ERROR_PASSWORD_RESET_REQUIRED"),
    (ZulipStatus::ZULIP_ERROR_RATE_LIMITED, c"ZULIP_ERROR_RATE_LIMITED"),
    (ZulipStatus::ZULIP_ERROR_REALM_NOT_FOUND, c"ZULIP_ERROR_REALM_NOT_FOUND"),
    (ZulipStatus::ZULIP_ERROR_BAD_REQUEST, c"ZULIP_ERROR_BAD_REQUEST"),
    (ZulipStatus::ZULIP_ERROR_SERVER, c"ZULIP_ERROR_SERVER"),
    (ZulipStatus::ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE, c"ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE"),
    (ZulipStatus::ZULIP_ERROR_INTERNAL, c"ZULIP_ERROR_INTERNAL"),
];

/// Returns the name of a status code, such as `"ZULIP_ERROR_TIMEOUT"`, or
/// `"ZULIP_STATUS_UNKNOWN"` for a number this version does not define.
///
/// The string is static: never free it. Safe to call from any thread.
#[no_mangle]
pub extern "C" fn zulip_status_name(status: u32) -> *const c_char {
    ffi_call("zulip_status_name", || {
        let name = STATUS_NAMES.iter().find(|(known, _)| *known as u32 == status).map(|(_, name)| *name);
        name.unwrap_or(c"ZULIP_STATUS_UNKNOWN").as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_variants() {
        for (status, name) in STATUS_NAMES {
            assert_eq!(format!("{status:?}"), name.to_str().unwrap());
        }
    }

    #[test]
    fn unknown_number_has_a_name() {
        // SAFETY: the function returns a static NUL-terminated string.
        let name = unsafe { CStr::from_ptr(zulip_status_name(12345)) };
        assert_eq!(name.to_str().unwrap(), "ZULIP_STATUS_UNKNOWN");
    }
}
