//! Strings crossing the C ABI: borrowed arguments in, NUL-terminated copies out.

use std::ffi::{c_char, CStr};

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};

/// A NUL-terminated UTF-8 string owned by a handle and lent to C callers. Its bytes are zeroed
/// when it is dropped, so the same type serves API keys and ordinary text.
pub(crate) struct CText(Zeroizing<Vec<u8>>);

impl CText {
    /// Copies `text`, replacing any NUL character with U+FFFD so that C sees the whole string.
    pub(crate) fn new(text: &str) -> CText {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        for piece in text.split('\0').enumerate() {
            if piece.0 > 0 {
                bytes.extend_from_slice("\u{FFFD}".as_bytes());
            }
            bytes.extend_from_slice(piece.1.as_bytes());
        }
        bytes.push(0);
        CText(Zeroizing::new(bytes))
    }

    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }
}

/// Returns the text of a C string argument.
///
/// Fails with [`ErrorKind::InvalidArgument`] naming `name` when the pointer is NULL or the text
/// is not UTF-8. The message never contains the argument's text, which may be a password.
///
/// # Safety
/// A non-NULL `pointer` must point to a NUL-terminated string that stays valid and unchanged
/// for `'a`.
pub(crate) unsafe fn str_argument<'a>(pointer: *const c_char, name: &str) -> Result<&'a str, Error> {
    if pointer.is_null() {
        return Err(Error::new(ErrorKind::InvalidArgument, format!("{name} is NULL; pass a NUL-terminated UTF-8 string")));
    }
    // SAFETY: the caller guarantees a valid NUL-terminated string for 'a.
    let text = unsafe { CStr::from_ptr(pointer) };
    text.to_str().map_err(|error| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{name} is not valid UTF-8 (the first invalid byte is at offset {}); convert it to UTF-8 before the call", error.valid_up_to()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_nul_becomes_replacement_character() {
        let text = CText::new("a\0b");
        // SAFETY: CText always ends with a NUL.
        let back = unsafe { CStr::from_ptr(text.as_ptr()) };
        assert_eq!(back.to_str().unwrap(), "a\u{FFFD}b");
    }

    #[test]
    fn invalid_utf8_argument_is_rejected_without_echo() {
        let bytes = b"pass\xffword\0";
        // SAFETY: `bytes` is NUL-terminated and outlives the call.
        let error = unsafe { str_argument(bytes.as_ptr().cast(), "password") }.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("offset 4"), "{}", error.message());
        assert!(!error.message().contains("pass\u{FFFD}"), "{}", error.message());
    }

    #[test]
    fn null_argument_is_rejected() {
        // SAFETY: NULL is explicitly allowed.
        let error = unsafe { str_argument(std::ptr::null(), "server_url") }.unwrap_err();
        assert!(error.message().starts_with("server_url is NULL"));
    }
}
