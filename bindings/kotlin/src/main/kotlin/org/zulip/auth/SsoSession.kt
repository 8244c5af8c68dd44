package org.zulip.auth

import java.io.Closeable

/**
 * One browser login (single sign-on) in progress, created by [ZulipAuth.startSso].
 *
 * Open [browserUrl] in a browser (a Custom Tab), and pass the `zulip://login?...` URL that the
 * app receives to [finish]. The URL carries a one-time pad of 32 random bytes that decrypts
 * the API key in the callback. Closing the session zeroes the native copy of the pad. A session
 * finishes successfully at most once, and a rejected callback leaves it usable for the genuine
 * one. Safe to use from several threads.
 */
class SsoSession internal constructor(pointer: Long) : Closeable {
    private val handle = NativeHandle("SsoSession", pointer) { Native.ssoFree(it) }

    /**
     * The login URL with `mobile_flow_otp=<pad>` added. It contains the pad, so do not log it.
     */
    val browserUrl: String = handle.withPointer { Native.ssoBrowserUrl(it) }

    /** The origin of the organization this session logs in to. */
    val realmUrl: String = handle.withPointer { Native.ssoRealmUrl(it) }

    /**
     * Checks the `zulip://login?...` [callbackUrl] and decrypts the API key in it.
     *
     * Throws [InvalidInputException] with [ZulipStatus.INVALID_CALLBACK] when the URL is
     * malformed, names another organization, does not decrypt with this session's pad, or the
     * session already finished. Throws [IllegalStateException] once closed.
     */
    @Throws(ZulipException::class)
    fun finish(callbackUrl: String): ApiKey = handle.withPointer { Native.ssoFinish(it, callbackUrl) }

    /** Frees the session and zeroes its pad. Calling it again does nothing. */
    override fun close() {
        handle.close()
    }

    /** Frees the native session of a session that was never closed. */
    protected fun finalize() {
        handle.close()
    }

    /** Names the organization only, because [browserUrl] contains the pad. */
    override fun toString(): String = "SsoSession(realmUrl=$realmUrl)"
}
