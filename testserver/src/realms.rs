//! Organization variants ("realms") served by the extra HTTP listeners.
//!
//! A realm listener serves every endpoint of the default listeners. The realm changes only the
//! `server_settings` response and the development login endpoints, except
//! [`Realm::Redirecting`], which redirects every request to the default HTTP listener.

use serde_json::{json, Value};

use crate::connection::RequestContext;
use crate::http::Response;
use crate::record::RecordedRequest;
use crate::scenarios;
use crate::zulip::json_error;

/// An organization configuration, served on its own HTTP listener at
/// [`TestServer::realm_url`](crate::TestServer::realm_url).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Realm {
    /// A Zulip 10.1 development server (feature level 300) with password, Google, GitHub and
    /// SAML login. The default HTTP and HTTPS listeners serve this realm.
    Modern,
    /// A Zulip 8.4 server (feature level 200). It sends `realm_uri` without `realm_url`, which
    /// Zulip added at feature level 257, and it omits the optional `zulip_merge_base`.
    Pre9,
    /// LDAP login with usernames that are not email addresses, and no external methods.
    LdapOnly,
    /// Neither email nor LDAP login: only the GitHub and SAML methods.
    PasswordDisabled,
    /// A root domain that hosts no organization: `server_settings` has no realm fields.
    NoOrganization,
    /// A subdomain without an organization: `server_settings` returns 400 "Invalid subdomain".
    UnknownSubdomain,
    /// A server that moved: every request gets a 301 to the same path and query on the default
    /// HTTP listener.
    Redirecting,
    /// A production server: the development login endpoints return 400.
    ProductionNoDev,
    /// A development server without the dev login backend: the development login endpoints
    /// return 400.
    NoDevBackend,
}

impl Realm {
    /// Every realm, [`Realm::Modern`] first.
    pub const ALL: [Realm; 9] = [
        Realm::Modern,
        Realm::Pre9,
        Realm::LdapOnly,
        Realm::PasswordDisabled,
        Realm::NoOrganization,
        Realm::UnknownSubdomain,
        Realm::Redirecting,
        Realm::ProductionNoDev,
        Realm::NoDevBackend,
    ];

    /// Snake-case name used in the `realm_urls` object of the binary's `--info-out` file, for
    /// example `ldap_only`.
    pub fn key(self) -> &'static str {
        match self {
            Realm::Modern => "modern",
            Realm::Pre9 => "pre9",
            Realm::LdapOnly => "ldap_only",
            Realm::PasswordDisabled => "password_disabled",
            Realm::NoOrganization => "no_organization",
            Realm::UnknownSubdomain => "unknown_subdomain",
            Realm::Redirecting => "redirecting",
            Realm::ProductionNoDev => "production_no_dev",
            Realm::NoDevBackend => "no_dev_backend",
        }
    }

    /// Name of the listener serving this realm, as stored in
    /// [`RecordedRequest::listener`](crate::RecordedRequest::listener). [`Realm::Modern`] is
    /// served by the default `http` listener.
    pub fn listener_name(self) -> &'static str {
        match self {
            Realm::Modern => "http",
            Realm::Pre9 => "realm-pre9",
            Realm::LdapOnly => "realm-ldap-only",
            Realm::PasswordDisabled => "realm-password-disabled",
            Realm::NoOrganization => "realm-no-organization",
            Realm::UnknownSubdomain => "realm-unknown-subdomain",
            Realm::Redirecting => "realm-redirecting",
            Realm::ProductionNoDev => "realm-production-no-dev",
            Realm::NoDevBackend => "realm-no-dev-backend",
        }
    }

    /// Returns the message of the 400 `BAD_REQUEST` error that the development login endpoints
    /// send in this realm, or `None` when they work.
    pub(crate) fn dev_login_error(self) -> Option<&'static str> {
        match self {
            Realm::ProductionNoDev => Some("Endpoint not available in production."),
            Realm::NoDevBackend => Some("DevAuthBackend not enabled."),
            _ => None,
        }
    }

    /// Builds the `server_settings` response. `origin` becomes `realm_url` and `realm_uri`.
    pub(crate) fn server_settings(self, origin: &str) -> Response {
        let mut body = modern_settings(origin);
        match self {
            // Redirecting never reaches this point, because its requests are redirected first.
            Realm::Modern | Realm::Redirecting => {}
            Realm::Pre9 => {
                body["zulip_version"] = json!("8.4");
                body["zulip_feature_level"] = json!(200);
                remove_fields(&mut body, &["realm_url", "zulip_merge_base"]);
            }
            Realm::LdapOnly => {
                body["email_auth_enabled"] = json!(false);
                body["require_email_format_usernames"] = json!(false);
                set_methods(&mut body, &["password", "dev", "ldap"]);
                body["external_authentication_methods"] = external_methods_json(&[]);
            }
            Realm::PasswordDisabled => {
                body["email_auth_enabled"] = json!(false);
                set_methods(&mut body, &["dev", "github", "saml"]);
                body["external_authentication_methods"] =
                    external_methods_json(&[&GITHUB, &SAML_OKTA]);
            }
            Realm::NoOrganization => {
                // Zulip leaves out every field that describes an organization when the host
                // maps to none.
                remove_fields(
                    &mut body,
                    &[
                        "realm_url",
                        "realm_uri",
                        "realm_name",
                        "realm_icon",
                        "realm_description",
                        "realm_web_public_access_enabled",
                        UNKNOWN_FIELD,
                    ],
                );
            }
            Realm::UnknownSubdomain => {
                return json_error(400, "Invalid subdomain", Some("BAD_REQUEST"), &[]);
            }
            Realm::ProductionNoDev | Realm::NoDevBackend => {
                body["authentication_methods"]["dev"] = json!(false);
            }
        }
        Response::json(200, &body)
    }
}

/// Name of a `server_settings` field that no Zulip version sends, so that tests can check that
/// clients ignore unknown fields.
const UNKNOWN_FIELD: &str = "unknown_future_setting";

/// Every key of `authentication_methods`, in the order Zulip lists them.
const AUTHENTICATION_METHOD_KEYS: [&str; 12] = [
    "password",
    "dev",
    "email",
    "ldap",
    "remoteuser",
    "github",
    "azuread",
    "gitlab",
    "apple",
    "google",
    "saml",
    "openid connect",
];

/// Builds the `server_settings` body of [`Realm::Modern`].
fn modern_settings(origin: &str) -> Value {
    let mut body = json!({
        "result": "success",
        "msg": "",
        "zulip_version": "10.1",
        "zulip_feature_level": 300,
        "zulip_merge_base": "10.1",
        "push_notifications_enabled": true,
        "is_incompatible": false,
        "email_auth_enabled": true,
        "require_email_format_usernames": true,
        "authentication_methods": {},
        "external_authentication_methods": external_methods_json(EXTERNAL_METHODS),
        "realm_url": origin,
        "realm_uri": origin,
        "realm_name": "Zulip Dev",
        "realm_icon": "/static/images/icon.png",
        "realm_description": "<p>The Zulip development environment.</p>",
        "realm_web_public_access_enabled": false,
    });
    body[UNKNOWN_FIELD] = json!({"enabled": true, "levels": [1, 2, 3]});
    set_methods(
        &mut body,
        &["password", "dev", "email", "github", "google", "saml"],
    );
    body
}

/// Sets `authentication_methods` to an object with all twelve keys, true only for `enabled`.
fn set_methods(body: &mut Value, enabled: &[&str]) {
    let methods: serde_json::Map<String, Value> = AUTHENTICATION_METHOD_KEYS
        .iter()
        .map(|key| (key.to_string(), json!(enabled.contains(key))))
        .collect();
    body["authentication_methods"] = Value::Object(methods);
}

fn remove_fields(body: &mut Value, names: &[&str]) {
    if let Some(object) = body.as_object_mut() {
        for name in names {
            object.remove(*name);
        }
    }
}

/// One entry of `external_authentication_methods`. The URLs are relative to the realm.
#[derive(Debug)]
pub(crate) struct ExternalMethod {
    pub name: &'static str,
    pub display_name: &'static str,
    pub display_icon: Option<&'static str>,
    pub login_url: &'static str,
    pub signup_url: &'static str,
}

impl ExternalMethod {
    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "display_name": self.display_name,
            "display_icon": self.display_icon,
            "login_url": self.login_url,
            "signup_url": self.signup_url,
        })
    }

    /// Returns the path of `login_url`, without its query.
    pub fn login_path(&self) -> &'static str {
        self.login_url.split('?').next().unwrap_or(self.login_url)
    }

    /// Returns the query of `login_url` without the `?`, or an empty string.
    pub fn login_query(&self) -> &'static str {
        self.login_url
            .split_once('?')
            .map(|(_, query)| query)
            .unwrap_or_default()
    }
}

// The icon name "googl_e-icon.png" is not a typo: GoogleAuthBackend in Zulip's
// zproject/backends.py uses that file name.
const GOOGLE: ExternalMethod = ExternalMethod {
    name: "google",
    display_name: "Google",
    display_icon: Some("/static/images/authentication_backends/googl_e-icon.png"),
    login_url: "/accounts/login/social/google",
    signup_url: "/accounts/register/social/google",
};

const GITHUB: ExternalMethod = ExternalMethod {
    name: "github",
    display_name: "GitHub",
    display_icon: Some("/static/images/authentication_backends/github-icon.png"),
    login_url: "/accounts/login/social/github",
    signup_url: "/accounts/register/social/github",
};

/// A SAML identity provider. Its login URL already has a query, so clients must append the
/// one-time pad with `&`.
const SAML_OKTA: ExternalMethod = ExternalMethod {
    name: "saml:okta",
    display_name: "Okta",
    display_icon: None,
    login_url: "/accounts/login/start/saml/?idp=okta",
    signup_url: "/accounts/register/start/saml/?idp=okta",
};

/// Every external method, in the order of [`Realm::Modern`]'s `server_settings`.
const EXTERNAL_METHODS: &[&ExternalMethod] = &[&GOOGLE, &GITHUB, &SAML_OKTA];

fn external_methods_json(methods: &[&ExternalMethod]) -> Value {
    Value::Array(methods.iter().map(|method| method.to_json()).collect())
}

/// Finds the external method whose login URL has the path `path`. Every realm serves the SSO
/// redirect of every method, including methods its `server_settings` does not list.
pub(crate) fn external_method_for_login_path(path: &str) -> Option<&'static ExternalMethod> {
    EXTERNAL_METHODS
        .iter()
        .copied()
        .find(|method| method.login_path() == path)
}

/// Builds the 301 of [`Realm::Redirecting`]: the same path and query on the default HTTP
/// listener.
pub(crate) fn moved_permanently(request: &RecordedRequest, context: &RequestContext) -> Response {
    let location = format!(
        "http://127.0.0.1:{}{}",
        context.state.http_port,
        scenarios::path_and_query(request)
    );
    scenarios::nginx_page(301).with_header("Location", location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realm_keys_and_listener_names_are_unique() {
        let mut keys: Vec<&str> = Realm::ALL.iter().map(|realm| realm.key()).collect();
        let mut names: Vec<&str> = Realm::ALL
            .iter()
            .map(|realm| realm.listener_name())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        names.sort_unstable();
        names.dedup();
        assert_eq!(keys.len(), Realm::ALL.len());
        assert_eq!(names.len(), Realm::ALL.len());
    }

    #[test]
    fn login_url_splits_into_path_and_query() {
        assert_eq!(SAML_OKTA.login_path(), "/accounts/login/start/saml/");
        assert_eq!(SAML_OKTA.login_query(), "idp=okta");
        assert_eq!(GITHUB.login_path(), "/accounts/login/social/github");
        assert_eq!(GITHUB.login_query(), "");
    }

    #[test]
    fn every_realm_lists_all_twelve_methods() {
        for realm in Realm::ALL {
            if realm == Realm::UnknownSubdomain {
                continue;
            }
            let response = realm.server_settings("http://127.0.0.1:1");
            let body: Value = serde_json::from_slice(&response.body).unwrap();
            let methods = body["authentication_methods"].as_object().unwrap();
            assert_eq!(methods.len(), 12, "{realm:?}");
        }
    }
}
