// The Kotlin API against the loopback test server, run by tests/jvm.rs on a real JVM.
//
// Usage: ZulipAuthJvmTestKt suite|dns KEY=VALUE...
// The keys are listed in `Servers`. `dns` runs only the DNS check, inside a network namespace
// without a name server. The last line is "N passed, M failed", and the exit code is 1 when a
// check failed. Nothing printed contains a password or an API key.
package org.zulip.auth.jvmtest

import java.io.File
import java.net.HttpURLConnection
import java.net.InetAddress
import java.net.ServerSocket
import java.net.URL
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference
import org.zulip.auth.AccountStateException
import org.zulip.auth.ApiKey
import org.zulip.auth.AuthenticationException
import org.zulip.auth.CancellationToken
import org.zulip.auth.CancelledException
import org.zulip.auth.ClientOptions
import org.zulip.auth.InternalException
import org.zulip.auth.InvalidInputException
import org.zulip.auth.Native
import org.zulip.auth.NetworkException
import org.zulip.auth.PasswordLogin
import org.zulip.auth.ProxySetting
import org.zulip.auth.RateLimitException
import org.zulip.auth.ServerException
import org.zulip.auth.TlsCertificateException
import org.zulip.auth.ZulipAuth
import org.zulip.auth.ZulipException
import org.zulip.auth.ZulipStatus

const val IAGO = "iago@zulip.com"
const val PASSWORD = "abcd1234"
const val IAGO_API_KEY = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv"
const val USER_AGENT = "ZulipJvmTest/1.0 (Linux)"

/** Native methods that make the JNI boundary handle failures; debug builds of the library only. */
object TestHooks {
    /** Panics inside the boundary. */
    @JvmStatic
    external fun panic()

    /** Calls a factory method that `org.zulip.auth.Native` does not have. */
    @JvmStatic
    external fun callMissingFactory()
}

/** The test server's URLs, from the KEY=VALUE arguments. */
class Servers(arguments: Map<String, String>) {
    private val values = arguments

    private fun get(key: String): String = values[key] ?: throw IllegalArgumentException("argument $key=... is missing")

    val http = get("http")
    val https = get("https")
    val caPem: String = File(get("ca")).readText()
    val refused = get("refused")
    val proxy = get("proxy")
    val brokenProxy = get("broken-proxy")

    fun realm(key: String) = get("realm.$key")

    fun tls(variant: String) = get("tls.$variant")
}

class AssertionFailed(message: String) : Exception(message)

fun check(condition: Boolean, message: () -> String) {
    if (!condition) {
        throw AssertionFailed(message())
    }
}

fun <T> checkEqual(expected: T, actual: T, label: String) {
    check(expected == actual) { "$label: expected $expected, got $actual" }
}

/** Runs [block] and returns the exception of type [E] it throws, failing on anything else. */
inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (thrown: Throwable) {
        if (thrown is E) {
            return thrown
        }
        throw AssertionFailed("expected ${E::class.java.simpleName}, got $thrown")
    }
    throw AssertionFailed("expected ${E::class.java.simpleName}, but the call returned normally")
}

/** Checks an exception's family (through [E]) and its status. */
inline fun <reified E : ZulipException> expectFailure(status: ZulipStatus, block: () -> Unit): E {
    val exception = expectThrows<E>(block)
    checkEqual(status, exception.status, "status")
    check(exception.message.isNotEmpty()) { "the message is empty" }
    check(!exception.message.contains(PASSWORD) && !exception.message.contains(IAGO_API_KEY)) { "the message contains a secret" }
    return exception
}

class Runner {
    private var passed = 0
    private var failed = 0

    fun test(name: String, body: () -> Unit) {
        try {
            body()
            passed++
            println("ok   $name")
        } catch (failure: Throwable) {
            failed++
            println("FAIL $name: $failure")
            failure.stackTrace.take(8).forEach { println("       at $it") }
        }
    }

    fun finish(): Int {
        println("$passed passed, $failed failed")
        return if (failed == 0) 0 else 1
    }
}

fun checkIago(key: ApiKey) {
    checkEqual(IAGO, key.email, "email")
    checkEqual(5L, key.userId, "user id")
    check(key.apiKey == IAGO_API_KEY) { "the API key differs from the demo user's" }
}

/** Sends `GET url` without following redirects, as a browser's first request, and returns `Location`. */
fun browserRedirect(url: String): String {
    val connection = URL(url).openConnection() as HttpURLConnection
    connection.instanceFollowRedirects = false
    try {
        checkEqual(302, connection.responseCode, "HTTP status of the browser step")
        return connection.getHeaderField("Location") ?: throw AssertionFailed("the browser step has no Location")
    } finally {
        connection.disconnect()
    }
}

/** Runs [call] on another thread, cancels [token] after [delayMillis], and returns the outcome and elapsed time. */
fun cancelDuring(token: CancellationToken, delayMillis: Long, call: () -> Unit): Pair<Throwable?, Long> {
    val outcome = AtomicReference<Throwable?>(null)
    val started = System.nanoTime()
    val done = CountDownLatch(1)
    val worker = Thread {
        try {
            call()
        } catch (thrown: Throwable) {
            outcome.set(thrown)
        } finally {
            done.countDown()
        }
    }
    worker.start()
    Thread.sleep(delayMillis)
    Thread { token.cancel() }.apply { start(); join() }
    check(done.await(10, TimeUnit.SECONDS)) { "the call did not return within 10 s of cancel()" }
    return Pair(outcome.get(), (System.nanoTime() - started) / 1_000_000)
}

fun passwordLogin(run: Runner, servers: Servers) {
    run.test("password login over HTTP") {
        ZulipAuth().use { auth -> checkIago(auth.fetchApiKey(servers.http, IAGO, PASSWORD)) }
    }
    run.test("password login over HTTPS with added CA") {
        ZulipAuth(ClientOptions(extraRootCertificatesPem = servers.caPem)).use { auth ->
            checkIago(auth.fetchApiKey(servers.https, IAGO, PASSWORD))
        }
    }
    run.test("password login trusting only added roots") {
        val options = ClientOptions(extraRootCertificatesPem = servers.caPem, trustOnlyAddedRoots = true)
        ZulipAuth(options).use { auth -> checkIago(auth.fetchApiKey(servers.https, IAGO, PASSWORD)) }
    }
    run.test("custom user agent and options") {
        val options = ClientOptions(timeoutMillis = 5_000, connectTimeoutMillis = 2_000, userAgent = USER_AGENT, proxy = ProxySetting.Direct)
        ZulipAuth(options).use { auth -> checkIago(auth.fetchApiKey(servers.http, IAGO, PASSWORD)) }
    }
    run.test("login through HTTP proxy") {
        ZulipAuth(ClientOptions(proxy = ProxySetting.Url(servers.proxy))).use { auth ->
            checkIago(auth.fetchApiKey(servers.http, IAGO, PASSWORD))
        }
    }
    run.test("ApiKey toString hides key") {
        ZulipAuth().use { auth ->
            val shown = auth.fetchApiKey(servers.http, IAGO, PASSWORD).toString()
            check(!shown.contains(IAGO_API_KEY)) { "toString() shows the API key" }
            check(shown.contains(IAGO)) { "toString() lacks the email: $shown" }
        }
    }
    run.test("proxy toString hides password") {
        val shown = ClientOptions(proxy = ProxySetting.Url("http://user:secret@proxy.example.com:3128")).toString()
        check(!shown.contains("secret")) { "toString() shows the proxy password: $shown" }
        check(shown.contains("<redacted>@proxy.example.com:3128")) { shown }
    }
    run.test("parallel logins on one client") {
        ZulipAuth().use { auth ->
            val failures = AtomicReference<Throwable?>(null)
            val threads = (1..6).map {
                Thread {
                    try {
                        repeat(4) { checkIago(auth.fetchApiKey(servers.http, IAGO, PASSWORD)) }
                    } catch (thrown: Throwable) {
                        failures.compareAndSet(null, thrown)
                    }
                }
            }
            threads.forEach { it.start() }
            threads.forEach { it.join() }
            failures.get()?.let { throw it }
        }
    }
}

fun exceptionFamilies(run: Runner, servers: Servers) {
    val auth = ZulipAuth()
    fun login(username: String, url: String = servers.http) {
        auth.fetchApiKey(url, username, PASSWORD)
    }

    run.test("wrong password is AuthenticationException") {
        val error = expectFailure<AuthenticationException>(ZulipStatus.AUTHENTICATION_FAILED) {
            auth.fetchApiKey(servers.http, IAGO, "wrong-password")
        }
        checkEqual("AUTHENTICATION_FAILED", error.code, "code")
        checkEqual(401, error.httpStatus, "HTTP status")
        check(error.serverMessage != null) { "no server message" }
        checkEqual(null, error.retryAfterMillis, "retry delay")
    }
    run.test("username not an email is BAD_REQUEST") {
        val error = expectFailure<AuthenticationException>(ZulipStatus.BAD_REQUEST) { login("iago") }
        checkEqual(400, error.httpStatus, "HTTP status")
    }
    val accountStates = listOf(
        "deactivated" to ZulipStatus.USER_DEACTIVATED,
        "realm-deactivated" to ZulipStatus.REALM_DEACTIVATED,
        "password-disabled" to ZulipStatus.PASSWORD_AUTH_DISABLED,
        "reset-required" to ZulipStatus.PASSWORD_RESET_REQUIRED,
        "nonexistent-subdomain" to ZulipStatus.REALM_NOT_FOUND
    )
    for ((scenario, status) in accountStates) {
        run.test("$scenario is AccountStateException") {
            val error = expectFailure<AccountStateException>(status) { login("$scenario@scenario.test") }
            check(error.code != null) { "no Zulip code" }
        }
    }
    val rateLimits = listOf("rate-limited" to 2_500L, "rate-limited-nocode" to 4_000L, "rate-limited-header" to 7_000L)
    for ((scenario, delay) in rateLimits) {
        run.test("$scenario carries retry delay") {
            val error = expectFailure<RateLimitException>(ZulipStatus.RATE_LIMITED) { login("$scenario@scenario.test") }
            checkEqual(delay, error.retryAfterMillis, "retry delay")
            checkEqual(429, error.httpStatus, "HTTP status")
        }
    }

    run.test("refused connection is NetworkException") {
        val error = expectFailure<NetworkException>(ZulipStatus.CONNECT) { login(IAGO, servers.refused) }
        checkEqual(null, error.httpStatus, "HTTP status")
    }
    run.test("stalled server times out") {
        ZulipAuth(ClientOptions(timeoutMillis = 500)).use { quick ->
            expectFailure<NetworkException>(ZulipStatus.TIMEOUT) { quick.fetchApiKey(servers.http, "stall@scenario.test", PASSWORD) }
        }
    }
    run.test("broken proxy is NetworkException") {
        ZulipAuth(ClientOptions(proxy = ProxySetting.Url(servers.brokenProxy))).use { proxied ->
            expectFailure<NetworkException>(ZulipStatus.PROXY) { proxied.fetchApiKey(servers.http, IAGO, PASSWORD) }
        }
    }
    run.test("HTTPS to plain HTTP server is TLS") {
        // A server that responds to the TLS handshake with plain HTTP, as a misconfigured port does.
        ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).use { listener ->
            val plainServer = Thread {
                listener.accept().use { connection ->
                    connection.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".toByteArray())
                }
            }
            plainServer.start()
            val error = expectFailure<NetworkException>(ZulipStatus.TLS) { login(IAGO, "https://127.0.0.1:${listener.localPort}") }
            plainServer.join(5_000)
            check(error.message.contains("serves HTTPS")) { error.message }
        }
    }

    val withCa = ZulipAuth(ClientOptions(extraRootCertificatesPem = servers.caPem))
    for (variant in listOf("expired", "wrong_host_name", "self_signed", "missing_intermediate")) {
        run.test("certificate $variant is TlsCertificateException") {
            expectFailure<TlsCertificateException>(ZulipStatus.TLS_CERTIFICATE) {
                withCa.fetchApiKey(servers.tls(variant), IAGO, PASSWORD)
            }
        }
    }
    withCa.close()
    run.test("unknown CA is TlsCertificateException") {
        expectFailure<TlsCertificateException>(ZulipStatus.TLS_CERTIFICATE) { login(IAGO, servers.https) }
    }

    val serverFailures = listOf(
        Triple("html-502", ZulipStatus.HTTP_STATUS, 502),
        Triple("redirect-301-https", ZulipStatus.REDIRECT, 301),
        Triple("truncated-json", ZulipStatus.INVALID_RESPONSE, 200),
        Triple("oversized", ZulipStatus.RESPONSE_TOO_LARGE, 200),
        Triple("new-code", ZulipStatus.SERVER, 400)
    )
    for ((scenario, status, httpStatus) in serverFailures) {
        run.test("$scenario is ServerException") {
            val error = expectFailure<ServerException>(status) { login("$scenario@scenario.test") }
            checkEqual(httpStatus, error.httpStatus, "HTTP status")
        }
    }
    run.test("redirect message names location") {
        val error = expectFailure<ServerException>(ZulipStatus.REDIRECT) { login("redirect-301-https@scenario.test") }
        check(error.message.contains("https://localhost:")) { error.message }
    }
    run.test("unknown Zulip code is kept") {
        val error = expectFailure<ServerException>(ZulipStatus.SERVER) { login("new-code@scenario.test") }
        checkEqual("SOME_FUTURE_CODE", error.code, "code")
    }

    run.test("unusable server URLs are InvalidInputException") {
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_URL) { login(IAGO, "zulip:foo") }
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_URL) { login(IAGO, "me@example.com") }
        val insecure = expectFailure<InvalidInputException>(ZulipStatus.INSECURE_URL) { login(IAGO, "http://chat.example.com") }
        check(insecure.message.contains("allow_insecure_http")) { insecure.message }
    }
    run.test("unusable options are InvalidInputException") {
        val cases = listOf(
            ClientOptions(timeoutMillis = 0),
            ClientOptions(connectTimeoutMillis = -5),
            ClientOptions(userAgent = "App\r\nX-Injected: 1"),
            ClientOptions(extraRootCertificatesPem = "not a certificate"),
            ClientOptions(trustOnlyAddedRoots = true),
            ClientOptions(proxy = ProxySetting.Url("ftp://user:secret@proxy.example.com"))
        )
        for (options in cases) {
            val error = expectFailure<InvalidInputException>(ZulipStatus.INVALID_ARGUMENT) { ZulipAuth(options).close() }
            check(!error.message.contains("secret")) { "the message shows the proxy password" }
        }
    }
    run.test("handle 0 is InvalidInputException") {
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_ARGUMENT) { Native.clientFetchApiKey(0L, 0L, servers.http, IAGO, PASSWORD) }
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_ARGUMENT) { Native.ssoFinish(0L, "zulip://login") }
        Native.clientFree(0L)
        Native.cancelFree(0L)
        Native.ssoFree(0L)
    }
    run.test("proxy mode out of range is InvalidInputException") {
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_ARGUMENT) {
            Native.clientNew(1_000L, 1_000L, null, null, false, 7, null, false)
        }
    }
    run.test("panic is InternalException") {
        val error = expectFailure<InternalException>(ZulipStatus.INTERNAL) { TestHooks.panic() }
        check(error.message.contains("deliberate panic")) { error.message }
        // The library still works after a panic was caught.
        checkIago(auth.fetchApiKey(servers.http, IAGO, PASSWORD))
    }
    run.test("missing factory is InternalException") {
        val error = expectFailure<InternalException>(ZulipStatus.INTERNAL) { TestHooks.callMissingFactory() }
        check(error.message.contains("noSuchFactory")) { error.message }
    }
    run.test("unknown status number becomes SERVER") {
        val error = Native.newException(12345, "from a newer library", null, null, 0, -1)
        check(error is ServerException) { "got $error" }
        checkEqual(ZulipStatus.SERVER, error.status, "status")
        checkEqual(null, error.httpStatus, "HTTP status")
    }
    run.test("status numbers round trip") {
        for (status in ZulipStatus.values()) {
            checkEqual(status, ZulipStatus.fromNumber(status.number), "fromNumber(${status.number})")
        }
        checkEqual(null, ZulipStatus.fromNumber(-1), "fromNumber(-1)")
    }
    auth.close()
}

fun cancellation(run: Runner, servers: Servers) {
    run.test("cancel from another thread during stall") {
        ZulipAuth().use { auth ->
            CancellationToken().use { token ->
                val (outcome, elapsed) = cancelDuring(token, 300) { auth.fetchApiKey(servers.http, "stall@scenario.test", PASSWORD, token) }
                check(outcome is CancelledException) { "expected CancelledException, got $outcome" }
                checkEqual(ZulipStatus.CANCELLED, (outcome as CancelledException).status, "status")
                check(elapsed < 5_000) { "the call took $elapsed ms" }
                check(token.isCancelled) { "isCancelled is false" }
            }
        }
    }
    run.test("cancelled token sends nothing") {
        ZulipAuth().use { auth ->
            CancellationToken().use { token ->
                check(!token.isCancelled) { "a new token is cancelled" }
                token.cancel()
                token.cancel()
                expectFailure<CancelledException>(ZulipStatus.CANCELLED) {
                    auth.fetchApiKey(servers.http, "cancelled-before-start@scenario.test", PASSWORD, token)
                }
                expectFailure<CancelledException>(ZulipStatus.CANCELLED) { auth.fetchServerSettings(servers.http, token) }
            }
        }
    }
    run.test("one token cancels two calls") {
        ZulipAuth().use { auth ->
            CancellationToken().use { token ->
                val second = AtomicReference<Throwable?>(null)
                val other = Thread {
                    try {
                        auth.fetchApiKey(servers.http, "stall@scenario.test", PASSWORD, token)
                    } catch (thrown: Throwable) {
                        second.set(thrown)
                    }
                }
                other.start()
                val (first, _) = cancelDuring(token, 300) { auth.fetchApiKey(servers.http, "stall@scenario.test", PASSWORD, token) }
                other.join(10_000)
                check(first is CancelledException) { "first call: expected CancelledException, got $first" }
                check(second.get() is CancelledException) { "second call: expected CancelledException, got ${second.get()}" }
            }
        }
    }
}

fun serverSettings(run: Runner, servers: Servers) {
    val auth = ZulipAuth()
    run.test("server settings of modern realm") {
        val settings = auth.fetchServerSettings(servers.http)
        checkEqual(servers.http, settings.realmUrl, "realm URL")
        checkEqual("Zulip Dev", settings.realmName, "realm name")
        checkEqual("${servers.http}/static/images/icon.png", settings.realmIcon, "realm icon")
        checkEqual("<p>The Zulip development environment.</p>", settings.realmDescription, "description")
        checkEqual("10.1", settings.zulipVersion, "version")
        checkEqual(300L, settings.zulipFeatureLevel, "feature level")
        checkEqual("10.1", settings.zulipMergeBase, "merge base")
        checkEqual(true, settings.pushNotificationsEnabled, "push notifications")
        checkEqual(false, settings.isIncompatible, "incompatible")
        checkEqual(true, settings.emailAuthEnabled, "email auth")
        checkEqual(true, settings.requireEmailFormatUsernames, "email usernames")
        checkEqual(false, settings.realmWebPublicAccessEnabled, "web-public access")
        checkEqual(PasswordLogin.EMAIL, settings.passwordLogin, "password login")
        checkEqual(12, settings.authenticationMethods.size, "authentication method count")
        check(settings.isAuthenticationMethodEnabled("github")) { "github is not enabled" }
        check(!settings.isAuthenticationMethodEnabled("ldap")) { "ldap is enabled" }
        check(!settings.isAuthenticationMethodEnabled("no-such-method")) { "an unknown method is enabled" }
        checkEqual(listOf("google", "github", "saml:okta"), settings.externalAuthMethods.map { it.name }, "external methods")
        val okta = settings.externalAuthMethods[2]
        checkEqual("Okta", okta.displayName, "display name")
        checkEqual(null, okta.displayIcon, "display icon")
        checkEqual("${servers.http}/accounts/login/start/saml/?idp=okta", okta.loginUrl, "login URL")
        checkEqual("${servers.http}/accounts/register/start/saml/?idp=okta", okta.signupUrl, "signup URL")
        checkEqual("${servers.http}/static/images/authentication_backends/github-icon.png", settings.externalAuthMethods[1].displayIcon, "icon URL")
    }
    run.test("server settings of realm variants") {
        checkEqual(200L, auth.fetchServerSettings(servers.realm("pre9")).zulipFeatureLevel, "pre-9 feature level")
        checkEqual(PasswordLogin.USERNAME, auth.fetchServerSettings(servers.realm("ldap_only")).passwordLogin, "LDAP password login")
        val disabled = auth.fetchServerSettings(servers.realm("password_disabled"))
        checkEqual(PasswordLogin.UNAVAILABLE, disabled.passwordLogin, "password login")
        checkEqual(listOf("github", "saml:okta"), disabled.externalAuthMethods.map { it.name }, "external methods")
        val root = auth.fetchServerSettings(servers.realm("no_organization"))
        checkEqual(null, root.realmName, "realm name")
        checkEqual(servers.realm("no_organization"), root.realmUrl, "realm URL")
    }
    run.test("redirected server settings name real realm") {
        checkEqual(servers.http, auth.fetchServerSettings(servers.realm("redirecting")).realmUrl, "realm URL")
    }
    run.test("unknown subdomain is AccountStateException") {
        val error = expectFailure<AccountStateException>(ZulipStatus.REALM_NOT_FOUND) { auth.fetchServerSettings(servers.realm("unknown_subdomain")) }
        checkEqual("BAD_REQUEST", error.code, "code")
    }
    auth.close()
}

fun devLogin(run: Runner, servers: Servers) {
    val auth = ZulipAuth()
    run.test("dev list users") {
        val users = auth.devListUsers(servers.http)
        checkEqual(listOf(IAGO, "hamlet@zulip.com", "дмитрий@zulip.com"), users.map { it.email }, "emails")
        checkEqual(listOf(true, false, false), users.map { it.isAdmin }, "admin flags")
        checkEqual(servers.http, users[0].realmUrl, "realm URL")
    }
    run.test("dev fetch API key") {
        checkIago(auth.devFetchApiKey(servers.http, IAGO))
    }
    for (realm in listOf("production_no_dev", "no_dev_backend")) {
        run.test("dev login unavailable on $realm") {
            expectFailure<ServerException>(ZulipStatus.DEV_LOGIN_UNAVAILABLE) { auth.devListUsers(servers.realm(realm)) }
            expectFailure<ServerException>(ZulipStatus.DEV_LOGIN_UNAVAILABLE) { auth.devFetchApiKey(servers.realm(realm), IAGO) }
        }
    }
    auth.close()
}

fun sso(run: Runner, servers: Servers) {
    val auth = ZulipAuth()
    for (method in listOf("github", "saml:okta")) {
        run.test("SSO flow with $method") {
            val settings = auth.fetchServerSettings(servers.http)
            val loginUrl = settings.externalAuthMethods.first { it.name == method }.loginUrl
            auth.startSso(settings.realmUrl, loginUrl).use { session ->
                checkEqual(servers.http, session.realmUrl, "realm URL")
                check(session.browserUrl.startsWith(loginUrl)) { "the browser URL does not start with the login URL" }
                check(Regex("[?&]mobile_flow_otp=[0-9a-f]{64}$").containsMatchIn(session.browserUrl)) { "no pad in the browser URL" }
                check(!session.toString().contains("mobile_flow_otp")) { "toString() shows the pad" }
                val callback = browserRedirect(session.browserUrl)
                check(callback.startsWith("zulip://login?")) { "the redirect is not a zulip://login callback" }
                checkIago(session.finish(callback))
                val again = expectFailure<InvalidInputException>(ZulipStatus.INVALID_CALLBACK) { session.finish(callback) }
                check(again.message.contains("already finished")) { again.message }
            }
        }
    }
    run.test("SSO rejects altered callback") {
        val loginUrl = "${servers.http}/accounts/login/social/github"
        auth.startSso(servers.http, loginUrl).use { session ->
            val callback = browserRedirect(session.browserUrl)
            val otherRealm = callback.replace(Regex("realm=[^&]*"), "realm=https%3A%2F%2Fevil.example.com")
            expectFailure<InvalidInputException>(ZulipStatus.INVALID_CALLBACK) { session.finish(otherRealm) }
            expectFailure<InvalidInputException>(ZulipStatus.INVALID_CALLBACK) { session.finish("https://example.com/") }
            checkIago(session.finish(callback))
        }
    }
    run.test("SSO callback of another session") {
        val loginUrl = "${servers.http}/accounts/login/social/github"
        val first = auth.startSso(servers.http, loginUrl)
        val second = auth.startSso(servers.http, loginUrl)
        val callback = browserRedirect(first.browserUrl)
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_CALLBACK) { second.finish(callback) }
        first.close()
        second.close()
    }
    run.test("SSO rejects foreign login URL and insecure realm") {
        expectFailure<InvalidInputException>(ZulipStatus.INVALID_ARGUMENT) { auth.startSso(servers.http, "https://evil.example.com/login") }
        expectFailure<InvalidInputException>(ZulipStatus.INSECURE_URL) { auth.startSso("http://chat.example.com", "/login") }
    }
    run.test("SSO session close twice") {
        val session = auth.startSso(servers.http, "/accounts/login/social/github")
        session.close()
        session.close()
        expectThrows<IllegalStateException> { session.finish("zulip://login") }
    }
    auth.close()
}

fun closing(run: Runner, servers: Servers) {
    run.test("client close twice") {
        val auth = ZulipAuth()
        auth.close()
        auth.close()
        val error = expectThrows<IllegalStateException> { auth.fetchApiKey(servers.http, IAGO, PASSWORD) }
        check(error.message?.contains("ZulipAuth is closed") == true) { "message: ${error.message}" }
        expectThrows<IllegalStateException> { auth.startSso(servers.http, "/accounts/login/social/github") }
    }
    run.test("token close twice") {
        val token = CancellationToken()
        token.close()
        token.close()
        token.cancel()
        expectThrows<IllegalStateException> { token.isCancelled }
        ZulipAuth().use { auth -> expectThrows<IllegalStateException> { auth.fetchApiKey(servers.http, IAGO, PASSWORD, token) } }
    }
    run.test("close during a running call") {
        val auth = ZulipAuth(ClientOptions(timeoutMillis = 1_500))
        val token = CancellationToken()
        val done = CountDownLatch(1)
        val outcome = AtomicReference<Throwable?>(null)
        Thread {
            try {
                auth.fetchApiKey(servers.http, "stall@scenario.test", PASSWORD, token)
            } catch (thrown: Throwable) {
                outcome.set(thrown)
            } finally {
                done.countDown()
            }
        }.start()
        Thread.sleep(300)
        // Closing while the call runs defers the free until the call returns.
        auth.close()
        token.close()
        check(!done.await(200, TimeUnit.MILLISECONDS)) { "closing ended the running call" }
        check(done.await(10, TimeUnit.SECONDS)) { "the call did not end at its timeout" }
        val error = outcome.get()
        check(error is NetworkException && error.status == ZulipStatus.TIMEOUT) { "expected the 1.5 s timeout, got $error" }
    }
    run.test("initAndroid is a no-op off Android") {
        ZulipAuth.initAndroid(Any())
        ZulipAuth().use { auth -> checkIago(auth.fetchApiKey(servers.http, IAGO, PASSWORD)) }
    }
}

fun main(args: Array<String>) {
    val mode = args.firstOrNull() ?: "suite"
    val arguments = args.drop(1).associate { argument ->
        val separator = argument.indexOf('=')
        require(separator > 0) { "argument '$argument' is not KEY=VALUE" }
        argument.substring(0, separator) to argument.substring(separator + 1)
    }
    val run = Runner()
    if (mode == "dns") {
        run.test("unresolvable host is NetworkException") {
            ZulipAuth(ClientOptions(proxy = ProxySetting.Direct)).use { auth ->
                val error = expectFailure<NetworkException>(ZulipStatus.DNS) { auth.fetchApiKey(arguments.getValue("url"), IAGO, PASSWORD) }
                check(error.message.contains("could not be resolved")) { error.message }
            }
        }
        System.exit(run.finish())
    }
    val servers = Servers(arguments)
    passwordLogin(run, servers)
    exceptionFamilies(run, servers)
    cancellation(run, servers)
    serverSettings(run, servers)
    devLogin(run, servers)
    sso(run, servers)
    closing(run, servers)
    System.exit(run.finish())
}
