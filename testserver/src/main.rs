//! Command-line entry point: runs the test server until SIGTERM or SIGINT.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;

use serde_json::{json, Map, Value};
use zulip_test_server::{users, CertVariant, Realm, TestServer, TestServerOptions};

const USAGE: &str = "\
Usage: zulip-test-server [OPTIONS]

Runs a Zulip-compatible test server on 127.0.0.1 until SIGTERM or SIGINT.

Options:
  --http-port N         port of the plain HTTP listener (default 0: any free port)
  --https-port N        port of the HTTPS listener with the valid chain (default 0: any free port)
  --ca-out FILE         write the test root CA certificate (PEM) to FILE
  --info-out FILE       write the listener URLs as JSON to FILE once every listener accepts
                        connections, with the realm listeners under realm_urls; the file
                        is replaced atomically and removed on exit
  --exit-on-stdin-eof   also exit when standard input reaches end of file
  --quiet               do not log requests to standard error
  -h, --help            print this help
";

struct Arguments {
    options: TestServerOptions,
    ca_out: Option<PathBuf>,
    info_out: Option<PathBuf>,
    exit_on_stdin_eof: bool,
}

fn parse_port(option: &str, value: Option<String>) -> Result<u16, String> {
    let value = value.ok_or_else(|| format!("missing value for {option}"))?;
    value.parse().map_err(|_| {
        format!("invalid value for {option}: '{value}' (expected a port number from 0 to 65535)")
    })
}

/// Parses the command line. `Ok(None)` means help was requested.
fn parse_arguments() -> Result<Option<Arguments>, String> {
    let mut arguments = Arguments {
        options: TestServerOptions {
            log_requests: true,
            ..TestServerOptions::default()
        },
        ca_out: None,
        info_out: None,
        exit_on_stdin_eof: false,
    };
    let mut input = std::env::args().skip(1);
    while let Some(argument) = input.next() {
        match argument.as_str() {
            "--http-port" => arguments.options.http_port = parse_port(&argument, input.next())?,
            "--https-port" => arguments.options.https_port = parse_port(&argument, input.next())?,
            "--ca-out" => {
                let path = input.next().ok_or("missing value for --ca-out")?;
                arguments.ca_out = Some(PathBuf::from(path));
            }
            "--info-out" => {
                let path = input.next().ok_or("missing value for --info-out")?;
                arguments.info_out = Some(PathBuf::from(path));
            }
            "--exit-on-stdin-eof" => arguments.exit_on_stdin_eof = true,
            "--quiet" => arguments.options.log_requests = false,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    Ok(Some(arguments))
}

/// Reason for stopping the server.
enum StopReason {
    Signal(i32),
    StdinClosed,
}

/// Blocks SIGINT and SIGTERM in this thread and every thread started after it, and starts a
/// thread that reports them through `stop`. Must run before any other thread starts.
fn watch_signals(stop: mpsc::Sender<StopReason>) -> std::io::Result<()> {
    // SAFETY: `set` is initialized by sigemptyset before use, and pthread_sigmask only reads it.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        let result = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if result != 0 {
            return Err(std::io::Error::from_raw_os_error(result));
        }
        set
    };
    thread::Builder::new()
        .name("signals".to_string())
        .spawn(move || {
            let mut signal = 0;
            // SAFETY: `set` is a valid signal set and `signal` a valid output location.
            let result = unsafe { libc::sigwait(&set, &mut signal) };
            let reason = if result == 0 { signal } else { 0 };
            let _ = stop.send(StopReason::Signal(reason));
        })?;
    Ok(())
}

fn watch_stdin(stop: mpsc::Sender<StopReason>) -> std::io::Result<()> {
    thread::Builder::new()
        .name("stdin".to_string())
        .spawn(move || {
            let mut scratch = [0u8; 1024];
            let mut stdin = std::io::stdin();
            loop {
                match stdin.read(&mut scratch) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
            let _ = stop.send(StopReason::StdinClosed);
        })?;
    Ok(())
}

fn info_json(server: &TestServer, ca_path: Option<&Path>) -> Value {
    let mut info = Map::new();
    info.insert("http_url".to_string(), json!(server.http_url()));
    info.insert("https_url".to_string(), json!(server.https_url()));
    for variant in CertVariant::ALL {
        info.insert(
            format!("https_url_{}", variant.key()),
            json!(server.https_url_for(variant)),
        );
    }
    let realm_urls: Map<String, Value> = Realm::ALL
        .iter()
        .map(|realm| (realm.key().to_string(), json!(server.realm_url(*realm))))
        .collect();
    info.insert("realm_urls".to_string(), Value::Object(realm_urls));
    info.insert("proxy_url".to_string(), json!(server.proxy_url()));
    info.insert(
        "broken_proxy_url".to_string(),
        json!(server.broken_proxy_url()),
    );
    info.insert(
        "ca_path".to_string(),
        json!(ca_path.map(|path| path.to_string_lossy().into_owned())),
    );
    info.insert("ca_pem".to_string(), json!(server.ca_pem()));
    info.insert("pid".to_string(), json!(std::process::id()));
    Value::Object(info)
}

/// Writes `contents` to a temporary file beside `path` and renames it over `path`, so a reader
/// sees either no file or the whole file.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, contents)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

fn print_summary(server: &TestServer) {
    let mut listeners = vec![("HTTP".to_string(), server.http_url())];
    for variant in CertVariant::ALL {
        listeners.push((
            format!("HTTPS {}", variant.key()),
            server.https_url_for(variant),
        ));
    }
    for realm in Realm::ALL {
        if realm != Realm::Modern {
            listeners.push((format!("realm {}", realm.key()), server.realm_url(realm)));
        }
    }
    listeners.push(("proxy".to_string(), server.proxy_url()));
    listeners.push(("broken proxy".to_string(), server.broken_proxy_url()));
    let label_width = listeners
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0);

    println!("zulip-test-server is running.");
    for (label, url) in &listeners {
        println!("  {label:<label_width$}  {url}");
    }
    println!(
        "Demo login: username {} with password {}",
        users::IAGO_EMAIL,
        users::IAGO_PASSWORD
    );
    let other_users: Vec<&str> = users::demo_users()
        .iter()
        .filter(|user| user.username != users::IAGO_EMAIL)
        .map(|user| user.username.as_str())
        .collect();
    println!("Other demo usernames: {}", other_users.join(", "));
    println!(
        "Special cases: log in as NAME@scenario.test, for example rate-limited@scenario.test."
    );
}

fn run(arguments: Arguments) -> Result<(), String> {
    let (stop_sender, stop_receiver) = mpsc::channel();
    watch_signals(stop_sender.clone())
        .map_err(|error| format!("failed to block SIGINT and SIGTERM: {error}"))?;

    let server = TestServer::start_with(arguments.options.clone())
        .map_err(|error| format!("failed to start the server: {error}"))?;

    if let Some(path) = &arguments.ca_out {
        server.write_ca_pem(path).map_err(|error| {
            format!(
                "failed to write the CA certificate to {}: {error}",
                path.display()
            )
        })?;
    }
    if let Some(path) = &arguments.info_out {
        let info = serde_json::to_string_pretty(&info_json(&server, arguments.ca_out.as_deref()))
            .expect("a JSON value always serializes");
        write_atomically(path, format!("{info}\n").as_bytes()).map_err(|error| {
            format!(
                "failed to write the listener URLs to {}: {error}",
                path.display()
            )
        })?;
    }
    print_summary(&server);

    if arguments.exit_on_stdin_eof {
        watch_stdin(stop_sender)
            .map_err(|error| format!("failed to watch standard input: {error}"))?;
    }
    match stop_receiver.recv() {
        Ok(StopReason::Signal(signal)) => {
            eprintln!("zulip-test-server: stopping on signal {signal}")
        }
        Ok(StopReason::StdinClosed) => {
            eprintln!("zulip-test-server: stopping because standard input was closed")
        }
        Err(_) => eprintln!("zulip-test-server: stopping"),
    }

    drop(server);
    if let Some(path) = &arguments.info_out {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

fn main() -> ExitCode {
    let arguments = match parse_arguments() {
        Ok(Some(arguments)) => arguments,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("zulip-test-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(arguments) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zulip-test-server: {message}");
            ExitCode::FAILURE
        }
    }
}
