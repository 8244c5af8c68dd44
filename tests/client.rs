//! `ZulipClient` options through the C ABI: TLS trust, proxies, timeouts, User-Agent, plain
//! HTTP, connection reuse and cancellation.

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{closed_port, Options, Outcome};
use socket2::{Domain, Socket, Type};
use zulip_auth::ffi::ZulipStatus::{self, *};
use zulip_test_server::{CertVariant, TestServer};

fn server() -> TestServer {
    TestServer::start().expect("the test server starts")
}

fn assert_status(outcome: &Outcome, status: ZulipStatus) {
    assert_eq!(outcome.status, status, "unexpected outcome: {outcome:#?}");
}

fn message(outcome: &Outcome) -> String {
    outcome.message.clone().unwrap_or_default()
}

#[test]
fn private_ca_is_trusted_when_added() {
    let server = server();
    let without = Options::new().build().fetch(&server.https_url(), "iago@zulip.com", "abcd1234");
    assert_status(&without, ZULIP_ERROR_TLS_CERTIFICATE);
    assert!(message(&without).contains("add_root_certificates_pem"), "{}", message(&without));

    let with = Options::new().root_pem(&server.ca_pem()).build().fetch(&server.https_url(), "iago@zulip.com", "abcd1234");
    assert_status(&with, ZULIP_OK);
}

#[test]
fn only_added_roots() {
    let server = server();
    let pinned = Options::new().root_pem(&server.ca_pem()).only_added_roots().build();
    assert_status(&pinned.fetch(&server.https_url(), "iago@zulip.com", "abcd1234"), ZULIP_OK);

    let other = Options::new().root_pem(&server.other_ca_pem()).only_added_roots().build();
    assert_status(&other.fetch(&server.https_url(), "iago@zulip.com", "abcd1234"), ZULIP_ERROR_TLS_CERTIFICATE);
}

#[test]
fn only_added_roots_without_roots_fails() {
    let Err((status, message)) = Options::new().only_added_roots().try_build() else {
        panic!("a client that trusts no root was created");
    };
    assert_eq!(status, ZULIP_ERROR_INVALID_ARGUMENT);
    assert!(message.contains("at least one root certificate"), "{message}");
}

#[test]
fn certificate_problems_are_named() {
    let server = server();
    let client = Options::new().root_pem(&server.ca_pem()).build();
    let cases = [
        (CertVariant::Expired, "expired"),
        (CertVariant::WrongHostName, "different host name"),
        (CertVariant::MissingIntermediate, "intermediate certificates"),
        (CertVariant::SelfSigned, "self-signed"),
    ];
    for (variant, phrase) in cases {
        let outcome = client.fetch(&server.https_url_for(variant), "iago@zulip.com", "abcd1234");
        assert_status(&outcome, ZULIP_ERROR_TLS_CERTIFICATE);
        assert!(message(&outcome).contains(phrase), "{variant:?}: {}", message(&outcome));
        assert_eq!(outcome.http_status, 0, "{variant:?} sent no HTTP response");
    }
    assert!(server.requests().is_empty(), "no request is sent over a rejected connection");
}

#[test]
fn non_tls_answer_is_tls_error() {
    // A plain HTTP server on the port answers the TLS ClientHello with an HTTP error.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let plain_server = std::thread::spawn(move || {
        use std::io::Write;
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let outcome = Options::new().build().fetch(&format!("https://127.0.0.1:{port}"), "iago@zulip.com", "abcd1234");
    plain_server.join().unwrap();
    assert_status(&outcome, ZULIP_ERROR_TLS);
    assert!(message(&outcome).contains("serves HTTPS"), "{}", message(&outcome));
}

#[test]
fn invalid_root_pem_is_rejected() {
    let options = Options::new();
    let pem = std::ffi::CString::new("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    let status = zulip_auth::ffi::zulip_client_options_add_root_certificates_pem(options.raw(), pem.as_ptr());
    assert_eq!(status, ZULIP_ERROR_INVALID_ARGUMENT);
    assert!(options.last_error().unwrap().contains("cannot"), "{:?}", options.last_error());
    let ok = zulip_auth::ffi::zulip_client_options_set_timeout_ms(options.raw(), 1000);
    assert_eq!(ok, ZULIP_OK);
    assert_eq!(options.last_error(), None, "a successful setter clears the last error");
}

#[test]
fn setters_reject_null_options() {
    assert_eq!(zulip_auth::ffi::zulip_client_options_set_timeout_ms(std::ptr::null_mut(), 1), ZULIP_ERROR_INVALID_ARGUMENT);
    assert_eq!(zulip_auth::ffi::zulip_client_options_set_no_proxy(std::ptr::null_mut()), ZULIP_ERROR_INVALID_ARGUMENT);
    assert!(zulip_auth::ffi::zulip_client_options_last_error(std::ptr::null()).is_null());
}

#[test]
fn proxy_carries_the_login() {
    let server = server();
    let client = Options::new().proxy(&server.proxy_url()).root_pem(&server.ca_pem()).build();
    for url in [server.http_url(), server.https_url()] {
        let outcome = client.fetch(&url, "iago@zulip.com", "abcd1234");
        assert_status(&outcome, ZULIP_OK);
    }
    assert!(server.proxy_tunnel_count() + server.proxy_forward_count() >= 2, "the proxy carried both logins");
}

#[test]
fn broken_proxy_is_proxy_error() {
    let server = server();
    let broken = Options::new().proxy(&server.broken_proxy_url()).build().fetch(&server.http_url(), "iago@zulip.com", "abcd1234");
    assert_status(&broken, ZULIP_ERROR_PROXY);

    let unreachable = format!("http://127.0.0.1:{}", closed_port());
    let outcome = Options::new().proxy(&unreachable).build().fetch(&server.http_url(), "iago@zulip.com", "abcd1234");
    assert_status(&outcome, ZULIP_ERROR_PROXY);
    assert!(message(&outcome).contains("proxy"), "{}", message(&outcome));
    assert!(server.requests().is_empty());

    let with_credentials = format!("http://user:hunter2@127.0.0.1:{}", closed_port());
    let outcome = Options::new().proxy(&with_credentials).build().fetch(&server.http_url(), "iago@zulip.com", "abcd1234");
    assert_status(&outcome, ZULIP_ERROR_PROXY);
    assert!(!message(&outcome).contains("hunter2"), "{}", message(&outcome));
}

#[test]
fn proxy_url_is_validated() {
    let options = Options::new();
    let url = std::ffi::CString::new("ftp://user:hunter2@proxy.example.com").unwrap();
    let status = zulip_auth::ffi::zulip_client_options_set_proxy_url(options.raw(), url.as_ptr());
    assert_eq!(status, ZULIP_ERROR_INVALID_ARGUMENT);
    let error = options.last_error().unwrap();
    assert!(!error.contains("hunter2"), "the proxy password is not shown: {error}");
}

#[test]
fn user_agent_override_is_sent() {
    let server = server();
    let client = Options::new().user_agent("ZulipMobile/27.1 (iOS 17.4)").build();
    assert_status(&client.fetch(&server.http_url(), "iago@zulip.com", "abcd1234"), ZULIP_OK);
    assert_eq!(server.requests()[0].header("user-agent"), Some("ZulipMobile/27.1 (iOS 17.4)"));
}

#[test]
fn overall_timeout_covers_slow_body() {
    let server = server();
    let client = Options::new().timeout_ms(1500).build();
    let started = Instant::now();
    let outcome = client.fetch(&server.http_url(), "slow-body@scenario.test", "x");
    assert_status(&outcome, ZULIP_ERROR_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert!(message(&outcome).contains("overall timeout of 1500 ms"), "{}", message(&outcome));
}

/// Returns a loopback listener whose accept queue is full, so a new connect hangs.
fn unresponsive_listener() -> (Socket, Vec<TcpStream>) {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    socket.listen(0).unwrap();
    let address = socket.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => break,
        }
    }
    (socket, fillers)
}

#[test]
fn connect_timeout_applies() {
    let (socket, _fillers) = unresponsive_listener();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    let client = Options::new().connect_timeout_ms(300).timeout_ms(20_000).build();
    let started = Instant::now();
    let outcome = client.fetch(&format!("http://127.0.0.1:{port}"), "iago@zulip.com", "abcd1234");
    assert_status(&outcome, ZULIP_ERROR_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(message(&outcome).contains("connect timeout of 300 ms"), "{}", message(&outcome));
}

#[test]
fn insecure_http_needs_opt_in() {
    let server = server();
    let refused = Options::new().proxy(&server.proxy_url()).build().fetch("http://chat.zulip.test", "iago@zulip.com", "abcd1234");
    assert_status(&refused, ZULIP_ERROR_INSECURE_URL);
    assert!(message(&refused).contains("allow_insecure_http"), "{}", message(&refused));
    assert_eq!(server.proxy_tunnel_count() + server.proxy_forward_count(), 0, "nothing was sent");

    // With the option, the request goes out: the loopback-only test proxy then refuses the
    // remote target, which proves the library itself no longer blocked it.
    let allowed = Options::new().proxy(&server.proxy_url()).allow_insecure_http().build().fetch("http://chat.zulip.test", "iago@zulip.com", "abcd1234");
    assert_status(&allowed, ZULIP_ERROR_PROXY);
}

#[test]
fn client_reuses_connections() {
    let server = server();
    let client = Options::new().root_pem(&server.ca_pem()).build();
    for _ in 0..5 {
        assert_status(&client.fetch(&server.https_url(), "iago@zulip.com", "abcd1234"), ZULIP_OK);
        assert_status(&client.fetch(&server.https_url(), "deactivated@scenario.test", "x"), ZULIP_ERROR_USER_DEACTIVATED);
    }
    assert_eq!(server.connection_count(), 1, "ten calls share one connection");
}

#[test]
fn cancel_interrupts_stalled_response() {
    let server = server();
    let client = Options::new().build();
    let token = common::Token::new();
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            token.cancel();
        });
        client.fetch_cancellable(&server.http_url(), "stall-body@scenario.test", "x", Some(&token))
    });
    assert_status(&outcome, ZULIP_ERROR_CANCELLED);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert!(token.is_cancelled());
}

#[test]
fn cancel_interrupts_pending_connect() {
    let (socket, _fillers) = unresponsive_listener();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    let client = Options::new().build();
    let token = common::Token::new();
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            token.cancel();
        });
        client.fetch_cancellable(&format!("http://127.0.0.1:{port}"), "iago@zulip.com", "abcd1234", Some(&token))
    });
    assert_status(&outcome, ZULIP_ERROR_CANCELLED);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

#[test]
fn cancelled_token_sends_nothing() {
    let server = server();
    let token = common::Token::new();
    token.cancel();
    let outcome = Options::new().build().fetch_cancellable(&server.http_url(), "iago@zulip.com", "abcd1234", Some(&token));
    assert_status(&outcome, ZULIP_ERROR_CANCELLED);
    assert_eq!(server.connection_count(), 0);
}

#[test]
fn cancel_on_pooled_connection() {
    let server = server();
    let client = Options::new().build();
    assert_status(&client.fetch(&server.http_url(), "iago@zulip.com", "abcd1234"), ZULIP_OK);
    let token = common::Token::new();
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(200));
            token.cancel();
        });
        client.fetch_cancellable(&server.http_url(), "stall@scenario.test", "x", Some(&token))
    });
    assert_status(&outcome, ZULIP_ERROR_CANCELLED);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(server.connection_count(), 1, "the stalled call reused the pooled connection");
    assert_status(&client.fetch(&server.http_url(), "iago@zulip.com", "abcd1234"), ZULIP_OK);
}
