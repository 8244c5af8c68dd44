package org.zulip.auth

/**
 * A failed call. Each subclass is one family of failures that a login screen handles the same
 * way, and [status] distinguishes the cases within a family.
 *
 * The message says what failed, on which value, and what to do next, for developers and logs.
 * It never contains a password or an API key. [serverMessage] is the server's own text (in the
 * language the server chose), often the best text to show the user.
 *
 * It is a checked exception for Java callers: every throwing function declares it with `@Throws`.
 */
sealed class ZulipException(
    /** The precise failure. */
    val status: ZulipStatus,
    message: String,
    /** Zulip's error `code`, such as `"AUTHENTICATION_FAILED"`, when the server sent one. */
    val code: String?,
    /** The server's `msg`, when the server sent one. */
    val serverMessage: String?,
    /** The HTTP status of the response, or null when no response arrived. */
    val httpStatus: Int?,
    /** The delay before retrying, in milliseconds, when the server sent one. */
    val retryAfterMillis: Long?
) : Exception(message) {
    /** The message; never null, unlike [Throwable.message] in general. */
    override val message: String
        get() = super.message ?: status.name

    internal companion object {
        /** Creates the exception of the family that [status] belongs to. */
        fun create(
            status: ZulipStatus,
            message: String,
            code: String?,
            serverMessage: String?,
            httpStatus: Int?,
            retryAfterMillis: Long?
        ): ZulipException = when (status) {
            ZulipStatus.AUTHENTICATION_FAILED, ZulipStatus.BAD_REQUEST ->
                AuthenticationException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.USER_DEACTIVATED, ZulipStatus.REALM_DEACTIVATED, ZulipStatus.PASSWORD_AUTH_DISABLED,
            ZulipStatus.PASSWORD_RESET_REQUIRED, ZulipStatus.REALM_NOT_FOUND ->
                AccountStateException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.RATE_LIMITED ->
                RateLimitException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.DNS, ZulipStatus.CONNECT, ZulipStatus.TLS, ZulipStatus.TIMEOUT, ZulipStatus.PROXY ->
                NetworkException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.TLS_CERTIFICATE ->
                TlsCertificateException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.CANCELLED ->
                CancelledException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.REDIRECT, ZulipStatus.HTTP_STATUS, ZulipStatus.INVALID_RESPONSE,
            ZulipStatus.RESPONSE_TOO_LARGE, ZulipStatus.SERVER, ZulipStatus.DEV_LOGIN_UNAVAILABLE ->
                ServerException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.INVALID_ARGUMENT, ZulipStatus.INVALID_URL, ZulipStatus.INSECURE_URL,
            ZulipStatus.INVALID_CALLBACK ->
                InvalidInputException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
            ZulipStatus.INTERNAL, ZulipStatus.OK ->
                InternalException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
        }
    }
}

/** Wrong username or password ([ZulipStatus.AUTHENTICATION_FAILED]), or a username the server rejects ([ZulipStatus.BAD_REQUEST]). */
class AuthenticationException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/**
 * The account or organization cannot log in this way: user or organization deactivated,
 * password login disabled, password reset required, or no organization at this address.
 */
class AccountStateException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/** Too many attempts; wait [retryAfterMillis] (when not null) before trying again. */
class RateLimitException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/** The server could not be reached: DNS, connection, timeout, proxy, or TLS other than the certificate. */
class NetworkException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/**
 * The server's TLS certificate was rejected: unknown or private certificate authority,
 * expired, issued for another name, or sent without its intermediate certificates.
 */
class TlsCertificateException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/** The call was cancelled through its [CancellationToken]. */
class CancelledException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/**
 * The server responded, but not with a usable Zulip response: a redirect, an HTTP error page,
 * invalid or oversized content, another Zulip error, or no development login.
 */
class ServerException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/** An argument was rejected before anything was sent: null, invalid option, invalid or insecure URL, or invalid callback URL. */
class InvalidInputException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)

/** A bug in this library, such as a caught panic; the call had no effect the app can rely on. */
class InternalException(
    status: ZulipStatus,
    message: String,
    code: String?,
    serverMessage: String?,
    httpStatus: Int?,
    retryAfterMillis: Long?
) : ZulipException(status, message, code, serverMessage, httpStatus, retryAfterMillis)
