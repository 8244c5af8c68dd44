package org.zulip.auth

/**
 * The JNI surface: the native methods of `libzulip_auth.so` (in `src/jni/` of the crate) and
 * the factories its native code calls to build results and exceptions.
 *
 * Native code finds this class by name, so R8 and ProGuard must keep it with all its members
 * (see `bindings/kotlin/consumer-rules.pro`). Handles are addresses of native objects; only
 * [NativeHandle] passes them, so that each is freed once and never used after.
 */
internal object Native {
    init {
        System.loadLibrary("zulip_auth")
    }

    /** `proxyMode` of [clientNew]: the proxy from the environment. */
    const val PROXY_FROM_ENVIRONMENT = 0

    /** `proxyMode` of [clientNew]: no proxy. */
    const val PROXY_NONE = 1

    /** `proxyMode` of [clientNew]: the proxy at `proxyUrl`. */
    const val PROXY_URL = 2

    @JvmStatic
    @Throws(ZulipException::class)
    external fun clientNew(
        timeoutMillis: Long,
        connectTimeoutMillis: Long,
        userAgent: String?,
        rootCertificatesPem: String?,
        trustOnlyAddedRoots: Boolean,
        proxyMode: Int,
        proxyUrl: String?,
        allowInsecureHttp: Boolean
    ): Long

    @JvmStatic
    @Throws(ZulipException::class)
    external fun clientFree(client: Long)

    @JvmStatic
    @Throws(ZulipException::class)
    external fun clientFetchApiKey(client: Long, cancel: Long, serverUrl: String, username: String, password: String): ApiKey

    @JvmStatic
    @Throws(ZulipException::class)
    external fun clientFetchServerSettings(client: Long, cancel: Long, serverUrl: String): ServerSettings

    @JvmStatic
    @Throws(ZulipException::class)
    external fun clientDevFetchApiKey(client: Long, cancel: Long, serverUrl: String, username: String): ApiKey

    @JvmStatic
    @Throws(ZulipException::class)
    external fun clientDevListUsers(client: Long, cancel: Long, serverUrl: String): List<DevUser>

    @JvmStatic
    @Throws(ZulipException::class)
    external fun cancelNew(): Long

    @JvmStatic
    @Throws(ZulipException::class)
    external fun cancelCancel(token: Long)

    @JvmStatic
    @Throws(ZulipException::class)
    external fun cancelIsCancelled(token: Long): Boolean

    @JvmStatic
    @Throws(ZulipException::class)
    external fun cancelFree(token: Long)

    @JvmStatic
    @Throws(ZulipException::class)
    external fun ssoNew(realmUrl: String, loginUrl: String): Long

    @JvmStatic
    @Throws(ZulipException::class)
    external fun ssoBrowserUrl(session: Long): String

    @JvmStatic
    @Throws(ZulipException::class)
    external fun ssoRealmUrl(session: Long): String

    @JvmStatic
    @Throws(ZulipException::class)
    external fun ssoFinish(session: Long, callbackUrl: String): ApiKey

    @JvmStatic
    @Throws(ZulipException::class)
    external fun ssoFree(session: Long)

    @JvmStatic
    @Throws(ZulipException::class)
    external fun initAndroid(context: Any)

    /** Called from native code. [userId] is -1 when the server sent none. */
    @JvmStatic
    fun newApiKey(apiKey: String, email: String, userId: Long, ignoredParameters: Array<String>): ApiKey =
        ApiKey(apiKey, email, if (userId < 0) null else userId, ignoredParameters.toList())

    /** Called from native code with one array element per user. */
    @JvmStatic
    fun newDevUsers(emails: Array<String>, realmUrls: Array<String>, isAdmin: BooleanArray): List<DevUser> =
        emails.indices.map { DevUser(emails[it], realmUrls[it], isAdmin[it]) }

    /** Called from native code; the method arrays have one element per external method. */
    @JvmStatic
    fun newServerSettings(
        realmUrl: String,
        realmName: String?,
        realmIcon: String?,
        realmDescription: String?,
        zulipVersion: String?,
        zulipFeatureLevel: Long,
        zulipMergeBase: String?,
        pushNotificationsEnabled: Boolean,
        isIncompatible: Boolean,
        emailAuthEnabled: Boolean,
        requireEmailFormatUsernames: Boolean,
        realmWebPublicAccessEnabled: Boolean,
        authenticationMethodNames: Array<String>,
        authenticationMethodsEnabled: BooleanArray,
        methodNames: Array<String>,
        methodDisplayNames: Array<String>,
        methodDisplayIcons: Array<String?>,
        methodLoginUrls: Array<String>,
        methodSignupUrls: Array<String>,
        passwordLogin: Int
    ): ServerSettings {
        val flags = LinkedHashMap<String, Boolean>()
        for (index in authenticationMethodNames.indices) {
            flags[authenticationMethodNames[index]] = authenticationMethodsEnabled[index]
        }
        val methods = methodNames.indices.map {
            ExternalAuthMethod(methodNames[it], methodDisplayNames[it], methodDisplayIcons[it], methodLoginUrls[it], methodSignupUrls[it])
        }
        return ServerSettings(
            realmUrl, realmName, realmIcon, realmDescription, zulipVersion, zulipFeatureLevel, zulipMergeBase,
            pushNotificationsEnabled, isIncompatible, emailAuthEnabled, requireEmailFormatUsernames,
            realmWebPublicAccessEnabled, flags, methods, PasswordLogin.values()[passwordLogin]
        )
    }

    /**
     * Called from native code. [httpStatus] is 0 without a response and [retryAfterMillis] is -1
     * without a delay. A status number this version does not know becomes a [ServerException]
     * with [ZulipStatus.SERVER], as the C header advises.
     */
    @JvmStatic
    fun newException(
        status: Int,
        message: String,
        code: String?,
        serverMessage: String?,
        httpStatus: Int,
        retryAfterMillis: Long
    ): ZulipException = ZulipException.create(
        ZulipStatus.fromNumber(status) ?: ZulipStatus.SERVER,
        message,
        code,
        serverMessage,
        if (httpStatus == 0) null else httpStatus,
        if (retryAfterMillis < 0) null else retryAfterMillis
    )
}
