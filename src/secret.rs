//! A string that holds a password or an API key.

use std::fmt;

use zeroize::Zeroizing;

/// A secret string whose memory is zeroed when it is dropped and whose `Debug` output is
/// redacted. It has no `Display`, so it cannot end up in a formatted message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps `value`, taking ownership of its buffer.
    pub fn new(value: String) -> SecretString {
        SecretString(Zeroizing::new(value))
    }

    /// Returns the secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        let secret = SecretString::new("gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv".to_owned());
        let shown = format!("{secret:?}");
        assert!(!shown.contains("gjA04"), "{shown}");
        assert_eq!(secret.expose(), "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");
    }
}
