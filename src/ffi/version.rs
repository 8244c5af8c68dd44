//! The library's version at run time.

use std::ffi::c_char;

use super::panic::ffi_call;

const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(version) => version,
    Err(_) => panic!("the package version contains a NUL byte"),
};

/// Returns the version of the loaded library, such as `"0.1.0"`, to compare with the
/// `ZULIP_AUTH_VERSION` macro of the header a program was compiled with.
///
/// The string is static: never free it. Safe to call from any thread.
#[no_mangle]
pub extern "C" fn zulip_version() -> *const c_char {
    ffi_call("zulip_version", || VERSION.as_ptr())
}
