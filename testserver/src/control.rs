//! Test-control endpoints for clients that use the standalone binary, such as C tests.

use serde_json::{json, Value};

use crate::connection::{Action, RequestContext};
use crate::http::Response;
use crate::record::RecordedRequest;
use crate::zulip::method_not_allowed;

/// `GET /__test/requests`: every recorded request, oldest first, as a JSON array of the objects
/// described at [`RecordedRequest::to_json`].
pub(crate) fn list_requests(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "GET" {
        return Action::Respond(method_not_allowed(&["GET"]));
    }
    let requests: Vec<Value> = context
        .state
        .requests()
        .iter()
        .map(RecordedRequest::to_json)
        .collect();
    Action::Respond(Response::json(200, &Value::Array(requests)))
}

/// `POST /__test/clear`: deletes the recorded requests.
pub(crate) fn clear_requests(request: &RecordedRequest, context: &RequestContext) -> Action {
    if request.method != "POST" {
        return Action::Respond(method_not_allowed(&["POST"]));
    }
    context.state.clear_requests();
    Action::Respond(Response::json(
        200,
        &json!({"result": "success", "msg": ""}),
    ))
}
