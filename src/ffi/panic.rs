//! The panic boundary every exported function runs inside.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::status::ZulipStatus;

/// The value an exported function returns when its body panicked.
pub(crate) trait PanicValue {
    fn panic_value(function: &'static str) -> Self;
}

/// Runs `body`, turning a panic into `T::panic_value` so that no unwind crosses the C ABI.
pub(crate) fn ffi_call<T: PanicValue>(function: &'static str, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(_) => T::panic_value(function),
    }
}

impl PanicValue for ZulipStatus {
    fn panic_value(_: &'static str) -> Self {
        ZulipStatus::ZULIP_ERROR_INTERNAL
    }
}

impl PanicValue for () {
    fn panic_value(_: &'static str) -> Self {}
}

impl PanicValue for bool {
    fn panic_value(_: &'static str) -> Self {
        false
    }
}

impl PanicValue for i64 {
    fn panic_value(_: &'static str) -> Self {
        -1
    }
}

impl PanicValue for u16 {
    fn panic_value(_: &'static str) -> Self {
        0
    }
}

impl PanicValue for usize {
    fn panic_value(_: &'static str) -> Self {
        0
    }
}

impl PanicValue for *const c_char {
    fn panic_value(_: &'static str) -> Self {
        std::ptr::null()
    }
}
