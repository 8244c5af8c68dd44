//! `application/x-www-form-urlencoded` request bodies.

use zeroize::Zeroizing;

/// Encodes `fields` as a form body. The buffer is zeroed on drop because it may hold a password.
pub(crate) fn encode(fields: &[(&str, &str)]) -> Zeroizing<String> {
    let capacity = fields.iter().map(|(name, value)| name.len() + 3 * value.len() + 2).sum();
    let mut body = Zeroizing::new(String::with_capacity(capacity));
    for (index, (name, value)) in fields.iter().enumerate() {
        if index > 0 {
            body.push('&');
        }
        push_encoded(&mut body, name);
        body.push('=');
        push_encoded(&mut body, value);
    }
    body
}

/// Appends `text` percent-encoded as the WHATWG URL standard's form encoder does: ASCII
/// letters, digits and `*-._` stay as they are, a space becomes `+`, every other UTF-8 byte
/// becomes `%XX`.
fn push_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(byte >> 4)] as char);
                out.push(HEX[usize::from(byte & 0x0f)] as char);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_non_ascii_bytes() {
        let body = encode(&[("username", "hamlet"), ("password", "Ünï & = + % 🔑")]);
        assert_eq!(&*body, "username=hamlet&password=%C3%9Cn%C3%AF+%26+%3D+%2B+%25+%F0%9F%94%91");
    }

    #[test]
    fn keeps_unreserved_characters() {
        assert_eq!(&*encode(&[("a", "Az09*-._")]), "a=Az09*-._");
    }
}
