package org.zulip.auth

/**
 * The status of a failed call, with the same number as the C header's `ZulipStatus`
 * (`ZULIP_ERROR_` plus the name here, or `ZULIP_OK`). Numbers are grouped by family in blocks of
 * 100 and never reused. A test in `tests/jvm.rs` fails when this enum and the header differ.
 */
enum class ZulipStatus(val number: Int) {
    /** Success; no exception carries it. */
    OK(0),

    /** An argument is null or an unusable option value. */
    INVALID_ARGUMENT(100),

    /** The server URL cannot be used as a Zulip server address. */
    INVALID_URL(101),

    /** Plain `http://` to a host that is not loopback, without `allowInsecureHttp`. */
    INSECURE_URL(102),

    /** The `zulip://login` callback of a browser login is malformed, altered or for another session. */
    INVALID_CALLBACK(103),

    /** The server's host name could not be resolved. */
    DNS(200),

    /** No connection could be made, or the connection was lost. */
    CONNECT(201),

    /** The server's TLS certificate was rejected. */
    TLS_CERTIFICATE(202),

    /** The TLS handshake failed for a reason other than the certificate. */
    TLS(203),

    /** The connect or overall timeout expired. */
    TIMEOUT(204),

    /** The call was cancelled through its [CancellationToken]. */
    CANCELLED(205),

    /** The proxy could not be reached or refused the tunnel. */
    PROXY(206),

    /** The server redirected the login; the message names where. */
    REDIRECT(300),

    /** An HTTP error that is not Zulip JSON, such as an HTML 502 page from a proxy. */
    HTTP_STATUS(301),

    /** Not Zulip JSON, or a success without a usable API key or email. */
    INVALID_RESPONSE(302),

    /** A body over 1 MiB or headers over 64 KiB. */
    RESPONSE_TOO_LARGE(303),

    /** Wrong username or password. */
    AUTHENTICATION_FAILED(400),

    /** The account is deactivated. */
    USER_DEACTIVATED(401),

    /** The organization is deactivated. */
    REALM_DEACTIVATED(402),

    /** The server allows no password login. */
    PASSWORD_AUTH_DISABLED(403),

    /** The password must be reset first. */
    PASSWORD_RESET_REQUIRED(404),

    /** Too many attempts; [ZulipException.retryAfterMillis] is the delay before retrying. */
    RATE_LIMITED(405),

    /** No organization exists at this address. */
    REALM_NOT_FOUND(406),

    /** The server rejected the request's parameters, such as a username that is not an email. */
    BAD_REQUEST(407),

    /** Any other Zulip error; [ZulipException.code] has the server's code. */
    SERVER(408),

    /** Development login on a server that is not a development environment. */
    DEV_LOGIN_UNAVAILABLE(409),

    /** A bug in this library, such as a caught panic. */
    INTERNAL(900);

    companion object {
        /** Returns the status with this number, or null for a number this version does not define. */
        @JvmStatic
        fun fromNumber(number: Int): ZulipStatus? = values().firstOrNull { it.number == number }
    }
}
