//! Fuzz target `server_settings_response`; the input format and the invariants are documented at
//! `zulip_auth::fuzzing::check_server_settings_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_auth::fuzzing::check_server_settings_response(data));
