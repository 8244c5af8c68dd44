//! Builds the C test programs in `tests/c/` with the system C compiler against the committed
//! header, links each to the shared and to the static library, and runs them under valgrind
//! memcheck against the loopback test server. Any memory error or leak fails the test.
//!
//! The libraries come from `cargo build`, which `scripts/test.sh` runs before `cargo test`.

mod artifacts;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use artifacts::{built_library, manifest_dir, profile_dir};
use zulip_test_server::TestServer;

const SECRETS: &[&str] = &["abcd1234", "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv", "C-Test-Secret-Password"];

#[derive(Clone, Copy, Debug)]
enum Linking {
    Dynamic,
    Static,
}

/// Compiles `tests/c/<source>`, or `examples/<name>` when `source` starts with `examples/`,
/// once per test run: tests run in parallel and must not overwrite a program another test runs.
fn compile(source: &str, linking: Linking) -> PathBuf {
    static COMPILED: Mutex<Vec<(String, String, PathBuf)>> = Mutex::new(Vec::new());
    let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = (source.to_owned(), format!("{linking:?}"));
    if let Some((_, _, path)) = compiled.iter().find(|(s, l, _)| (s, l) == (&key.0, &key.1)) {
        return path.clone();
    }
    let path = compile_uncached(source, linking);
    compiled.push((key.0, key.1, path.clone()));
    path
}

fn compile_uncached(source: &str, linking: Linking) -> PathBuf {
    let out_dir = profile_dir().join("c-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let stem = source.trim_start_matches("examples/").trim_end_matches(".c");
    let source_path = if source.starts_with("examples/") { manifest_dir().join(source) } else { manifest_dir().join("tests/c").join(source) };
    let output = out_dir.join(format!("{stem}-{linking:?}").to_lowercase());
    let mut command = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    command
        .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread"])
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg(&source_path)
        .arg("-o")
        .arg(&output);
    match linking {
        Linking::Dynamic => {
            built_library("libzulip_auth.so");
            let dir = profile_dir();
            command.arg(format!("-L{}", dir.display())).arg("-lzulip_auth").arg(format!("-Wl,-rpath,{}", dir.display()));
        }
        Linking::Static => {
            command.arg(built_library("libzulip_auth.a")).args(["-lpthread", "-ldl", "-lm"]);
        }
    }
    let result = command.output().expect("the C compiler `cc` runs; install gcc or clang");
    assert!(result.status.success(), "compiling {source} failed:\n{}", String::from_utf8_lossy(&result.stderr));
    output
}

/// Runs `program` under valgrind memcheck and returns its standard output.
fn run_under_valgrind(program: &Path, args: &[String]) -> String {
    let result = Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect,possible",
            "--errors-for-leak-kinds=definite,indirect,possible",
            "--num-callers=60",
        ])
        .arg(format!("--suppressions={}", manifest_dir().join("tests/c/valgrind.supp").display()))
        .arg(program)
        .args(args)
        .output()
        .expect("valgrind runs; install it (apt-get install valgrind)");
    let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(
        result.status.success(),
        "{} failed with {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        program.display(),
        result.status.code()
    );
    assert!(stdout.lines().any(|line| line.ends_with(" passed, 0 failed")), "no closing line from {}:\n{stdout}", program.display());
    for secret in SECRETS {
        assert!(!stdout.contains(secret), "{} printed a secret on standard output", program.display());
        assert!(!stderr.contains(secret), "{} printed a secret on standard error", program.display());
    }
    stdout
}

fn run_program(source: &str, linking: Linking, args: impl Fn(&TestServer, &Path) -> Vec<String>) {
    let server = TestServer::start().unwrap();
    // One CA file per server: tests run in parallel and each server has its own CA.
    let ca_path = profile_dir().join("c-tests").join(format!("ca-{}-{}-{linking:?}.pem", std::process::id(), source));
    std::fs::create_dir_all(ca_path.parent().unwrap()).unwrap();
    server.write_ca_pem(&ca_path).unwrap();
    let program = compile(source, linking);
    run_under_valgrind(&program, &args(&server, &ca_path));
}

fn login_args(server: &TestServer, ca_path: &Path) -> Vec<String> {
    vec![server.http_url(), server.https_url(), ca_path.display().to_string()]
}

fn http_url_arg(server: &TestServer, _: &Path) -> Vec<String> {
    vec![server.http_url()]
}

#[test]
fn login_test_dynamic() {
    run_program("login_test.c", Linking::Dynamic, login_args);
}

#[test]
fn login_test_static() {
    run_program("login_test.c", Linking::Static, login_args);
}

#[test]
fn cancel_test_dynamic() {
    run_program("cancel_test.c", Linking::Dynamic, http_url_arg);
}

#[test]
fn cancel_test_static() {
    run_program("cancel_test.c", Linking::Static, http_url_arg);
}

#[test]
fn threads_test_dynamic() {
    run_program("threads_test.c", Linking::Dynamic, http_url_arg);
}

#[test]
fn threads_test_static() {
    run_program("threads_test.c", Linking::Static, http_url_arg);
}

/// Runs the example program with the password in `ZULIP_PASSWORD` and any extra environment.
fn run_example(program: &Path, server_url: &str, username: &str, environment: &[(&str, String)]) -> (i32, String, String) {
    let mut command = Command::new(program);
    command.args([server_url, username]).env("ZULIP_PASSWORD", "abcd1234");
    for variable in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
        command.env_remove(variable);
    }
    for (name, value) in environment {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stdout.contains("abcd1234"), "the example printed the password");
    assert!(!stderr.contains("abcd1234"), "the example printed the password");
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn example_exit_codes_per_failure_family() {
    let server = TestServer::start().unwrap();
    let program = compile("examples/fetch_api_key.c", Linking::Dynamic);
    let refused = format!("http://127.0.0.1:{}", std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port());
    let cases = [
        (server.http_url(), "iago@zulip.com", 0),
        (server.http_url(), "nobody@zulip.com", 6),
        (server.http_url(), "rate-limited@scenario.test", 7),
        (server.http_url(), "html-502@scenario.test", 5),
        (server.http_url(), "new-code@scenario.test", 8),
        ("zulip:foo".to_owned(), "iago@zulip.com", 3),
        (refused, "iago@zulip.com", 4),
    ];
    for (url, username, expected) in cases {
        let (code, stdout, stderr) = run_example(&program, &url, username, &[]);
        assert_eq!(code, expected, "{username} at {url}:\n{stdout}{stderr}");
    }
    let (_, stdout, _) = run_example(&program, &server.http_url(), "iago@zulip.com", &[]);
    assert!(stdout.contains("API key: gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv"), "{stdout}");
    let (_, _, stderr) = run_example(&program, &server.http_url(), "rate-limited@scenario.test", &[]);
    assert!(stderr.contains("retry after: 2500 ms"), "{stderr}");
}

#[test]
fn example_reads_password_from_stdin() {
    use std::io::Write;
    let server = TestServer::start().unwrap();
    let program = compile("examples/fetch_api_key.c", Linking::Dynamic);
    let mut child = Command::new(&program)
        .args([server.http_url().as_str(), "iago@zulip.com"])
        .env_remove("ZULIP_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"abcd1234\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn default_client_uses_proxy_from_environment() {
    let server = TestServer::start().unwrap();
    let program = compile("examples/fetch_api_key.c", Linking::Dynamic);
    let (code, stdout, stderr) = run_example(&program, &server.http_url(), "iago@zulip.com", &[("HTTP_PROXY", server.proxy_url())]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(server.proxy_tunnel_count() + server.proxy_forward_count(), 1, "the login went through the proxy");

    let (code, stdout, stderr) = run_example(&program, &server.http_url(), "iago@zulip.com", &[("HTTP_PROXY", server.broken_proxy_url())]);
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(stderr.contains("ZULIP_ERROR_PROXY"), "{stderr}");
}

/// Runs the example in a network namespace of its own, where no name server can be reached,
/// so the lookup fails on this machine without any packet leaving it.
#[test]
fn unresolvable_host_is_dns_error() {
    let program = compile("examples/fetch_api_key.c", Linking::Dynamic);
    let output = Command::new("unshare")
        .args(["--net", "--map-root-user"])
        .arg(&program)
        .args(["https://chat.zulip-auth-test.invalid", "iago@zulip.com"])
        .env("ZULIP_PASSWORD", "abcd1234")
        .output()
        .expect("unshare runs (util-linux)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("ZULIP_ERROR_DNS"), "{stderr}");
    assert!(stderr.contains("'chat.zulip-auth-test.invalid'"), "{stderr}");
}

/// Runs `examples/login.c` under valgrind with `input` on standard input, and returns its
/// exit code, standard output and standard error.
fn run_login_example(args: &[String], input: impl FnOnce(&mut std::process::ChildStdin, &mut std::io::BufReader<std::process::ChildStdout>)) -> (i32, String, String) {
    use std::io::Read;
    use std::process::Stdio;
    let program = compile("examples/login.c", Linking::Dynamic);
    let mut child = Command::new("valgrind")
        .args(["--quiet", "--error-exitcode=99", "--leak-check=full", "--show-leak-kinds=definite,indirect,possible"])
        .args(["--errors-for-leak-kinds=definite,indirect,possible", "--num-callers=60"])
        .arg(format!("--suppressions={}", manifest_dir().join("tests/c/valgrind.supp").display()))
        .arg(&program)
        .args(args)
        .env("ZULIP_PASSWORD", "abcd1234")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    input(&mut stdin, &mut stdout);
    drop(stdin);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.code().unwrap_or(-1), rest, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn login_example_password_flow() {
    let server = TestServer::start().unwrap();
    let typed = server.realm_url(zulip_test_server::Realm::Redirecting);
    let (code, stdout, stderr) = run_login_example(&[typed, "iago@zulip.com".to_owned()], |_, _| {});
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(&format!("organization: Zulip Dev at {}", server.http_url())), "{stdout}");
    assert!(stdout.contains("password:     yes, with an email address"), "{stdout}");
    let login = server.requests().into_iter().find(|request| request.path == "/api/v1/fetch_api_key").unwrap();
    assert_eq!(login.listener, "http", "the password went to the reported realm, not the typed address");
}

#[test]
fn login_example_sso_flow() {
    use std::io::{BufRead, Write};
    let server = TestServer::start().unwrap();
    let (code, stdout, stderr) = run_login_example(&[server.http_url(), "--sso".to_owned(), "saml:okta".to_owned()], |stdin, stdout| {
        let mut line = String::new();
        while !line.starts_with("open in a browser: ") {
            line.clear();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "the example printed no browser URL");
        }
        let browser_url = line.trim().trim_start_matches("open in a browser: ").to_owned();
        let callback = browser_location(&browser_url);
        writeln!(stdin, "{callback}").unwrap();
    });
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("user id:      5"), "{stdout}");
}

/// Sends `GET url` as a browser would and returns the `Location` of the redirect.
fn browser_location(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .lines()
        .find_map(|line| line.strip_prefix("Location: ").or_else(|| line.strip_prefix("location: ")))
        .expect("the server redirects")
        .trim()
        .to_owned()
}
