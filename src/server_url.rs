//! Turning the server address a user typed into the origin that API calls go to.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use crate::error::{Error, ErrorKind};

/// The origin (`scheme://host[:port]`) of a Zulip server, parsed from what a user typed.
///
/// Parsing follows the official Zulip apps: surrounding white space is trimmed, `https://` is
/// added when no scheme is given, only `http` and `https` are accepted, user information
/// (`me@example.com`) is rejected, and an explicit port is kept. A path, query or fragment in
/// the input is dropped, because Zulip serves its API at `/api/v1/` on the origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerUrl {
    https: bool,
    host: String,
    port: Option<u16>,
}

impl ServerUrl {
    /// Parses a server address as typed by a user.
    ///
    /// Fails with [`ErrorKind::InvalidUrl`] and a message that quotes the input and says what to
    /// type instead.
    pub fn parse(input: &str) -> Result<ServerUrl, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(invalid(input, "is empty; enter the address of a Zulip server, such as chat.example.com"));
        }

        if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid(trimmed, "contains a space or a control character; enter only the server address, such as chat.example.com"));
        }

        let (https, rest) = split_scheme(trimmed)?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.contains('@') {
            return Err(invalid(
                trimmed,
                "contains user information (the part before '@'); enter the server address, such as chat.example.com, not an email address",
            ));
        }

        let (host, port) = split_host_port(trimmed, authority)?;
        let port = match port {
            Some(p) if p == default_port(https) => None,
            other => other,
        };
        Ok(ServerUrl { https, host, port })
    }

    /// Returns whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Returns the host: a lower-case DNS name, an IPv4 address, or an IPv6 address in brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Returns the port, or `None` for the scheme's default port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Returns whether the host is `localhost`, in `127.0.0.0/8`, or `::1`, judged by the text
    /// of the address alone (no name lookup).
    pub fn is_loopback(&self) -> bool {
        if self.host == "localhost" {
            return true;
        }
        let bare = self.host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => v4.octets()[0] == 127,
            Ok(IpAddr::V6(v6)) => v6 == Ipv6Addr::LOCALHOST,
            Err(_) => false,
        }
    }

    /// Returns the origin, `scheme://host[:port]`, without a trailing slash.
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{}:{port}", self.host),
            None => format!("{scheme}://{}", self.host),
        }
    }

    /// Returns the absolute URL of `path` on this server; `path` must start with `/`.
    pub fn join(&self, path: &str) -> String {
        debug_assert!(path.starts_with('/'));
        format!("{}{path}", self.origin())
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin())
    }
}

fn invalid(input: &str, problem: &str) -> Error {
    Error::new(ErrorKind::InvalidUrl, format!("server URL '{}' {problem}", quoted_input(input)))
}

/// Returns `input` for a message: control characters escaped, so that a message never forges a
/// log line, and cut after 100 characters.
pub(crate) fn quoted_input(input: &str) -> String {
    const MAX_CHARS: usize = 100;
    let mut quoted: String = input.chars().take(MAX_CHARS).flat_map(char::escape_debug).collect();
    if input.chars().nth(MAX_CHARS).is_some() {
        quoted.push_str("...");
    }
    quoted
}

fn default_port(https: bool) -> u16 {
    if https {
        443
    } else {
        80
    }
}

/// Splits off `http://` or `https://`; input without a scheme is taken as `https`.
fn split_scheme(input: &str) -> Result<(bool, &str), Error> {
    if let Some(scheme_end) = input.find("://") {
        let scheme = &input[..scheme_end];
        let rest = &input[scheme_end + 3..];
        return if scheme.eq_ignore_ascii_case("https") {
            Ok((true, rest))
        } else if scheme.eq_ignore_ascii_case("http") {
            Ok((false, rest))
        } else {
            Err(invalid(input, &format!("uses the scheme '{scheme}'; a server URL must start with http:// or https://, or have no scheme")))
        };
    }

    // "zulip:foo" or "mailto:me@example.com" name a scheme, but "chat.example.com:8443" is a
    // host with a port: a scheme is only present when what follows the colon is not a port.
    if let Some(colon) = input.find(':') {
        let before = &input[..colon];
        let after = &input[colon + 1..];
        let port_digits = after.split(['/', '?', '#']).next().unwrap_or("");
        let is_port = !port_digits.is_empty() && port_digits.bytes().all(|b| b.is_ascii_digit());
        let looks_like_scheme = before.starts_with(|c: char| c.is_ascii_alphabetic())
            && before.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if looks_like_scheme && !is_port && !input.starts_with('[') {
            return Err(invalid(input, &format!("uses the scheme '{before}:'; a server URL must start with http:// or https://, or have no scheme")));
        }
    }
    Ok((true, input))
}

fn split_host_port(input: &str, authority: &str) -> Result<(String, Option<u16>), Error> {
    let (host, port_text) = if let Some(inner) = authority.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(invalid(input, "has an IPv6 address without its closing ']'"));
        };
        let address = &inner[..close];
        if address.parse::<Ipv6Addr>().is_err() {
            return Err(invalid(input, &format!("has an invalid IPv6 address '{address}'")));
        }
        let after = &inner[close + 1..];
        let port_text = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(invalid(input, "has text after the IPv6 address that is not a port")),
        };
        (format!("[{}]", address.to_ascii_lowercase()), port_text)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_ascii_lowercase(), Some(port)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };

    if host.is_empty() {
        return Err(invalid(input, "has no host name; enter an address such as chat.example.com"));
    }
    if !host.starts_with('[') {
        check_host_name(input, &host)?;
    }

    let port = match port_text {
        None => None,
        Some(text) => match text.parse::<u16>() {
            Ok(port) if port > 0 => Some(port),
            _ => return Err(invalid(input, &format!("has an invalid port '{text}'; a port is a number from 1 to 65535"))),
        },
    };
    Ok((host, port))
}

fn check_host_name(input: &str, host: &str) -> Result<(), Error> {
    if !host.is_ascii() {
        // NOTE: internationalized domain names are not converted to their xn-- form here.
        return Err(invalid(input, &format!("has the non-ASCII host name '{host}'; enter its ASCII (xn--) form")));
    }
    let valid_chars = host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    let valid_labels = host.trim_end_matches('.').split('.').all(|label| !label.is_empty() && label.len() <= 63);
    if !valid_chars || !valid_labels || host.len() > 253 {
        return Err(invalid(input, &format!("has the invalid host name '{host}'")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(input: &str) -> String {
        ServerUrl::parse(input).unwrap().origin()
    }

    fn error(input: &str) -> Error {
        ServerUrl::parse(input).unwrap_err()
    }

    #[test]
    fn adds_https_when_scheme_missing() {
        assert_eq!(origin("chat.example.com"), "https://chat.example.com");
    }

    #[test]
    fn trims_and_lowercases_host() {
        assert_eq!(origin("  Chat.Example.COM \n"), "https://chat.example.com");
    }

    #[test]
    fn keeps_explicit_http_and_port() {
        assert_eq!(origin("http://127.0.0.1:9991"), "http://127.0.0.1:9991");
        assert_eq!(origin("chat.example.com:8443"), "https://chat.example.com:8443");
        assert_eq!(origin("HTTPS://chat.example.com:8443/"), "https://chat.example.com:8443");
    }

    #[test]
    fn drops_default_port() {
        assert_eq!(origin("https://chat.example.com:443"), "https://chat.example.com");
        assert_eq!(origin("http://localhost:80"), "http://localhost");
    }

    #[test]
    fn drops_path_query_and_fragment() {
        assert_eq!(origin("https://chat.example.com/login/?next=/#narrow"), "https://chat.example.com");
        assert_eq!(ServerUrl::parse("chat.example.com/zulip").unwrap().join("/api/v1/fetch_api_key"), "https://chat.example.com/api/v1/fetch_api_key");
    }

    #[test]
    fn accepts_ipv6_literal() {
        let url = ServerUrl::parse("http://[::1]:9991").unwrap();
        assert_eq!(url.origin(), "http://[::1]:9991");
        assert!(url.is_loopback());
    }

    #[test]
    fn rejects_empty_input() {
        assert_eq!(error("   ").kind(), ErrorKind::InvalidUrl);
        assert!(error("").message().contains("is empty"));
    }

    #[test]
    fn rejects_other_schemes() {
        let e = error("zulip:foo");
        assert_eq!(e.kind(), ErrorKind::InvalidUrl);
        assert!(e.message().contains("'zulip:foo'"), "{}", e.message());
        assert!(e.message().contains("http:// or https://"), "{}", e.message());
        assert_eq!(error("ftp://chat.example.com").kind(), ErrorKind::InvalidUrl);
        assert_eq!(error("mailto:me@example.com").kind(), ErrorKind::InvalidUrl);
    }

    #[test]
    fn rejects_email_address() {
        let e = error("me@example.com");
        assert_eq!(e.kind(), ErrorKind::InvalidUrl);
        assert!(e.message().contains("not an email address"), "{}", e.message());
        assert_eq!(error("https://user:pw@chat.example.com").kind(), ErrorKind::InvalidUrl);
    }

    #[test]
    fn rejects_bad_ports_and_hosts() {
        assert!(error("chat.example.com:0").message().contains("invalid port"));
        assert!(error("chat.example.com:70000").message().contains("invalid port"));
        assert!(error("https://:443").message().contains("no host name"));
        assert!(error("chat example.com").message().contains("contains a space"));
        assert!(error("chat_ex!ample.com").message().contains("invalid host name"));
        assert!(error("https://[::1").message().contains("closing ']'"));
        assert!(error("https://bücher.example").message().contains("xn--"));
    }

    #[test]
    fn rejects_control_characters_and_spaces() {
        let error = error("http://127.0.0.1:1\r\nX-Injected: 1");
        assert!(error.message().contains("control character"), "{}", error.message());
        assert!(!error.message().contains('\n'), "{}", error.message());
    }

    #[test]
    fn long_input_is_cut_in_messages() {
        let input = format!("zulip:{}", "a".repeat(100_000));
        assert!(error(&input).message().len() < 500);
    }

    #[test]
    fn loopback_detection_uses_text_only() {
        assert!(ServerUrl::parse("http://localhost:9991").unwrap().is_loopback());
        assert!(ServerUrl::parse("http://127.0.0.1").unwrap().is_loopback());
        assert!(ServerUrl::parse("http://127.255.0.9").unwrap().is_loopback());
        assert!(!ServerUrl::parse("http://128.0.0.1").unwrap().is_loopback());
        assert!(!ServerUrl::parse("http://localhost.example.com").unwrap().is_loopback());
        assert!(!ServerUrl::parse("http://[::2]").unwrap().is_loopback());
    }
}
