//! Dispatch of requests by path.

use crate::connection::{Action, RequestContext};
use crate::control;
use crate::record::RecordedRequest;
use crate::zulip;

/// Prefix of the test-control endpoints, which are not recorded.
const CONTROL_PREFIX: &str = "/__test/";

pub(crate) fn is_control_path(path: &str) -> bool {
    path.starts_with(CONTROL_PREFIX)
}

/// Chooses the handler for a request.
pub(crate) fn handle(request: &RecordedRequest, context: &RequestContext) -> Action {
    match request.path.as_str() {
        "/api/v1/fetch_api_key" => zulip::fetch_api_key(request, context),
        "/api/v1/server_settings" => zulip::server_settings(request, context),
        zulip::SSO_LOGIN_PATH => zulip::sso_login(request, context),
        "/__test/requests" => control::list_requests(request, context),
        "/__test/clear" => control::clear_requests(request, context),
        _ => Action::Respond(zulip::not_found()),
    }
}
