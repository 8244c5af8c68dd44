//! `ZulipSsoSession`: browser logins (single sign-on) through `mobile_flow_otp`.

use std::ffi::c_char;

use super::api_key::ZulipApiKeyResult;
use super::error::{store_error, ZulipError};
use super::panic::{ffi_call, PanicValue};
use super::text::{str_argument, CText};
use crate::error::{Error, ErrorKind};
use crate::sso::SsoSession;

/// One browser login in progress, holding its one-time pad.
///
/// All functions on a session may be called from any thread; it finishes successfully at most
/// once. Free it with zulip_sso_session_free(), which zeroes the pad.
pub struct ZulipSsoSession {
    session: SsoSession,
    browser_url: CText,
}

impl PanicValue for *mut ZulipSsoSession {
    fn panic_value(_: &'static str) -> Self {
        std::ptr::null_mut()
    }
}

/// Starts a browser login at the organization `realm_url` (from
/// zulip_server_settings_realm_url()) with the external method whose login URL is `login_url`
/// (from zulip_server_settings_external_method_login_url()). Draws a 32-byte one-time pad from
/// the operating system's secure random generator.
///
/// Returns NULL on failure (an unusable URL, a login URL on another origin, plain http:// to a
/// host that is not loopback, a failing random generator); then, when `error` is not NULL,
/// `*error` receives an error the caller frees with zulip_error_free(); on success `*error` is
/// left unchanged.
#[no_mangle]
pub extern "C" fn zulip_sso_session_new(realm_url: *const c_char, login_url: *const c_char, error: *mut *mut ZulipError) -> *mut ZulipSsoSession {
    ffi_call("zulip_sso_session_new", || {
        // SAFETY: the header requires NUL-terminated strings that outlive the call.
        let started = unsafe { str_argument(realm_url, "realm_url").and_then(|realm| Ok((realm, str_argument(login_url, "login_url")?))) }
            .and_then(|(realm_url, login_url)| SsoSession::new(realm_url, login_url));
        match started {
            Ok(session) => {
                let browser_url = CText::new(session.browser_url());
                Box::into_raw(Box::new(ZulipSsoSession { session, browser_url }))
            }
            Err(failure) => {
                // SAFETY: the header requires a NULL or writable `error`.
                unsafe { store_error(error, &failure) };
                std::ptr::null_mut()
            }
        }
    })
}

/// Returns the URL to open in a browser (ASWebAuthenticationSession, a Custom Tab): the login
/// URL with `mobile_flow_otp` added. It contains the pad, so never log it. Owned by `session`;
/// NULL only when `session` is NULL.
#[no_mangle]
pub extern "C" fn zulip_sso_session_browser_url(session: *const ZulipSsoSession) -> *const c_char {
    ffi_call("zulip_sso_session_browser_url", || {
        // SAFETY: a non-NULL handle points to a live session, as the header requires.
        unsafe { session.as_ref() }.map_or(std::ptr::null(), |session| session.browser_url.as_ptr())
    })
}

/// Finishes the login with the `zulip://login?...` URL the browser redirected to: checks its
/// scheme, host, the four parameters, the integer user id, the 64-hex encrypted key and that
/// `realm` is the session's organization, then decrypts the API key with the pad.
///
/// Returns the same kind of result as zulip_fetch_api_key(), never NULL; a rejected callback
/// gives `ZULIP_ERROR_INVALID_CALLBACK` with a message naming the problem, and leaves the
/// session usable for the right callback.
#[no_mangle]
pub extern "C" fn zulip_sso_session_finish(session: *const ZulipSsoSession, callback_url: *const c_char) -> *mut ZulipApiKeyResult {
    ffi_call("zulip_sso_session_finish", || {
        let outcome = (|| {
            // SAFETY: a non-NULL handle points to a live session, as the header requires.
            let session = unsafe { session.as_ref() }
                .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "session is NULL; create one with zulip_sso_session_new()"))?;
            // SAFETY: the header requires a NUL-terminated string that outlives the call.
            let callback_url = unsafe { str_argument(callback_url, "callback_url") }?;
            session.session.finish(callback_url)
        })();
        ZulipApiKeyResult::into_raw(outcome)
    })
}

/// Frees a session and zeroes its pad. NULL is a no-op.
#[no_mangle]
pub extern "C" fn zulip_sso_session_free(session: *mut ZulipSsoSession) {
    ffi_call("zulip_sso_session_free", || {
        if !session.is_null() {
            // SAFETY: a non-NULL handle came from zulip_sso_session_new and is freed once.
            drop(unsafe { Box::from_raw(session) });
        }
    })
}
