//! The committed C header matches the Rust sources.

use std::ffi::CStr;

use zulip_auth::ffi::zulip_status_name;

fn committed_header() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/zulip_auth.h")).unwrap()
}

#[test]
fn committed_header_is_current() {
    let generated = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/zulip_auth.h")).unwrap();
    assert!(
        committed_header() == generated,
        "include/zulip_auth.h differs from the header cbindgen generates from src/ffi; \
         run `cargo build` outside CI to regenerate it, then commit it"
    );
}

/// Returns every `ZULIP_...` status in the header with its number.
fn header_statuses() -> Vec<(String, u32)> {
    let header = committed_header();
    let start = header.find("enum ZulipStatus").expect("the header declares ZulipStatus");
    let end = start + header[start..].find("};").unwrap();
    header[start..end]
        .lines()
        .filter_map(|line| {
            let (name, value) = line.trim().trim_end_matches(',').split_once(" = ")?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

#[test]
fn header_statuses_match_status_names() {
    let statuses = header_statuses();
    assert!(statuses.len() >= 25, "found only {statuses:?}");
    for (name, number) in statuses {
        // SAFETY: zulip_status_name returns a static NUL-terminated string.
        let reported = unsafe { CStr::from_ptr(zulip_status_name(number)) }.to_str().unwrap();
        assert_eq!(reported, name, "status {number}");
    }
}

#[test]
fn header_version_matches_package() {
    let header = committed_header();
    let expected = format!("#define ZULIP_AUTH_VERSION \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(header.contains(&expected), "the header lacks {expected}");
    for (part, value) in [("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")), ("MINOR", env!("CARGO_PKG_VERSION_MINOR")), ("PATCH", env!("CARGO_PKG_VERSION_PATCH"))] {
        let line = format!("#define ZULIP_AUTH_VERSION_{part} {value}\n");
        assert!(header.contains(&line), "the header lacks {line}");
    }
}
