//! Fuzz target `server_url`; the input format and the invariants are documented at
//! `zulip_auth::fuzzing::check_server_url`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_auth::fuzzing::check_server_url(data));
