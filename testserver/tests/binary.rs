//! The standalone binary: the `--info-out` file, the CA file, logging and exit on stdin EOF.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use zulip_test_server::users;

fn unique_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir =
        std::env::temp_dir().join(format!("zulip-test-server-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wait_for_file(path: &Path, child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early with {status}");
        }
        assert!(Instant::now() < deadline, "no info file after 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("server did not exit within 10 s of stdin EOF");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn binary_writes_info_and_exits_on_eof() {
    let dir = unique_dir();
    let info_path = dir.join("info.json");
    let ca_path = dir.join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zulip-test-server"))
        .arg("--info-out")
        .arg(&info_path)
        .arg("--ca-out")
        .arg(&ca_path)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let info: serde_json::Value =
        serde_json::from_str(&wait_for_file(&info_path, &mut child)).unwrap();
    for key in [
        "http_url",
        "https_url",
        "https_url_valid",
        "https_url_missing_intermediate",
        "https_url_expired",
        "https_url_wrong_host_name",
        "https_url_self_signed",
        "proxy_url",
        "broken_proxy_url",
    ] {
        assert!(info[key].is_string(), "{key} missing from {info}");
    }
    assert_eq!(info["https_url"], info["https_url_valid"]);
    for key in [
        "modern",
        "pre9",
        "ldap_only",
        "password_disabled",
        "no_organization",
        "unknown_subdomain",
        "redirecting",
        "production_no_dev",
        "no_dev_backend",
    ] {
        assert!(
            info["realm_urls"][key].is_string(),
            "realm_urls.{key} missing from {info}"
        );
    }
    assert_eq!(info["realm_urls"]["modern"], info["http_url"]);
    assert_eq!(info["ca_path"], ca_path.to_str().unwrap());
    let ca_pem = std::fs::read_to_string(&ca_path).unwrap();
    assert_eq!(info["ca_pem"], ca_pem.as_str());

    // The listeners accept connections as soon as the file exists.
    let http_url = info["http_url"].as_str().unwrap();
    let response = login(http_url, users::IAGO_EMAIL, users::IAGO_PASSWORD);
    assert_eq!(response.status, 200);
    let pre9_url = info["realm_urls"]["pre9"].as_str().unwrap();
    let settings = exchange(
        pre9_url,
        b"GET /api/v1/server_settings HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(settings.json()["zulip_feature_level"], 200);
    let https_url = info["https_url"].as_str().unwrap();
    connect_tls(https_url, client_config(&[&ca_pem])).expect("HTTPS with the written CA");

    drop(child.stdin.take());
    let status = wait_for_exit(&mut child);
    assert!(status.success(), "{status}");
    assert!(!info_path.exists(), "info file is removed on exit");

    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stdout.contains(http_url), "{stdout}");
    assert!(
        stderr.contains("http POST /api/v1/fetch_api_key -> 200"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(users::IAGO_PASSWORD),
        "password in log: {stderr}"
    );
    assert!(
        !stderr.contains(users::IAGO_API_KEY),
        "API key in log: {stderr}"
    );

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn binary_rejects_bad_port() {
    let output = Command::new(env!("CARGO_BIN_EXE_zulip-test-server"))
        .args(["--http-port", "seventy"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid value for --http-port: 'seventy'"),
        "{stderr}"
    );
}
