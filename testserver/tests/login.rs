//! `fetch_api_key` with the demo users, request framing, keep-alive and request recording.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use serde_json::json;
use zulip_test_server::{users, TestServer};

const HAMLET_PASSWORD: &str = "Ünïcødé pässwörd 🔑 & = + %";

#[test]
fn iago_login_succeeds() {
    let server = TestServer::start().unwrap();
    let response = login(&server.http_url(), "iago@zulip.com", "abcd1234");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.json(),
        json!({
            "result": "success",
            "msg": "",
            "api_key": "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv",
            "email": "iago@zulip.com",
            "user_id": 5,
        })
    );
}

#[test]
fn other_demo_users_succeed() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();

    let hamlet = login(&url, "hamlet", HAMLET_PASSWORD).json();
    assert_eq!(hamlet["email"], "hamlet@zulip.com");
    assert_eq!(hamlet["user_id"], 10);
    assert_eq!(hamlet["api_key"].as_str().unwrap().len(), 32);

    let long_password = "пароль".repeat(50);
    let dmitry = login(&url, "дмитрий@zulip.com", &long_password).json();
    assert_eq!(dmitry["user_id"], 11);

    let old = login(&url, "old@zulip.com", "abcd1234").json();
    assert_eq!(old["result"], "success");
    assert!(old.get("user_id").is_none());

    let extra = login(&url, "extra@zulip.com", "abcd1234").json();
    assert_eq!(extra["result"], "success");
    assert_eq!(
        extra["ignored_parameters_unsupported"],
        json!(["client_gravatar", "apply_markdown"])
    );
}

#[test]
fn login_errors_match_zulip() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    // (username, password, status, code, msg)
    let cases = [
        (
            "iago@zulip.com",
            "wrong",
            401,
            "AUTHENTICATION_FAILED",
            "Your username or password is incorrect",
        ),
        (
            "iago@zulip.com",
            "",
            401,
            "AUTHENTICATION_FAILED",
            "Your username or password is incorrect",
        ),
        (
            "nobody@zulip.com",
            "abcd1234",
            401,
            "AUTHENTICATION_FAILED",
            "Your username or password is incorrect",
        ),
        (
            "hamlet",
            "abcd1234",
            401,
            "AUTHENTICATION_FAILED",
            "Your username or password is incorrect",
        ),
        (
            "nobody",
            "abcd1234",
            400,
            "BAD_REQUEST",
            "Enter a valid email address.",
        ),
    ];
    for (username, password, status, code, message) in cases {
        let response = login(&url, username, password);
        let body = response.json();
        assert_eq!(response.status, status, "{username}");
        assert_eq!(body["result"], "error", "{username}");
        assert_eq!(body["code"], code, "{username}");
        assert_eq!(body["msg"], message, "{username}");
    }
}

#[test]
fn missing_fields_name_the_variable() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let port = port_of(&url);

    let no_password = exchange(
        &url,
        &form_request(
            "POST",
            "/api/v1/fetch_api_key",
            port,
            &[("username", "iago@zulip.com")],
        ),
    );
    assert_eq!(no_password.status, 400);
    assert_eq!(no_password.json()["code"], "REQUEST_VARIABLE_MISSING");
    assert_eq!(no_password.json()["var_name"], "password");

    let no_fields = exchange(
        &url,
        &form_request("POST", "/api/v1/fetch_api_key", port, &[]),
    );
    assert_eq!(no_fields.json()["var_name"], "username");

    // A JSON body is not form data, so Zulip reads no fields at all.
    let json_body = r#"{"username":"iago@zulip.com","password":"abcd1234"}"#;
    let request = format!(
        "POST /api/v1/fetch_api_key HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json_body}",
        json_body.len()
    );
    let response = exchange(&url, request.as_bytes());
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["code"], "REQUEST_VARIABLE_MISSING");
}

#[test]
fn get_is_method_not_allowed() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let response = exchange(
        &url,
        b"GET /api/v1/fetch_api_key HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(response.status, 405);
    assert_eq!(
        response.json(),
        json!({"result": "error", "msg": "Method Not Allowed", "allowed_methods": ["POST"]})
    );
}

#[test]
fn keep_alive_reuses_connection() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let stream = connect_plain(&url);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);

    for password in ["wrong", "abcd1234", "abcd1234"] {
        writer
            .write_all(&login_request(port_of(&url), "iago@zulip.com", password))
            .unwrap();
        let response = read_response(&mut reader).unwrap();
        assert!(response.header("connection").is_none());
    }
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.requests().len(), 3);

    writer
        .write_all(b"GET /api/v1/server_settings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let last = read_response(&mut reader).unwrap();
    assert_eq!(last.header("connection"), Some("close"));
    let mut rest = Vec::new();
    assert_eq!(
        reader.read_to_end(&mut rest).unwrap(),
        0,
        "server closes after Connection: close"
    );
}

#[test]
fn chunked_request_body_is_decoded() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let body = form_body(&[("username", "hamlet"), ("password", HAMLET_PASSWORD)]);
    let mut stream = connect_plain(&url);
    stream.set_nodelay(true).unwrap();
    stream
        .write_all(
            b"POST /api/v1/fetch_api_key HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
    // Send the body as chunks of one to seven bytes, each in its own write.
    let bytes = body.as_bytes();
    let mut offset = 0;
    let mut size = 1;
    while offset < bytes.len() {
        let end = (offset + size).min(bytes.len());
        let chunk = &bytes[offset..end];
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .unwrap();
        stream.write_all(chunk).unwrap();
        stream.write_all(b"\r\n").unwrap();
        offset = end;
        size = size % 7 + 1;
    }
    stream.write_all(b"0\r\n\r\n").unwrap();

    let response = read_response(&mut BufReader::new(stream)).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["email"], "hamlet@zulip.com");
    let recorded = server.requests();
    assert_eq!(recorded[0].body, body.as_bytes());
    assert_eq!(recorded[0].header("transfer-encoding"), Some("chunked"));
}

#[test]
fn request_sent_byte_by_byte_succeeds() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let mut stream = connect_plain(&url);
    stream.set_nodelay(true).unwrap();
    for byte in login_request(port_of(&url), "iago@zulip.com", "abcd1234") {
        stream.write_all(&[byte]).unwrap();
    }
    let response = read_response(&mut BufReader::new(stream)).unwrap();
    assert_eq!(response.json()["api_key"], users::IAGO_API_KEY);
}

#[test]
fn expect_continue_gets_interim_response() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let body = form_body(&[("username", "iago@zulip.com"), ("password", "abcd1234")]);
    let mut stream = connect_plain(&url);
    stream
        .write_all(
            format!(
                "POST /api/v1/fetch_api_key HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body.as_bytes()).unwrap();
    let response = read_response(&mut BufReader::new(stream)).unwrap();
    assert_eq!(response.status, 200);
}

#[test]
fn requests_are_recorded() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let mut request = login_request(port_of(&url), "hamlet", HAMLET_PASSWORD);
    // Put a query on the target to check it is recorded apart from the path.
    let target = b"/api/v1/fetch_api_key";
    let position = request
        .windows(target.len())
        .position(|window| window == target)
        .unwrap();
    request.splice(
        position + target.len()..position + target.len(),
        b"?client=test".iter().copied(),
    );
    exchange(&url, &request);

    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    let first = &recorded[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/api/v1/fetch_api_key");
    assert_eq!(first.query.as_deref(), Some("client=test"));
    assert_eq!(first.listener, "http");
    assert_eq!(first.header("USER-AGENT"), Some("zulip-test-server-tests"));
    assert_eq!(
        first.form(),
        vec![
            ("username".to_string(), "hamlet".to_string()),
            ("password".to_string(), HAMLET_PASSWORD.to_string()),
        ]
    );

    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn control_endpoints_list_and_clear() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    login(&url, "iago@zulip.com", "abcd1234");

    let listed = exchange(&url, b"GET /__test/requests HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(listed.status, 200);
    let entries = listed.json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 1, "control requests are not recorded");
    assert_eq!(entries[0]["path"], "/api/v1/fetch_api_key");
    assert_eq!(entries[0]["listener"], "http");
    assert_eq!(entries[0]["form"][0], json!(["username", "iago@zulip.com"]));

    let cleared = exchange(
        &url,
        b"POST /__test/clear HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(cleared.status, 200);
    assert!(server.requests().is_empty());
}

#[test]
fn malformed_request_gets_400() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let response = exchange(&url, b"POST /api/v1/fetch_api_key HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
    assert_eq!(response.status, 400);
    assert_eq!(response.header("connection"), Some("close"));
    assert!(server.requests().is_empty());
}

#[test]
fn server_settings_lists_password_login() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let response = exchange(
        &url,
        b"GET /api/v1/server_settings HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n",
    );
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(body["email_auth_enabled"], true);
    assert_eq!(body["authentication_methods"]["password"], true);
    assert_eq!(body["realm_url"], "http://127.0.0.1:9");
    let login_urls: Vec<&str> = body["external_authentication_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|method| method["login_url"].as_str().unwrap())
        .collect();
    assert!(
        login_urls.contains(&"/accounts/login/social/github"),
        "{login_urls:?}"
    );
}

#[test]
fn sso_redirect_carries_encrypted_key() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let pad = "f".repeat(64);
    let request = format!("GET /accounts/login/social/github?mobile_flow_otp={pad} HTTP/1.1\r\nHost: localhost:7\r\n\r\n");
    let response = exchange(&url, request.as_bytes());
    assert_eq!(response.status, 302);
    let location = response.header("location").unwrap();
    // XOR with all-ones digits: each hex digit d of the key becomes 15 - d.
    let key_hex: String = users::IAGO_API_KEY
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let expected: String = key_hex
        .chars()
        .map(|digit| char::from_digit(15 - digit.to_digit(16).unwrap(), 16).unwrap())
        .collect();
    assert_eq!(
        location,
        format!("zulip://login?otp_encrypted_api_key={expected}&email=iago%40zulip.com&user_id=5&realm=http%3A%2F%2Flocalhost%3A7")
    );

    let bad = exchange(
        &url,
        b"GET /accounts/login/social/github?mobile_flow_otp=abc HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["msg"], "Invalid OTP");
}

#[test]
fn drop_stops_listeners_and_connections() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let mut idle = connect_plain(&url);
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    drop(server);

    let mut scratch = [0u8; 16];
    let read = idle.read(&mut scratch);
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "open connection is closed: {read:?}"
    );
    assert!(TcpStream::connect(("127.0.0.1", port_of(&url))).is_err());
}
