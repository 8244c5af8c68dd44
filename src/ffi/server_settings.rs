//! `ZulipServerSettings`: the outcome of `GET /api/v1/server_settings`.

use std::ffi::c_char;

use super::cancel::ZulipCancelToken;
use super::client::{client_and_token, ZulipClient};
use super::error::{outcome_error, outcome_status, ZulipError};
use super::panic::{ffi_call, PanicValue};
use super::status::ZulipStatus;
use super::text::{str_argument, CText};
use crate::error::Error;
use crate::server_settings::{PasswordLogin, ServerSettings};

/// The outcome of fetching server settings: the settings, or an error.
///
/// Immutable, so any number of threads may read it at once. Strings returned by its accessors
/// are owned by it and valid until zulip_server_settings_free(). Accessors of a failed fetch
/// return NULL, false, 0 or -1 as documented on each.
pub struct ZulipServerSettings {
    outcome: Result<SettingsText, ZulipError>,
}

/// The settings with every string converted for C once.
struct SettingsText {
    settings: ServerSettings,
    realm_url: CText,
    realm_name: Option<CText>,
    realm_icon: Option<CText>,
    realm_description: Option<CText>,
    zulip_version: Option<CText>,
    zulip_merge_base: Option<CText>,
    external_methods: Vec<MethodText>,
}

struct MethodText {
    name: CText,
    display_name: CText,
    display_icon: Option<CText>,
    login_url: CText,
    signup_url: CText,
}

/// Which password form a login screen shows.
#[repr(u32)]
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZulipPasswordLogin {
    /// No password form: the server allows neither email nor LDAP password login (or the
    /// settings could not be fetched).
    ZULIP_PASSWORD_LOGIN_UNAVAILABLE = 0,
    /// A password form whose username field is labelled "Email".
    ZULIP_PASSWORD_LOGIN_EMAIL = 1,
    /// A password form whose username field is labelled "Username" (LDAP usernames).
    ZULIP_PASSWORD_LOGIN_USERNAME = 2,
}

impl PanicValue for *mut ZulipServerSettings {
    fn panic_value(function: &'static str) -> Self {
        Box::into_raw(Box::new(ZulipServerSettings { outcome: Err(ZulipError::internal_panic(function)) }))
    }
}

impl PanicValue for ZulipPasswordLogin {
    fn panic_value(_: &'static str) -> Self {
        ZulipPasswordLogin::ZULIP_PASSWORD_LOGIN_UNAVAILABLE
    }
}

fn into_raw(outcome: Result<ServerSettings, Error>) -> *mut ZulipServerSettings {
    let optional = |text: &Option<String>| text.as_deref().map(CText::new);
    let outcome = match outcome {
        Ok(settings) => Ok(SettingsText {
            realm_url: CText::new(&settings.realm_url),
            realm_name: optional(&settings.realm_name),
            realm_icon: optional(&settings.realm_icon),
            realm_description: optional(&settings.realm_description),
            zulip_version: optional(&settings.zulip_version),
            zulip_merge_base: optional(&settings.zulip_merge_base),
            external_methods: settings
                .external_methods
                .iter()
                .map(|method| MethodText {
                    name: CText::new(&method.name),
                    display_name: CText::new(&method.display_name),
                    display_icon: optional(&method.display_icon),
                    login_url: CText::new(&method.login_url),
                    signup_url: CText::new(&method.signup_url),
                })
                .collect(),
            settings,
        }),
        Err(error) => Err(ZulipError::from(&error)),
    };
    Box::into_raw(Box::new(ZulipServerSettings { outcome }))
}

fn settings<'a>(handle: *const ZulipServerSettings) -> Option<&'a SettingsText> {
    // SAFETY: a non-NULL handle points to live settings, as the header requires. The reference
    // never leaves an accessor, which returns raw pointers and plain values only.
    unsafe { handle.as_ref() }.and_then(|handle| handle.outcome.as_ref().ok())
}

fn text_pointer(text: Option<&CText>) -> *const c_char {
    text.map_or(std::ptr::null(), CText::as_ptr)
}

fn method<'a>(handle: *const ZulipServerSettings, index: usize) -> Option<&'a MethodText> {
    settings(handle).and_then(|settings| settings.external_methods.get(index))
}

fn flag(handle: *const ZulipServerSettings, read: impl FnOnce(&ServerSettings) -> bool) -> bool {
    settings(handle).is_some_and(|text| read(&text.settings))
}

/// Fetches `GET /api/v1/server_settings` from the server at `server_url` on the default client.
///
/// `server_url` is taken as the user typed it, like zulip_fetch_api_key(). The request follows
/// up to 5 redirects, because it carries no secret; log in afterwards at
/// zulip_server_settings_realm_url(). Never returns NULL; free the result with
/// zulip_server_settings_free(). Safe to call from any thread.
#[no_mangle]
pub extern "C" fn zulip_fetch_server_settings(server_url: *const c_char) -> *mut ZulipServerSettings {
    ffi_call("zulip_fetch_server_settings", || {
        let outcome = (|| {
            // SAFETY: the header requires a NUL-terminated string that outlives the call.
            let server_url = unsafe { str_argument(server_url, "server_url") }?;
            crate::client::default_client()?.fetch_server_settings(server_url, None)
        })();
        into_raw(outcome)
    })
}

/// Fetches server settings on `client`, as zulip_fetch_server_settings() does on the default
/// client; `cancel` is optional (NULL for none). Never returns NULL. Safe to call from any
/// number of threads at once on one client.
#[no_mangle]
pub extern "C" fn zulip_client_fetch_server_settings(
    client: *const ZulipClient,
    server_url: *const c_char,
    cancel: *const ZulipCancelToken,
) -> *mut ZulipServerSettings {
    ffi_call("zulip_client_fetch_server_settings", || {
        let outcome = (|| {
            // SAFETY: the header requires live objects and a NUL-terminated string that outlive the call.
            let (client, cancel, server_url) = unsafe {
                let (client, cancel) = client_and_token(client, cancel)?;
                (client, cancel, str_argument(server_url, "server_url")?)
            };
            client.fetch_server_settings(server_url, cancel)
        })();
        into_raw(outcome)
    })
}

/// Returns `ZULIP_OK` when the settings were fetched, the error's status otherwise, and
/// `ZULIP_ERROR_INVALID_ARGUMENT` when `settings` is NULL.
#[no_mangle]
pub extern "C" fn zulip_server_settings_status(settings: *const ZulipServerSettings) -> ZulipStatus {
    ffi_call("zulip_server_settings_status", || {
        // SAFETY: a non-NULL handle points to live settings, as the header requires.
        unsafe { settings.as_ref() }.map_or(ZulipStatus::ZULIP_ERROR_INVALID_ARGUMENT, |handle| outcome_status(&handle.outcome))
    })
}

/// Returns the error of a failed fetch, or NULL on success or for NULL. Owned by `settings`;
/// never pass it to zulip_error_free().
#[no_mangle]
pub extern "C" fn zulip_server_settings_error(settings: *const ZulipServerSettings) -> *const ZulipError {
    ffi_call("zulip_server_settings_error", || {
        // SAFETY: a non-NULL handle points to live settings, as the header requires.
        unsafe { settings.as_ref() }.map_or(std::ptr::null(), |handle| outcome_error(&handle.outcome))
    })
}

/// Returns the organization's URL (`realm_url`, or `realm_uri` before Zulip 9.0): the server
/// URL to log in at. When the server sends neither (a root domain without an organization), the
/// origin the settings came from after redirects. NULL only when the fetch failed.
#[no_mangle]
pub extern "C" fn zulip_server_settings_realm_url(settings: *const ZulipServerSettings) -> *const c_char {
    ffi_call("zulip_server_settings_realm_url", || text_pointer(self::settings(settings).map(|text| &text.realm_url)))
}

/// Returns the organization's name, or NULL when the server sent none (a root domain without
/// an organization).
#[no_mangle]
pub extern "C" fn zulip_server_settings_realm_name(settings: *const ZulipServerSettings) -> *const c_char {
    ffi_call("zulip_server_settings_realm_name", || text_pointer(self::settings(settings).and_then(|text| text.realm_name.as_ref())))
}

/// Returns the absolute URL of the organization's icon, or NULL.
#[no_mangle]
pub extern "C" fn zulip_server_settings_realm_icon(settings: *const ZulipServerSettings) -> *const c_char {
    ffi_call("zulip_server_settings_realm_icon", || text_pointer(self::settings(settings).and_then(|text| text.realm_icon.as_ref())))
}

/// Returns the organization's description as HTML, or NULL.
#[no_mangle]
pub extern "C" fn zulip_server_settings_realm_description(settings: *const ZulipServerSettings) -> *const c_char {
    ffi_call("zulip_server_settings_realm_description", || {
        text_pointer(self::settings(settings).and_then(|text| text.realm_description.as_ref()))
    })
}

/// Returns the server's Zulip version, such as `"10.1"`, or NULL.
#[no_mangle]
pub extern "C" fn zulip_server_settings_zulip_version(settings: *const ZulipServerSettings) -> *const c_char {
    ffi_call("zulip_server_settings_zulip_version", || text_pointer(self::settings(settings).and_then(|text| text.zulip_version.as_ref())))
}

/// Returns the git commit the server was built from (`zulip_merge_base`), or NULL.
#[no_mangle]
pub extern "C" fn zulip_server_settings_zulip_merge_base(settings: *const ZulipServerSettings) -> *const c_char {
    ffi_call("zulip_server_settings_zulip_merge_base", || {
        text_pointer(self::settings(settings).and_then(|text| text.zulip_merge_base.as_ref()))
    })
}

/// Returns the API feature level, 0 when the server omits it (before Zulip 3.0), or -1 when
/// the fetch failed.
#[no_mangle]
pub extern "C" fn zulip_server_settings_zulip_feature_level(settings: *const ZulipServerSettings) -> i64 {
    ffi_call("zulip_server_settings_zulip_feature_level", || self::settings(settings).map_or(-1, |text| text.settings.zulip_feature_level))
}

/// Returns whether email and password login is enabled.
#[no_mangle]
pub extern "C" fn zulip_server_settings_email_auth_enabled(settings: *const ZulipServerSettings) -> bool {
    ffi_call("zulip_server_settings_email_auth_enabled", || flag(settings, |settings| settings.email_auth_enabled))
}

/// Returns whether usernames must be email addresses; false only under LDAP with plain
/// usernames (and when the fetch failed).
#[no_mangle]
pub extern "C" fn zulip_server_settings_require_email_format_usernames(settings: *const ZulipServerSettings) -> bool {
    ffi_call("zulip_server_settings_require_email_format_usernames", || flag(settings, |settings| settings.require_email_format_usernames))
}

/// Returns whether the server can send mobile push notifications.
#[no_mangle]
pub extern "C" fn zulip_server_settings_push_notifications_enabled(settings: *const ZulipServerSettings) -> bool {
    ffi_call("zulip_server_settings_push_notifications_enabled", || flag(settings, |settings| settings.push_notifications_enabled))
}

/// Returns whether the server considers this client too old to work with it.
#[no_mangle]
pub extern "C" fn zulip_server_settings_is_incompatible(settings: *const ZulipServerSettings) -> bool {
    ffi_call("zulip_server_settings_is_incompatible", || flag(settings, |settings| settings.is_incompatible))
}

/// Returns whether spectators may read the organization's web-public streams without an account.
#[no_mangle]
pub extern "C" fn zulip_server_settings_realm_web_public_access_enabled(settings: *const ZulipServerSettings) -> bool {
    ffi_call("zulip_server_settings_realm_web_public_access_enabled", || flag(settings, |settings| settings.realm_web_public_access_enabled))
}

/// Returns whether the authentication method `name` is enabled, by its `authentication_methods`
/// key: `"password"`, `"dev"`, `"email"`, `"ldap"`, `"remoteuser"`, `"github"`, `"azuread"`,
/// `"gitlab"`, `"apple"`, `"google"`, `"saml"`, `"openid connect"`, or any key a newer server
/// adds. False for an unknown name, NULL or invalid UTF-8.
#[no_mangle]
pub extern "C" fn zulip_server_settings_authentication_method(settings: *const ZulipServerSettings, name: *const c_char) -> bool {
    ffi_call("zulip_server_settings_authentication_method", || {
        // SAFETY: the header requires a NUL-terminated string valid for the call.
        let Ok(name) = (unsafe { str_argument(name, "name") }) else {
            return false;
        };
        flag(settings, |settings| settings.authentication_method(name))
    })
}

/// Returns which password form to show, following the official apps: one when email login or
/// LDAP is enabled, with its field labelled "Email" unless usernames need not be emails.
#[no_mangle]
pub extern "C" fn zulip_server_settings_password_login(settings: *const ZulipServerSettings) -> ZulipPasswordLogin {
    ffi_call("zulip_server_settings_password_login", || match self::settings(settings).map(|text| text.settings.password_login()) {
        Some(PasswordLogin::Email) => ZulipPasswordLogin::ZULIP_PASSWORD_LOGIN_EMAIL,
        Some(PasswordLogin::Username) => ZulipPasswordLogin::ZULIP_PASSWORD_LOGIN_USERNAME,
        Some(PasswordLogin::Unavailable) | None => ZulipPasswordLogin::ZULIP_PASSWORD_LOGIN_UNAVAILABLE,
    })
}

/// Returns how many browser-based login methods (`external_authentication_methods`) the server
/// offers; they are numbered from 0 in the server's display order.
#[no_mangle]
pub extern "C" fn zulip_server_settings_external_method_count(settings: *const ZulipServerSettings) -> usize {
    ffi_call("zulip_server_settings_external_method_count", || self::settings(settings).map_or(0, |text| text.external_methods.len()))
}

/// Returns the name of external method `index`, such as `"github"` or `"saml:okta"`, or NULL
/// when `index` is out of range.
#[no_mangle]
pub extern "C" fn zulip_server_settings_external_method_name(settings: *const ZulipServerSettings, index: usize) -> *const c_char {
    ffi_call("zulip_server_settings_external_method_name", || text_pointer(method(settings, index).map(|method| &method.name)))
}

/// Returns the button label of external method `index`, or NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn zulip_server_settings_external_method_display_name(settings: *const ZulipServerSettings, index: usize) -> *const c_char {
    ffi_call("zulip_server_settings_external_method_display_name", || text_pointer(method(settings, index).map(|method| &method.display_name)))
}

/// Returns the absolute URL of the button icon of external method `index`, or NULL when the
/// server gives none or `index` is out of range.
#[no_mangle]
pub extern "C" fn zulip_server_settings_external_method_display_icon(settings: *const ZulipServerSettings, index: usize) -> *const c_char {
    ffi_call("zulip_server_settings_external_method_display_icon", || {
        text_pointer(method(settings, index).and_then(|method| method.display_icon.as_ref()))
    })
}

/// Returns the absolute login URL of external method `index`, to pass to
/// zulip_sso_session_new(), or NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn zulip_server_settings_external_method_login_url(settings: *const ZulipServerSettings, index: usize) -> *const c_char {
    ffi_call("zulip_server_settings_external_method_login_url", || text_pointer(method(settings, index).map(|method| &method.login_url)))
}

/// Returns the absolute sign-up URL of external method `index`, or NULL when `index` is out of
/// range.
#[no_mangle]
pub extern "C" fn zulip_server_settings_external_method_signup_url(settings: *const ZulipServerSettings, index: usize) -> *const c_char {
    ffi_call("zulip_server_settings_external_method_signup_url", || text_pointer(method(settings, index).map(|method| &method.signup_url)))
}

/// Frees server settings. NULL is a no-op. Call it once, after every thread has finished
/// reading them.
#[no_mangle]
pub extern "C" fn zulip_server_settings_free(settings: *mut ZulipServerSettings) {
    ffi_call("zulip_server_settings_free", || {
        if !settings.is_null() {
            // SAFETY: a non-NULL handle came from Box::into_raw in into_raw and is freed once.
            drop(unsafe { Box::from_raw(settings) });
        }
    })
}
