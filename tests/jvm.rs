//! Runs the Kotlin binding in `bindings/kotlin/` on a real JVM against the loopback test server.
//!
//! The Kotlin sources and the test programs in `tests/jvm/` are compiled with `kotlinc` and
//! `javac`, and run with `java -Djava.library.path=target/<profile>`, so the JVM loads the
//! `libzulip_auth.so` that `cargo build --features zulip-auth/jni` made (`scripts/test.sh`
//! builds it before `cargo test`). `-Xcheck:jni` makes the JVM check every JNI call the library
//! makes; any warning it prints fails the test.

mod artifacts;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use artifacts::{built_library, manifest_dir, profile_dir};
use zulip_test_server::{CertVariant, Realm, TestServer};

const SECRETS: &[&str] = &["abcd1234", "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv"];

/// The user agent that `tests/jvm/ZulipAuthJvmTest.kt` sets in one test.
const TEST_USER_AGENT: &str = "ZulipJvmTest/1.0 (Linux)";

/// An exported JNI function, present only when the library was built with the `jni` feature.
const JNI_SYMBOL: &[u8] = b"Java_org_zulip_auth_Native_clientNew";

/// Checks that `libzulip_auth.so` exists, is newer than its sources and exports the JNI
/// functions.
fn check_jni_library() {
    let path = built_library("libzulip_auth.so");
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.windows(JNI_SYMBOL.len()).any(|window| window == JNI_SYMBOL),
        "{} has no JNI functions; build it with `cargo build --features zulip-auth/jni` (scripts/test.sh does)",
        path.display()
    );
}

/// Lists the `.kt` files under `dir`, sorted.
fn kotlin_sources(dir: &Path) -> Vec<PathBuf> {
    let mut sources = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "kt") {
                sources.push(path);
            }
        }
    }
    sources.sort();
    sources
}

fn run_compiler(command: &mut Command, compiler: &str) {
    let output = command.output().unwrap_or_else(|error| panic!("{compiler} did not start ({error}); install it (apt-get install kotlin openjdk-17-jdk-headless)"));
    assert!(
        output.status.success(),
        "{compiler} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The compiled test programs.
struct Programs {
    /// The Kotlin library, `ZulipAuthJvmTest.kt` and the Kotlin runtime.
    jar: PathBuf,
    /// The compiled `JavaCallerTest.java`.
    java_classes: PathBuf,
}

/// Compiles the Kotlin library with the test programs, once per test run, so that tests
/// running in parallel share one build.
fn programs() -> &'static Programs {
    static PROGRAMS: OnceLock<Programs> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let out_dir = profile_dir().join("jvm-tests");
        std::fs::create_dir_all(&out_dir).unwrap();
        let jar = out_dir.join("zulip-auth-jvm-test.jar");
        let java_classes = out_dir.join("java");

        // -Werror keeps the sources free of warnings under the oldest Kotlin supported (1.3).
        run_compiler(
            Command::new("kotlinc")
                .arg("-Werror")
                .args(kotlin_sources(&manifest_dir().join("bindings/kotlin/src/main/kotlin")))
                .arg(manifest_dir().join("tests/jvm/ZulipAuthJvmTest.kt"))
                .arg("-include-runtime")
                .arg("-d")
                .arg(&jar),
            "kotlinc",
        );
        run_compiler(
            Command::new("javac")
                .args(["-Werror", "-Xlint:all"])
                .arg("-cp")
                .arg(&jar)
                .arg("-d")
                .arg(&java_classes)
                .arg(manifest_dir().join("tests/jvm/JavaCallerTest.java")),
            "javac",
        );
        Programs { jar, java_classes }
    })
}

/// Returns the arguments of `java` that enable JNI checks, set the library path and name the
/// program.
fn java_arguments(classpath: &str, main_class: &str) -> Vec<String> {
    vec![
        "-Xcheck:jni".to_owned(),
        format!("-Djava.library.path={}", profile_dir().display()),
        "-cp".to_owned(),
        classpath.to_owned(),
        main_class.to_owned(),
    ]
}

/// Builds `program` with the proxy environment variables removed, so that only the options
/// a test sets choose the proxy.
fn without_proxy_environment(program: &str) -> Command {
    let mut command = Command::new(program);
    for variable in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
        command.env_remove(variable);
    }
    command
}

fn java(classpath: &str, main_class: &str) -> Command {
    let mut command = without_proxy_environment("java");
    command.args(java_arguments(classpath, main_class));
    command
}

/// Checks a test program's exit status, closing line, JNI warnings and secrets, and returns
/// its standard output.
fn check_run(output: Output, program: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{program} failed with {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}", output.status.code());
    let closing = stdout.lines().last().unwrap_or("");
    assert!(closing.ends_with(" passed, 0 failed"), "{program} printed no closing line:\n{stdout}");
    assert!(!closing.starts_with("0 passed"), "{program} ran no checks:\n{stdout}");
    // -Xcheck:jni prints these for JNI misuse, such as a call made with an exception pending
    // ("WARNING in native method: ...") or too many local references ("WARNING: JNI local refs").
    for marker in ["WARNING in native method", "WARNING: JNI"] {
        assert!(!stderr.contains(marker), "{program} misused JNI:\n{stderr}");
        assert!(!stdout.contains(marker), "{program} misused JNI:\n{stdout}");
    }
    for secret in SECRETS {
        assert!(!stdout.contains(secret), "{program} printed a secret on standard output");
        assert!(!stderr.contains(secret), "{program} printed a secret on standard error");
    }
    stdout
}

/// Returns an `http://127.0.0.1:PORT` URL where nothing listens.
fn refused_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

/// Writes the server's CA to a file of its own: tests run in parallel and each server has its
/// own CA.
fn write_ca(server: &TestServer, name: &str) -> PathBuf {
    let path = profile_dir().join("jvm-tests").join(format!("ca-{}-{name}.pem", std::process::id()));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    server.write_ca_pem(&path).unwrap();
    path
}

#[test]
fn kotlin_suite_against_test_server() {
    check_jni_library();
    let programs = programs();
    let server = TestServer::start().unwrap();
    let ca_path = write_ca(&server, "kotlin");

    let mut arguments = vec![
        "suite".to_owned(),
        format!("http={}", server.http_url()),
        format!("https={}", server.https_url()),
        format!("ca={}", ca_path.display()),
        format!("refused={}", refused_url()),
        format!("proxy={}", server.proxy_url()),
        format!("broken-proxy={}", server.broken_proxy_url()),
    ];
    arguments.extend(Realm::ALL.iter().map(|realm| format!("realm.{}={}", realm.key(), server.realm_url(*realm))));
    arguments.extend(CertVariant::ALL.iter().map(|variant| format!("tls.{}={}", variant.key(), server.https_url_for(*variant))));

    let output = java(programs.jar.to_str().unwrap(), "org.zulip.auth.jvmtest.ZulipAuthJvmTestKt").args(&arguments).output().unwrap();
    check_run(output, "ZulipAuthJvmTest.kt");

    let requests = server.requests();
    let user_agents: Vec<&str> = requests.iter().filter_map(|request| request.header("user-agent")).collect();
    assert!(user_agents.contains(&TEST_USER_AGENT), "no request carried the custom User-Agent: {user_agents:?}");
    assert!(user_agents.iter().any(|agent| agent.starts_with("zulip-auth/")), "no request carried the default User-Agent");
    let cancelled_before_start = requests
        .iter()
        .any(|request| request.form().iter().any(|(name, value)| name == "username" && value == "cancelled-before-start@scenario.test"));
    assert!(!cancelled_before_start, "a call with a cancelled token sent its request");
    assert!(server.proxy_tunnel_count() + server.proxy_forward_count() >= 1, "the login through the proxy did not use it");
}

#[test]
fn java_caller_against_test_server() {
    check_jni_library();
    let programs = programs();
    let server = TestServer::start().unwrap();
    let ca_path = write_ca(&server, "java");

    let classpath = format!("{}:{}", programs.java_classes.display(), programs.jar.display());
    let output = java(&classpath, "JavaCallerTest")
        .arg(server.http_url())
        .arg(server.https_url())
        .arg(&ca_path)
        .output()
        .unwrap();
    check_run(output, "JavaCallerTest.java");
}

/// Runs the DNS check in a network namespace of its own, where no name server can be reached,
/// so the lookup fails on this machine without any packet leaving it.
#[test]
fn unresolvable_host_is_network_exception() {
    check_jni_library();
    let programs = programs();
    let output = without_proxy_environment("unshare")
        .args(["--net", "--map-root-user", "java"])
        .args(java_arguments(programs.jar.to_str().unwrap(), "org.zulip.auth.jvmtest.ZulipAuthJvmTestKt"))
        .args(["dns", "url=https://chat.zulip-auth-test.invalid"])
        .output()
        .expect("unshare runs (util-linux)");
    check_run(output, "ZulipAuthJvmTest.kt dns");
}

/// Reads `NAME = NUMBER` pairs of the `ZulipStatus` enum in the C header, without the
/// `ZULIP_` or `ZULIP_ERROR_` prefix.
fn header_statuses() -> Vec<(String, i64)> {
    let header = std::fs::read_to_string(manifest_dir().join("include/zulip_auth.h")).unwrap();
    let body = header.split("enum ZulipStatus").nth(1).expect("the header declares enum ZulipStatus");
    let body = &body[body.find('{').unwrap() + 1..body.find("};").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|line| line.starts_with("ZULIP_"))
        .map(|line| {
            let (name, number) = line.trim_end_matches(',').split_once(" = ").expect("each status has an explicit number");
            let name = name.strip_prefix("ZULIP_ERROR_").or_else(|| name.strip_prefix("ZULIP_")).unwrap();
            (name.to_owned(), number.parse().unwrap())
        })
        .collect()
}

/// Reads `NAME(NUMBER)` entries of the Kotlin `ZulipStatus` enum.
fn kotlin_statuses() -> Vec<(String, i64)> {
    let source = std::fs::read_to_string(manifest_dir().join("bindings/kotlin/src/main/kotlin/org/zulip/auth/ZulipStatus.kt")).unwrap();
    let body = &source[source.find("enum class ZulipStatus").unwrap()..source.find("companion object").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|line| line.chars().next().is_some_and(|first| first.is_ascii_uppercase()) && line.contains('('))
        .map(|line| {
            let (name, rest) = line.split_once('(').unwrap();
            let number = rest.split_once(')').unwrap().0;
            (name.to_owned(), number.parse().unwrap())
        })
        .collect()
}

#[test]
fn kotlin_status_enum_matches_header() {
    let header = header_statuses();
    let kotlin = kotlin_statuses();
    assert!(header.len() > 20, "read only {} statuses from the header", header.len());
    assert_eq!(kotlin, header, "the Kotlin ZulipStatus enum (left) differs from the header's ZulipStatus (right); update bindings/kotlin/.../ZulipStatus.kt");
}
