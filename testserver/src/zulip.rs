//! Zulip API endpoints: password login and server settings, plus the response helpers that the
//! other endpoints share.
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
pub(crate) struct Parameters {
    body: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Parameters {
    /// Decodes the parameters, or returns a 400 response when they are not valid UTF-8.
    pub(crate) fn from_request(request: &RecordedRequest) -> Result<Parameters, Response> {
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
    pub(crate) fn require(&self, name: &str) -> Result<&str, Response> {
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
        None => invalid_email(),
    }
}

/// Builds the 400 error of Zulip's email validation, which it applies to usernames when LDAP is
/// off.
pub(crate) fn invalid_email() -> Response {
    json_error(
        400,
        "Enter a valid email address.",
        Some("BAD_REQUEST"),
        &[],
    )
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

/// `GET /api/v1/server_settings`: the login options of the listener's realm, as Zulip reports
/// them without authentication.
pub(crate) fn server_settings(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "GET" && request.method != "HEAD" {
        return Action::Respond(method_not_allowed(&["GET", "HEAD"]));
    }
    let origin = request_origin(request, context);
    Action::Respond(context.realm.server_settings(&origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_content_type_accepts_charset() {
        assert!(is_form_content_type(Some(
            "application/x-www-form-urlencoded; charset=UTF-8"
        )));
        assert!(!is_form_content_type(Some("application/json")));
        assert!(!is_form_content_type(None));
    }
}
