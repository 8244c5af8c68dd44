//! Endpoints of Zulip's development login backend, which logs a demo user in by email without a
//! password. The realm of the listener decides whether they are available.

use serde_json::{json, Value};

use crate::connection::{Action, RequestContext};
use crate::http::Response;
use crate::record::RecordedRequest;
use crate::users;
use crate::zulip::{
    authentication_failed, invalid_email, json_error, login_success_body, method_not_allowed,
    request_origin, Parameters,
};

/// Emails listed under `direct_admins` by `dev_list_users`.
const DEV_ADMIN_EMAILS: &[&str] = &[users::IAGO_EMAIL];

/// Emails listed under `direct_users` by `dev_list_users`.
const DEV_USER_EMAILS: &[&str] = &["hamlet@zulip.com", "дмитрий@zulip.com"];

/// Returns the 400 error of a realm without the development login, or `None` when it has one.
fn unavailable(context: &RequestContext) -> Option<Response> {
    context
        .realm
        .dev_login_error()
        .map(|message| json_error(400, message, Some("BAD_REQUEST"), &[]))
}

/// `POST /api/v1/dev_fetch_api_key`: logs in the demo user whose delivery email is the
/// `username` field, with the success body of `fetch_api_key`.
///
/// The checks run in Zulip's order: method, then the `username` field, then whether the realm
/// offers the development login, then the email format.
pub(crate) fn dev_fetch_api_key(request: &RecordedRequest, context: &RequestContext) -> Action {
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
    if let Some(response) = unavailable(context) {
        return Action::Respond(response);
    }
    if !username.contains('@') {
        return Action::Respond(invalid_email());
    }
    let response = match users::find_user_by_email(username) {
        Some(user) => Response::json(200, &login_success_body(user)),
        None => authentication_failed(),
    };
    Action::Respond(response)
}

/// `GET /api/v1/dev_list_users`: the accounts that the development login offers, each with the
/// request's origin as `realm_uri`.
pub(crate) fn dev_list_users(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "GET" && request.method != "HEAD" {
        return Action::Respond(method_not_allowed(&["GET", "HEAD"]));
    }
    if let Some(response) = unavailable(context) {
        return Action::Respond(response);
    }
    let origin = request_origin(request, context);
    let list = |emails: &[&str]| -> Value {
        emails
            .iter()
            .map(|email| json!({"email": email, "realm_uri": origin}))
            .collect()
    };
    let body = json!({
        "result": "success",
        "msg": "",
        "direct_admins": list(DEV_ADMIN_EMAILS),
        "direct_users": list(DEV_USER_EMAILS),
    });
    Action::Respond(Response::json(200, &body))
}
