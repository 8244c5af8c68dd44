//! `application/x-www-form-urlencoded` decoding and URL component encoding.

/// Splits a form-encoded body or query string into raw name and value bytes.
///
/// `+` decodes to a space and `%XX` to one byte. A `%` that is not followed by two hex digits
/// is kept as it is instead of being rejected. Pairs with an empty name are dropped.
pub fn decode_form_bytes(input: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    input
        .split(|&byte| byte == b'&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (name, value) = match pair.iter().position(|&byte| byte == b'=') {
                Some(index) => (&pair[..index], &pair[index + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            if name.is_empty() {
                return None;
            }
            Some((percent_decode(name), percent_decode(value)))
        })
        .collect()
}

/// Decodes a form into strings, replacing invalid UTF-8 with U+FFFD.
pub fn decode_form_lossy(input: &[u8]) -> Vec<(String, String)> {
    decode_form_bytes(input)
        .into_iter()
        .map(|(name, value)| {
            (
                String::from_utf8_lossy(&name).into_owned(),
                String::from_utf8_lossy(&value).into_owned(),
            )
        })
        .collect()
}

/// Decodes a form into strings, or returns `None` if a name or value is not valid UTF-8.
pub fn decode_form_utf8(input: &[u8]) -> Option<Vec<(String, String)>> {
    decode_form_bytes(input)
        .into_iter()
        .map(|(name, value)| {
            Some((
                String::from_utf8(name).ok()?,
                String::from_utf8(value).ok()?,
            ))
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut index = 0;
    while index < input.len() {
        match input[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < input.len() => {
                match (hex_value(input[index + 1]), hex_value(input[index + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high << 4 | low);
                        index += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    out
}

fn hex_value(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

/// Percent-encodes every byte except RFC 3986 unreserved characters, for use in a query value.
pub fn encode_component(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for byte in input.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decodes_plus_and_percent() {
        let fields = decode_form_lossy(b"username=a%40b.c&password=x+y%26z%3D&flag");
        assert_eq!(
            fields,
            vec![
                ("username".to_string(), "a@b.c".to_string()),
                ("password".to_string(), "x y&z=".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn form_keeps_stray_percent() {
        assert_eq!(
            decode_form_lossy(b"a=100%&b=%zz&c=%4"),
            vec![
                ("a".to_string(), "100%".to_string()),
                ("b".to_string(), "%zz".to_string()),
                ("c".to_string(), "%4".to_string()),
            ]
        );
    }

    #[test]
    fn form_utf8_rejects_invalid_bytes() {
        assert!(decode_form_utf8(b"a=%FF").is_none());
        assert_eq!(
            decode_form_utf8(b"a=%C3%9C").unwrap(),
            vec![("a".to_string(), "Ü".to_string())]
        );
    }

    #[test]
    fn component_encoding_round_trips() {
        let original = "Ünïcødé pässwörd 🔑 & = + %";
        let encoded = encode_component(original);
        assert!(encoded.bytes().all(|byte| byte.is_ascii_graphic()));
        let decoded = decode_form_utf8(format!("x={encoded}").as_bytes()).unwrap();
        assert_eq!(decoded[0].1, original);
    }
}
