//! Hostile servers through the C ABI. The test server sends a body that never ends, headers
//! without their body, a gigantic header, invalid UTF-8, deeply nested JSON, a body at one byte
//! per second, or half a body followed by a connection reset. Each call must end in a clear
//! status within the client's overall timeout, over plain HTTP and over HTTPS, and leave the
//! client usable.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Options, Outcome};
use zulip_auth::ffi::ZulipStatus::{self, *};
use zulip_test_server::TestServer;

/// The overall timeout of the clients under test.
const TIMEOUT_MS: u64 = 3_000;

/// Time allowed on top of the timeout for a loaded machine to schedule the call's threads.
const SCHEDULING_SLACK: Duration = Duration::from_secs(2);

/// Set in the environment of the child process that measures memory; see
/// `endless_body_memory_is_bounded`.
const MEMORY_CHILD_VARIABLE: &str = "ZULIP_AUTH_HOSTILE_MEMORY_CHILD";

/// The largest peak RSS growth accepted while reading endless bodies. The body limit is 1 MiB,
/// and reading into a growing buffer may briefly hold two copies of it.
const MAX_RSS_GROWTH_KIB: u64 = 8 * 1024;

/// A plain HTTP and an HTTPS client of the same test server, both with [`TIMEOUT_MS`].
struct Setup {
    server: TestServer,
    client: Client,
}

impl Setup {
    fn new() -> Setup {
        let server = TestServer::start().expect("the test server starts");
        let client = Options::new().timeout_ms(TIMEOUT_MS).connect_timeout_ms(TIMEOUT_MS).root_pem(&server.ca_pem()).build();
        Setup { server, client }
    }

    fn urls(&self) -> [String; 2] {
        [self.server.http_url(), self.server.https_url()]
    }

    /// Logs in as `SCENARIO@scenario.test` at `url` and returns the outcome and how long it took.
    fn run(&self, url: &str, scenario: &str) -> (Outcome, Duration) {
        let started = Instant::now();
        let outcome = self.client.fetch(url, &format!("{scenario}@scenario.test"), "abcd1234");
        (outcome, started.elapsed())
    }

    /// Checks that a normal login on the same client still succeeds.
    fn assert_still_usable(&self, url: &str, after: &str) {
        let outcome = self.client.fetch(url, "iago@zulip.com", "abcd1234");
        assert_eq!(outcome.status, ZULIP_OK, "a login at {url} after {after} failed: {outcome:#?}");
    }
}

/// Runs `scenario` over HTTP and HTTPS and checks the status, the HTTP status, the time taken
/// and that the message contains `phrase`.
fn check_scenario(scenario: &str, status: ZulipStatus, http_status: u16, phrase: &str) {
    let setup = Setup::new();
    for url in setup.urls() {
        let (outcome, elapsed) = setup.run(&url, scenario);
        assert_eq!(outcome.status, status, "{scenario} at {url}: {outcome:#?}");
        assert_eq!(outcome.http_status, http_status, "HTTP status of {scenario} at {url}");
        let message = outcome.message.unwrap_or_default();
        assert!(message.contains(phrase), "{scenario} at {url}: the message lacks '{phrase}': {message}");
        assert!(!message.contains("abcd1234"), "{scenario} at {url}: the message contains the password");
        let limit = Duration::from_millis(TIMEOUT_MS) + SCHEDULING_SLACK;
        assert!(elapsed < limit, "{scenario} at {url} took {elapsed:?}, over {limit:?}");
        setup.assert_still_usable(&url, scenario);
    }
}

#[test]
fn endless_body_is_too_large() {
    check_scenario("endless", ZULIP_ERROR_RESPONSE_TOO_LARGE, 200, "larger than 1048576 bytes");
}

#[test]
fn headers_without_body_is_connect_error() {
    check_scenario("no-body", ZULIP_ERROR_CONNECT, 200, "closed before the response was complete");
}

#[test]
fn huge_header_is_too_large() {
    check_scenario("huge-header", ZULIP_ERROR_RESPONSE_TOO_LARGE, 0, "response headers");
}

#[test]
fn invalid_utf8_is_invalid_response() {
    check_scenario("invalid-utf8", ZULIP_ERROR_INVALID_RESPONSE, 200, "not Zulip JSON");
}

#[test]
fn deep_json_is_invalid_response() {
    check_scenario("deep-json", ZULIP_ERROR_INVALID_RESPONSE, 200, "not Zulip JSON");
}

#[test]
fn slow_body_times_out() {
    check_scenario("slow-body", ZULIP_ERROR_TIMEOUT, 200, &format!("overall timeout of {TIMEOUT_MS} ms"));
}

#[test]
fn reset_mid_body_is_connect_error() {
    check_scenario("reset-mid-body", ZULIP_ERROR_CONNECT, 200, "closed before the response was complete");
}

/// Several hostile calls at once on one client, so that a hang in one cannot hide behind the
/// others finishing: all end within one timeout.
#[test]
fn hostile_calls_in_parallel_end_in_time() {
    let setup = Setup::new();
    let scenarios = ["endless", "no-body", "huge-header", "invalid-utf8", "deep-json", "slow-body", "reset-mid-body"];
    let started = Instant::now();
    std::thread::scope(|scope| {
        for url in setup.urls() {
            for scenario in scenarios {
                let setup = &setup;
                let url = url.clone();
                scope.spawn(move || {
                    let (outcome, _) = setup.run(&url, scenario);
                    assert_ne!(outcome.status, ZULIP_OK, "{scenario} at {url} succeeded");
                    assert_ne!(outcome.status, ZULIP_ERROR_INTERNAL, "{scenario} at {url}: {outcome:#?}");
                });
            }
        }
    });
    let limit = Duration::from_millis(TIMEOUT_MS) + SCHEDULING_SLACK;
    assert!(started.elapsed() < limit, "14 hostile calls took {:?}, over {limit:?}", started.elapsed());
}

/// Reads a `/proc/self/status` field in KiB, such as `VmRSS` or `VmHWM`.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable");
    let line = status.lines().find(|line| line.starts_with(&format!("{field}:"))).unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    line.split_whitespace().nth(1).and_then(|value| value.parse().ok()).unwrap_or_else(|| panic!("unreadable line: {line}"))
}

/// Measures in a child process of its own, where no other test allocates at the same time: the
/// child runs `endless_memory_child` alone.
#[test]
fn endless_body_memory_is_bounded() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "endless_memory_child", "--nocapture", "--test-threads=1"])
        .env(MEMORY_CHILD_VARIABLE, "1")
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the memory check failed:\n{stdout}\n{stderr}");
    let reports: Vec<&str> = stdout.lines().filter(|line| line.contains("peak RSS growth")).collect();
    assert_eq!(reports.len(), 2, "the child printed no measurement:\n{stdout}");
    for report in reports {
        println!("{report}");
    }
}

/// The measurement of `endless_body_memory_is_bounded`; does nothing unless run by it.
#[test]
fn endless_memory_child() {
    if std::env::var_os(MEMORY_CHILD_VARIABLE).is_none() {
        return;
    }
    let setup = Setup::new();
    for url in setup.urls() {
        setup.assert_still_usable(&url, "start-up");
    }

    // The first endless body on each transport: the buffers grow from nothing.
    let growth = measure_peak_growth(|| {
        for url in setup.urls() {
            let (outcome, _) = setup.run(&url, "endless");
            assert_eq!(outcome.status, ZULIP_ERROR_RESPONSE_TOO_LARGE, "{outcome:#?}");
        }
    });
    println!("peak RSS growth over the first 2 endless bodies (HTTP, HTTPS): {growth} KiB");
    assert!(growth <= MAX_RSS_GROWTH_KIB, "peak RSS grew by {growth} KiB, over {MAX_RSS_GROWTH_KIB} KiB");

    // Repeated endless bodies must not add up.
    const ROUNDS: usize = 5;
    let growth = measure_peak_growth(|| {
        for _ in 0..ROUNDS {
            for url in setup.urls() {
                let (outcome, _) = setup.run(&url, "endless");
                assert_eq!(outcome.status, ZULIP_ERROR_RESPONSE_TOO_LARGE, "{outcome:#?}");
            }
        }
    });
    println!("peak RSS growth over {} more endless bodies: {growth} KiB", 2 * ROUNDS);
    assert!(growth <= MAX_RSS_GROWTH_KIB, "peak RSS grew by {growth} KiB, over {MAX_RSS_GROWTH_KIB} KiB");
}

/// Returns by how many KiB the peak resident set size during `work` exceeds the size before it.
fn measure_peak_growth(work: impl FnOnce()) -> u64 {
    let before = status_kib("VmRSS");
    // Writing 5 resets VmHWM, the peak resident set size, to the current size (Linux 4.0+).
    std::fs::write("/proc/self/clear_refs", "5").expect("/proc/self/clear_refs is writable");
    work();
    status_kib("VmHWM").saturating_sub(before)
}
