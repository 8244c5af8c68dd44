//! Fuzz target `sso_callback`; the input format and the invariants are documented at
//! `zulip_auth::fuzzing::check_sso_callback`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_auth::fuzzing::check_sso_callback(data));
