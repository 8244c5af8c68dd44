//! Reading a Zulip API response: JSON decoding and the classification of errors.
//!
//! Everything here is pure (no I/O) so that it can be tested and fuzzed on its own.

use std::time::Duration;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};

/// The maximum size of a response body; a larger one fails with [`ErrorKind::ResponseTooLarge`].
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The parts of an HTTP response that the API calls read.
#[derive(Clone, Debug, Default)]
pub struct RawResponse {
    /// The URL the response came from, after any redirects.
    pub url: String,
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Retry-After` header.
    pub retry_after: Option<String>,
    /// The `Location` header.
    pub location: Option<String>,
    /// The body, at most [`MAX_BODY_BYTES`] long. It is zeroed on drop because a success
    /// contains the API key.
    pub body: Zeroizing<Vec<u8>>,
}

/// Returns the JSON object of a successful Zulip response, or the error the response stands for.
///
/// `endpoint` is the absolute URL that was requested; it appears in messages.
pub(crate) fn success_object(response: &RawResponse, endpoint: &str) -> Result<Map<String, Value>, Error> {
    if (300..400).contains(&response.status) {
        return Err(redirect_error(response, endpoint));
    }

    let Some(object) = json_object(&response.body) else {
        return Err(non_json_error(response, endpoint));
    };

    let result = object.get("result").and_then(Value::as_str);
    let is_success_status = (200..300).contains(&response.status);
    match result {
        Some("success") if is_success_status => Ok(object),
        Some("error") => Err(zulip_error(response, &object, endpoint)),
        _ if !is_success_status => Err(zulip_error(response, &object, endpoint)),
        _ => Err(Error::new(
            ErrorKind::InvalidResponse,
            format!("the response from {endpoint} has no \"result\" of \"success\" or \"error\"; check that the server URL points at a Zulip server"),
        )
        .with_http_status(response.status)),
    }
}

fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

fn redirect_error(response: &RawResponse, endpoint: &str) -> Error {
    let location = response.location.as_deref().unwrap_or("(no Location header)");
    Error::new(
        ErrorKind::Redirect,
        format!(
            "{endpoint} returned HTTP {} redirecting to '{location}'; the login request was not re-sent there. \
             Check the server URL (often https:// instead of http://, or a different host) and retry with the right address",
            response.status
        ),
    )
    .with_http_status(response.status)
}

/// Classifies a response whose body is not a JSON object.
fn non_json_error(response: &RawResponse, endpoint: &str) -> Error {
    let content_type = response.content_type.as_deref().unwrap_or("no content type");
    let status = response.status;
    if status == 429 {
        let retry_after = retry_after_header(response);
        return Error::new(ErrorKind::RateLimited, format!("{endpoint} returned HTTP 429 (too many requests); {}", retry_advice(retry_after)))
            .with_http_status(status)
            .with_retry_after(retry_after);
    }
    if (200..300).contains(&status) {
        return Error::new(
            ErrorKind::InvalidResponse,
            format!(
                "{endpoint} returned HTTP {status} with a body that is not Zulip JSON ({content_type}, {} bytes); check that the server URL points at a Zulip server and not a login portal or another site",
                response.body.len()
            ),
        )
        .with_http_status(status);
    }
    Error::new(
        ErrorKind::HttpStatus,
        format!(
            "{endpoint} returned HTTP {status} without a Zulip error ({content_type}); {}",
            http_status_advice(status)
        ),
    )
    .with_http_status(status)
}

fn http_status_advice(status: u16) -> &'static str {
    match status {
        502..=504 => "a proxy in front of the server could not reach Zulip; try again later or tell the server's administrator",
        404 => "check that the server URL points at a Zulip server",
        500..=599 => "the server failed; try again later or tell the server's administrator",
        _ => "check that the server URL points at a Zulip server",
    }
}

/// Classifies a Zulip JSON error by its `code`, then by its HTTP status for older servers.
fn zulip_error(response: &RawResponse, object: &Map<String, Value>, endpoint: &str) -> Error {
    let status = response.status;
    let code = object.get("code").and_then(Value::as_str).map(str::to_owned);
    let server_message = object.get("msg").and_then(Value::as_str).unwrap_or("").trim();
    let quoted = if server_message.is_empty() {
        String::from("(no message)")
    } else {
        format!("\"{server_message}\"")
    };

    let kind = match code.as_deref() {
        Some("AUTHENTICATION_FAILED") => ErrorKind::AuthenticationFailed,
        Some("USER_DEACTIVATED") => ErrorKind::UserDeactivated,
        Some("REALM_DEACTIVATED") => ErrorKind::RealmDeactivated,
        Some("PASSWORD_AUTH_DISABLED") => ErrorKind::PasswordAuthDisabled,
        Some("PASSWORD_RESET_REQUIRED") => ErrorKind::PasswordResetRequired,
        Some("RATE_LIMIT_HIT") => ErrorKind::RateLimited,
        Some("NONEXISTENT_SUBDOMAIN") => ErrorKind::RealmNotFound,
        Some("BAD_REQUEST" | "REQUEST_VARIABLE_MISSING" | "REQUEST_VARIABLE_INVALID") => ErrorKind::BadRequest,
        Some(_) => ErrorKind::Server,
        // Servers before Zulip 5.0 sent 403 for the authentication errors, and servers before
        // feature level 36 sent rate-limit errors without a code.
        None if status == 429 => ErrorKind::RateLimited,
        None if status == 401 || status == 403 => ErrorKind::AuthenticationFailed,
        None => ErrorKind::Server,
    };

    let retry_after = if kind == ErrorKind::RateLimited {
        retry_after_body(object).or_else(|| retry_after_header(response))
    } else {
        None
    };

    let advice = match kind {
        ErrorKind::AuthenticationFailed => "check the username and password".to_owned(),
        ErrorKind::UserDeactivated => "this account is deactivated; an organization administrator can reactivate it".to_owned(),
        ErrorKind::RealmDeactivated => "this organization is deactivated; it cannot be logged into".to_owned(),
        ErrorKind::PasswordAuthDisabled => "this organization does not allow password login; log in another way, such as single sign-on".to_owned(),
        ErrorKind::PasswordResetRequired => "reset the password through the server's web login page, then log in again".to_owned(),
        ErrorKind::RateLimited => retry_advice(retry_after),
        ErrorKind::RealmNotFound => "no organization exists at this address; check the server URL".to_owned(),
        ErrorKind::BadRequest => "the server rejected the request's parameters; check the username format".to_owned(),
        _ if status == 405 => "the request reached the server with the wrong method, which usually means a proxy redirected it; check the server URL".to_owned(),
        _ => "the server reported an error; try again later or tell the server's administrator".to_owned(),
    };

    let code_text = code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    let server_message = (!server_message.is_empty()).then(|| server_message.to_owned());
    Error::new(kind, format!("{endpoint} returned HTTP {status}{code_text}: {quoted}; {advice}"))
        .with_http_status(status)
        .with_code(code)
        .with_server_message(server_message)
        .with_retry_after(retry_after)
}

fn retry_advice(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(delay) => format!("too many attempts; retry after {:.1} seconds", delay.as_secs_f64()),
        None => "too many attempts; wait before retrying".to_owned(),
    }
}

/// Reads the `"retry-after"` field: seconds as a number, possibly fractional.
fn retry_after_body(object: &Map<String, Value>) -> Option<Duration> {
    object.get("retry-after").and_then(Value::as_f64).and_then(seconds_to_duration)
}

/// Reads the `Retry-After` header in its delay-seconds form.
///
/// NOTE: the HTTP-date form is ignored; Zulip sends seconds.
fn retry_after_header(response: &RawResponse) -> Option<Duration> {
    let text = response.retry_after.as_deref()?.trim();
    text.parse::<f64>().ok().and_then(seconds_to_duration)
}

fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    // An absurd value (negative, NaN, over a day) is treated as absent.
    if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) {
        Some(Duration::from_secs_f64(seconds))
    } else {
        None
    }
}

/// Reads a required, non-empty string field of a success response.
pub(crate) fn required_string(object: &Map<String, Value>, field: &str, endpoint: &str) -> Result<String, Error> {
    match object.get(field) {
        Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
        Some(Value::String(_)) => Err(missing_field(field, endpoint, "is empty")),
        Some(_) => Err(missing_field(field, endpoint, "is not a string")),
        None => Err(missing_field(field, endpoint, "is missing")),
    }
}

/// Reads an optional integer field; `Ok(None)` when absent or null, an error when of another type.
pub(crate) fn optional_integer(object: &Map<String, Value>, field: &str, endpoint: &str) -> Result<Option<i64>, Error> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_i64().map(Some).ok_or_else(|| missing_field(field, endpoint, "is not an integer")),
    }
}

/// Reads an optional array of strings, skipping elements of other types.
pub(crate) fn string_array(object: &Map<String, Value>, field: &str) -> Vec<String> {
    match object.get(field) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn missing_field(field: &str, endpoint: &str, problem: &str) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        format!("the success response from {endpoint} is unusable: field \"{field}\" {problem}; the server may not be a Zulip server or may be misconfigured"),
    )
}

/// Returns a function that gives an error from reading a response the response's HTTP status,
/// unless it already has one.
pub(crate) fn at_status(status: u16) -> impl Fn(Error) -> Error {
    move |error| if error.http_status().is_some() { error } else { error.with_http_status(status) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = "https://chat.example.com/api/v1/fetch_api_key";

    fn response(status: u16, body: &str) -> RawResponse {
        RawResponse { status, content_type: Some("application/json".into()), body: Zeroizing::new(body.as_bytes().to_vec()), ..RawResponse::default() }
    }

    fn error_of(response: RawResponse) -> Error {
        success_object(&response, ENDPOINT).unwrap_err()
    }

    #[test]
    fn classifies_by_code_first() {
        let cases = [
            ("AUTHENTICATION_FAILED", 401, ErrorKind::AuthenticationFailed),
            ("USER_DEACTIVATED", 401, ErrorKind::UserDeactivated),
            ("REALM_DEACTIVATED", 401, ErrorKind::RealmDeactivated),
            ("PASSWORD_AUTH_DISABLED", 401, ErrorKind::PasswordAuthDisabled),
            ("PASSWORD_RESET_REQUIRED", 401, ErrorKind::PasswordResetRequired),
            ("RATE_LIMIT_HIT", 429, ErrorKind::RateLimited),
            ("NONEXISTENT_SUBDOMAIN", 404, ErrorKind::RealmNotFound),
            ("BAD_REQUEST", 400, ErrorKind::BadRequest),
            ("REQUEST_VARIABLE_MISSING", 400, ErrorKind::BadRequest),
            ("USER_DEACTIVATED", 403, ErrorKind::UserDeactivated),
            ("SOME_FUTURE_CODE", 400, ErrorKind::Server),
        ];
        for (code, status, kind) in cases {
            let body = format!(r#"{{"result":"error","msg":"m","code":"{code}"}}"#);
            let error = error_of(response(status, &body));
            assert_eq!(error.kind(), kind, "code {code}");
            assert_eq!(error.code(), Some(code));
            assert_eq!(error.http_status(), Some(status));
            assert_eq!(error.server_message(), Some("m"));
        }
    }

    #[test]
    fn classifies_old_servers_by_status() {
        let body = r#"{"result":"error","msg":"Your username or password is incorrect"}"#;
        assert_eq!(error_of(response(403, body)).kind(), ErrorKind::AuthenticationFailed);
        assert_eq!(error_of(response(401, body)).kind(), ErrorKind::AuthenticationFailed);
        let limited = error_of(response(429, r#"{"result":"error","msg":"API usage exceeded rate limit","retry-after":4.0}"#));
        assert_eq!(limited.kind(), ErrorKind::RateLimited);
        assert_eq!(limited.code(), None);
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(4)));
    }

    #[test]
    fn rate_limit_prefers_body_delay() {
        let mut limited = response(429, r#"{"result":"error","msg":"m","code":"RATE_LIMIT_HIT","retry-after":2.5}"#);
        limited.retry_after = Some("3".into());
        assert_eq!(error_of(limited).retry_after(), Some(Duration::from_millis(2500)));
    }

    #[test]
    fn rate_limit_falls_back_to_header() {
        let mut limited = response(429, r#"{"result":"error","msg":"m","code":"RATE_LIMIT_HIT"}"#);
        limited.retry_after = Some(" 7 ".into());
        let error = error_of(limited);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
        assert!(error.message().contains("retry after 7.0 seconds"), "{}", error.message());
    }

    #[test]
    fn rate_limit_ignores_absurd_delays() {
        let limited = response(429, r#"{"result":"error","code":"RATE_LIMIT_HIT","retry-after":-3}"#);
        assert_eq!(error_of(limited).retry_after(), None);
    }

    #[test]
    fn html_error_page_is_http_status() {
        let page = RawResponse { status: 502, content_type: Some("text/html".into()), body: Zeroizing::new(b"<html>502 Bad Gateway</html>".to_vec()), ..RawResponse::default() };
        let error = error_of(page);
        assert_eq!(error.kind(), ErrorKind::HttpStatus);
        assert_eq!(error.http_status(), Some(502));
        assert!(error.message().contains("text/html"), "{}", error.message());
    }

    #[test]
    fn html_success_page_is_invalid_response() {
        let page = RawResponse { status: 200, content_type: Some("text/html".into()), body: Zeroizing::new(b"<html>portal</html>".to_vec()), ..RawResponse::default() };
        assert_eq!(error_of(page).kind(), ErrorKind::InvalidResponse);
    }

    #[test]
    fn redirect_names_location() {
        let mut moved = response(301, "");
        moved.location = Some("https://chat.example.com/api/v1/fetch_api_key".into());
        let error = error_of(moved);
        assert_eq!(error.kind(), ErrorKind::Redirect);
        assert!(error.message().contains("'https://chat.example.com/api/v1/fetch_api_key'"), "{}", error.message());
    }

    #[test]
    fn method_not_allowed_is_server_error() {
        let error = error_of(response(405, r#"{"result":"error","msg":"Method Not Allowed","allowed_methods":["POST"]}"#));
        assert_eq!(error.kind(), ErrorKind::Server);
        assert!(error.message().contains("redirected"), "{}", error.message());
    }

    #[test]
    fn truncated_json_is_invalid_response() {
        assert_eq!(error_of(response(200, r#"{"result":"success","api_key":"abc"#)).kind(), ErrorKind::InvalidResponse);
    }

    #[test]
    fn success_without_result_is_invalid_response() {
        assert_eq!(error_of(response(200, r#"{"api_key":"abc"}"#)).kind(), ErrorKind::InvalidResponse);
    }

    #[test]
    fn success_json_with_error_status_is_classified_by_status() {
        assert_eq!(error_of(response(503, r#"{"result":"success"}"#)).kind(), ErrorKind::Server);
    }

    #[test]
    fn field_readers_check_types() {
        let object = json_object(br#"{"a":"x","b":"","c":5,"d":"5","e":["p",1,"q"]}"#).unwrap();
        assert_eq!(required_string(&object, "a", ENDPOINT).unwrap(), "x");
        assert!(required_string(&object, "b", ENDPOINT).unwrap_err().message().contains("is empty"));
        assert!(required_string(&object, "c", ENDPOINT).unwrap_err().message().contains("not a string"));
        assert!(required_string(&object, "z", ENDPOINT).unwrap_err().message().contains("is missing"));
        assert_eq!(optional_integer(&object, "c", ENDPOINT).unwrap(), Some(5));
        assert_eq!(optional_integer(&object, "z", ENDPOINT).unwrap(), None);
        assert_eq!(optional_integer(&object, "d", ENDPOINT).unwrap_err().kind(), ErrorKind::InvalidResponse);
        assert_eq!(string_array(&object, "e"), vec!["p", "q"]);
    }
}
