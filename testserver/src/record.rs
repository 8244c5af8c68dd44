//! Requests as the server received them, kept so tests can inspect what a client sent.

use serde_json::{json, Value};

use crate::form;
use crate::http;

/// One request received by an HTTP or HTTPS listener, after the body was read and decoded from
/// chunked transfer coding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path of the request target, still percent-encoded.
    pub path: String,
    /// Query of the request target without the `?`, still percent-encoded.
    pub query: Option<String>,
    /// Header fields in the order received, names as the client spelled them.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Name of the listener that received the request: `http`, `realm-` followed by the realm,
    /// for example `realm-ldap-only`, `https`, or `https-` followed by the certificate variant,
    /// for example `https-expired`.
    pub listener: String,
}

impl RecordedRequest {
    /// Returns the first value of a header field, matching the name case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        http::find_header(&self.headers, name)
    }

    /// Decodes the body as `application/x-www-form-urlencoded`, replacing invalid UTF-8 with
    /// U+FFFD. The `Content-Type` header is not checked.
    pub fn form(&self) -> Vec<(String, String)> {
        form::decode_form_lossy(&self.body)
    }

    /// Converts the request to the JSON object served by `GET /__test/requests`.
    ///
    /// The body is given as UTF-8 text (invalid bytes replaced by U+FFFD) and as lowercase hex,
    /// and the decoded form fields as `[name, value]` pairs.
    pub fn to_json(&self) -> Value {
        let headers: Vec<Value> = self
            .headers
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect();
        let form: Vec<Value> = self
            .form()
            .into_iter()
            .map(|(name, value)| json!([name, value]))
            .collect();
        let body_hex: String = self.body.iter().map(|byte| format!("{byte:02x}")).collect();
        json!({
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "body": String::from_utf8_lossy(&self.body),
            "body_hex": body_hex,
            "form": form,
            "listener": self.listener,
        })
    }
}
