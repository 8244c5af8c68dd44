//! Special responses of `POST /api/v1/fetch_api_key` for usernames `NAME@scenario.test`.
//!
//! Each scenario reproduces one thing a Zulip server, the nginx in front of it, or a broken
//! network can do to a login request. The password is not checked.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::connection::{Action, RequestContext, TruncatedEnding};
use crate::http::Response;
use crate::record::RecordedRequest;
use crate::users::{self, DemoUser};
use crate::zulip::{self, json_error, login_success_body, AUTHENTICATION_FAILED_MESSAGE};

/// Domain of the usernames that select a scenario.
pub const SCENARIO_DOMAIN: &str = "scenario.test";

/// Every scenario name. A username `NAME@scenario.test` with another name gets the normal 401
/// `AUTHENTICATION_FAILED`.
pub const SCENARIO_NAMES: &[&str] = &[
    "deactivated",
    "realm-deactivated",
    "password-disabled",
    "reset-required",
    "nonexistent-subdomain",
    "rate-limited",
    "rate-limited-nocode",
    "rate-limited-header",
    "old-403",
    "old-403-nocode",
    "new-code",
    "server-error",
    "proxy-misconfig",
    "html-502",
    "html-200",
    "truncated-json",
    "wrong-types",
    "missing-api-key",
    "empty-api-key",
    "oversized",
    "oversized-chunked",
    "stall",
    "stall-body",
    "slow-body",
    "reset-mid-body",
    "no-body",
    "endless",
    "huge-header",
    "invalid-utf8",
    "deep-json",
    "redirect-301-https",
    "redirect-301-same",
    "redirect-307-other",
];

/// Size of the `oversized` and `oversized-chunked` bodies: 2 MiB.
const OVERSIZED_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Size of the single header field of `huge-header`: 1 MiB of value.
const HUGE_HEADER_BYTES: usize = 1024 * 1024;

/// Nesting depth of the `deep-json` body.
const DEEP_JSON_DEPTH: usize = 100_000;

/// Returns the scenario name of a username in [`SCENARIO_DOMAIN`], lowercased.
pub(crate) fn scenario_name(username: &str) -> Option<String> {
    let lowered = username.to_lowercase();
    let name = lowered.strip_suffix(SCENARIO_DOMAIN)?.strip_suffix('@')?;
    Some(name.to_string())
}

fn main_user() -> &'static DemoUser {
    users::find_user(users::IAGO_EMAIL).expect("the main demo user exists")
}

fn success_bytes() -> Vec<u8> {
    login_success_body(main_user()).to_string().into_bytes()
}

fn respond(response: Response) -> Action {
    Action::Respond(response)
}

/// Runs the scenario `name` for a login request.
pub(crate) fn run(name: &str, request: &RecordedRequest, context: &RequestContext) -> Action {
    match name {
        "deactivated" => respond(json_error(401, "Account is deactivated", Some("USER_DEACTIVATED"), &[])),
        "realm-deactivated" => respond(json_error(
            401,
            "This organization has been deactivated",
            Some("REALM_DEACTIVATED"),
            &[],
        )),
        "password-disabled" => respond(json_error(
            401,
            "Password authentication is disabled in this organization",
            Some("PASSWORD_AUTH_DISABLED"),
            &[],
        )),
        "reset-required" => respond(json_error(
            401,
            "Your password has been disabled and needs to be reset",
            Some("PASSWORD_RESET_REQUIRED"),
            &[],
        )),
        "nonexistent-subdomain" => respond(json_error(404, "Invalid subdomain", Some("NONEXISTENT_SUBDOMAIN"), &[])),
        "rate-limited" => respond(rate_limited()),
        "rate-limited-nocode" => respond(json_error(
            429,
            "API usage exceeded rate limit",
            None,
            &[("retry-after", json!(4.0))],
        )),
        "rate-limited-header" => respond(
            json_error(429, "API usage exceeded rate limit", Some("RATE_LIMIT_HIT"), &[])
                .with_header("Retry-After", "7"),
        ),
        "old-403" => respond(json_error(403, AUTHENTICATION_FAILED_MESSAGE, Some("AUTHENTICATION_FAILED"), &[])),
        "old-403-nocode" => respond(json_error(403, AUTHENTICATION_FAILED_MESSAGE, None, &[])),
        "new-code" => respond(json_error(
            400,
            "This error comes from a newer server version",
            Some("SOME_FUTURE_CODE"),
            &[],
        )),
        "server-error" => respond(json_error(500, "Internal server error", None, &[])),
        "proxy-misconfig" => respond(json_error(
            500,
            "Reverse proxy misconfiguration: the request came through a proxy that is not listed as trusted",
            None,
            &[],
        )),
        "html-502" => respond(nginx_page(502)),
        "html-200" => respond(Response::html(200, CAPTIVE_PORTAL_PAGE)),
        "truncated-json" => respond(Response::new(
            200,
            "application/json",
            r#"{"result":"success","api_key":"abc"#,
        )),
        "wrong-types" => respond(Response::json(
            200,
            &json!({"result": "success", "msg": "", "api_key": 12345, "email": users::IAGO_EMAIL, "user_id": "5"}),
        )),
        "missing-api-key" => respond(Response::json(
            200,
            &json!({"result": "success", "msg": "", "email": users::IAGO_EMAIL, "user_id": users::IAGO_USER_ID}),
        )),
        "empty-api-key" => respond(Response::json(
            200,
            &json!({"result": "success", "msg": "", "api_key": "", "email": users::IAGO_EMAIL, "user_id": users::IAGO_USER_ID}),
        )),
        "oversized" => respond(Response::new(200, "application/json", oversized_body())),
        "oversized-chunked" => {
            let mut response = Response::new(200, "application/json", oversized_body());
            response.chunked = true;
            respond(response)
        }
        "stall" => Action::Stall,
        "stall-body" => Action::Truncated {
            response: Response::new(200, "application/json", success_bytes()),
            declared_length: 100,
            sent_length: 10,
            ending: TruncatedEnding::Stall,
        },
        "slow-body" => Action::SlowBody(Response::new(200, "application/json", success_bytes())),
        "reset-mid-body" => {
            let body = success_bytes();
            Action::Truncated {
                declared_length: body.len(),
                sent_length: body.len() / 2,
                response: Response::new(200, "application/json", body),
                ending: TruncatedEnding::Reset,
            }
        }
        "no-body" => Action::Truncated {
            response: Response::new(200, "application/json", Vec::new()),
            declared_length: 200,
            sent_length: 0,
            ending: TruncatedEnding::Close,
        },
        "endless" => Action::Endless(Response::new(
            200,
            "application/json",
            r#"{"result":"success","msg":"","padding":""#,
        )),
        "huge-header" => respond(
            Response::new(200, "application/json", success_bytes())
                .with_header("X-Padding", "a".repeat(HUGE_HEADER_BYTES)),
        ),
        "invalid-utf8" => respond(Response::new(200, "application/json", invalid_utf8_body())),
        "deep-json" => {
            let mut body = "[".repeat(DEEP_JSON_DEPTH);
            body.push_str(&"]".repeat(DEEP_JSON_DEPTH));
            respond(Response::new(200, "application/json", body))
        }
        "redirect-301-https" => {
            let location = format!("https://localhost:{}{}", context.state.https_port, path_and_query(request));
            respond(nginx_page(301).with_header("Location", location))
        }
        "redirect-301-same" => {
            let location = format!("{}{}", zulip::request_origin(request, context), path_and_query(request));
            respond(nginx_page(301).with_header("Location", location))
        }
        "redirect-307-other" => {
            let location = format!("http://localhost:{}/api/v1/fetch_api_key", context.state.http_port);
            respond(Response::text(307, "Temporary Redirect\n").with_header("Location", location))
        }
        _ => respond(zulip::authentication_failed()),
    }
}

/// Returns the request target in origin form: the path, then `?` and the query if there is one.
pub(crate) fn path_and_query(request: &RecordedRequest) -> String {
    match &request.query {
        Some(query) => format!("{}?{query}", request.path),
        None => request.path.clone(),
    }
}

/// 429 `RATE_LIMIT_HIT` with both the body field and the header, and the `X-RateLimit-*`
/// headers Zulip adds.
fn rate_limited() -> Response {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    json_error(
        429,
        "API usage exceeded rate limit",
        Some("RATE_LIMIT_HIT"),
        &[("retry-after", json!(2.5))],
    )
    .with_header("Retry-After", "3")
    .with_header("X-RateLimit-Limit", "5")
    .with_header("X-RateLimit-Remaining", "0")
    .with_header("X-RateLimit-Reset", (now + 3).to_string())
}

/// Builds an HTML error or redirect page in the format nginx uses for the responses it
/// generates.
pub(crate) fn nginx_page(status: u16) -> Response {
    let title = format!("{status} {}", crate::http::reason_phrase(status));
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    Response::new(status, "text/html", page).with_header("Server", "nginx")
}

/// The sign-in page of a hotel or airport network that intercepts every HTTP request.
const CAPTIVE_PORTAL_PAGE: &str =
    "<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head>\n\
<body><h1>Welcome to Guest Wi-Fi</h1><p>Accept the terms of use to connect.</p>\n\
<form method=\"post\" action=\"/accept\"><button>Accept</button></form></body></html>\n";

/// Builds a valid success body padded to exactly [`OVERSIZED_BODY_BYTES`].
fn oversized_body() -> Vec<u8> {
    let user = main_user();
    let prefix = format!(
        r#"{{"result":"success","msg":"","api_key":"{}","email":"{}","user_id":{},"padding":""#,
        user.api_key,
        user.email,
        users::IAGO_USER_ID
    );
    let suffix = r#""}"#;
    let mut body = prefix.into_bytes();
    body.resize(OVERSIZED_BODY_BYTES - suffix.len(), b'x');
    body.extend_from_slice(suffix.as_bytes());
    body
}

/// Builds a success body whose `email` contains bytes that are not valid UTF-8.
fn invalid_utf8_body() -> Vec<u8> {
    let mut body = format!(
        r#"{{"result":"success","msg":"","api_key":"{}","email":"iago"#,
        users::IAGO_API_KEY
    )
    .into_bytes();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.extend_from_slice(
        format!(r#"@zulip.com","user_id":{}}}"#, users::IAGO_USER_ID).as_bytes(),
    );
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_are_parsed() {
        assert_eq!(
            scenario_name("Stall@Scenario.Test").as_deref(),
            Some("stall")
        );
        assert_eq!(scenario_name("stall@zulip.com"), None);
        assert_eq!(scenario_name("stallscenario.test"), None);
    }

    #[test]
    fn oversized_body_is_valid_json() {
        let body = oversized_body();
        assert_eq!(body.len(), OVERSIZED_BODY_BYTES);
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["api_key"], users::IAGO_API_KEY);
    }

    #[test]
    fn invalid_utf8_body_is_rejected_by_parsers() {
        let body = invalid_utf8_body();
        assert!(std::str::from_utf8(&body).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    }
}
