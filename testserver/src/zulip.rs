//! Zulip API endpoints: password login, server settings, and the mobile SSO redirect.
//!
//! Status codes, error codes and body shapes imitate the Zulip server. Most message texts are
//! written for this server; clients should classify errors by `code` and status, not by text.

use serde_json::{json, Map, Value};

use crate::connection::{Action, RequestContext};
use crate::form;
use crate::http::Response;
use crate::record::RecordedRequest;
use crate::scenarios;
use crate::users::{self, DemoUser};

/// Message of the 401 `AUTHENTICATION_FAILED` error, which Zulip also sends for unknown users.
pub(crate) const AUTHENTICATION_FAILED_MESSAGE: &str = "Your username or password is incorrect";

/// Builds a Zulip error response: `{"result":"error","msg":..,"code":..}` plus `extra` fields.
/// Without `code`, the body imitates older servers or errors that Zulip sends without one.
pub(crate) fn json_error(
    status: u16,
    message: &str,
    code: Option<&str>,
    extra: &[(&str, Value)],
) -> Response {
    let mut body = Map::new();
    body.insert("result".to_string(), json!("error"));
    body.insert("msg".to_string(), json!(message));
    if let Some(code) = code {
        body.insert("code".to_string(), json!(code));
    }
    for (name, value) in extra {
        body.insert(name.to_string(), value.clone());
    }
    Response::json(status, &Value::Object(body))
}

/// Builds the 405 response that Zulip sends, without a `code`, for a method an endpoint does not
/// support.
pub(crate) fn method_not_allowed(allowed: &[&str]) -> Response {
    json_error(
        405,
        "Method Not Allowed",
        None,
        &[("allowed_methods", json!(allowed))],
    )
    .with_header("Allow", allowed.join(", "))
}

pub(crate) fn not_found() -> Response {
    json_error(404, "Not Found", None, &[])
}

/// Builds the success body of `fetch_api_key` for `user`.
pub(crate) fn login_success_body(user: &DemoUser) -> Value {
    let mut body = json!({
        "result": "success",
        "msg": "",
        "api_key": user.api_key,
        "email": user.email,
    });
    if let Some(user_id) = user.user_id {
        body["user_id"] = json!(user_id);
    }
    if user.extra_fields {
        body["ignored_parameters_unsupported"] = json!(["client_gravatar", "apply_markdown"]);
        body["zulip_version"] = json!("11.0-test");
        body["future_object"] = json!({"nested": [1, 2, {"deeper": null}], "flag": true});
    }
    body
}

/// Returns whether a `Content-Type` value names a form-encoded body, ignoring parameters such as
/// `charset`.
fn is_form_content_type(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| {
            media_type
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Request parameters, read like Zulip does from a form-encoded body first and the query string
/// second.
struct Parameters {
    body: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Parameters {
    /// Decodes the parameters, or returns a 400 response when they are not valid UTF-8.
    fn from_request(request: &RecordedRequest) -> Result<Parameters, Response> {
        let invalid = || {
            json_error(
                400,
                "Invalid UTF-8 in the request parameters",
                Some("BAD_REQUEST"),
                &[],
            )
        };
        let body = if is_form_content_type(request.header("content-type")) {
            form::decode_form_utf8(&request.body).ok_or_else(invalid)?
        } else {
            Vec::new()
        };
        let query = match &request.query {
            Some(query) => form::decode_form_utf8(query.as_bytes()).ok_or_else(invalid)?,
            None => Vec::new(),
        };
        Ok(Parameters { body, query })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.body
            .iter()
            .chain(self.query.iter())
            .find(|(candidate, _)| candidate == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns a parameter, or the 400 `REQUEST_VARIABLE_MISSING` response naming it.
    fn require(&self, name: &str) -> Result<&str, Response> {
        self.get(name).ok_or_else(|| {
            json_error(
                400,
                &format!("Missing '{name}' argument"),
                Some("REQUEST_VARIABLE_MISSING"),
                &[("var_name", json!(name))],
            )
        })
    }
}

/// `POST /api/v1/fetch_api_key`: password login, plus the scenarios of `NAME@scenario.test`.
pub(crate) fn fetch_api_key(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "POST" {
        return Action::Respond(method_not_allowed(&["POST"]));
    }
    let parameters = match Parameters::from_request(request) {
        Ok(parameters) => parameters,
        Err(response) => return Action::Respond(response),
    };
    let username = match parameters.require("username") {
        Ok(username) => username,
        Err(response) => return Action::Respond(response),
    };
    let password = match parameters.require("password") {
        Ok(password) => password,
        Err(response) => return Action::Respond(response),
    };

    if let Some(name) = scenarios::scenario_name(username) {
        return scenarios::run(&name, request, context);
    }
    Action::Respond(authenticate(username, password))
}

fn authenticate(username: &str, password: &str) -> Response {
    match users::find_user(username) {
        Some(user) if !password.is_empty() && password == user.password => {
            Response::json(200, &login_success_body(user))
        }
        Some(_) => authentication_failed(),
        None if username.contains('@') => authentication_failed(),
        // Without LDAP, Zulip validates a username that is not an email address as an email.
        None => json_error(
            400,
            "Enter a valid email address.",
            Some("BAD_REQUEST"),
            &[],
        ),
    }
}

pub(crate) fn authentication_failed() -> Response {
    json_error(
        401,
        AUTHENTICATION_FAILED_MESSAGE,
        Some("AUTHENTICATION_FAILED"),
        &[],
    )
}

/// Returns the origin the client used, from the `Host` header, or the listener address when the
/// request has none.
pub(crate) fn request_origin(request: &RecordedRequest, context: &RequestContext) -> String {
    match request.header("host") {
        Some(host) if !host.is_empty() => format!("{}://{host}", context.scheme),
        _ => format!("{}://127.0.0.1:{}", context.scheme, context.local_port),
    }
}

/// Path of the login URL listed in `server_settings` for the GitHub method.
pub(crate) const SSO_LOGIN_PATH: &str = "/accounts/login/social/github";

/// `GET /api/v1/server_settings`: one organization with password and GitHub login, at a
/// recent feature level.
pub(crate) fn server_settings(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "GET" && request.method != "HEAD" {
        return Action::Respond(method_not_allowed(&["GET", "HEAD"]));
    }
    let realm_url = request_origin(request, context);
    let body = json!({
        "result": "success",
        "msg": "",
        "zulip_version": "10.1",
        "zulip_feature_level": 300,
        "zulip_merge_base": "10.1",
        "push_notifications_enabled": false,
        "is_incompatible": false,
        "email_auth_enabled": true,
        "require_email_format_usernames": true,
        "authentication_methods": {
            "password": true, "dev": false, "email": true, "ldap": false,
            "remoteuser": false, "github": true, "azuread": false, "gitlab": false,
            "apple": false, "google": false, "saml": false, "openid connect": false,
        },
        "external_authentication_methods": [{
            "name": "github",
            "display_name": "GitHub",
            "display_icon": "/static/images/authentication_backends/github-icon.png",
            "login_url": SSO_LOGIN_PATH,
            "signup_url": "/accounts/register/social/github",
        }],
        "realm_url": realm_url,
        "realm_uri": realm_url,
        "realm_name": "Zulip test server",
        "realm_icon": "/static/images/logo/zulip-icon-square.svg",
        "realm_description": "<p>Organization served by zulip-test-server.</p>",
        "realm_web_public_access_enabled": false,
    });
    Action::Respond(Response::json(200, &body))
}

/// `GET /accounts/login/social/github?mobile_flow_otp=PAD`: logs in as the main demo user at
/// once and redirects to the app with the API key encrypted by the one-time pad.
pub(crate) fn sso_login(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "GET" {
        return Action::Respond(method_not_allowed(&["GET"]));
    }
    let query = request.query.as_deref().unwrap_or_default();
    let fields = form::decode_form_lossy(query.as_bytes());
    let pad = fields
        .iter()
        .find(|(name, _)| name == "mobile_flow_otp")
        .map(|(_, value)| value.as_str());
    let Some(pad) = pad.filter(|pad| is_valid_pad(pad)) else {
        return Action::Respond(json_error(400, "Invalid OTP", Some("BAD_REQUEST"), &[]));
    };

    let user = users::find_user(users::IAGO_EMAIL).expect("the main demo user exists");
    let encrypted_key = otp_encrypt(&user.api_key, pad);
    let realm_url = request_origin(request, context);
    let location = format!(
        "zulip://login?otp_encrypted_api_key={encrypted_key}&email={}&user_id={}&realm={}",
        form::encode_component(&user.email),
        user.user_id.unwrap_or_default(),
        form::encode_component(&realm_url),
    );
    Action::Respond(Response::html(302, "").with_header("Location", location))
}

/// Checks that a pad is 32 bytes written as 64 hex digits.
fn is_valid_pad(pad: &str) -> bool {
    pad.len() == 64 && pad.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Hex-encodes the ASCII bytes of `api_key` and XORs each hex digit with the pad's digit at the
/// same position, which gives the `otp_encrypted_api_key` of the mobile flow.
pub(crate) fn otp_encrypt(api_key: &str, pad: &str) -> String {
    let key_hex: String = api_key.bytes().map(|byte| format!("{byte:02x}")).collect();
    key_hex
        .chars()
        .zip(pad.chars())
        .map(|(key_digit, pad_digit)| {
            let value = key_digit.to_digit(16).unwrap_or(0) ^ pad_digit.to_digit(16).unwrap_or(0);
            char::from_digit(value, 16).unwrap_or('0')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_encryption_inverts_with_pad() {
        let pad = "0123456789abcdef".repeat(4);
        let encrypted = otp_encrypt(users::IAGO_API_KEY, &pad);
        assert_eq!(encrypted.len(), 64);
        let decrypted = otp_encrypt_hex_to_ascii(&otp_encrypt_xor(&encrypted, &pad));
        assert_eq!(decrypted, users::IAGO_API_KEY);
    }

    fn otp_encrypt_xor(left: &str, right: &str) -> String {
        left.chars()
            .zip(right.chars())
            .map(|(a, b)| {
                char::from_digit(a.to_digit(16).unwrap() ^ b.to_digit(16).unwrap(), 16).unwrap()
            })
            .collect()
    }

    fn otp_encrypt_hex_to_ascii(hex: &str) -> String {
        (0..hex.len())
            .step_by(2)
            .map(|index| u8::from_str_radix(&hex[index..index + 2], 16).unwrap() as char)
            .collect()
    }

    #[test]
    fn form_content_type_accepts_charset() {
        assert!(is_form_content_type(Some(
            "application/x-www-form-urlencoded; charset=UTF-8"
        )));
        assert!(!is_form_content_type(Some("application/json")));
        assert!(!is_form_content_type(None));
    }
}
