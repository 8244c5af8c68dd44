//! Dispatch of requests by path.

use crate::connection::{Action, RequestContext};
use crate::control;
use crate::dev_login;
use crate::realms::{self, Realm};
use crate::record::RecordedRequest;
use crate::sso;
use crate::zulip;

/// Prefix of the test-control endpoints, which are not recorded.
const CONTROL_PREFIX: &str = "/__test/";

pub(crate) fn is_control_path(path: &str) -> bool {
    path.starts_with(CONTROL_PREFIX)
}

/// Chooses the handler for a request.
pub(crate) fn handle(request: &RecordedRequest, context: &RequestContext) -> Action {
    // A server that moved redirects everything, the test-control endpoints included.
    if context.realm == Realm::Redirecting {
        return Action::Respond(realms::moved_permanently(request, context));
    }
    if let Some(method) = realms::external_method_for_login_path(&request.path) {
        return sso::sso_login(request, context, method);
    }
    match request.path.as_str() {
        "/api/v1/fetch_api_key" => zulip::fetch_api_key(request, context),
        "/api/v1/server_settings" => zulip::server_settings(request, context),
        "/api/v1/dev_fetch_api_key" => dev_login::dev_fetch_api_key(request, context),
        "/api/v1/dev_list_users" => dev_login::dev_list_users(request, context),
        "/__test/requests" => control::list_requests(request, context),
        "/__test/clear" => control::clear_requests(request, context),
        _ => Action::Respond(zulip::not_found()),
    }
}
