//! Native objects as `jlong` handles owned by Kotlin objects.
//!
//! A handle is the address of a boxed core object, or 0 for none. Kotlin's `NativeHandle`
//! passes each handle only while its owner is open and frees it once, after the last call
//! using it has returned; the functions here rely on that.

use ::jni::sys::jlong;

use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind};

/// Moves `value` to the heap and returns its handle.
pub(crate) fn into_handle<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// Borrows the object behind a handle. Fails with an invalid-argument error for 0, naming the
/// parameter `name`.
///
/// # Safety
/// A non-zero `handle` must come from [`into_handle`] with the same `T` and not be freed
/// while the returned reference is in use.
pub(crate) unsafe fn borrow_handle<'a, T>(handle: jlong, name: &str) -> Result<&'a T, Error> {
    // SAFETY: the caller guarantees that a non-zero handle points to a live T.
    let object = unsafe { (handle as *const T).as_ref() };
    object.ok_or_else(|| Error::new(ErrorKind::InvalidArgument, format!("{name} is 0, not a native handle; the object was never created or is closed")))
}

/// Borrows the cancellation token behind a handle; 0 means no token.
///
/// # Safety
/// As for [`borrow_handle`].
pub(crate) unsafe fn optional_token<'a>(handle: jlong) -> Option<&'a CancelToken> {
    // SAFETY: the caller guarantees that a non-zero handle points to a live CancelToken.
    unsafe { (handle as *const CancelToken).as_ref() }
}

/// Drops the object behind a handle; 0 is a no-op.
///
/// # Safety
/// A non-zero `handle` must come from [`into_handle`] with the same `T`, be freed only once,
/// and not be in use by another call.
pub(crate) unsafe fn free_handle<T>(handle: jlong) {
    if handle != 0 {
        // SAFETY: the caller guarantees that the handle owns a live T and is freed once.
        drop(unsafe { Box::from_raw(handle as *mut T) });
    }
}
