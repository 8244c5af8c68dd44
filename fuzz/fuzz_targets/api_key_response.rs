//! Fuzz target `api_key_response`; the input format and the invariants are documented at
//! `zulip_auth::fuzzing::check_api_key_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_auth::fuzzing::check_api_key_response(data));
