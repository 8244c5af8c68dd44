//! The whole login flow through the C ABI: server settings, development login and single
//! sign-on, against the loopback test server's realms.

mod common;

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use common::{browser_get, read_and_free, Options, Outcome};
use zulip_auth::ffi::ZulipPasswordLogin::*;
use zulip_auth::ffi::ZulipStatus::{self, *};
use zulip_auth::ffi::*;
use zulip_test_server::{Realm, TestServer};

const IAGO_KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

fn server() -> TestServer {
    TestServer::start().expect("the test server starts")
}

fn text(pointer: *const c_char) -> Option<String> {
    // SAFETY: the library returns NULL or NUL-terminated strings valid while the handle lives.
    (!pointer.is_null()).then(|| unsafe { CStr::from_ptr(pointer) }.to_str().unwrap().to_owned())
}

fn c(value: &str) -> CString {
    CString::new(value).unwrap()
}

/// Server settings read through every accessor, then freed.
#[derive(Debug)]
struct Settings {
    status: ZulipStatus,
    error_message: Option<String>,
    realm_url: Option<String>,
    realm_name: Option<String>,
    realm_icon: Option<String>,
    realm_description: Option<String>,
    zulip_version: Option<String>,
    merge_base: Option<String>,
    feature_level: i64,
    email_auth_enabled: bool,
    require_email_format_usernames: bool,
    push_notifications_enabled: bool,
    is_incompatible: bool,
    web_public: bool,
    password_login: ZulipPasswordLogin,
    github: bool,
    ldap: bool,
    openid_connect: bool,
    methods: Vec<[Option<String>; 5]>,
}

fn read_settings(handle: *mut ZulipServerSettings) -> Settings {
    assert!(!handle.is_null());
    let method = |index| {
        [
            text(zulip_server_settings_external_method_name(handle, index)),
            text(zulip_server_settings_external_method_display_name(handle, index)),
            text(zulip_server_settings_external_method_display_icon(handle, index)),
            text(zulip_server_settings_external_method_login_url(handle, index)),
            text(zulip_server_settings_external_method_signup_url(handle, index)),
        ]
    };
    let settings = Settings {
        status: zulip_server_settings_status(handle),
        error_message: text(zulip_error_message(zulip_server_settings_error(handle))),
        realm_url: text(zulip_server_settings_realm_url(handle)),
        realm_name: text(zulip_server_settings_realm_name(handle)),
        realm_icon: text(zulip_server_settings_realm_icon(handle)),
        realm_description: text(zulip_server_settings_realm_description(handle)),
        zulip_version: text(zulip_server_settings_zulip_version(handle)),
        merge_base: text(zulip_server_settings_zulip_merge_base(handle)),
        feature_level: zulip_server_settings_zulip_feature_level(handle),
        email_auth_enabled: zulip_server_settings_email_auth_enabled(handle),
        require_email_format_usernames: zulip_server_settings_require_email_format_usernames(handle),
        push_notifications_enabled: zulip_server_settings_push_notifications_enabled(handle),
        is_incompatible: zulip_server_settings_is_incompatible(handle),
        web_public: zulip_server_settings_realm_web_public_access_enabled(handle),
        password_login: zulip_server_settings_password_login(handle),
        github: zulip_server_settings_authentication_method(handle, c"github".as_ptr()),
        ldap: zulip_server_settings_authentication_method(handle, c"ldap".as_ptr()),
        openid_connect: zulip_server_settings_authentication_method(handle, c"openid connect".as_ptr()),
        methods: (0..zulip_server_settings_external_method_count(handle)).map(method).collect(),
    };
    assert_eq!(method(settings.methods.len()), [None, None, None, None, None], "out of range index gives NULL");
    zulip_server_settings_free(handle);
    settings
}

fn fetch_settings(url: &str) -> Settings {
    read_settings(zulip_fetch_server_settings(c(url).as_ptr()))
}

#[test]
fn modern_server_settings() {
    let server = server();
    let url = server.http_url();
    let settings = fetch_settings(&url);
    assert_eq!(settings.status, ZULIP_OK, "{settings:#?}");
    assert_eq!(settings.realm_url.as_deref(), Some(url.as_str()));
    assert_eq!(settings.realm_name.as_deref(), Some("Zulip Dev"));
    assert_eq!(settings.realm_icon, Some(format!("{url}/static/images/icon.png")));
    assert_eq!(settings.realm_description.as_deref(), Some("<p>The Zulip development environment.</p>"));
    assert_eq!(settings.zulip_version.as_deref(), Some("10.1"));
    assert_eq!(settings.merge_base.as_deref(), Some("10.1"));
    assert_eq!(settings.feature_level, 300);
    assert!(settings.email_auth_enabled);
    assert!(settings.require_email_format_usernames);
    assert!(settings.push_notifications_enabled);
    assert!(!settings.is_incompatible);
    assert!(!settings.web_public);
    assert!(settings.github);
    assert!(!settings.ldap);
    assert!(!settings.openid_connect);
    assert_eq!(settings.password_login, ZULIP_PASSWORD_LOGIN_EMAIL);

    let names: Vec<_> = settings.methods.iter().map(|method| method[0].clone().unwrap()).collect();
    assert_eq!(names, ["google", "github", "saml:okta"]);
    let okta = &settings.methods[2];
    assert_eq!(okta[1].as_deref(), Some("Okta"));
    assert_eq!(okta[2], None, "Okta has no icon");
    assert_eq!(okta[3], Some(format!("{url}/accounts/login/start/saml/?idp=okta")));
    assert_eq!(okta[4], Some(format!("{url}/accounts/register/start/saml/?idp=okta")));
    assert_eq!(settings.methods[1][2], Some(format!("{url}/static/images/authentication_backends/github-icon.png")));
}

#[test]
fn pre9_server_uses_realm_uri() {
    let server = server();
    let url = server.realm_url(Realm::Pre9);
    let settings = fetch_settings(&url);
    assert_eq!(settings.status, ZULIP_OK, "{settings:#?}");
    assert_eq!(settings.realm_url.as_deref(), Some(url.as_str()));
    assert_eq!(settings.feature_level, 200);
    assert_eq!(settings.merge_base, None);
    assert_eq!(settings.zulip_version.as_deref(), Some("8.4"));
}

#[test]
fn ldap_only_labels_username() {
    let server = server();
    let settings = fetch_settings(&server.realm_url(Realm::LdapOnly));
    assert_eq!(settings.password_login, ZULIP_PASSWORD_LOGIN_USERNAME);
    assert!(!settings.email_auth_enabled);
    assert!(settings.ldap);
    assert!(!settings.require_email_format_usernames);
    assert!(settings.methods.is_empty());
}

#[test]
fn password_disabled_offers_only_sso() {
    let server = server();
    let settings = fetch_settings(&server.realm_url(Realm::PasswordDisabled));
    assert_eq!(settings.password_login, ZULIP_PASSWORD_LOGIN_UNAVAILABLE);
    let names: Vec<_> = settings.methods.iter().map(|method| method[0].clone().unwrap()).collect();
    assert_eq!(names, ["github", "saml:okta"]);
}

#[test]
fn root_domain_without_organization() {
    let server = server();
    let url = server.realm_url(Realm::NoOrganization);
    let settings = fetch_settings(&url);
    assert_eq!(settings.status, ZULIP_OK, "{settings:#?}");
    assert_eq!(settings.realm_url.as_deref(), Some(url.as_str()), "falls back to the fetched origin");
    assert_eq!(settings.realm_name, None);
}

#[test]
fn unknown_subdomain_is_realm_not_found() {
    let server = server();
    let settings = fetch_settings(&server.realm_url(Realm::UnknownSubdomain));
    assert_eq!(settings.status, ZULIP_ERROR_REALM_NOT_FOUND, "{settings:#?}");
    assert_eq!(settings.realm_url, None);
    assert_eq!(settings.feature_level, -1);
    assert_eq!(settings.password_login, ZULIP_PASSWORD_LOGIN_UNAVAILABLE);
}

#[test]
fn settings_follow_redirects_then_login_at_realm() {
    let server = server();
    let typed = server.realm_url(Realm::Redirecting);
    let settings = fetch_settings(&typed);
    assert_eq!(settings.status, ZULIP_OK, "{settings:#?}");
    let realm_url = settings.realm_url.unwrap();
    assert_eq!(realm_url, server.http_url(), "the reported realm is the final server");

    let at_typed = common::fetch(&typed, "iago@zulip.com", "abcd1234");
    assert_eq!(at_typed.status, ZULIP_ERROR_REDIRECT, "the password POST is never redirected");
    let at_realm = common::fetch(&realm_url, "iago@zulip.com", "abcd1234");
    assert_eq!(at_realm.status, ZULIP_OK, "{at_realm:#?}");
}

#[test]
fn settings_over_insecure_http_are_refused() {
    let settings = fetch_settings("http://chat.example.com");
    assert_eq!(settings.status, ZULIP_ERROR_INSECURE_URL);
    assert!(settings.error_message.unwrap().contains("allow_insecure_http"));
}

#[test]
fn settings_accessors_accept_null() {
    assert_eq!(zulip_server_settings_status(ptr::null()), ZULIP_ERROR_INVALID_ARGUMENT);
    assert!(zulip_server_settings_realm_url(ptr::null()).is_null());
    assert_eq!(zulip_server_settings_zulip_feature_level(ptr::null()), -1);
    assert!(!zulip_server_settings_authentication_method(ptr::null(), c"ldap".as_ptr()));
    assert_eq!(zulip_server_settings_external_method_count(ptr::null()), 0);
    zulip_server_settings_free(ptr::null_mut());
    let outcome = read_settings(zulip_fetch_server_settings(ptr::null()));
    assert_eq!(outcome.status, ZULIP_ERROR_INVALID_ARGUMENT);
}

#[test]
fn settings_on_client_with_https() {
    let server = server();
    let client = zulip_client_new(Options::new().root_pem(&server.ca_pem()).raw(), ptr::null_mut());
    let settings = read_settings(zulip_client_fetch_server_settings(client, c(&server.https_url()).as_ptr(), ptr::null()));
    assert_eq!(settings.status, ZULIP_OK, "{settings:#?}");
    assert_eq!(settings.realm_url, Some(server.https_url()));
    zulip_client_free(client);
}

/// Starts a session for the external method `name`, runs the browser step against the test
/// server, and returns the session and the callback URL the browser was redirected to.
fn sso_callback(server: &TestServer, name: &str) -> (*mut ZulipSsoSession, String) {
    let handle = zulip_fetch_server_settings(c(&server.http_url()).as_ptr());
    let index = (0..zulip_server_settings_external_method_count(handle))
        .find(|index| text(zulip_server_settings_external_method_name(handle, *index)).as_deref() == Some(name))
        .expect("the method is offered");
    let mut error = ptr::null_mut();
    let session = zulip_sso_session_new(zulip_server_settings_realm_url(handle), zulip_server_settings_external_method_login_url(handle, index), &mut error);
    zulip_server_settings_free(handle);
    assert!(!session.is_null(), "{:?}", text(zulip_error_message(error)));

    let browser_url = text(zulip_sso_session_browser_url(session)).unwrap();
    assert!(browser_url.contains("mobile_flow_otp="), "{browser_url}");
    let (status, location) = browser_get(&browser_url);
    assert_eq!(status, 302);
    (session, location.expect("the server redirects to zulip://login"))
}

fn finish(session: *mut ZulipSsoSession, callback: &str) -> Outcome {
    read_and_free(zulip_sso_session_finish(session, c(callback).as_ptr()))
}

#[test]
fn sso_flow_end_to_end() {
    let server = server();
    for method in ["github", "google", "saml:okta"] {
        let (session, callback) = sso_callback(&server, method);
        assert!(callback.starts_with("zulip://login?"), "{callback}");
        let outcome = finish(session, &callback);
        assert_eq!(outcome.status, ZULIP_OK, "{method}: {outcome:#?}");
        assert_eq!(outcome.api_key.as_deref(), Some(IAGO_KEY));
        assert_eq!(outcome.email.as_deref(), Some("iago@zulip.com"));
        assert_eq!(outcome.user_id, 5);
        let again = finish(session, &callback);
        assert_eq!(again.status, ZULIP_ERROR_INVALID_CALLBACK, "a session finishes once");
        zulip_sso_session_free(session);
    }
}

#[test]
fn sso_rejects_bad_callbacks() {
    let server = server();
    let (session, callback) = sso_callback(&server, "github");
    let key_start = callback.find("otp_encrypted_api_key=").unwrap() + "otp_encrypted_api_key=".len();
    let key = &callback[key_start..key_start + 64];
    // A one-time pad has no integrity check: a key from another session decrypts to bytes that
    // are almost surely not printable ASCII, which is what the library can detect.
    let foreign_key = "00".repeat(32);
    let cases = [
        (callback.replace(key, &foreign_key), "does not decrypt"),
        (callback.replace(key, &key[..40]), "64 hexadecimal digits"),
        (callback.replace(key, &format!("{}xy", &key[..62])), "64 hexadecimal digits"),
        (callback.replacen("zulip://", "https://", 1), "scheme"),
        (callback[..callback.find("&realm=").unwrap()].to_owned(), "'realm' is missing"),
        (callback.replace(&zulip_percent(&server.http_url()), &zulip_percent("https://evil.example.com")), "organization https://evil.example.com"),
        (callback.replace("user_id=5", "user_id=-5"), "user_id"),
    ];
    for (url, phrase) in cases {
        let outcome = finish(session, &url);
        assert_eq!(outcome.status, ZULIP_ERROR_INVALID_CALLBACK, "{url}");
        let message = outcome.message.unwrap();
        assert!(message.contains(phrase), "{url}: {message}");
    }
    assert_eq!(finish(session, &callback).status, ZULIP_OK, "the genuine callback still works");
    zulip_sso_session_free(session);
}

/// Percent-encodes a URL the way the server writes the `realm` parameter.
fn zulip_percent(url: &str) -> String {
    url.replace(':', "%3A").replace('/', "%2F")
}

#[test]
fn sso_session_rejects_bad_arguments() {
    let mut error = ptr::null_mut();
    let session = zulip_sso_session_new(c"http://chat.example.com".as_ptr(), c"/login".as_ptr(), &mut error);
    assert!(session.is_null());
    assert_eq!(zulip_error_status(error), ZULIP_ERROR_INSECURE_URL);
    zulip_error_free(error);

    let session = zulip_sso_session_new(c"https://chat.example.com".as_ptr(), ptr::null(), ptr::null_mut());
    assert!(session.is_null(), "NULL login URL fails even without an error out-parameter");
    assert!(zulip_sso_session_browser_url(ptr::null()).is_null());
    let outcome = read_and_free(zulip_sso_session_finish(ptr::null(), c"zulip://login".as_ptr()));
    assert_eq!(outcome.status, ZULIP_ERROR_INVALID_ARGUMENT);
    zulip_sso_session_free(ptr::null_mut());
}

#[test]
fn dev_login_lists_and_logs_in() {
    let server = server();
    let client = Options::new().build_raw();
    let users = zulip_client_dev_list_users(client, c(&server.http_url()).as_ptr(), ptr::null());
    assert_eq!(zulip_dev_users_status(users), ZULIP_OK);
    assert_eq!(zulip_dev_users_count(users), 3);
    assert_eq!(text(zulip_dev_users_email(users, 0)).as_deref(), Some("iago@zulip.com"));
    assert!(zulip_dev_users_is_admin(users, 0));
    assert!(!zulip_dev_users_is_admin(users, 1));
    assert_eq!(text(zulip_dev_users_realm_url(users, 1)), Some(server.http_url()));
    assert!(zulip_dev_users_email(users, 3).is_null());
    zulip_dev_users_free(users);

    let outcome = read_and_free(zulip_client_dev_fetch_api_key(client, c(&server.http_url()).as_ptr(), c"iago@zulip.com".as_ptr(), ptr::null()));
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.api_key.as_deref(), Some(IAGO_KEY));
    assert_eq!(server.requests().last().unwrap().form(), vec![("username".to_owned(), "iago@zulip.com".to_owned())]);

    let unknown = read_and_free(zulip_client_dev_fetch_api_key(client, c(&server.http_url()).as_ptr(), c"nobody@zulip.com".as_ptr(), ptr::null()));
    assert_eq!(unknown.status, ZULIP_ERROR_AUTHENTICATION_FAILED);
    zulip_client_free(client);
}

#[test]
fn production_servers_refuse_dev_login() {
    let server = server();
    let client = Options::new().build_raw();
    for realm in [Realm::ProductionNoDev, Realm::NoDevBackend] {
        let url = c(&server.realm_url(realm));
        let outcome = read_and_free(zulip_client_dev_fetch_api_key(client, url.as_ptr(), c"iago@zulip.com".as_ptr(), ptr::null()));
        assert_eq!(outcome.status, ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE, "{realm:?}: {outcome:#?}");
        assert_eq!(outcome.http_status, 400);
        let users = zulip_client_dev_list_users(client, url.as_ptr(), ptr::null());
        assert_eq!(zulip_dev_users_status(users), ZULIP_ERROR_DEV_LOGIN_UNAVAILABLE, "{realm:?}");
        let server_message = text(zulip_error_server_message(zulip_dev_users_error(users)));
        assert!(server_message.is_some(), "the server's own message is readable");
        zulip_dev_users_free(users);
    }
    zulip_client_free(client);
}
