package org.zulip.auth

/** An account that development login can log in as; see [ZulipAuth.devListUsers]. */
data class DevUser(
    /** The account's email, to pass to [ZulipAuth.devFetchApiKey]. */
    val email: String,
    /** The URL of the account's organization. */
    val realmUrl: String,
    /** Whether the account is an organization administrator. */
    val isAdmin: Boolean
)
