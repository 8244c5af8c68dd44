//! Development-server login: `dev_fetch_api_key` and `ZulipDevUsers`.

use std::ffi::c_char;

use super::api_key::ZulipApiKeyResult;
use super::cancel::ZulipCancelToken;
use super::client::{client_and_token, ZulipClient};
use super::error::{outcome_error, outcome_status, ZulipError};
use super::panic::{ffi_call, PanicValue};
use super::status::ZulipStatus;
use super::text::{str_argument, CText};
use crate::dev::DevUser;
use crate::error::Error;

/// The outcome of listing a development server's accounts: the accounts, or an error.
///
/// Immutable, so any number of threads may read it at once. Strings returned by its accessors
/// are owned by it and valid until zulip_dev_users_free().
pub struct ZulipDevUsers {
    outcome: Result<Vec<UserText>, ZulipError>,
}

struct UserText {
    email: CText,
    realm_url: CText,
    is_admin: bool,
}

impl PanicValue for *mut ZulipDevUsers {
    fn panic_value(function: &'static str) -> Self {
        Box::into_raw(Box::new(ZulipDevUsers { outcome: Err(ZulipError::internal_panic(function)) }))
    }
}

fn user<'a>(users: *const ZulipDevUsers, index: usize) -> Option<&'a UserText> {
    // SAFETY: a non-NULL handle points to a live list, as the header requires. The reference
    // never leaves an accessor, which returns raw pointers and plain values only.
    unsafe { users.as_ref() }.and_then(|users| users.outcome.as_ref().ok()).and_then(|list| list.get(index))
}

/// Logs in as `username` (an email from zulip_client_dev_list_users()) without a password, on
/// a Zulip development server: `POST /api/v1/dev_fetch_api_key`.
///
/// Production servers refuse it with `ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE`. Arguments and result
/// are otherwise as for zulip_client_fetch_api_key(). Never returns NULL.
#[no_mangle]
pub extern "C" fn zulip_client_dev_fetch_api_key(
    client: *const ZulipClient,
    server_url: *const c_char,
    username: *const c_char,
    cancel: *const ZulipCancelToken,
) -> *mut ZulipApiKeyResult {
    ffi_call("zulip_client_dev_fetch_api_key", || {
        let outcome = (|| {
            // SAFETY: the header requires live objects and NUL-terminated strings that outlive the call.
            let (client, cancel, server_url, username) = unsafe {
                let (client, cancel) = client_and_token(client, cancel)?;
                (client, cancel, str_argument(server_url, "server_url")?, str_argument(username, "username")?)
            };
            client.dev_fetch_api_key(server_url, username, cancel)
        })();
        ZulipApiKeyResult::into_raw(outcome)
    })
}

/// Lists the accounts a development server can log in as: `GET /api/v1/dev_list_users`.
///
/// Production servers refuse it with `ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE`. `cancel` is optional.
/// Never returns NULL; free the list with zulip_dev_users_free(). Safe to call from any number
/// of threads at once on one client.
#[no_mangle]
pub extern "C" fn zulip_client_dev_list_users(
    client: *const ZulipClient,
    server_url: *const c_char,
    cancel: *const ZulipCancelToken,
) -> *mut ZulipDevUsers {
    ffi_call("zulip_client_dev_list_users", || {
        let outcome: Result<Vec<DevUser>, Error> = (|| {
            // SAFETY: the header requires live objects and a NUL-terminated string that outlive the call.
            let (client, cancel, server_url) = unsafe {
                let (client, cancel) = client_and_token(client, cancel)?;
                (client, cancel, str_argument(server_url, "server_url")?)
            };
            client.dev_list_users(server_url, cancel)
        })();
        let outcome = match outcome {
            Ok(users) => Ok(users
                .iter()
                .map(|user| UserText { email: CText::new(&user.email), realm_url: CText::new(&user.realm_url), is_admin: user.is_admin })
                .collect()),
            Err(error) => Err(ZulipError::from(&error)),
        };
        Box::into_raw(Box::new(ZulipDevUsers { outcome }))
    })
}

/// Returns `ZULIP_OK` when the accounts were listed, the error's status otherwise, and
/// `ZULIP_ERROR_INVALID_ARGUMENT` when `users` is NULL.
#[no_mangle]
pub extern "C" fn zulip_dev_users_status(users: *const ZulipDevUsers) -> ZulipStatus {
    ffi_call("zulip_dev_users_status", || {
        // SAFETY: a non-NULL handle points to a live list, as the header requires.
        unsafe { users.as_ref() }.map_or(ZulipStatus::ZULIP_ERROR_INVALID_ARGUMENT, |users| outcome_status(&users.outcome))
    })
}

/// Returns the error of a failed listing, or NULL on success or for NULL. Owned by `users`;
/// never pass it to zulip_error_free().
#[no_mangle]
pub extern "C" fn zulip_dev_users_error(users: *const ZulipDevUsers) -> *const ZulipError {
    ffi_call("zulip_dev_users_error", || {
        // SAFETY: a non-NULL handle points to a live list, as the header requires.
        unsafe { users.as_ref() }.map_or(std::ptr::null(), |users| outcome_error(&users.outcome))
    })
}

/// Returns how many accounts were listed: administrators first, then the other users.
#[no_mangle]
pub extern "C" fn zulip_dev_users_count(users: *const ZulipDevUsers) -> usize {
    ffi_call("zulip_dev_users_count", || {
        // SAFETY: a non-NULL handle points to a live list, as the header requires.
        unsafe { users.as_ref() }.and_then(|users| users.outcome.as_ref().ok()).map_or(0, Vec::len)
    })
}

/// Returns the email of account `index`, or NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn zulip_dev_users_email(users: *const ZulipDevUsers, index: usize) -> *const c_char {
    ffi_call("zulip_dev_users_email", || user(users, index).map_or(std::ptr::null(), |user| user.email.as_ptr()))
}

/// Returns the organization URL of account `index`, or NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn zulip_dev_users_realm_url(users: *const ZulipDevUsers, index: usize) -> *const c_char {
    ffi_call("zulip_dev_users_realm_url", || user(users, index).map_or(std::ptr::null(), |user| user.realm_url.as_ptr()))
}

/// Returns whether account `index` is an organization administrator; false when `index` is out
/// of range.
#[no_mangle]
pub extern "C" fn zulip_dev_users_is_admin(users: *const ZulipDevUsers, index: usize) -> bool {
    ffi_call("zulip_dev_users_is_admin", || user(users, index).is_some_and(|user| user.is_admin))
}

/// Frees an account list. NULL is a no-op.
#[no_mangle]
pub extern "C" fn zulip_dev_users_free(users: *mut ZulipDevUsers) {
    ffi_call("zulip_dev_users_free", || {
        if !users.is_null() {
            // SAFETY: a non-NULL handle came from Box::into_raw and is freed once.
            drop(unsafe { Box::from_raw(users) });
        }
    })
}
