//! `GET /api/v1/server_settings`: what a login screen needs to know about a server.

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::response::{self, RawResponse};
use crate::server_url::ServerUrl;

/// Which password form a login screen shows, following the official Zulip apps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordLogin {
    /// No password form: the server allows neither email nor LDAP password login.
    Unavailable,
    /// A password form whose username field is labelled "Email".
    Email,
    /// A password form whose username field is labelled "Username" (LDAP with non-email
    /// usernames).
    Username,
}

/// A login method that runs in a browser (single sign-on), in the server's display order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalAuthMethod {
    /// The method's name, such as `"google"` or `"saml:okta"`.
    pub name: String,
    /// The name to show on the login button.
    pub display_name: String,
    /// The absolute URL of the button's icon, when the server provides one.
    pub display_icon: Option<String>,
    /// The absolute URL that starts the login; see [`SsoSession`](crate::SsoSession).
    pub login_url: String,
    /// The absolute URL that starts a sign-up with this method.
    pub signup_url: String,
}

/// The fields of `server_settings` that a login screen uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSettings {
    /// The organization's URL (`realm_url`, or `realm_uri` before Zulip 9.0). When the server
    /// sends neither (a root domain without an organization), the origin the settings were
    /// fetched from after redirects.
    pub realm_url: String,
    /// The organization's name; `None` on a root domain without an organization.
    pub realm_name: Option<String>,
    /// The absolute URL of the organization's icon.
    pub realm_icon: Option<String>,
    /// The organization's description, as HTML.
    pub realm_description: Option<String>,
    /// The server's version, such as `"10.1"`.
    pub zulip_version: Option<String>,
    /// The API feature level; 0 when the server omits it (servers before Zulip 3.0).
    pub zulip_feature_level: i64,
    /// The git commit the server was built from.
    pub zulip_merge_base: Option<String>,
    /// Whether the server can send mobile push notifications.
    pub push_notifications_enabled: bool,
    /// Whether the server considers this client too old to work with it.
    pub is_incompatible: bool,
    /// Whether email and password login is enabled.
    pub email_auth_enabled: bool,
    /// Whether usernames must be email addresses; `false` only under LDAP with plain usernames.
    pub require_email_format_usernames: bool,
    /// Whether spectators may read web-public streams without an account.
    pub realm_web_public_access_enabled: bool,
    /// Each `authentication_methods` flag, such as `("ldap", true)`, sorted by name.
    pub authentication_methods: Vec<(String, bool)>,
    /// The browser-based login methods, in the server's order.
    pub external_methods: Vec<ExternalAuthMethod>,
}

impl ServerSettings {
    /// Returns whether the server enables the authentication method `name` (such as `"ldap"`,
    /// `"github"` or `"openid connect"`); `false` for a name the server did not list.
    pub fn authentication_method(&self, name: &str) -> bool {
        self.authentication_methods.iter().any(|(known, enabled)| known == name && *enabled)
    }

    /// Returns the password form to show: the official apps show one when email login or
    /// LDAP is enabled, and label its field "Email" unless usernames need not be emails.
    pub fn password_login(&self) -> PasswordLogin {
        if !self.email_auth_enabled && !self.authentication_method("ldap") {
            PasswordLogin::Unavailable
        } else if self.require_email_format_usernames {
            PasswordLogin::Email
        } else {
            PasswordLogin::Username
        }
    }
}

/// Parses a `server_settings` response. `fetched_from` is the origin the response came from
/// after redirects; it is the realm URL when the server sends none.
pub(crate) fn parse(response: &RawResponse, endpoint: &str, fetched_from: &ServerUrl) -> Result<ServerSettings, Error> {
    let object = response::success_object(response, endpoint)?;
    let realm = realm_url(&object, endpoint, fetched_from).map_err(response::at_status(response.status))?;
    let text = |field: &str| object.get(field).and_then(Value::as_str).map(str::to_owned);
    let flag = |field: &str, default: bool| object.get(field).and_then(Value::as_bool).unwrap_or(default);

    Ok(ServerSettings {
        realm_name: text("realm_name"),
        realm_icon: text("realm_icon").map(|icon| resolve(&realm, &icon)),
        realm_description: text("realm_description"),
        zulip_version: text("zulip_version"),
        zulip_feature_level: object.get("zulip_feature_level").and_then(Value::as_i64).unwrap_or(0),
        zulip_merge_base: text("zulip_merge_base"),
        push_notifications_enabled: flag("push_notifications_enabled", false),
        is_incompatible: flag("is_incompatible", false),
        email_auth_enabled: flag("email_auth_enabled", false),
        require_email_format_usernames: flag("require_email_format_usernames", true),
        realm_web_public_access_enabled: flag("realm_web_public_access_enabled", false),
        authentication_methods: authentication_methods(&object),
        external_methods: external_methods(&object, &realm),
        realm_url: realm.origin(),
    })
}

/// Reclassifies the answer for an unknown organization, which `server_settings` gives as
/// 400 `BAD_REQUEST` "Invalid subdomain" (where the login endpoint answers 404
/// `NONEXISTENT_SUBDOMAIN`), as [`ErrorKind::RealmNotFound`].
pub(crate) fn classify(error: Error, endpoint: &str) -> Error {
    let unknown_realm = error.kind() == ErrorKind::BadRequest && error.server_message().is_some_and(|message| message.contains("Invalid subdomain"));
    if !unknown_realm {
        return error;
    }
    let message = format!("{endpoint} reported that no organization exists at this address (\"Invalid subdomain\"); check the server URL");
    error.reclassified(ErrorKind::RealmNotFound, message)
}

fn realm_url(object: &Map<String, Value>, endpoint: &str, fetched_from: &ServerUrl) -> Result<ServerUrl, Error> {
    let reported = object.get("realm_url").or_else(|| object.get("realm_uri")).and_then(Value::as_str);
    match reported {
        None => Ok(fetched_from.clone()),
        Some(url) => ServerUrl::parse(url).map_err(|error| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!("{endpoint} reported an unusable realm URL: {}; tell the server's administrator", error.message()),
            )
        }),
    }
}

fn authentication_methods(object: &Map<String, Value>) -> Vec<(String, bool)> {
    let Some(Value::Object(methods)) = object.get("authentication_methods") else {
        return Vec::new();
    };
    let mut flags: Vec<(String, bool)> = methods.iter().map(|(name, enabled)| (name.clone(), enabled.as_bool().unwrap_or(false))).collect();
    flags.sort();
    flags
}

/// Reads the external methods, skipping entries without a name or login URL.
fn external_methods(object: &Map<String, Value>, realm: &ServerUrl) -> Vec<ExternalAuthMethod> {
    let Some(Value::Array(entries)) = object.get("external_authentication_methods") else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let text = |field: &str| entry.get(field).and_then(Value::as_str);
            let name = text("name")?;
            let login_url = text("login_url")?;
            Some(ExternalAuthMethod {
                name: name.to_owned(),
                display_name: text("display_name").unwrap_or(name).to_owned(),
                display_icon: text("display_icon").map(|icon| resolve(realm, icon)),
                login_url: resolve(realm, login_url),
                signup_url: resolve(realm, text("signup_url").unwrap_or(login_url)),
            })
        })
        .collect()
}

/// Resolves a URL from the server against the realm: absolute URLs stay, `//host/...` takes
/// the realm's scheme, and paths are joined to the realm's origin.
pub(crate) fn resolve(realm: &ServerUrl, url: &str) -> String {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        url.to_owned()
    } else if let Some(rest) = url.strip_prefix("//") {
        let scheme = if realm.is_https() { "https" } else { "http" };
        format!("{scheme}://{rest}")
    } else if url.starts_with('/') {
        realm.join(url)
    } else {
        realm.join(&format!("/{url}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    const ENDPOINT: &str = "https://chat.example.com/api/v1/server_settings";

    fn settings(body: &str) -> Result<ServerSettings, Error> {
        let response = RawResponse { status: 200, body: Zeroizing::new(body.as_bytes().to_vec()), ..RawResponse::default() };
        parse(&response, ENDPOINT, &ServerUrl::parse("https://chat.example.com").unwrap())
    }

    const MODERN: &str = r#"{"result":"success","msg":"","zulip_version":"10.1","zulip_feature_level":300,
        "zulip_merge_base":"10.1","push_notifications_enabled":true,"is_incompatible":false,
        "email_auth_enabled":true,"require_email_format_usernames":true,
        "realm_url":"https://chat.example.com","realm_uri":"https://chat.example.com","realm_name":"Example",
        "realm_icon":"/static/icon.png","realm_description":"<p>Hi</p>","realm_web_public_access_enabled":true,
        "authentication_methods":{"password":true,"ldap":false,"github":true,"openid connect":false},
        "external_authentication_methods":[
          {"name":"github","display_name":"GitHub","display_icon":"/static/github.png","login_url":"/accounts/login/social/github","signup_url":"/accounts/register/social/github"},
          {"name":"saml:okta","display_name":"Okta","display_icon":null,"login_url":"/accounts/login/start/saml/?idp=okta","signup_url":"/accounts/register/start/saml/?idp=okta"}]}"#;

    #[test]
    fn parses_modern_settings() {
        let settings = settings(MODERN).unwrap();
        assert_eq!(settings.realm_url, "https://chat.example.com");
        assert_eq!(settings.realm_name.as_deref(), Some("Example"));
        assert_eq!(settings.realm_icon.as_deref(), Some("https://chat.example.com/static/icon.png"));
        assert_eq!(settings.zulip_feature_level, 300);
        assert!(settings.realm_web_public_access_enabled);
        assert!(settings.authentication_method("github"));
        assert!(!settings.authentication_method("ldap"));
        assert!(!settings.authentication_method("unknown"));
        assert_eq!(settings.password_login(), PasswordLogin::Email);
        assert_eq!(settings.external_methods.len(), 2);
        let okta = &settings.external_methods[1];
        assert_eq!(okta.display_icon, None);
        assert_eq!(okta.login_url, "https://chat.example.com/accounts/login/start/saml/?idp=okta");
    }

    #[test]
    fn old_server_uses_realm_uri_and_defaults() {
        let settings = settings(r#"{"result":"success","msg":"","realm_uri":"https://old.example.com/","email_auth_enabled":true}"#).unwrap();
        assert_eq!(settings.realm_url, "https://old.example.com");
        assert_eq!(settings.zulip_feature_level, 0);
        assert_eq!(settings.zulip_merge_base, None);
        assert!(settings.require_email_format_usernames);
    }

    #[test]
    fn missing_realm_falls_back_to_fetched_origin() {
        let settings = settings(r#"{"result":"success","msg":"","zulip_version":"10.1"}"#).unwrap();
        assert_eq!(settings.realm_url, "https://chat.example.com");
        assert_eq!(settings.realm_name, None);
        assert_eq!(settings.password_login(), PasswordLogin::Unavailable);
    }

    #[test]
    fn ldap_with_plain_usernames_shows_username_field() {
        let settings = settings(r#"{"result":"success","email_auth_enabled":false,"require_email_format_usernames":false,"authentication_methods":{"ldap":true}}"#).unwrap();
        assert_eq!(settings.password_login(), PasswordLogin::Username);
    }

    #[test]
    fn unusable_realm_url_is_invalid_response() {
        let error = settings(r#"{"result":"success","realm_url":"zulip:nope"}"#).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    }

    #[test]
    fn invalid_subdomain_is_realm_not_found() {
        let response = RawResponse {
            status: 400,
            body: Zeroizing::new(br#"{"result":"error","msg":"Invalid subdomain","code":"BAD_REQUEST"}"#.to_vec()),
            ..RawResponse::default()
        };
        let error = classify(response::success_object(&response, ENDPOINT).unwrap_err(), ENDPOINT);
        assert_eq!(error.kind(), ErrorKind::RealmNotFound);
        assert_eq!(error.code(), Some("BAD_REQUEST"));
    }

    #[test]
    fn resolve_handles_url_forms() {
        let realm = ServerUrl::parse("https://chat.example.com:8443").unwrap();
        assert_eq!(resolve(&realm, "/a?b=c"), "https://chat.example.com:8443/a?b=c");
        assert_eq!(resolve(&realm, "a"), "https://chat.example.com:8443/a");
        assert_eq!(resolve(&realm, "//cdn.example.com/i.png"), "https://cdn.example.com/i.png");
        assert_eq!(resolve(&realm, "HTTPS://idp.example.com/x"), "HTTPS://idp.example.com/x");
    }
}
