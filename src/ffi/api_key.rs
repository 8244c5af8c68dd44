//! `ZulipApiKeyResult`: the outcome of a login call.

use std::ffi::c_char;

use super::error::{outcome_error, outcome_status, ZulipError};
use super::panic::{ffi_call, PanicValue};
use super::status::ZulipStatus;
use super::text::{str_argument, CText};
use crate::api_key::ApiKey;
use crate::error::Error;

/// The outcome of a login call: the API key, email and user id, or an error.
///
/// A result is immutable, so any number of threads may read it at once. Strings returned by its
/// accessors are owned by the result and stay valid until zulip_api_key_result_free(), which
/// also zeroes the API key's memory.
pub struct ZulipApiKeyResult {
    outcome: Result<Credentials, ZulipError>,
}

struct Credentials {
    api_key: CText,
    email: CText,
    user_id: i64,
    ignored_parameters: Vec<CText>,
}

impl ZulipApiKeyResult {
    /// Moves the outcome of a safe API call onto the heap for C.
    pub(crate) fn into_raw(outcome: Result<ApiKey, Error>) -> *mut ZulipApiKeyResult {
        let outcome = match outcome {
            Ok(key) => Ok(Credentials {
                api_key: CText::new(key.api_key.expose()),
                email: CText::new(&key.email),
                user_id: key.user_id.unwrap_or(-1),
                ignored_parameters: key.ignored_parameters.iter().map(|name| CText::new(name)).collect(),
            }),
            Err(error) => Err(ZulipError::from(&error)),
        };
        Box::into_raw(Box::new(ZulipApiKeyResult { outcome }))
    }

    fn credentials<'a>(result: *const ZulipApiKeyResult) -> Option<&'a Credentials> {
        // SAFETY: a non-NULL `result` points to a live result, as the header requires. The
        // reference never leaves an accessor, which returns raw pointers only.
        unsafe { result.as_ref() }.and_then(|result| result.outcome.as_ref().ok())
    }
}

impl PanicValue for *mut ZulipApiKeyResult {
    fn panic_value(function: &'static str) -> Self {
        Box::into_raw(Box::new(ZulipApiKeyResult { outcome: Err(ZulipError::internal_panic(function)) }))
    }
}

/// Logs in with a username and password on the default client: `POST /api/v1/fetch_api_key`.
///
/// `server_url` is the address as the user typed it (`chat.example.com`, `https://...`; plain
/// `http://` only to localhost, 127.0.0.0/8 or ::1). `username` and `password` are sent exactly
/// as given. All three are NUL-terminated UTF-8 and only borrowed for the call.
///
/// Blocks until the server answers, the 30 s overall timeout (10 s to connect) expires, or the
/// call fails. Never returns NULL: every failure, including NULL or non-UTF-8 arguments, is a
/// result with an error status. Free the result with zulip_api_key_result_free().
///
/// Safe to call from any number of threads at once; they share the default client and its
/// connection pool. Proxy environment variables are read when the default client is created.
#[no_mangle]
pub extern "C" fn zulip_fetch_api_key(server_url: *const c_char, username: *const c_char, password: *const c_char) -> *mut ZulipApiKeyResult {
    ffi_call("zulip_fetch_api_key", || {
        let outcome = (|| {
            // SAFETY: the header requires NUL-terminated strings that outlive the call.
            let (server_url, username, password) = unsafe {
                (str_argument(server_url, "server_url")?, str_argument(username, "username")?, str_argument(password, "password")?)
            };
            crate::client::default_client()?.fetch_api_key(server_url, username, password, None)
        })();
        ZulipApiKeyResult::into_raw(outcome)
    })
}

/// Returns `ZULIP_OK` for a successful login, the error's status otherwise, and
/// `ZULIP_ERROR_INVALID_ARGUMENT` when `result` is NULL.
#[no_mangle]
pub extern "C" fn zulip_api_key_result_status(result: *const ZulipApiKeyResult) -> ZulipStatus {
    ffi_call("zulip_api_key_result_status", || {
        // SAFETY: a non-NULL `result` points to a live result, as the header requires.
        unsafe { result.as_ref() }.map_or(ZulipStatus::ZULIP_ERROR_INVALID_ARGUMENT, |result| outcome_status(&result.outcome))
    })
}

/// Returns the API key (ASCII), or NULL unless the status is `ZULIP_OK`.
///
/// Owned by `result`; valid until zulip_api_key_result_free(), which zeroes it. Store it in
/// the platform's secure storage (Keychain, Keystore) and never log it.
#[no_mangle]
pub extern "C" fn zulip_api_key_result_api_key(result: *const ZulipApiKeyResult) -> *const c_char {
    ffi_call("zulip_api_key_result_api_key", || {
        ZulipApiKeyResult::credentials(result).map_or(std::ptr::null(), |credentials| credentials.api_key.as_ptr())
    })
}

/// Returns the account's delivery email as the server reports it, or NULL unless the status is
/// `ZULIP_OK`. It may differ from the username that was typed; use it for later API calls.
///
/// Owned by `result`; valid until zulip_api_key_result_free().
#[no_mangle]
pub extern "C" fn zulip_api_key_result_email(result: *const ZulipApiKeyResult) -> *const c_char {
    ffi_call("zulip_api_key_result_email", || {
        ZulipApiKeyResult::credentials(result).map_or(std::ptr::null(), |credentials| credentials.email.as_ptr())
    })
}

/// Returns the user id, or -1 when the server omitted it (Zulip before 7.0) or the status is
/// not `ZULIP_OK`.
#[no_mangle]
pub extern "C" fn zulip_api_key_result_user_id(result: *const ZulipApiKeyResult) -> i64 {
    ffi_call("zulip_api_key_result_user_id", || ZulipApiKeyResult::credentials(result).map_or(-1, |credentials| credentials.user_id))
}

/// Returns how many request parameters the server reported as unsupported
/// (`ignored_parameters_unsupported`); 0 unless the status is `ZULIP_OK`.
#[no_mangle]
pub extern "C" fn zulip_api_key_result_ignored_parameter_count(result: *const ZulipApiKeyResult) -> usize {
    ffi_call("zulip_api_key_result_ignored_parameter_count", || {
        ZulipApiKeyResult::credentials(result).map_or(0, |credentials| credentials.ignored_parameters.len())
    })
}

/// Returns the name of ignored parameter `index`, or NULL when `index` is out of range.
///
/// Owned by `result`; valid until zulip_api_key_result_free().
#[no_mangle]
pub extern "C" fn zulip_api_key_result_ignored_parameter(result: *const ZulipApiKeyResult, index: usize) -> *const c_char {
    ffi_call("zulip_api_key_result_ignored_parameter", || {
        let name = ZulipApiKeyResult::credentials(result).and_then(|credentials| credentials.ignored_parameters.get(index));
        name.map_or(std::ptr::null(), CText::as_ptr)
    })
}

/// Returns the error of a failed call, or NULL when the status is `ZULIP_OK` or `result` is NULL.
///
/// The error is owned by `result` and valid until zulip_api_key_result_free(); never pass it to
/// zulip_error_free().
#[no_mangle]
pub extern "C" fn zulip_api_key_result_error(result: *const ZulipApiKeyResult) -> *const ZulipError {
    ffi_call("zulip_api_key_result_error", || {
        // SAFETY: a non-NULL `result` points to a live result, as the header requires.
        unsafe { result.as_ref() }.map_or(std::ptr::null(), |result| outcome_error(&result.outcome))
    })
}

/// Frees a result and zeroes the API key in it. NULL is a no-op. Call it once per result, after
/// every thread has finished reading it.
#[no_mangle]
pub extern "C" fn zulip_api_key_result_free(result: *mut ZulipApiKeyResult) {
    ffi_call("zulip_api_key_result_free", || {
        if !result.is_null() {
            // SAFETY: a non-NULL `result` came from Box::into_raw in into_raw and is freed once.
            drop(unsafe { Box::from_raw(result) });
        }
    })
}
