//! Finding the libraries that `cargo build` made, for tests that link or load them from C,
//! Objective-C or the JVM. `cargo test` builds only the Rust library, so `scripts/test.sh`
//! runs `cargo build` first.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Returns `target/<profile>`: the test binary lives in its `deps/` folder.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).expect("the test binary is in target/<profile>/deps").to_path_buf()
}

/// Returns the crate's folder.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Returns the newest modification time among the files that cargo built the library from, as
/// listed in `target/<profile>/libzulip_auth.d`. Files under `src/` that this target does not
/// compile, such as modules for Android only, are not in that list and cannot make it stale.
fn newest_input_time() -> SystemTime {
    let dep_info_path = profile_dir().join("libzulip_auth.d");
    let Ok(dep_info) = std::fs::read_to_string(&dep_info_path) else {
        panic!("{} is missing; run `cargo build` before `cargo test` (scripts/test.sh does both)", dep_info_path.display());
    };
    let (_, inputs) = dep_info.split_once(": ").expect("a dep-info file has the form `output: inputs`");
    // Make-style dep-info escapes spaces in paths as `\ `.
    let inputs = inputs.replace("\\ ", "\0");
    let mut newest = SystemTime::UNIX_EPOCH;
    for input in inputs.split_whitespace() {
        if let Ok(metadata) = std::fs::metadata(input.replace('\0', " ")) {
            newest = newest.max(metadata.modified().unwrap());
        }
    }
    newest
}

/// Returns `target/<profile>/<name>` (such as `libzulip_auth.so`), failing unless `cargo build`
/// made it after the last change to its inputs.
pub fn built_library(name: &str) -> PathBuf {
    let path = profile_dir().join(name);
    let Ok(metadata) = std::fs::metadata(&path) else {
        panic!("{} is missing; run `cargo build` before `cargo test` (scripts/test.sh does both)", path.display());
    };
    assert!(
        metadata.modified().unwrap() >= newest_input_time(),
        "{} is older than its sources; run `cargo build` before `cargo test` (scripts/test.sh does both)",
        path.display()
    );
    path
}
