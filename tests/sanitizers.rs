//! Builds the C test programs in `tests/c/` with clang's AddressSanitizer (with LeakSanitizer)
//! and UndefinedBehaviorSanitizer, links them to the debug shared library, and runs them against
//! the loopback test server. Any sanitizer report fails the test.
//!
//! The sanitizers check the C side and every allocation the library makes through malloc; the
//! Rust code itself is not instrumented. The library comes from `cargo build`, which
//! `scripts/test.sh` runs before `cargo test`. Needs clang and its runtime libraries
//! (Debian: `apt-get install clang libclang-rt-14-dev`, matching the clang version).

mod artifacts;

use std::path::{Path, PathBuf};
use std::process::Command;

use artifacts::{built_library, manifest_dir, profile_dir};
use zulip_test_server::TestServer;

/// Words that start every sanitizer report.
const REPORT_MARKERS: &[&str] = &["AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:"];

/// Checks that the shared library exists and is newer than its sources.
fn check_library() {
    built_library("libzulip_auth.so");
}

/// Compiles `tests/c/<source>` with the sanitizers and returns the program's path. Each test
/// compiles its own program, so no two tests write the same file.
fn compile(source: &str) -> PathBuf {
    check_library();
    let out_dir = profile_dir().join("sanitizer-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let output = out_dir.join(source.trim_end_matches(".c"));
    let library_dir = profile_dir();
    let result = Command::new(std::env::var("SANITIZER_CC").unwrap_or_else(|_| "clang".into()))
        .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread"])
        .args(["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"])
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg(manifest_dir().join("tests/c").join(source))
        .arg("-o")
        .arg(&output)
        .arg(format!("-L{}", library_dir.display()))
        .arg("-lzulip_auth")
        .arg(format!("-Wl,-rpath,{}", library_dir.display()))
        .output()
        .expect("clang runs; install it (Debian: apt-get install clang libclang-rt-14-dev)");
    assert!(
        result.status.success(),
        "compiling {source} with the sanitizers failed (the runtime libraries come with libclang-rt-<version>-dev):\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    output
}

/// Runs `program` with the sanitizers set to stop at the first report, and checks that it
/// passed and that nothing was reported.
fn run_checked(program: &Path, args: &[String]) {
    let result = Command::new(program)
        .args(args)
        .env("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:exitcode=86:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .output()
        .expect("the program runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{} failed with {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}", program.display(), result.status);
    for marker in REPORT_MARKERS {
        assert!(!stderr.contains(marker), "{} drew a sanitizer report ({marker}):\n{stderr}", program.display());
    }
    assert!(stdout.lines().any(|line| line.ends_with(" passed, 0 failed")), "no closing line from {}:\n{stdout}", program.display());
}

/// Starts a test server, writes its CA to a file of this test's own, and runs `source` with the
/// arguments that `args` makes from the server's URLs and the CA path.
fn run_program(source: &str, args: impl Fn(&TestServer, &Path) -> Vec<String>) {
    let server = TestServer::start().unwrap();
    let ca_path = profile_dir().join("sanitizer-tests").join(format!("ca-{}-{source}.pem", std::process::id()));
    std::fs::create_dir_all(ca_path.parent().unwrap()).unwrap();
    server.write_ca_pem(&ca_path).unwrap();
    let program = compile(source);
    run_checked(&program, &args(&server, &ca_path));
    let _ = std::fs::remove_file(&ca_path);
}

#[test]
fn login_test_under_sanitizers() {
    run_program("login_test.c", |server, ca_path| vec![server.http_url(), server.https_url(), ca_path.display().to_string()]);
}

#[test]
fn cancel_test_under_sanitizers() {
    run_program("cancel_test.c", |server, _| vec![server.http_url()]);
}

#[test]
fn threads_test_under_sanitizers() {
    run_program("threads_test.c", |server, _| vec![server.http_url()]);
}

/// A short soak: 1,000 logins on 8 threads. AddressSanitizer keeps freed memory in quarantine,
/// so the resident memory limit is lifted here; `scripts/soak.sh` checks it on a release build.
#[test]
fn soak_test_under_sanitizers() {
    run_program("soak_test.c", |server, ca_path| {
        vec![server.https_url(), ca_path.display().to_string(), "1000".into(), "8".into(), "4194304".into()]
    });
}
