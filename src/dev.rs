//! Development-server login: `dev_fetch_api_key` and `dev_list_users`.
//!
//! Only a Zulip development environment offers these endpoints. Production servers refuse
//! them, which [`classify`] turns into [`ErrorKind::DevLoginUnavailable`].

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::response::{self, RawResponse};

/// An account that development login can log in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevUser {
    /// The account's email, to pass to `dev_fetch_api_key`.
    pub email: String,
    /// The URL of the account's organization.
    pub realm_url: String,
    /// Whether the account is an organization administrator (`direct_admins`).
    pub is_admin: bool,
}

/// Parses a `dev_list_users` response: administrators first, then the other users.
pub(crate) fn parse_users(response: &RawResponse, endpoint: &str) -> Result<Vec<DevUser>, Error> {
    let object = response::success_object(response, endpoint)?;
    let mut users = Vec::new();
    for (field, is_admin) in [("direct_admins", true), ("direct_users", false)] {
        let Some(Value::Array(entries)) = object.get(field) else {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                format!("the success response from {endpoint} is unusable: field \"{field}\" is missing or not a list"),
            )
            .with_http_status(response.status));
        };
        for entry in entries {
            let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
            let (Some(email), Some(realm_url)) = (text("email"), text("realm_url").or_else(|| text("realm_uri"))) else {
                continue;
            };
            users.push(DevUser { email, realm_url, is_admin });
        }
    }
    Ok(users)
}

/// Reclassifies the refusals of a server without development login: 404, or 400 with the
/// messages Zulip sends in production ("Endpoint not available in production.") or without the
/// development backend ("DevAuthBackend not enabled.").
pub(crate) fn classify(error: Error, endpoint: &str) -> Error {
    let server_message = error.server_message().unwrap_or("");
    let refused = error.http_status() == Some(404)
        || (error.http_status() == Some(400)
            && (server_message.contains("not available in production") || server_message.contains("DevAuthBackend not enabled")));
    if !refused {
        return error;
    }
    let message = format!(
        "{endpoint} is not available: the server is not a Zulip development environment ({}); use password or single sign-on login instead",
        if server_message.is_empty() { "HTTP 404" } else { server_message }
    );
    error.reclassified(ErrorKind::DevLoginUnavailable, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    const ENDPOINT: &str = "http://localhost:9991/api/v1/dev_list_users";

    fn response(status: u16, body: &str) -> RawResponse {
        RawResponse { status, body: Zeroizing::new(body.as_bytes().to_vec()), ..RawResponse::default() }
    }

    #[test]
    fn lists_admins_then_users() {
        let body = r#"{"result":"success","msg":"","direct_admins":[{"email":"iago@zulip.com","realm_uri":"http://localhost:9991"}],
            "direct_users":[{"email":"hamlet@zulip.com","realm_url":"http://localhost:9991"},{"email":"broken"}]}"#;
        let users = parse_users(&response(200, body), ENDPOINT).unwrap();
        assert_eq!(users.len(), 2);
        assert!(users[0].is_admin);
        assert_eq!(users[1].email, "hamlet@zulip.com");
        assert!(!users[1].is_admin);
    }

    #[test]
    fn production_refusals_are_dev_login_unavailable() {
        for (status, body) in [
            (400, r#"{"result":"error","msg":"Endpoint not available in production.","code":"BAD_REQUEST"}"#),
            (400, r#"{"result":"error","msg":"DevAuthBackend not enabled.","code":"BAD_REQUEST"}"#),
            (404, "<html>Not Found</html>"),
        ] {
            let error = response::success_object(&response(status, body), ENDPOINT).unwrap_err();
            let error = classify(error, ENDPOINT);
            assert_eq!(error.kind(), ErrorKind::DevLoginUnavailable, "{body}");
            assert_eq!(error.http_status(), Some(status));
        }
    }

    #[test]
    fn other_errors_keep_their_kind() {
        let body = r#"{"result":"error","msg":"Your username or password is incorrect","code":"AUTHENTICATION_FAILED"}"#;
        let error = classify(response::success_object(&response(401, body), ENDPOINT).unwrap_err(), ENDPOINT);
        assert_eq!(error.kind(), ErrorKind::AuthenticationFailed);
    }
}
