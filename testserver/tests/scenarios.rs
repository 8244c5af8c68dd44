//! The `NAME@scenario.test` logins, including the ones that misbehave at the HTTP level.

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use common::*;
use zulip_test_server::TestServer;

fn scenario_login(server: &TestServer, name: &str) -> HttpResponse {
    login(
        &server.http_url(),
        &format!("{name}@scenario.test"),
        "anything",
    )
}

/// Sends a scenario login and returns the reader positioned after the response head.
fn scenario_head(
    server: &TestServer,
    name: &str,
) -> (BufReader<std::net::TcpStream>, u16, Vec<(String, String)>) {
    let url = server.http_url();
    let mut stream = connect_plain(&url);
    stream
        .write_all(&login_request(
            port_of(&url),
            &format!("{name}@scenario.test"),
            "x",
        ))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_response_head(&mut reader).unwrap();
    (reader, status, headers)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

#[test]
fn json_error_scenarios() {
    let server = TestServer::start().unwrap();
    // (scenario, status, code or None when the body has no code)
    let cases = [
        ("deactivated", 401, Some("USER_DEACTIVATED")),
        ("realm-deactivated", 401, Some("REALM_DEACTIVATED")),
        ("password-disabled", 401, Some("PASSWORD_AUTH_DISABLED")),
        ("reset-required", 401, Some("PASSWORD_RESET_REQUIRED")),
        ("nonexistent-subdomain", 404, Some("NONEXISTENT_SUBDOMAIN")),
        ("rate-limited", 429, Some("RATE_LIMIT_HIT")),
        ("rate-limited-nocode", 429, None),
        ("rate-limited-header", 429, Some("RATE_LIMIT_HIT")),
        ("old-403", 403, Some("AUTHENTICATION_FAILED")),
        ("old-403-nocode", 403, None),
        ("new-code", 400, Some("SOME_FUTURE_CODE")),
        ("server-error", 500, None),
        ("proxy-misconfig", 500, None),
        ("unknown-scenario", 401, Some("AUTHENTICATION_FAILED")),
    ];
    for (name, status, code) in cases {
        let response = scenario_login(&server, name);
        let body = response.json();
        assert_eq!(response.status, status, "{name}");
        assert_eq!(body["result"], "error", "{name}");
        assert_eq!(
            body.get("code").and_then(|code| code.as_str()),
            code,
            "{name}"
        );
    }
}

#[test]
fn error_messages_match_zulip() {
    let server = TestServer::start().unwrap();
    assert_eq!(
        scenario_login(&server, "nonexistent-subdomain").json()["msg"],
        "Invalid subdomain"
    );
    assert_eq!(
        scenario_login(&server, "old-403-nocode").json()["msg"],
        "Your username or password is incorrect"
    );
    assert_eq!(
        scenario_login(&server, "server-error").json()["msg"],
        "Internal server error"
    );
    let proxy_message = scenario_login(&server, "proxy-misconfig").json()["msg"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        proxy_message.starts_with("Reverse proxy misconfiguration"),
        "{proxy_message}"
    );
}

#[test]
fn rate_limit_retry_hints() {
    let server = TestServer::start().unwrap();

    let both = scenario_login(&server, "rate-limited");
    assert_eq!(both.json()["retry-after"], 2.5);
    assert_eq!(both.header("retry-after"), Some("3"));

    let body_only = scenario_login(&server, "rate-limited-nocode");
    assert_eq!(body_only.json()["retry-after"], 4.0);
    assert_eq!(body_only.header("retry-after"), None);

    let header_only = scenario_login(&server, "rate-limited-header");
    assert!(header_only.json().get("retry-after").is_none());
    assert_eq!(header_only.header("retry-after"), Some("7"));
}

#[test]
fn html_and_malformed_bodies() {
    let server = TestServer::start().unwrap();

    let gateway = scenario_login(&server, "html-502");
    assert_eq!(gateway.status, 502);
    assert_eq!(gateway.header("content-type"), Some("text/html"));
    assert!(String::from_utf8_lossy(&gateway.body).contains("<center>nginx</center>"));

    let portal = scenario_login(&server, "html-200");
    assert_eq!(portal.status, 200);
    assert!(portal
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));

    let truncated = scenario_login(&server, "truncated-json");
    assert_eq!(truncated.body, br#"{"result":"success","api_key":"abc"#);
    assert!(serde_json::from_slice::<serde_json::Value>(&truncated.body).is_err());

    let wrong_types = scenario_login(&server, "wrong-types").json();
    assert!(wrong_types["api_key"].is_number());
    assert!(wrong_types["user_id"].is_string());

    assert!(scenario_login(&server, "missing-api-key")
        .json()
        .get("api_key")
        .is_none());
    assert_eq!(
        scenario_login(&server, "empty-api-key").json()["api_key"],
        ""
    );

    let invalid = scenario_login(&server, "invalid-utf8");
    assert!(std::str::from_utf8(&invalid.body).is_err());

    let deep = scenario_login(&server, "deep-json");
    assert_eq!(deep.body.len(), 200_000);
    assert!(deep.body.starts_with(b"[[[["));
}

#[test]
fn oversized_bodies_are_2_mib() {
    let server = TestServer::start().unwrap();
    let framed = scenario_login(&server, "oversized");
    assert_eq!(framed.header("content-length"), Some("2097152"));
    assert_eq!(framed.body.len(), 2 * 1024 * 1024);

    let chunked = scenario_login(&server, "oversized-chunked");
    assert_eq!(chunked.header("transfer-encoding"), Some("chunked"));
    assert_eq!(chunked.header("content-length"), None);
    assert_eq!(chunked.body.len(), 2 * 1024 * 1024);
}

#[test]
fn huge_header_is_1_mib() {
    let server = TestServer::start().unwrap();
    let response = scenario_login(&server, "huge-header");
    assert_eq!(response.header("x-padding").unwrap().len(), 1024 * 1024);
    assert_eq!(response.status, 200);
}

#[test]
fn stall_sends_nothing() {
    let server = TestServer::start().unwrap();
    let url = server.http_url();
    let mut stream = connect_plain(&url);
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    stream
        .write_all(&login_request(port_of(&url), "stall@scenario.test", "x"))
        .unwrap();
    let mut scratch = [0u8; 64];
    let error = stream.read(&mut scratch).expect_err("no response bytes");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "the stalled request is recorded"
    );
}

#[test]
fn stall_body_sends_ten_of_100_bytes() {
    let server = TestServer::start().unwrap();
    let (mut reader, status, headers) = scenario_head(&server, "stall-body");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-length"), Some("100"));
    let mut partial = [0u8; 10];
    reader.read_exact(&mut partial).unwrap();
    reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut scratch = [0u8; 1];
    let error = reader
        .read(&mut scratch)
        .expect_err("body stalls after 10 bytes");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );
}

#[test]
fn slow_body_trickles_bytes() {
    let server = TestServer::start().unwrap();
    let (mut reader, status, headers) = scenario_head(&server, "slow-body");
    assert_eq!(status, 200);
    let length: usize = header(&headers, "content-length").unwrap().parse().unwrap();
    assert!(length > 50);
    let started = Instant::now();
    let mut first_two = [0u8; 2];
    reader.read_exact(&mut first_two).unwrap();
    assert_eq!(&first_two, b"{\"");
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "second byte came after about a second"
    );
}

#[test]
fn reset_mid_body_resets() {
    let server = TestServer::start().unwrap();
    let (mut reader, _, headers) = scenario_head(&server, "reset-mid-body");
    let length: usize = header(&headers, "content-length").unwrap().parse().unwrap();
    let mut body = Vec::new();
    let error = reader
        .read_to_end(&mut body)
        .expect_err("connection is reset");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    assert!(body.len() < length);
}

#[test]
fn no_body_closes_after_head() {
    let server = TestServer::start().unwrap();
    let (mut reader, status, headers) = scenario_head(&server, "no-body");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-length"), Some("200"));
    let mut rest = Vec::new();
    assert_eq!(reader.read_to_end(&mut rest).unwrap(), 0);
}

#[test]
fn endless_body_keeps_coming() {
    let server = TestServer::start().unwrap();
    let (mut reader, status, headers) = scenario_head(&server, "endless");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "transfer-encoding"), Some("chunked"));
    let mut total = 0;
    while total < 1024 * 1024 {
        let available = reader.fill_buf().unwrap().len();
        assert!(available > 0, "body ended after {total} bytes");
        reader.consume(available);
        total += available;
    }
    // Dropping the reader closes the connection, which ends the server's loop.
}

#[test]
fn redirects_point_to_expected_origins() {
    let server = TestServer::start().unwrap();
    let https_port = port_of(&server.https_url());
    let http_port = port_of(&server.http_url());

    let upgrade = scenario_login(&server, "redirect-301-https");
    assert_eq!(upgrade.status, 301);
    assert_eq!(
        upgrade.header("location"),
        Some(format!("https://localhost:{https_port}/api/v1/fetch_api_key").as_str())
    );
    assert_eq!(upgrade.header("content-type"), Some("text/html"));

    let same = scenario_login(&server, "redirect-301-same");
    assert_eq!(
        same.header("location"),
        Some(format!("http://127.0.0.1:{http_port}/api/v1/fetch_api_key").as_str())
    );

    let other = scenario_login(&server, "redirect-307-other");
    assert_eq!(other.status, 307);
    assert_eq!(
        other.header("location"),
        Some(format!("http://localhost:{http_port}/api/v1/fetch_api_key").as_str())
    );
}

#[test]
fn scenario_names_all_respond() {
    // Every listed scenario that responds at once sends a status line. The slow ones are
    // covered by their own tests.
    let slow = [
        "stall",
        "stall-body",
        "slow-body",
        "endless",
        "reset-mid-body",
        "no-body",
    ];
    let server = TestServer::start().unwrap();
    for name in zulip_test_server::scenarios::SCENARIO_NAMES {
        if slow.contains(name) {
            continue;
        }
        let response = scenario_login(&server, name);
        assert!(response.status >= 200, "{name}");
        assert_ne!(response.text(), "", "{name}");
    }
}
