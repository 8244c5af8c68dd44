//! The result of a successful login: `POST /api/v1/fetch_api_key` and the calls that return the
//! same shape.

use zeroize::Zeroize;

use crate::error::{Error, ErrorKind};
use crate::response::{self, RawResponse};
use crate::secret::SecretString;

/// The credentials a login returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    /// The API key, used as the password of HTTP Basic authentication in later API calls.
    pub api_key: SecretString,
    /// The account's delivery email as the server reports it. It may differ from the username
    /// that was typed (an LDAP name, different letter case), and later API calls must use it.
    pub email: String,
    /// The user's id; `None` on servers older than Zulip 7.0 (feature level 171).
    pub user_id: Option<i64>,
    /// Request parameters the server reported as unsupported (`ignored_parameters_unsupported`).
    pub ignored_parameters: Vec<String>,
}

/// Parses a response of `fetch_api_key` or `dev_fetch_api_key`.
pub(crate) fn parse(response: &RawResponse, endpoint: &str) -> Result<ApiKey, Error> {
    let mut object = response::success_object(response, endpoint)?;
    let api_key = response::required_string(&object, "api_key", endpoint).map_err(response::at_status(response.status))?;
    // Zero the parsed copy of the key; the one returned lives in a SecretString.
    if let Some(serde_json::Value::String(parsed)) = object.get_mut("api_key") {
        parsed.zeroize();
    }
    if !api_key.bytes().all(|b| b.is_ascii_graphic()) {
        // The key is sent later in an HTTP header, so control characters and spaces would break it.
        return Err(Error::new(
            ErrorKind::InvalidResponse,
            format!("the success response from {endpoint} is unusable: field \"api_key\" contains characters other than printable ASCII"),
        )
        .with_http_status(response.status));
    }
    let email = response::required_string(&object, "email", endpoint).map_err(response::at_status(response.status))?;
    let user_id = response::optional_integer(&object, "user_id", endpoint).map_err(response::at_status(response.status))?;
    let ignored_parameters = response::string_array(&object, "ignored_parameters_unsupported");
    Ok(ApiKey { api_key: SecretString::new(api_key), email, user_id, ignored_parameters })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = "https://chat.example.com/api/v1/fetch_api_key";

    fn parse_body(body: &str) -> Result<ApiKey, Error> {
        let response = RawResponse { status: 200, body: zeroize::Zeroizing::new(body.as_bytes().to_vec()), ..RawResponse::default() };
        parse(&response, ENDPOINT)
    }

    #[test]
    fn parses_modern_success() {
        let key = parse_body(r#"{"api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"iago@zulip.com","msg":"","result":"success","user_id":5}"#).unwrap();
        assert_eq!(key.api_key.expose(), "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv");
        assert_eq!(key.email, "iago@zulip.com");
        assert_eq!(key.user_id, Some(5));
        assert!(key.ignored_parameters.is_empty());
    }

    #[test]
    fn accepts_old_server_and_unknown_fields() {
        let key = parse_body(r#"{"result":"success","msg":"","api_key":"k1","email":"a@b.c","future":{"x":1},"ignored_parameters_unsupported":["client_gravatar"]}"#).unwrap();
        assert_eq!(key.user_id, None);
        assert_eq!(key.ignored_parameters, vec!["client_gravatar"]);
    }

    #[test]
    fn rejects_unusable_success() {
        for body in [
            r#"{"result":"success","email":"a@b.c"}"#,
            r#"{"result":"success","api_key":"","email":"a@b.c"}"#,
            r#"{"result":"success","api_key":12345,"email":"a@b.c"}"#,
            r#"{"result":"success","api_key":"k1"}"#,
            r#"{"result":"success","api_key":"k1","email":"a@b.c","user_id":"five"}"#,
            r#"{"result":"success","api_key":"k 1","email":"a@b.c"}"#,
        ] {
            assert_eq!(parse_body(body).unwrap_err().kind(), ErrorKind::InvalidResponse, "{body}");
        }
    }

    #[test]
    fn debug_output_hides_api_key() {
        let key = parse_body(r#"{"result":"success","api_key":"gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv","email":"a@b.c"}"#).unwrap();
        assert!(!format!("{key:?}").contains("gjA04"));
    }
}
