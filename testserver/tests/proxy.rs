//! The loopback-only proxy and the broken proxy.

mod common;

use std::io::{BufReader, Read, Write};

use common::*;
use zulip_test_server::TestServer;

/// Sends a CONNECT request to the proxy and returns the connection with the proxy's response.
fn connect_through(
    proxy_url: &str,
    target: &str,
) -> (BufReader<std::net::TcpStream>, HttpResponse) {
    let mut stream = connect_plain(proxy_url);
    stream
        .write_all(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").as_bytes())
        .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_response_head(&mut reader).unwrap();
    let body = if status == 200 {
        Vec::new()
    } else {
        let mut body = Vec::new();
        reader.read_to_end(&mut body).unwrap();
        body
    };
    (
        reader,
        HttpResponse {
            status,
            headers,
            body,
        },
    )
}

#[test]
fn connect_tunnels_to_https_listener() {
    let server = TestServer::start().unwrap();
    let https_port = port_of(&server.https_url());
    let (reader, response) =
        connect_through(&server.proxy_url(), &format!("localhost:{https_port}"));
    assert_eq!(response.status, 200);
    assert_eq!(server.proxy_tunnel_count(), 1);
    assert!(reader.buffer().is_empty());

    let mut tls = tls_over(
        reader.into_inner(),
        "localhost",
        client_config(&[&server.ca_pem()]),
    )
    .expect("TLS through the tunnel");
    tls.write_all(&login_request(https_port, "iago@zulip.com", "abcd1234"))
        .unwrap();
    let login = read_response(&mut BufReader::new(tls)).unwrap();
    assert_eq!(login.status, 200);
    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].listener, "https");
}

#[test]
fn connect_refuses_other_hosts() {
    let server = TestServer::start().unwrap();
    for target in [
        "example.invalid:443",
        "127.0.0.2:443",
        "user@localhost:443",
        "[::1]:443",
        "localhost",
    ] {
        let (_, response) = connect_through(&server.proxy_url(), target);
        assert_eq!(response.status, 403, "{target}");
    }
    assert_eq!(server.proxy_tunnel_count(), 0);
    assert_eq!(server.connection_count(), 0);
}

#[test]
fn absolute_form_request_is_forwarded() {
    let server = TestServer::start().unwrap();
    let http_port = port_of(&server.http_url());
    let body = form_body(&[("username", "iago@zulip.com"), ("password", "abcd1234")]);
    let request = format!(
        "POST http://127.0.0.1:{http_port}/api/v1/fetch_api_key HTTP/1.1\r\nHost: 127.0.0.1:{http_port}\r\n\
         Proxy-Connection: keep-alive\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let response = exchange(&server.proxy_url(), request.as_bytes());
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["user_id"], 5);
    assert_eq!(server.proxy_forward_count(), 1);

    let recorded = server.requests();
    assert_eq!(recorded[0].path, "/api/v1/fetch_api_key");
    assert_eq!(recorded[0].header("proxy-connection"), None);
    assert_eq!(recorded[0].body, body.as_bytes());
}

#[test]
fn absolute_form_refuses_other_hosts() {
    let server = TestServer::start().unwrap();
    let response = exchange(
        &server.proxy_url(),
        b"GET http://example.invalid/api/v1/server_settings HTTP/1.1\r\nHost: example.invalid\r\n\r\n",
    );
    assert_eq!(response.status, 403);
    assert_eq!(server.proxy_forward_count(), 0);
}

#[test]
fn broken_proxy_answers_502() {
    let server = TestServer::start().unwrap();
    let https_port = port_of(&server.https_url());
    let (mut reader, response) = connect_through(
        &server.broken_proxy_url(),
        &format!("localhost:{https_port}"),
    );
    assert_eq!(response.status, 502);
    let mut rest = Vec::new();
    assert_eq!(
        reader.read_to_end(&mut rest).unwrap(),
        0,
        "connection is closed"
    );
    assert_eq!(server.connection_count(), 0);
}
