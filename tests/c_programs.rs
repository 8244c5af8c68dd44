//! Builds the C test programs in `tests/c/` with the system C compiler against the committed
//! header, links each to the shared and to the static library, and runs them under valgrind
//! memcheck against the loopback test server. Any memory error or leak fails the test.
//!
//! The libraries come from `cargo build`, which `scripts/test.sh` runs before `cargo test`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use zulip_test_server::TestServer;

const SECRETS: &[&str] = &["abcd1234", "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv", "C-Test-Secret-Password"];

#[derive(Clone, Copy, Debug)]
enum Linking {
    Dynamic,
    Static,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Returns `target/<profile>`: the test binary lives in its `deps/` folder.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).expect("the test binary is in target/<profile>/deps").to_path_buf()
}

fn newest_source_time() -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut pending = vec![manifest_dir().join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                newest = newest.max(entry.metadata().unwrap().modified().unwrap());
            }
        }
    }
    newest
}

/// Returns the library file, failing when it is missing or older than the sources.
fn library(name: &str) -> PathBuf {
    let path = profile_dir().join(name);
    let Ok(metadata) = std::fs::metadata(&path) else {
        panic!("{} is missing; run `cargo build` before `cargo test` (scripts/test.sh does both)", path.display());
    };
    assert!(
        metadata.modified().unwrap() >= newest_source_time(),
        "{} is older than the sources in src/; run `cargo build` before `cargo test` (scripts/test.sh does both)",
        path.display()
    );
    path
}

fn compile(source: &str, linking: Linking) -> PathBuf {
    let out_dir = profile_dir().join("c-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let stem = source.trim_end_matches(".c");
    let output = out_dir.join(format!("{stem}-{linking:?}").to_lowercase());
    let mut command = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    command
        .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread"])
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg(manifest_dir().join("tests/c").join(source))
        .arg("-o")
        .arg(&output);
    match linking {
        Linking::Dynamic => {
            library("libzulip_auth.so");
            let dir = profile_dir();
            command.arg(format!("-L{}", dir.display())).arg("-lzulip_auth").arg(format!("-Wl,-rpath,{}", dir.display()));
        }
        Linking::Static => {
            command.arg(library("libzulip_auth.a")).args(["-lpthread", "-ldl", "-lm"]);
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
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{} printed a secret", program.display());
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
