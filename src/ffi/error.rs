//! `ZulipError`: the details of a failed call.

use std::ffi::c_char;

use super::panic::{ffi_call, PanicValue};
use super::status::ZulipStatus;
use super::text::CText;
use crate::error::{Error, ErrorKind};

/// The details of a failed call: status, message, Zulip error code, HTTP status, retry delay.
///
/// An error is immutable, so any number of threads may read it at once. It is owned either by
/// the result it was read from (never free those) or, when a function hands it out through a
/// `ZulipError **` parameter, by the caller, who frees it with zulip_error_free().
pub struct ZulipError {
    status: ZulipStatus,
    message: CText,
    code: Option<CText>,
    server_message: Option<CText>,
    http_status: u16,
    retry_after_ms: i64,
}

impl From<&Error> for ZulipError {
    fn from(error: &Error) -> ZulipError {
        ZulipError {
            status: error.kind().into(),
            message: CText::new(error.message()),
            code: error.code().map(CText::new),
            server_message: error.server_message().map(CText::new),
            http_status: error.http_status().unwrap_or(0),
            retry_after_ms: error
                .retry_after()
                .map(|delay| i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(-1),
        }
    }
}

impl ZulipError {
    /// Returns the error that reports a panic caught in `function`.
    pub(crate) fn internal_panic(function: &str) -> ZulipError {
        let message = format!("{function} failed because of a bug in zulip-auth (a Rust panic); please report it");
        ZulipError::from(&Error::new(ErrorKind::Internal, message))
    }
}

impl PanicValue for *const ZulipError {
    fn panic_value(_: &'static str) -> Self {
        std::ptr::null()
    }
}

/// Returns the status of a handle's outcome: `ZULIP_OK`, or the error's status.
pub(crate) fn outcome_status<T>(outcome: &Result<T, ZulipError>) -> ZulipStatus {
    match outcome {
        Ok(_) => ZulipStatus::ZULIP_OK,
        Err(error) => error.status,
    }
}

/// Returns the error of a handle's outcome, or NULL for a success.
pub(crate) fn outcome_error<T>(outcome: &Result<T, ZulipError>) -> *const ZulipError {
    outcome.as_ref().err().map_or(std::ptr::null(), |error| error as *const ZulipError)
}

/// Hands `error` to the caller through an optional `ZulipError **` out-parameter.
///
/// # Safety
/// A non-NULL `out` must be valid for a pointer write.
pub(crate) unsafe fn store_error(out: *mut *mut ZulipError, error: &Error) {
    if !out.is_null() {
        // SAFETY: the caller guarantees that a non-NULL `out` is writable.
        unsafe { *out = Box::into_raw(Box::new(ZulipError::from(error))) };
    }
}

/// Returns the status of an error, or `ZULIP_ERROR_INVALID_ARGUMENT` when `error` is NULL.
#[no_mangle]
pub extern "C" fn zulip_error_status(error: *const ZulipError) -> ZulipStatus {
    ffi_call("zulip_error_status", || {
        // SAFETY: a non-NULL `error` points to a live ZulipError, as the header requires.
        unsafe { error.as_ref() }.map_or(ZulipStatus::ZULIP_ERROR_INVALID_ARGUMENT, |error| error.status)
    })
}

/// Returns the message: what failed, on which value, and what to do next. It never contains a
/// password or an API key.
///
/// The string is owned by `error` and valid until the error (or the result that owns it) is
/// freed. Returns NULL only when `error` is NULL.
#[no_mangle]
pub extern "C" fn zulip_error_message(error: *const ZulipError) -> *const c_char {
    ffi_call("zulip_error_message", || {
        // SAFETY: a non-NULL `error` points to a live ZulipError, as the header requires.
        unsafe { error.as_ref() }.map_or(std::ptr::null(), |error| error.message.as_ptr())
    })
}

/// Returns Zulip's error code, such as `"AUTHENTICATION_FAILED"`, or NULL when the server sent
/// none (older servers, errors that did not come from Zulip) or `error` is NULL.
///
/// The string is owned by `error`, with the same lifetime as zulip_error_message().
#[no_mangle]
pub extern "C" fn zulip_error_code(error: *const ZulipError) -> *const c_char {
    ffi_call("zulip_error_code", || {
        // SAFETY: a non-NULL `error` points to a live ZulipError, as the header requires.
        let code = unsafe { error.as_ref() }.and_then(|error| error.code.as_ref());
        code.map_or(std::ptr::null(), CText::as_ptr)
    })
}

/// Returns the error message the Zulip server sent (its `msg`, in the language the server
/// chose), suitable for showing to the user; NULL when the server sent none or `error` is NULL.
///
/// The string is owned by `error`, with the same lifetime as zulip_error_message().
#[no_mangle]
pub extern "C" fn zulip_error_server_message(error: *const ZulipError) -> *const c_char {
    ffi_call("zulip_error_server_message", || {
        // SAFETY: a non-NULL `error` points to a live ZulipError, as the header requires.
        let message = unsafe { error.as_ref() }.and_then(|error| error.server_message.as_ref());
        message.map_or(std::ptr::null(), CText::as_ptr)
    })
}

/// Returns the HTTP status of the response, or 0 when no response arrived or `error` is NULL.
#[no_mangle]
pub extern "C" fn zulip_error_http_status(error: *const ZulipError) -> u16 {
    ffi_call("zulip_error_http_status", || {
        // SAFETY: a non-NULL `error` points to a live ZulipError, as the header requires.
        unsafe { error.as_ref() }.map_or(0, |error| error.http_status)
    })
}

/// Returns the delay in milliseconds the server asked for before a retry (rate limiting), or
/// -1 when it gave none or `error` is NULL.
#[no_mangle]
pub extern "C" fn zulip_error_retry_after_ms(error: *const ZulipError) -> i64 {
    ffi_call("zulip_error_retry_after_ms", || {
        // SAFETY: a non-NULL `error` points to a live ZulipError, as the header requires.
        unsafe { error.as_ref() }.map_or(-1, |error| error.retry_after_ms)
    })
}

/// Frees an error that a function handed out through a `ZulipError **` parameter. NULL is a
/// no-op. Never pass an error borrowed from a result: the result frees it.
#[no_mangle]
pub extern "C" fn zulip_error_free(error: *mut ZulipError) {
    ffi_call("zulip_error_free", || {
        if !error.is_null() {
            // SAFETY: a non-NULL `error` came from Box::into_raw in store_error and is freed once.
            drop(unsafe { Box::from_raw(error) });
        }
    })
}
