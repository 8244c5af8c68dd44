//! `ZulipCancelToken`: cancelling calls from another thread.

use super::panic::{ffi_call, PanicValue};
use crate::cancel::CancelToken;

/// A cancellation token for the calls it is passed to.
///
/// All functions taking a token are safe to call from any thread at any time, as long as the
/// token has not been freed.
pub struct ZulipCancelToken {
    pub(crate) token: CancelToken,
}

impl PanicValue for *mut ZulipCancelToken {
    fn panic_value(_: &'static str) -> Self {
        std::ptr::null_mut()
    }
}

/// Creates a token that is not cancelled. Free it with zulip_cancel_token_free().
#[no_mangle]
pub extern "C" fn zulip_cancel_token_new() -> *mut ZulipCancelToken {
    ffi_call("zulip_cancel_token_new", || Box::into_raw(Box::new(ZulipCancelToken { token: CancelToken::new() })))
}

/// Cancels every call that uses `token`, now and later: a call blocked on the network returns
/// `ZULIP_ERROR_CANCELLED` within about 20 ms, and a call started with a cancelled token sends
/// nothing. Calls that already finished keep their results.
///
/// Callable from any thread, any number of times; NULL is a no-op. A call waiting for the
/// system's name resolver returns within about 20 ms too, but the lookup itself goes on in a background thread
/// until the resolver gives up. A token cannot be reset: use a new one for the next attempt.
#[no_mangle]
pub extern "C" fn zulip_cancel_token_cancel(token: *const ZulipCancelToken) {
    ffi_call("zulip_cancel_token_cancel", || {
        // SAFETY: a non-NULL `token` points to a live token, as the header requires.
        if let Some(token) = unsafe { token.as_ref() } {
            token.token.cancel();
        }
    })
}

/// Returns whether zulip_cancel_token_cancel() was called on `token`; false for NULL.
#[no_mangle]
pub extern "C" fn zulip_cancel_token_is_cancelled(token: *const ZulipCancelToken) -> bool {
    ffi_call("zulip_cancel_token_is_cancelled", || {
        // SAFETY: a non-NULL `token` points to a live token, as the header requires.
        unsafe { token.as_ref() }.is_some_and(|token| token.token.is_cancelled())
    })
}

/// Frees a token. NULL is a no-op. Free it only after every call using it has returned and no
/// other thread can still cancel it.
#[no_mangle]
pub extern "C" fn zulip_cancel_token_free(token: *mut ZulipCancelToken) {
    ffi_call("zulip_cancel_token_free", || {
        if !token.is_null() {
            // SAFETY: a non-NULL `token` came from zulip_cancel_token_new and is freed once.
            drop(unsafe { Box::from_raw(token) });
        }
    })
}
