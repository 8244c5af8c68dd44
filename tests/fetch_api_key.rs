//! `zulip_fetch_api_key` through the C ABI against the loopback test server.

mod common;

use std::ffi::CString;
use std::ptr;

use common::{closed_port, fetch, read_and_free, Options, Outcome};
use zulip_auth::ffi::*;
use zulip_test_server::TestServer;

use ZulipStatus::*;

const IAGO_KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

fn server() -> TestServer {
    TestServer::start().expect("the test server starts")
}

fn assert_failure(outcome: &Outcome, status: ZulipStatus) {
    assert_eq!(outcome.status, status, "unexpected outcome: {outcome:#?}");
    let message = outcome.message.as_deref().unwrap_or("");
    assert!(!message.is_empty(), "an error has a message");
}

#[test]
fn success_returns_credentials() {
    let server = server();
    let outcome = fetch(&server.http_url(), "iago@zulip.com", "abcd1234");
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.status_name, "ZULIP_OK");
    assert_eq!(outcome.api_key.as_deref(), Some(IAGO_KEY));
    assert_eq!(outcome.email.as_deref(), Some("iago@zulip.com"));
    assert_eq!(outcome.user_id, 5);
    assert!(outcome.ignored_parameters.is_empty());
    assert_eq!(outcome.http_status, 0);
    assert_eq!(outcome.retry_after_ms, -1);
}

#[test]
fn request_is_form_post() {
    let server = server();
    fetch(&server.http_url(), "iago@zulip.com", "abcd1234");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/v1/fetch_api_key");
    assert_eq!(request.query, None);
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(request.header("authorization"), None);
    let user_agent = request.header("user-agent").unwrap();
    assert!(user_agent.starts_with(&format!("zulip-auth/{} (", env!("CARGO_PKG_VERSION"))), "{user_agent}");
    assert_eq!(String::from_utf8(request.body.clone()).unwrap(), "username=iago%40zulip.com&password=abcd1234");
}

#[test]
fn path_in_server_url_is_ignored() {
    let server = server();
    let outcome = fetch(&format!("  {}/some/path/?x=1  ", server.http_url()), "iago@zulip.com", "abcd1234");
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(server.requests()[0].path, "/api/v1/fetch_api_key");
}

#[test]
fn ldap_username_gets_delivery_email() {
    let server = server();
    let password = "Ünïcødé pässwörd 🔑 & = + %";
    let outcome = fetch(&server.http_url(), "hamlet", password);
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.email.as_deref(), Some("hamlet@zulip.com"));
    assert_eq!(outcome.user_id, 10);
    let form = server.requests()[0].form();
    assert_eq!(form, vec![("username".to_owned(), "hamlet".to_owned()), ("password".to_owned(), password.to_owned())]);
}

#[test]
fn non_latin_username_and_long_password() {
    let server = server();
    let password = "пароль".repeat(50);
    let outcome = fetch(&server.http_url(), "дмитрий@zulip.com", &password);
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.user_id, 11);
    assert_eq!(server.requests()[0].form()[1].1, password);
}

#[test]
fn old_server_omits_user_id() {
    let server = server();
    let outcome = fetch(&server.http_url(), "old@zulip.com", "abcd1234");
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.user_id, -1);
}

#[test]
fn ignored_parameters_are_listed() {
    let server = server();
    let outcome = fetch(&server.http_url(), "extra@zulip.com", "abcd1234");
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.ignored_parameters, vec!["client_gravatar", "apply_markdown"]);
}

#[test]
fn wrong_password_unknown_user_and_empty_password() {
    let server = server();
    for (username, password) in [("iago@zulip.com", "wrong"), ("nobody@zulip.com", "abcd1234"), ("iago@zulip.com", "")] {
        let outcome = fetch(&server.http_url(), username, password);
        assert_failure(&outcome, ZULIP_ERROR_AUTHENTICATION_FAILED);
        assert_eq!(outcome.code.as_deref(), Some("AUTHENTICATION_FAILED"));
        assert_eq!(outcome.http_status, 401);
        assert!(outcome.message.unwrap().contains("check the username and password"));
    }
}

#[test]
fn username_without_at_sign_is_bad_request() {
    let server = server();
    let outcome = fetch(&server.http_url(), "not-an-email", "abcd1234");
    assert_failure(&outcome, ZULIP_ERROR_BAD_REQUEST);
    assert_eq!(outcome.code.as_deref(), Some("BAD_REQUEST"));
    assert_eq!(outcome.http_status, 400);
}

/// Every row of the server's error table, with the status, Zulip code and HTTP status expected.
#[test]
fn error_table_statuses() {
    let server = server();
    let cases: &[(&str, ZulipStatus, Option<&str>, u16)] = &[
        ("deactivated", ZULIP_ERROR_USER_DEACTIVATED, Some("USER_DEACTIVATED"), 401),
        ("realm-deactivated", ZULIP_ERROR_REALM_DEACTIVATED, Some("REALM_DEACTIVATED"), 401),
        ("password-disabled", ZULIP_ERROR_PASSWORD_AUTH_DISABLED, Some("PASSWORD_AUTH_DISABLED"), 401),
        ("reset-required", ZULIP_ERROR_PASSWORD_RESET_REQUIRED, Some("PASSWORD_RESET_REQUIRED"), 401),
        ("nonexistent-subdomain", ZULIP_ERROR_REALM_NOT_FOUND, Some("NONEXISTENT_SUBDOMAIN"), 404),
        ("old-403", ZULIP_ERROR_AUTHENTICATION_FAILED, Some("AUTHENTICATION_FAILED"), 403),
        ("old-403-nocode", ZULIP_ERROR_AUTHENTICATION_FAILED, None, 403),
        ("new-code", ZULIP_ERROR_SERVER, Some("SOME_FUTURE_CODE"), 400),
        ("server-error", ZULIP_ERROR_SERVER, None, 500),
        ("proxy-misconfig", ZULIP_ERROR_SERVER, None, 500),
        ("html-502", ZULIP_ERROR_HTTP_STATUS, None, 502),
        ("html-200", ZULIP_ERROR_INVALID_RESPONSE, None, 200),
        ("truncated-json", ZULIP_ERROR_INVALID_RESPONSE, None, 200),
        ("wrong-types", ZULIP_ERROR_INVALID_RESPONSE, None, 200),
        ("missing-api-key", ZULIP_ERROR_INVALID_RESPONSE, None, 200),
        ("empty-api-key", ZULIP_ERROR_INVALID_RESPONSE, None, 200),
        ("oversized", ZULIP_ERROR_RESPONSE_TOO_LARGE, None, 200),
        ("oversized-chunked", ZULIP_ERROR_RESPONSE_TOO_LARGE, None, 200),
    ];
    for (scenario, status, code, http_status) in cases {
        let outcome = fetch(&server.http_url(), &format!("{scenario}@scenario.test"), "abcd1234");
        assert_failure(&outcome, *status);
        assert_eq!(outcome.code.as_deref(), *code, "code of {scenario}");
        assert_eq!(outcome.http_status, *http_status, "HTTP status of {scenario}");
        assert_eq!(outcome.retry_after_ms, -1, "retry delay of {scenario}");
    }
}

#[test]
fn rate_limits_report_retry_delay() {
    let server = server();
    let cases = [("rate-limited", Some("RATE_LIMIT_HIT"), 2500), ("rate-limited-nocode", None, 4000), ("rate-limited-header", Some("RATE_LIMIT_HIT"), 7000)];
    for (scenario, code, retry_after_ms) in cases {
        let outcome = fetch(&server.http_url(), &format!("{scenario}@scenario.test"), "x");
        assert_failure(&outcome, ZULIP_ERROR_RATE_LIMITED);
        assert_eq!(outcome.code.as_deref(), code, "code of {scenario}");
        assert_eq!(outcome.http_status, 429);
        assert_eq!(outcome.retry_after_ms, retry_after_ms, "delay of {scenario}");
    }
}

#[test]
fn html_502_message_names_status_and_type() {
    let server = server();
    let message = fetch(&server.http_url(), "html-502@scenario.test", "x").message.unwrap();
    assert!(message.contains("HTTP 502"), "{message}");
    assert!(message.contains("text/html"), "{message}");
}

#[test]
fn redirects_are_reported_not_followed() {
    let server = server();
    for scenario in ["redirect-301-https", "redirect-301-same", "redirect-307-other"] {
        server.clear_requests();
        let outcome = fetch(&server.http_url(), &format!("{scenario}@scenario.test"), "abcd1234");
        assert_failure(&outcome, ZULIP_ERROR_REDIRECT);
        assert!(outcome.http_status == 301 || outcome.http_status == 307, "{outcome:#?}");
        let message = outcome.message.unwrap();
        assert!(message.contains("/api/v1/fetch_api_key'"), "the message names the Location: {message}");
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "the password is sent once, never to the new location");
        assert_eq!(requests[0].method, "POST");
    }
}

#[test]
fn insecure_http_is_refused_before_sending() {
    let outcome = fetch("http://chat.example.com", "iago@zulip.com", "abcd1234");
    assert_failure(&outcome, ZULIP_ERROR_INSECURE_URL);
    assert!(outcome.message.unwrap().contains("allow_insecure_http"));
}

#[test]
fn invalid_server_urls() {
    for url in ["", "   ", "zulip:foo", "ftp://chat.example.com", "iago@zulip.com", "https://chat.example.com:99999"] {
        assert_failure(&fetch(url, "iago@zulip.com", "abcd1234"), ZULIP_ERROR_INVALID_URL);
    }
}

#[test]
fn refused_connection_is_connect_error() {
    let outcome = fetch(&format!("http://127.0.0.1:{}", closed_port()), "iago@zulip.com", "abcd1234");
    assert_failure(&outcome, ZULIP_ERROR_CONNECT);
    assert!(outcome.message.unwrap().contains("refused"));
}

#[test]
fn stalled_server_times_out() {
    let server = server();
    let client = Options::new().timeout_ms(500).build();
    let started = std::time::Instant::now();
    let outcome = client.fetch(&server.http_url(), "stall@scenario.test", "x");
    assert_failure(&outcome, ZULIP_ERROR_TIMEOUT);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
    assert!(outcome.message.unwrap().contains("500 ms"));
}

#[test]
fn https_with_test_ca() {
    let server = server();
    let default_outcome = fetch(&server.https_url(), "iago@zulip.com", "abcd1234");
    assert_failure(&default_outcome, ZULIP_ERROR_TLS_CERTIFICATE);
    let client = Options::new().root_pem(&server.ca_pem()).build();
    let outcome = client.fetch(&server.https_url(), "iago@zulip.com", "abcd1234");
    assert_eq!(outcome.status, ZULIP_OK, "{outcome:#?}");
    assert_eq!(outcome.api_key.as_deref(), Some(IAGO_KEY));
}

#[test]
fn null_arguments_are_invalid_argument() {
    let url = CString::new("http://127.0.0.1:1").unwrap();
    let text = CString::new("x").unwrap();
    let cases = [
        (ptr::null(), text.as_ptr(), text.as_ptr(), "server_url"),
        (url.as_ptr(), ptr::null(), text.as_ptr(), "username"),
        (url.as_ptr(), text.as_ptr(), ptr::null(), "password"),
    ];
    for (server_url, username, password, name) in cases {
        let outcome = read_and_free(zulip_fetch_api_key(server_url, username, password));
        assert_failure(&outcome, ZULIP_ERROR_INVALID_ARGUMENT);
        assert!(outcome.message.unwrap().starts_with(&format!("{name} is NULL")));
    }
}

#[test]
fn invalid_utf8_is_invalid_argument() {
    let url = CString::new("http://127.0.0.1:1").unwrap();
    let user = CString::new("iago@zulip.com").unwrap();
    let password = CString::new(b"secret\xff\xfe".to_vec()).unwrap();
    let outcome = read_and_free(zulip_fetch_api_key(url.as_ptr(), user.as_ptr(), password.as_ptr()));
    assert_failure(&outcome, ZULIP_ERROR_INVALID_ARGUMENT);
    let message = outcome.message.unwrap();
    assert!(message.starts_with("password is not valid UTF-8"), "{message}");
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn accessors_accept_null() {
    assert_eq!(zulip_api_key_result_status(ptr::null()), ZULIP_ERROR_INVALID_ARGUMENT);
    assert!(zulip_api_key_result_api_key(ptr::null()).is_null());
    assert!(zulip_api_key_result_email(ptr::null()).is_null());
    assert_eq!(zulip_api_key_result_user_id(ptr::null()), -1);
    assert_eq!(zulip_api_key_result_ignored_parameter_count(ptr::null()), 0);
    assert!(zulip_api_key_result_ignored_parameter(ptr::null(), 0).is_null());
    assert!(zulip_api_key_result_error(ptr::null()).is_null());
    assert_eq!(zulip_error_status(ptr::null()), ZULIP_ERROR_INVALID_ARGUMENT);
    assert!(zulip_error_message(ptr::null()).is_null());
    assert!(zulip_error_code(ptr::null()).is_null());
    assert_eq!(zulip_error_http_status(ptr::null()), 0);
    assert_eq!(zulip_error_retry_after_ms(ptr::null()), -1);
    zulip_api_key_result_free(ptr::null_mut());
    zulip_error_free(ptr::null_mut());
}

#[test]
fn ignored_parameter_index_out_of_range_is_null() {
    let server = server();
    let url = CString::new(server.http_url()).unwrap();
    let user = CString::new("extra@zulip.com").unwrap();
    let password = CString::new("abcd1234").unwrap();
    let result = zulip_fetch_api_key(url.as_ptr(), user.as_ptr(), password.as_ptr());
    assert_eq!(zulip_api_key_result_ignored_parameter_count(result), 2);
    assert!(zulip_api_key_result_ignored_parameter(result, 2).is_null());
    assert!(zulip_api_key_result_ignored_parameter(result, usize::MAX).is_null());
    zulip_api_key_result_free(result);
}

#[test]
fn messages_never_contain_the_password() {
    let server = server();
    let password = "S3cret-Passw0rd-Never-Shown";
    let usernames = ["iago@zulip.com", "not-an-email", "deactivated@scenario.test", "html-502@scenario.test", "truncated-json@scenario.test", "redirect-301-same@scenario.test", "rate-limited@scenario.test"];
    for username in usernames {
        let outcome = fetch(&server.http_url(), username, password);
        assert_ne!(outcome.status, ZULIP_OK);
        assert!(!outcome.message.unwrap().contains(password), "message for {username} shows the password");
    }
}

#[test]
fn status_names_and_version() {
    let name = |status: u32| unsafe { std::ffi::CStr::from_ptr(zulip_status_name(status)) }.to_str().unwrap().to_owned();
    assert_eq!(name(ZULIP_ERROR_TIMEOUT as u32), "ZULIP_ERROR_TIMEOUT");
    assert_eq!(name(ZULIP_ERROR_INTERNAL as u32), "ZULIP_ERROR_INTERNAL");
    assert_eq!(name(7), "ZULIP_STATUS_UNKNOWN");
    let version = unsafe { std::ffi::CStr::from_ptr(zulip_version()) }.to_str().unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}
