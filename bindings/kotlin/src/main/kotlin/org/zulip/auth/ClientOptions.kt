package org.zulip.auth

/** Where a client's proxy comes from. */
sealed class ProxySetting {
    /** The proxy named by `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`, read when the client is created. */
    object FromEnvironment : ProxySetting() {
        override fun toString(): String = "FromEnvironment"
    }

    /** No proxy, whatever the environment says. */
    object Direct : ProxySetting() {
        override fun toString(): String = "Direct"
    }

    /**
     * The proxy at [url]: `http://host:port` (HTTP CONNECT), `socks5://host:port` or
     * `socks4://host:port`, optionally with `user:password@`. [toString] hides the password.
     */
    class Url(val url: String) : ProxySetting() {
        override fun equals(other: Any?): Boolean = other is Url && other.url == url

        override fun hashCode(): Int = url.hashCode()

        override fun toString(): String = "Url(${redactUserInfo(url)})"
    }
}

/** Replaces the `user:password@` part of a URL. */
private fun redactUserInfo(url: String): String {
    val schemeEnd = url.indexOf("://")
    val authorityStart = if (schemeEnd < 0) 0 else schemeEnd + 3
    val pathStart = url.indexOf('/', authorityStart).let { if (it < 0) url.length else it }
    val at = url.lastIndexOf('@', pathStart - 1)
    if (at < authorityStart) {
        return url
    }
    return url.substring(0, authorityStart) + "<redacted>" + url.substring(at)
}

/**
 * Settings of a [ZulipAuth] client. Values are checked when the client is created, which
 * throws [InvalidInputException] for an unusable one.
 */
data class ClientOptions @JvmOverloads constructor(
    /** The time limit of one call, from name resolution to the end of the response, in milliseconds. */
    val timeoutMillis: Long = 30_000,
    /** The time limit for resolving the host name and for connecting, each, in milliseconds. */
    val connectTimeoutMillis: Long = 10_000,
    /** The `User-Agent` header, such as `"MyZulipApp/1.4 (Android 14)"`; null sends `zulip-auth/<version> (<OS>)`. */
    val userAgent: String? = null,
    /** PEM text with one or more root certificates to trust in addition to the platform's. */
    val extraRootCertificatesPem: String? = null,
    /** Trusts only [extraRootCertificatesPem], not the platform's roots (pinning to a private CA). */
    val trustOnlyAddedRoots: Boolean = false,
    /** Where the proxy comes from. */
    val proxy: ProxySetting = ProxySetting.FromEnvironment,
    /** Allows plain `http://` to hosts other than loopback, which sends the password unencrypted. */
    val allowInsecureHttp: Boolean = false
)
