//! Demo accounts known to the test server. All of them are fixtures: none is a real account.

use std::sync::OnceLock;

/// One account that `POST /api/v1/fetch_api_key` accepts.
#[derive(Clone, Debug)]
pub struct DemoUser {
    /// Login name typed by the user: an email address, or a name for the LDAP-style account.
    pub username: String,
    pub password: String,
    /// Delivery email returned on success. It can differ from `username`.
    pub email: String,
    /// `None` for the account that imitates a server older than Zulip 7.0, which sends no
    /// `user_id`.
    pub user_id: Option<u64>,
    /// 32 characters from `[A-Za-z0-9]`, like a real Zulip API key.
    pub api_key: String,
    /// Adds `ignored_parameters_unsupported` and fields unknown to clients to the success body.
    pub extra_fields: bool,
}

/// Email of the main demo account.
pub const IAGO_EMAIL: &str = "iago@zulip.com";
/// Password of the main demo account.
pub const IAGO_PASSWORD: &str = "abcd1234";
/// API key returned for the main demo account.
pub const IAGO_API_KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
/// User ID of the main demo account.
pub const IAGO_USER_ID: u64 = 5;

fn user(
    username: &str,
    password: &str,
    email: &str,
    user_id: Option<u64>,
    api_key: &str,
    extra_fields: bool,
) -> DemoUser {
    DemoUser {
        username: username.to_string(),
        password: password.to_string(),
        email: email.to_string(),
        user_id,
        api_key: api_key.to_string(),
        extra_fields,
    }
}

/// Returns every demo account.
pub fn demo_users() -> &'static [DemoUser] {
    static USERS: OnceLock<Vec<DemoUser>> = OnceLock::new();
    USERS.get_or_init(|| {
        vec![
            user(
                IAGO_EMAIL,
                IAGO_PASSWORD,
                IAGO_EMAIL,
                Some(IAGO_USER_ID),
                IAGO_API_KEY,
                false,
            ),
            // An LDAP-style login name whose delivery email differs from what was typed.
            user(
                "hamlet",
                "Ünïcødé pässwörd 🔑 & = + %",
                "hamlet@zulip.com",
                Some(10),
                "PCWVHu1cC1hPisJN11i0lvBBguonqXPj",
                false,
            ),
            // Non-Latin username and a 300-character password.
            user(
                "дмитрий@zulip.com",
                &"пароль".repeat(50),
                "дмитрий@zulip.com",
                Some(11),
                "HC7zYu6jxg7t3B10M9hEPPOf9CEBjccK",
                false,
            ),
            user(
                "old@zulip.com",
                "abcd1234",
                "old@zulip.com",
                None,
                "Dy3qmvrmexmdXCD7DjS1cSi5fkaHOE2x",
                false,
            ),
            user(
                "extra@zulip.com",
                "abcd1234",
                "extra@zulip.com",
                Some(12),
                "DTFHu3I0i3B1XWyWNtPpfcDxbbbOM4ye",
                true,
            ),
        ]
    })
}

/// Finds the account for a typed username. Like Zulip's email lookup, the match ignores case.
pub fn find_user(username: &str) -> Option<&'static DemoUser> {
    let expected = username.to_lowercase();
    demo_users()
        .iter()
        .find(|user| user.username.to_lowercase() == expected)
}

/// Finds the account whose delivery email is `email`, ignoring case, as the development login
/// does.
pub fn find_user_by_email(email: &str) -> Option<&'static DemoUser> {
    let expected = email.to_lowercase();
    demo_users()
        .iter()
        .find(|user| user.email.to_lowercase() == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_have_zulip_shape() {
        for user in demo_users() {
            assert_eq!(user.api_key.len(), 32, "{}", user.username);
            assert!(user
                .api_key
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn long_password_has_300_characters() {
        let user = find_user("дмитрий@zulip.com").unwrap();
        assert_eq!(user.password.chars().count(), 300);
    }

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(find_user("IAGO@Zulip.com").unwrap().email, IAGO_EMAIL);
        assert_eq!(find_user("ДМИТРИЙ@zulip.com").unwrap().user_id, Some(11));
    }

    #[test]
    fn email_lookup_uses_delivery_email() {
        assert_eq!(
            find_user_by_email("Hamlet@zulip.com").unwrap().user_id,
            Some(10)
        );
        assert!(find_user_by_email("hamlet").is_none());
    }
}
