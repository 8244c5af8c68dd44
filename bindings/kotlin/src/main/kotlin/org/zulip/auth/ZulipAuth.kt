package org.zulip.auth

import java.io.Closeable

/**
 * A Zulip login client: HTTP settings, trusted roots and a pool of reusable connections.
 *
 * Every call blocks until the server responds or the call fails, so run it off the main thread.
 * Calls may run on several threads at once. Failures throw a [ZulipException] subclass, one
 * per family a login screen handles differently. Calls after [close] throw
 * [IllegalStateException]. The class is a [Closeable], and so an [AutoCloseable], because
 * Kotlin's `use {}` covers only `Closeable` before Kotlin 1.8 without `kotlin-stdlib-jdk7`.
 *
 * The native library `libzulip_auth.so` is loaded on first use with
 * `System.loadLibrary("zulip_auth")`; without it that first use throws [UnsatisfiedLinkError].
 */
class ZulipAuth private constructor(pointer: Long) : Closeable {
    private val handle = NativeHandle("ZulipAuth", pointer) { Native.clientFree(it) }

    /**
     * Creates a client. Throws [InvalidInputException] for an unusable option value.
     *
     * The native client is created before this object exists, so a failure leaves nothing
     * for the finalizer to free.
     */
    @JvmOverloads
    @Throws(ZulipException::class)
    constructor(options: ClientOptions = ClientOptions()) : this(newClient(options))

    /**
     * Logs in with a username and password (`POST /api/v1/fetch_api_key`).
     *
     * [serverUrl] is taken as the user typed it (`https://` is added when missing). A redirect
     * is never followed: it throws [ServerException] with [ZulipStatus.REDIRECT], whose message
     * names the new location. Cancel the call from another thread through [cancellation].
     */
    @JvmOverloads
    @Throws(ZulipException::class)
    fun fetchApiKey(serverUrl: String, username: String, password: String, cancellation: CancellationToken? = null): ApiKey =
        call(cancellation) { client, token -> Native.clientFetchApiKey(client, token, serverUrl, username, password) }

    /**
     * Fetches what a login screen needs to know (`GET /api/v1/server_settings`), following up
     * to 5 redirects. Log in at [ServerSettings.realmUrl] afterwards.
     */
    @JvmOverloads
    @Throws(ZulipException::class)
    fun fetchServerSettings(serverUrl: String, cancellation: CancellationToken? = null): ServerSettings =
        call(cancellation) { client, token -> Native.clientFetchServerSettings(client, token, serverUrl) }

    /**
     * Logs in without a password on a Zulip development server
     * (`POST /api/v1/dev_fetch_api_key`). Other servers throw [ServerException] with
     * [ZulipStatus.DEV_LOGIN_UNAVAILABLE].
     */
    @JvmOverloads
    @Throws(ZulipException::class)
    fun devFetchApiKey(serverUrl: String, username: String, cancellation: CancellationToken? = null): ApiKey =
        call(cancellation) { client, token -> Native.clientDevFetchApiKey(client, token, serverUrl, username) }

    /**
     * Lists the accounts of a Zulip development server (`GET /api/v1/dev_list_users`),
     * administrators first. Other servers throw [ServerException] with
     * [ZulipStatus.DEV_LOGIN_UNAVAILABLE].
     */
    @JvmOverloads
    @Throws(ZulipException::class)
    fun devListUsers(serverUrl: String, cancellation: CancellationToken? = null): List<DevUser> =
        call(cancellation) { client, token -> Native.clientDevListUsers(client, token, serverUrl) }

    /**
     * Starts a browser login at the organization [realmUrl] with the external method whose
     * [ExternalAuthMethod.loginUrl] is [loginUrl]. Sends nothing; see [SsoSession].
     *
     * Throws [InvalidInputException] for an unusable realm URL (plain `http://` only to loopback
     * hosts) or a login URL on another origin.
     */
    @Throws(ZulipException::class)
    fun startSso(realmUrl: String, loginUrl: String): SsoSession {
        val pointer = handle.withPointer { Native.ssoNew(realmUrl, loginUrl) }
        return SsoSession(pointer)
    }

    /**
     * Frees the native client. It does not wait: calls still running finish normally, and the
     * client is freed when the last one returns. Calling it again does nothing.
     */
    override fun close() {
        handle.close()
    }

    /** Frees the native client of a client that was never closed. */
    protected fun finalize() {
        handle.close()
    }

    /** Runs a native call with the client pointer and the token pointer, or 0 without a token. */
    private fun <T> call(cancellation: CancellationToken?, block: (Long, Long) -> T): T =
        handle.withPointer { client ->
            if (cancellation == null) {
                block(client, 0L)
            } else {
                cancellation.handle.withPointer { token -> block(client, token) }
            }
        }

    companion object {
        /**
         * Gives the TLS certificate verifier the app's `android.content.Context`, which it needs
         * on Android before the first HTTPS call. Call it once, for example in
         * `Application.onCreate()`. It does nothing on other platforms.
         *
         * The parameter is typed [Any] so that this library builds without the Android SDK.
         */
        @JvmStatic
        @Throws(ZulipException::class)
        fun initAndroid(context: Any) {
            Native.initAndroid(context)
        }

        private fun newClient(options: ClientOptions): Long {
            val proxy = options.proxy
            val proxyMode = when (proxy) {
                is ProxySetting.FromEnvironment -> Native.PROXY_FROM_ENVIRONMENT
                is ProxySetting.Direct -> Native.PROXY_NONE
                is ProxySetting.Url -> Native.PROXY_URL
            }
            return Native.clientNew(
                options.timeoutMillis,
                options.connectTimeoutMillis,
                options.userAgent,
                options.extraRootCertificatesPem,
                options.trustOnlyAddedRoots,
                proxyMode,
                (proxy as? ProxySetting.Url)?.url,
                options.allowInsecureHttp
            )
        }
    }
}
