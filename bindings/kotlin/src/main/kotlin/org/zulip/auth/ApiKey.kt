package org.zulip.auth

/** The credentials a login returns. [toString] leaves the API key out, so logging this is safe. */
data class ApiKey(
    /** The API key, the password of HTTP Basic authentication in later API calls. */
    val apiKey: String,
    /**
     * The account's email as the server reports it. It may differ from the username typed (an
     * LDAP name, other letter case), and later API calls must use it.
     */
    val email: String,
    /** The user's id; null on servers older than Zulip 7.0 (feature level 171). */
    val userId: Long?,
    /** Request parameters the server reported as unsupported (`ignored_parameters_unsupported`). */
    val ignoredParameters: List<String>
) {
    override fun toString(): String =
        "ApiKey(apiKey=<redacted>, email=$email, userId=$userId, ignoredParameters=$ignoredParameters)"
}
