//! The mobile SSO flow: a login URL of an external method, opened with `mobile_flow_otp`,
//! redirects to the app with the API key encrypted by the one-time pad.

use serde_json::json;

use crate::connection::{Action, RequestContext};
use crate::form;
use crate::http::Response;
use crate::realms::ExternalMethod;
use crate::record::RecordedRequest;
use crate::users;
use crate::zulip::{json_error, method_not_allowed, request_origin};

/// `GET <login_url>?mobile_flow_otp=PAD` (or `&mobile_flow_otp=PAD` when the login URL has a
/// query): logs in as the main demo user at once, whatever the method, and redirects to the app
/// with the API key encrypted by the one-time pad.
pub(crate) fn sso_login(
    request: &RecordedRequest,
    context: &RequestContext,
    method: &ExternalMethod,
) -> Action {
    if request.method != "GET" {
        return Action::Respond(method_not_allowed(&["GET"]));
    }
    let query = request.query.as_deref().unwrap_or_default();
    let fields = form::decode_form_lossy(query.as_bytes());
    let field = |name: &str| {
        fields
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, value)| value.as_str())
    };

    // The parameters of the login URL itself, such as `idp=okta`, select the identity provider
    // and must arrive unchanged.
    for (name, expected) in form::decode_form_lossy(method.login_query().as_bytes()) {
        if field(&name) != Some(expected.as_str()) {
            return Action::Respond(json_error(
                400,
                &format!(
                    "Missing or invalid '{name}' parameter. The login URL of {} requires {name}={expected}.",
                    method.name
                ),
                Some("BAD_REQUEST"),
                &[("var_name", json!(name))],
            ));
        }
    }

    let Some(pad) = field("mobile_flow_otp").filter(|pad| is_valid_pad(pad)) else {
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
    fn pad_must_be_64_hex_digits() {
        assert!(is_valid_pad(&"aB".repeat(32)));
        assert!(!is_valid_pad(&"a".repeat(63)));
        assert!(!is_valid_pad(&"g".repeat(64)));
    }
}
