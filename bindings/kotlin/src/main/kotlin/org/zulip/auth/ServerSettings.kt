package org.zulip.auth

/**
 * The password form a login screen shows, following the official Zulip apps. The entries are
 * declared in the order of the C header's `ZulipPasswordLogin` numbers, which native code passes.
 */
enum class PasswordLogin {
    /** No password form: the server allows neither email nor LDAP password login. */
    UNAVAILABLE,

    /** A password form whose username field is labelled "Email". */
    EMAIL,

    /** A password form whose username field is labelled "Username" (LDAP with plain usernames). */
    USERNAME
}

/** A login method that runs in a browser (single sign-on); start it with [ZulipAuth.startSso]. */
data class ExternalAuthMethod(
    /** The method's name, such as `"google"` or `"saml:okta"`. */
    val name: String,
    /** The name to show on the login button. */
    val displayName: String,
    /** The absolute URL of the button's icon, when the server provides one. */
    val displayIcon: String?,
    /** The absolute URL that starts the login; pass it to [ZulipAuth.startSso]. */
    val loginUrl: String,
    /** The absolute URL that starts a sign-up with this method. */
    val signupUrl: String
)

/** The fields of Zulip's `server_settings` that a login screen uses. */
data class ServerSettings(
    /**
     * The organization's URL, where to log in. When the server names none (a root domain
     * without an organization), the origin the settings came from after redirects.
     */
    val realmUrl: String,
    /** The organization's name; null on a root domain without an organization. */
    val realmName: String?,
    /** The absolute URL of the organization's icon. */
    val realmIcon: String?,
    /** The organization's description, as HTML. */
    val realmDescription: String?,
    /** The server's version, such as `"10.1"`. */
    val zulipVersion: String?,
    /** The API feature level; 0 when the server omits it (servers before Zulip 3.0). */
    val zulipFeatureLevel: Long,
    /** The git commit the server was built from. */
    val zulipMergeBase: String?,
    /** Whether the server can send mobile push notifications. */
    val pushNotificationsEnabled: Boolean,
    /** Whether the server considers this client too old to work with it. */
    val isIncompatible: Boolean,
    /** Whether email and password login is enabled. */
    val emailAuthEnabled: Boolean,
    /** Whether usernames must be email addresses; false only under LDAP with plain usernames. */
    val requireEmailFormatUsernames: Boolean,
    /** Whether spectators may read web-public channels without an account. */
    val realmWebPublicAccessEnabled: Boolean,
    /** Each `authentication_methods` flag, such as `"ldap" to true`, sorted by name. */
    val authenticationMethods: Map<String, Boolean>,
    /** The browser-based login methods, in the server's order. */
    val externalAuthMethods: List<ExternalAuthMethod>,
    /** The password form to show, derived from the fields above as the official apps do. */
    val passwordLogin: PasswordLogin
) {
    /** Returns whether the server enables the authentication method [name], such as `"ldap"`. */
    fun isAuthenticationMethodEnabled(name: String): Boolean = authenticationMethods[name] == true
}
