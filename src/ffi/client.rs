//! `ZulipClientOptions` and `ZulipClient`: configured, reusable clients.

use std::ffi::c_char;
use std::time::Duration;

use super::api_key::ZulipApiKeyResult;
use super::cancel::ZulipCancelToken;
use super::error::{store_error, ZulipError};
use super::panic::{ffi_call, PanicValue};
use super::status::ZulipStatus;
use super::text::{str_argument, CText};
use crate::cancel::CancelToken;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::options::ClientOptions;

/// Settings for zulip_client_new(). Use one options object from one thread at a time.
pub struct ZulipClientOptions {
    options: ClientOptions,
    last_error: Option<CText>,
}

/// A configured client with its own connection pool. Safe to share between threads: any number
/// of calls may run on it at once. Free it only after every call on it has returned.
pub struct ZulipClient {
    client: Client,
}

/// Returns the client and optional token behind the pointers a `zulip_client_*` call received.
///
/// # Safety
/// Non-NULL pointers must point to live objects for `'a`.
pub(crate) unsafe fn client_and_token<'a>(
    client: *const ZulipClient,
    cancel: *const ZulipCancelToken,
) -> Result<(&'a Client, Option<&'a CancelToken>), Error> {
    // SAFETY: the caller guarantees that non-NULL pointers are live for 'a.
    let (client, cancel) = unsafe { (client.as_ref(), cancel.as_ref()) };
    let client = client.ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "client is NULL; create one with zulip_client_new()"))?;
    Ok((&client.client, cancel.map(|cancel| &cancel.token)))
}

impl PanicValue for *mut ZulipClientOptions {
    fn panic_value(_: &'static str) -> Self {
        std::ptr::null_mut()
    }
}

impl PanicValue for *mut ZulipClient {
    fn panic_value(_: &'static str) -> Self {
        std::ptr::null_mut()
    }
}

fn null_options() -> ZulipStatus {
    ZulipStatus::ZULIP_ERROR_INVALID_ARGUMENT
}

/// Runs a setter on non-NULL options, recording its error message for
/// zulip_client_options_last_error().
fn set(options: *mut ZulipClientOptions, setter: impl FnOnce(&mut ClientOptions) -> Result<(), Error>) -> ZulipStatus {
    // SAFETY: a non-NULL `options` points to live options used by this thread only, as the
    // header requires.
    let Some(options) = (unsafe { options.as_mut() }) else {
        return null_options();
    };
    match setter(&mut options.options) {
        Ok(()) => {
            options.last_error = None;
            ZulipStatus::ZULIP_OK
        }
        Err(error) => {
            options.last_error = Some(CText::new(error.message()));
            error.kind().into()
        }
    }
}

fn millis(value: u64) -> Option<Duration> {
    (value > 0).then(|| Duration::from_millis(value))
}

/// Creates options with the defaults: 30 s overall timeout, 10 s connect timeout, the
/// User-Agent `zulip-auth/<version> (<OS>)`, the platform's trusted roots, the proxy from the
/// environment, and plain http:// only to loopback hosts. Free with zulip_client_options_free().
#[no_mangle]
pub extern "C" fn zulip_client_options_new() -> *mut ZulipClientOptions {
    ffi_call("zulip_client_options_new", || Box::into_raw(Box::new(ZulipClientOptions { options: ClientOptions::new(), last_error: None })))
}

/// Frees options. NULL is a no-op. Clients created from them are unaffected.
#[no_mangle]
pub extern "C" fn zulip_client_options_free(options: *mut ZulipClientOptions) {
    ffi_call("zulip_client_options_free", || {
        if !options.is_null() {
            // SAFETY: a non-NULL `options` came from zulip_client_options_new and is freed once.
            drop(unsafe { Box::from_raw(options) });
        }
    })
}

/// Returns the message of the last setter call on `options` that failed, or NULL when the last
/// setter call succeeded. Owned by `options`; valid until the next call on them.
#[no_mangle]
pub extern "C" fn zulip_client_options_last_error(options: *const ZulipClientOptions) -> *const c_char {
    ffi_call("zulip_client_options_last_error", || {
        // SAFETY: a non-NULL `options` points to live options, as the header requires.
        let message = unsafe { options.as_ref() }.and_then(|options| options.last_error.as_ref());
        message.map_or(std::ptr::null(), CText::as_ptr)
    })
}

/// Sets the overall time limit of one call in milliseconds, from name resolution to the end of
/// the response; 0 restores the default of 30000.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_timeout_ms(options: *mut ZulipClientOptions, timeout_ms: u64) -> ZulipStatus {
    ffi_call("zulip_client_options_set_timeout_ms", || {
        set(options, |options| {
            options.set_timeout(millis(timeout_ms));
            Ok(())
        })
    })
}

/// Sets the time limit in milliseconds for resolving the host name and for opening the TCP
/// connection, each; 0 restores the default of 10000.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_connect_timeout_ms(options: *mut ZulipClientOptions, timeout_ms: u64) -> ZulipStatus {
    ffi_call("zulip_client_options_set_connect_timeout_ms", || {
        set(options, |options| {
            options.set_connect_timeout(millis(timeout_ms));
            Ok(())
        })
    })
}

/// Sets the User-Agent header, such as `"ZulipMobile/27.1 (iOS 17.4)"`. The string is copied.
/// Returns `ZULIP_ERROR_INVALID_ARGUMENT` for NULL, an empty value, or characters an HTTP header
/// cannot carry.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_user_agent(options: *mut ZulipClientOptions, user_agent: *const c_char) -> ZulipStatus {
    ffi_call("zulip_client_options_set_user_agent", || {
        set(options, |options| {
            // SAFETY: the header requires a NUL-terminated string valid for the call.
            let user_agent = unsafe { str_argument(user_agent, "user_agent") }?;
            options.set_user_agent(user_agent)
        })
    })
}

/// Adds the root certificates in `pem` (NUL-terminated text with one or more
/// `-----BEGIN CERTIFICATE-----` blocks) to the trusted roots, for servers whose certificate
/// comes from a private CA. The text is copied. Returns `ZULIP_ERROR_INVALID_ARGUMENT` when it
/// contains no certificate or one that cannot be decoded; then nothing is added.
#[no_mangle]
pub extern "C" fn zulip_client_options_add_root_certificates_pem(options: *mut ZulipClientOptions, pem: *const c_char) -> ZulipStatus {
    ffi_call("zulip_client_options_add_root_certificates_pem", || {
        set(options, |options| {
            // SAFETY: the header requires a NUL-terminated string valid for the call.
            let pem = unsafe { str_argument(pem, "pem") }?;
            options.add_root_certificates_pem(pem.as_bytes()).map(|_| ())
        })
    })
}

/// With `true`, trusts only the roots added with zulip_client_options_add_root_certificates_pem()
/// and not the platform's trust store (pinning a private CA). zulip_client_new() then fails
/// unless at least one root was added.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_trust_only_added_roots(options: *mut ZulipClientOptions, only_added: bool) -> ZulipStatus {
    ffi_call("zulip_client_options_set_trust_only_added_roots", || {
        set(options, |options| {
            options.set_trust_only_added_roots(only_added);
            Ok(())
        })
    })
}

/// Uses the proxy from the environment (the default): `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`
/// and `NO_PROXY`, in either letter case, read by zulip_client_new().
#[no_mangle]
pub extern "C" fn zulip_client_options_set_proxy_from_environment(options: *mut ZulipClientOptions) -> ZulipStatus {
    ffi_call("zulip_client_options_set_proxy_from_environment", || {
        set(options, |options| {
            options.set_proxy_from_environment();
            Ok(())
        })
    })
}

/// Connects directly, ignoring the proxy environment variables.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_no_proxy(options: *mut ZulipClientOptions) -> ZulipStatus {
    ffi_call("zulip_client_options_set_no_proxy", || {
        set(options, |options| {
            options.set_no_proxy();
            Ok(())
        })
    })
}

/// Uses the proxy at `proxy_url`: `http://host:port` (HTTP CONNECT), `socks5://host:port` or
/// `socks4://host:port`, optionally with `user:password@`. The string is copied. Returns
/// `ZULIP_ERROR_INVALID_ARGUMENT` for NULL or a URL that cannot be parsed.
///
/// Through a SOCKS proxy, cancelling does not interrupt a read blocked on the connection (the
/// timeouts still apply), and a refused connection to the proxy gives `ZULIP_ERROR_CONNECT`.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_proxy_url(options: *mut ZulipClientOptions, proxy_url: *const c_char) -> ZulipStatus {
    ffi_call("zulip_client_options_set_proxy_url", || {
        set(options, |options| {
            // SAFETY: the header requires a NUL-terminated string valid for the call.
            let proxy_url = unsafe { str_argument(proxy_url, "proxy_url") }?;
            options.set_proxy_url(proxy_url)
        })
    })
}

/// With `true`, allows plain http:// to hosts other than loopback, so the password crosses the
/// network unencrypted. Off by default; enable it only for a server on a network you trust.
#[no_mangle]
pub extern "C" fn zulip_client_options_set_allow_insecure_http(options: *mut ZulipClientOptions, allow: bool) -> ZulipStatus {
    ffi_call("zulip_client_options_set_allow_insecure_http", || {
        set(options, |options| {
            options.set_allow_insecure_http(allow);
            Ok(())
        })
    })
}

/// Creates a client from `options` (NULL means the defaults); the options are copied and may
/// be freed right after.
///
/// Returns NULL on failure, such as a proxy from the environment that cannot be parsed or
/// "only added roots" without a root. Then, when `error` is not NULL, `*error` receives an
/// error that the caller frees with zulip_error_free(); on success `*error` is left unchanged.
/// Free the client with zulip_client_free().
#[no_mangle]
pub extern "C" fn zulip_client_new(options: *const ZulipClientOptions, error: *mut *mut ZulipError) -> *mut ZulipClient {
    ffi_call("zulip_client_new", || {
        // SAFETY: a non-NULL `options` points to live options, as the header requires.
        let options = unsafe { options.as_ref() }.map(|options| options.options.clone()).unwrap_or_default();
        match Client::new(&options) {
            Ok(client) => Box::into_raw(Box::new(ZulipClient { client })),
            Err(failure) => {
                // SAFETY: the header requires a NULL or writable `error`.
                unsafe { store_error(error, &failure) };
                std::ptr::null_mut()
            }
        }
    })
}

/// Frees a client and closes its idle connections. NULL is a no-op. Call it only after every
/// call on the client has returned. Results it returned stay valid until freed themselves.
#[no_mangle]
pub extern "C" fn zulip_client_free(client: *mut ZulipClient) {
    ffi_call("zulip_client_free", || {
        if !client.is_null() {
            // SAFETY: a non-NULL `client` came from zulip_client_new and is freed once.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Logs in with a username and password on `client`: `POST /api/v1/fetch_api_key`.
///
/// Arguments and result are as for zulip_fetch_api_key(). `cancel` is optional (NULL for
/// none): cancelling it from another thread makes this call return `ZULIP_ERROR_CANCELLED`.
/// Never returns NULL. Safe to call from any number of threads at once on one client.
#[no_mangle]
pub extern "C" fn zulip_client_fetch_api_key(
    client: *const ZulipClient,
    server_url: *const c_char,
    username: *const c_char,
    password: *const c_char,
    cancel: *const ZulipCancelToken,
) -> *mut ZulipApiKeyResult {
    ffi_call("zulip_client_fetch_api_key", || {
        let outcome = (|| {
            // SAFETY: the header requires live objects and NUL-terminated strings that outlive the call.
            let (client, cancel, server_url, username, password) = unsafe {
                let (client, cancel) = client_and_token(client, cancel)?;
                (client, cancel, str_argument(server_url, "server_url")?, str_argument(username, "username")?, str_argument(password, "password")?)
            };
            client.fetch_api_key(server_url, username, password, cancel)
        })();
        ZulipApiKeyResult::into_raw(outcome)
    })
}
