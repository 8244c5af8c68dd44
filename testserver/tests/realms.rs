//! Realm listeners: `server_settings` per realm, the development login, the redirecting realm
//! and the SSO redirect of every external method.

mod common;

use std::io::{BufReader, Write};

use common::*;
use serde_json::{json, Value};
use zulip_test_server::{users, Realm, TestServer};

/// Sends `GET target` with `Host` set to the authority of `url`.
fn get(url: &str, target: &str) -> HttpResponse {
    let host = url.trim_start_matches("http://");
    let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    exchange(url, request.as_bytes())
}

fn server_settings(server: &TestServer, realm: Realm) -> HttpResponse {
    get(&server.realm_url(realm), "/api/v1/server_settings")
}

fn dev_login(url: &str, fields: &[(&str, &str)]) -> HttpResponse {
    exchange(
        url,
        &form_request("POST", "/api/v1/dev_fetch_api_key", port_of(url), fields),
    )
}

/// Returns the twelve `authentication_methods` flags with only `enabled` set to true.
fn methods_with(enabled: &[&str]) -> Value {
    let keys = [
        "password",
        "dev",
        "email",
        "ldap",
        "remoteuser",
        "github",
        "azuread",
        "gitlab",
        "apple",
        "google",
        "saml",
        "openid connect",
    ];
    let mut methods = serde_json::Map::new();
    for key in keys {
        methods.insert(key.to_string(), json!(enabled.contains(&key)));
    }
    Value::Object(methods)
}

fn github_method() -> Value {
    json!({
        "name": "github",
        "display_name": "GitHub",
        "display_icon": "/static/images/authentication_backends/github-icon.png",
        "login_url": "/accounts/login/social/github",
        "signup_url": "/accounts/register/social/github",
    })
}

fn okta_method() -> Value {
    json!({
        "name": "saml:okta",
        "display_name": "Okta",
        "display_icon": null,
        "login_url": "/accounts/login/start/saml/?idp=okta",
        "signup_url": "/accounts/register/start/saml/?idp=okta",
    })
}

fn modern_body(origin: &str) -> Value {
    json!({
        "result": "success",
        "msg": "",
        "zulip_version": "10.1",
        "zulip_feature_level": 300,
        "zulip_merge_base": "10.1",
        "push_notifications_enabled": true,
        "is_incompatible": false,
        "email_auth_enabled": true,
        "require_email_format_usernames": true,
        "authentication_methods": methods_with(&["password", "dev", "email", "github", "google", "saml"]),
        "external_authentication_methods": [
            {
                "name": "google",
                "display_name": "Google",
                "display_icon": "/static/images/authentication_backends/googl_e-icon.png",
                "login_url": "/accounts/login/social/google",
                "signup_url": "/accounts/register/social/google",
            },
            github_method(),
            okta_method(),
        ],
        "realm_url": origin,
        "realm_uri": origin,
        "realm_name": "Zulip Dev",
        "realm_icon": "/static/images/icon.png",
        "realm_description": "<p>The Zulip development environment.</p>",
        "realm_web_public_access_enabled": false,
        "unknown_future_setting": {"enabled": true, "levels": [1, 2, 3]},
    })
}

/// XORs the hex of the API key's ASCII bytes with the pad, digit by digit.
fn expected_encrypted_key(pad: &str) -> String {
    let key_hex: String = users::IAGO_API_KEY
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    key_hex
        .chars()
        .zip(pad.chars())
        .map(|(key, pad)| {
            char::from_digit(key.to_digit(16).unwrap() ^ pad.to_digit(16).unwrap(), 16).unwrap()
        })
        .collect()
}

#[test]
fn realm_urls_are_distinct_loopback_listeners() {
    let server = TestServer::start().unwrap();
    assert_eq!(server.realm_url(Realm::Modern), server.http_url());
    let mut urls: Vec<String> = Realm::ALL
        .iter()
        .map(|realm| server.realm_url(*realm))
        .collect();
    for url in &urls {
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    }
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), Realm::ALL.len());
}

#[test]
fn modern_settings_match_zulip_dev() {
    let server = TestServer::start().unwrap();
    let url = server.realm_url(Realm::Modern);
    let response = server_settings(&server, Realm::Modern);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.json(), modern_body(&url));

    // The origin comes from the Host header, as Zulip derives the realm from it.
    let request = b"GET /api/v1/server_settings HTTP/1.1\r\nHost: chat.example.test:8443\r\n\r\n";
    let other_host = exchange(&url, request).json();
    assert_eq!(other_host["realm_url"], "http://chat.example.test:8443");
    assert_eq!(other_host["realm_uri"], "http://chat.example.test:8443");
}

#[test]
fn default_https_listener_serves_modern() {
    let server = TestServer::start().unwrap();
    let mut stream = connect_tls(&server.https_url(), client_config(&[&server.ca_pem()])).unwrap();
    let host = server
        .https_url()
        .trim_start_matches("https://")
        .to_string();
    stream
        .write_all(
            format!("GET /api/v1/server_settings HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        )
        .unwrap();
    let response = read_response(&mut BufReader::new(stream)).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.json(), modern_body(&server.https_url()));
}

#[test]
fn pre9_settings_lack_realm_url() {
    let server = TestServer::start().unwrap();
    let url = server.realm_url(Realm::Pre9);
    let response = server_settings(&server, Realm::Pre9);
    assert_eq!(response.status, 200);

    let mut expected = modern_body(&url);
    expected["zulip_version"] = json!("8.4");
    expected["zulip_feature_level"] = json!(200);
    let object = expected.as_object_mut().unwrap();
    object.remove("realm_url");
    object.remove("zulip_merge_base");
    assert_eq!(response.json(), expected);
}

#[test]
fn ldap_only_settings() {
    let server = TestServer::start().unwrap();
    let body = server_settings(&server, Realm::LdapOnly).json();
    assert_eq!(body["result"], "success");
    assert_eq!(body["email_auth_enabled"], false);
    assert_eq!(body["require_email_format_usernames"], false);
    assert_eq!(
        body["authentication_methods"],
        methods_with(&["password", "dev", "ldap"])
    );
    assert_eq!(body["external_authentication_methods"], json!([]));
    assert_eq!(body["realm_url"], server.realm_url(Realm::LdapOnly));
}

#[test]
fn password_disabled_settings() {
    let server = TestServer::start().unwrap();
    let body = server_settings(&server, Realm::PasswordDisabled).json();
    assert_eq!(body["result"], "success");
    assert_eq!(body["email_auth_enabled"], false);
    assert_eq!(body["require_email_format_usernames"], true);
    assert_eq!(
        body["authentication_methods"],
        methods_with(&["dev", "github", "saml"])
    );
    assert_eq!(
        body["external_authentication_methods"],
        json!([github_method(), okta_method()])
    );
    assert_eq!(body["realm_url"], server.realm_url(Realm::PasswordDisabled));
}

#[test]
fn no_organization_settings_lack_realm_fields() {
    let server = TestServer::start().unwrap();
    let response = server_settings(&server, Realm::NoOrganization);
    assert_eq!(response.status, 200);
    let body = response.json();
    for field in [
        "zulip_version",
        "zulip_feature_level",
        "push_notifications_enabled",
        "is_incompatible",
        "email_auth_enabled",
        "authentication_methods",
    ] {
        assert!(body.get(field).is_some(), "{field} missing from {body}");
    }
    for field in [
        "realm_url",
        "realm_uri",
        "realm_name",
        "realm_icon",
        "realm_description",
        "realm_web_public_access_enabled",
    ] {
        assert!(body.get(field).is_none(), "{field} present in {body}");
    }
}

#[test]
fn unknown_subdomain_settings_are_400() {
    let server = TestServer::start().unwrap();
    let response = server_settings(&server, Realm::UnknownSubdomain);
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"result": "error", "msg": "Invalid subdomain", "code": "BAD_REQUEST"})
    );
}

#[test]
fn dev_realms_set_dev_flag() {
    let server = TestServer::start().unwrap();
    let cases = [
        (Realm::Modern, true),
        (Realm::ProductionNoDev, false),
        (Realm::NoDevBackend, false),
    ];
    for (realm, dev) in cases {
        let body = server_settings(&server, realm).json();
        assert_eq!(body["authentication_methods"]["dev"], dev, "{realm:?}");
    }
}

#[test]
fn server_settings_allows_get_and_head() {
    let server = TestServer::start().unwrap();
    let url = server.realm_url(Realm::Pre9);
    let mut stream = connect_plain(&url);
    stream
        .write_all(b"HEAD /api/v1/server_settings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_response_head(&mut reader).unwrap();
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-length")));
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut rest).unwrap();
    assert!(rest.is_empty(), "HEAD response has a body");

    let post = exchange(
        &url,
        &form_request("POST", "/api/v1/server_settings", port_of(&url), &[]),
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.json()["allowed_methods"], json!(["GET", "HEAD"]));
}

#[test]
fn dev_login_returns_demo_users() {
    let server = TestServer::start().unwrap();
    for realm in [
        Realm::Modern,
        Realm::Pre9,
        Realm::LdapOnly,
        Realm::PasswordDisabled,
    ] {
        let url = server.realm_url(realm);
        let iago = dev_login(&url, &[("username", "iago@zulip.com")]);
        assert_eq!(iago.status, 200, "{realm:?}");
        assert_eq!(
            iago.json(),
            json!({
                "result": "success",
                "msg": "",
                "api_key": users::IAGO_API_KEY,
                "email": "iago@zulip.com",
                "user_id": 5,
            }),
            "{realm:?}"
        );
    }

    let url = server.http_url();
    let hamlet = dev_login(&url, &[("username", "hamlet@zulip.com")]).json();
    assert_eq!(hamlet["email"], "hamlet@zulip.com");
    assert_eq!(hamlet["user_id"], 10);
    assert_eq!(hamlet["api_key"], "PCWVHu1cC1hPisJN11i0lvBBguonqXPj");

    let dmitry = dev_login(&url, &[("username", "дмитрий@zulip.com")]).json();
    assert_eq!(dmitry["email"], "дмитрий@zulip.com");
    assert_eq!(dmitry["user_id"], 11);

    let old = dev_login(&url, &[("username", "old@zulip.com")]).json();
    assert_eq!(old["result"], "success");
    assert_eq!(old["api_key"], "Dy3qmvrmexmdXCD7DjS1cSi5fkaHOE2x");
    assert!(old.get("user_id").is_none(), "{old}");
}

#[test]
fn dev_login_errors_match_zulip() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();

    let unknown = dev_login(&url, &[("username", "nobody@zulip.com")]);
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.json()["code"], "AUTHENTICATION_FAILED");

    let missing = dev_login(&url, &[("password", "abcd1234")]);
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["code"], "REQUEST_VARIABLE_MISSING");
    assert_eq!(missing.json()["var_name"], "username");

    let not_email = dev_login(&url, &[("username", "hamlet")]);
    assert_eq!(not_email.status, 400);
    assert_eq!(not_email.json()["code"], "BAD_REQUEST");

    let get_request = get(&url, "/api/v1/dev_fetch_api_key");
    assert_eq!(get_request.status, 405);
    assert_eq!(get_request.json()["allowed_methods"], json!(["POST"]));
}

#[test]
fn dev_list_users_names_realm() {
    let server = TestServer::start().unwrap();
    let url = server.realm_url(Realm::LdapOnly);
    let response = get(&url, "/api/v1/dev_list_users");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({
            "result": "success",
            "msg": "",
            "direct_admins": [{"email": "iago@zulip.com", "realm_uri": url}],
            "direct_users": [
                {"email": "hamlet@zulip.com", "realm_uri": url},
                {"email": "дмитрий@zulip.com", "realm_uri": url},
            ],
        })
    );
}

#[test]
fn dev_endpoints_unavailable_without_backend() {
    let server = TestServer::start().unwrap();
    let cases = [
        (
            Realm::ProductionNoDev,
            "Endpoint not available in production.",
        ),
        (Realm::NoDevBackend, "DevAuthBackend not enabled."),
    ];
    for (realm, message) in cases {
        let url = server.realm_url(realm);
        let expected = json!({"result": "error", "msg": message, "code": "BAD_REQUEST"});

        let dev = dev_login(&url, &[("username", "iago@zulip.com")]);
        assert_eq!(dev.status, 400, "{realm:?}");
        assert_eq!(dev.json(), expected, "{realm:?}");

        let list = get(&url, "/api/v1/dev_list_users");
        assert_eq!(list.status, 400, "{realm:?}");
        assert_eq!(list.json(), expected, "{realm:?}");

        // Password login still works: only the development backend is missing.
        let password = login(&url, users::IAGO_EMAIL, users::IAGO_PASSWORD);
        assert_eq!(password.status, 200, "{realm:?}");
    }
}

#[test]
fn redirecting_realm_moves_every_request() {
    let server = TestServer::start().unwrap();
    let url = server.realm_url(Realm::Redirecting);
    let default_url = server.http_url();

    let settings = get(&url, "/api/v1/server_settings?probe=1");
    assert_eq!(settings.status, 301);
    assert_eq!(
        settings.header("location"),
        Some(format!("{default_url}/api/v1/server_settings?probe=1").as_str())
    );

    let post = login(&url, users::IAGO_EMAIL, users::IAGO_PASSWORD);
    assert_eq!(post.status, 301);
    assert_eq!(
        post.header("location"),
        Some(format!("{default_url}/api/v1/fetch_api_key").as_str())
    );

    let missing = get(&url, "/no/such/path");
    assert_eq!(missing.status, 301);
    assert_eq!(
        missing.header("location"),
        Some(format!("{default_url}/no/such/path").as_str())
    );

    // The target is the Modern realm.
    let followed = get(&default_url, "/api/v1/server_settings?probe=1");
    assert_eq!(followed.status, 200);
    assert_eq!(followed.json()["realm_name"], "Zulip Dev");

    let listeners: Vec<String> = server
        .requests()
        .iter()
        .map(|request| request.listener.clone())
        .collect();
    assert_eq!(
        listeners,
        [
            "realm-redirecting",
            "realm-redirecting",
            "realm-redirecting",
            "http"
        ]
    );
}

#[test]
fn sso_works_for_every_listed_method() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let origin = encode(&url);
    let pad = "0123456789abcdef".repeat(4);
    let body = server_settings(&server, Realm::Modern).json();
    let methods = body["external_authentication_methods"].as_array().unwrap();
    assert_eq!(methods.len(), 3);

    for method in methods {
        let login_url = method["login_url"].as_str().unwrap();
        let separator = if login_url.contains('?') { '&' } else { '?' };
        let target = format!("{login_url}{separator}mobile_flow_otp={pad}");
        let response = get(&url, &target);
        assert_eq!(response.status, 302, "{login_url}");
        assert_eq!(
            response.header("location"),
            Some(
                format!(
                    "zulip://login?otp_encrypted_api_key={}&email=iago%40zulip.com&user_id=5&realm={origin}",
                    expected_encrypted_key(&pad)
                )
                .as_str()
            ),
            "{login_url}"
        );
    }
}

#[test]
fn saml_sso_appends_pad_to_query() {
    let server = TestServer::start().unwrap();
    let url = server.realm_url(Realm::PasswordDisabled);
    let pad = "f".repeat(64);

    let response = get(
        &url,
        &format!("/accounts/login/start/saml/?idp=okta&mobile_flow_otp={pad}"),
    );
    assert_eq!(response.status, 302);
    let location = response.header("location").unwrap();
    assert!(
        location.starts_with(&format!(
            "zulip://login?otp_encrypted_api_key={}&",
            expected_encrypted_key(&pad)
        )),
        "{location}"
    );
    assert!(
        location.ends_with(&format!("&realm={}", encode(&url))),
        "{location}"
    );

    let without_idp = get(
        &url,
        &format!("/accounts/login/start/saml/?mobile_flow_otp={pad}"),
    );
    assert_eq!(without_idp.status, 400);
    assert_eq!(without_idp.json()["var_name"], "idp");

    let other_idp = get(
        &url,
        &format!("/accounts/login/start/saml/?idp=azure&mobile_flow_otp={pad}"),
    );
    assert_eq!(other_idp.status, 400);

    let bad_pad = get(
        &url,
        "/accounts/login/start/saml/?idp=okta&mobile_flow_otp=abc",
    );
    assert_eq!(bad_pad.status, 400);
    assert_eq!(bad_pad.json()["msg"], "Invalid OTP");
}
