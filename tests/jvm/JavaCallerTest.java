// The Kotlin API as a Java program uses it, run by tests/jvm.rs against the loopback test server.
//
// Usage: JavaCallerTest HTTP_URL HTTPS_URL CA_PEM_PATH
// The last line is "N passed, M failed", and the exit code is 1 when a check failed.

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.zulip.auth.ApiKey;
import org.zulip.auth.AuthenticationException;
import org.zulip.auth.CancellationToken;
import org.zulip.auth.CancelledException;
import org.zulip.auth.ClientOptions;
import org.zulip.auth.InvalidInputException;
import org.zulip.auth.Native;
import org.zulip.auth.ProxySetting;
import org.zulip.auth.RateLimitException;
import org.zulip.auth.ZulipAuth;
import org.zulip.auth.ZulipException;
import org.zulip.auth.ZulipStatus;

public final class JavaCallerTest {
    private static final String IAGO = "iago@zulip.com";
    private static final String PASSWORD = "abcd1234";

    private interface Check {
        void run() throws Exception;
    }

    private static int passed = 0;
    private static int failed = 0;

    private static void test(String name, Check check) {
        try {
            check.run();
            passed++;
            System.out.println("ok   " + name);
        } catch (Throwable failure) {
            failed++;
            System.out.println("FAIL " + name + ": " + failure);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    private static void checkIago(ApiKey key) {
        require(IAGO.equals(key.getEmail()), "email is " + key.getEmail());
        require(Long.valueOf(5).equals(key.getUserId()), "user id is " + key.getUserId());
        require(key.getApiKey().length() == 32, "the API key has " + key.getApiKey().length() + " characters");
    }

    public static void main(String[] args) throws Exception {
        String http = args[0];
        String https = args[1];
        String caPem = new String(Files.readAllBytes(Paths.get(args[2])), StandardCharsets.UTF_8);

        test("login with try-with-resources", () -> {
            try (ZulipAuth auth = new ZulipAuth()) {
                checkIago(auth.fetchApiKey(http, IAGO, PASSWORD));
            }
        });
        test("options from Java over HTTPS", () -> {
            ClientOptions options = new ClientOptions(5000L, 2000L, "JavaCaller/1.0", caPem, true, ProxySetting.Direct.INSTANCE, false);
            try (ZulipAuth auth = new ZulipAuth(options)) {
                checkIago(auth.fetchApiKey(https, IAGO, PASSWORD));
            }
        });
        test("catch by family", () -> {
            try (ZulipAuth auth = new ZulipAuth()) {
                auth.fetchApiKey(http, IAGO, "wrong-password");
                throw new AssertionError("the wrong password was accepted");
            } catch (AuthenticationException error) {
                require(error.getStatus() == ZulipStatus.AUTHENTICATION_FAILED, "status is " + error.getStatus());
                require(Integer.valueOf(401).equals(error.getHttpStatus()), "HTTP status is " + error.getHttpStatus());
                require("AUTHENTICATION_FAILED".equals(error.getCode()), "code is " + error.getCode());
            }
        });
        test("retry delay from Java", () -> {
            try (ZulipAuth auth = new ZulipAuth()) {
                auth.fetchApiKey(http, "rate-limited@scenario.test", PASSWORD);
                throw new AssertionError("the rate-limited login succeeded");
            } catch (RateLimitException error) {
                require(Long.valueOf(2500).equals(error.getRetryAfterMillis()), "retry delay is " + error.getRetryAfterMillis());
            }
        });
        test("catch the base class", () -> {
            try (ZulipAuth auth = new ZulipAuth()) {
                auth.fetchApiKey("zulip:foo", IAGO, PASSWORD);
                throw new AssertionError("the invalid URL was accepted");
            } catch (ZulipException error) {
                require(error instanceof InvalidInputException, "family is " + error.getClass().getSimpleName());
                require(error.getStatus().getNumber() == 101, "status number is " + error.getStatus().getNumber());
            }
        });
        test("null through public API", () -> {
            try (ZulipAuth auth = new ZulipAuth()) {
                auth.fetchApiKey(null, IAGO, PASSWORD);
                throw new AssertionError("a null server URL was accepted");
            } catch (NullPointerException | IllegalArgumentException expected) {
                // Kotlin's parameter check: IllegalArgumentException before Kotlin 1.4, NullPointerException since.
            }
        });
        test("null through native method", () -> {
            long client = Native.clientNew(1000L, 1000L, null, null, false, Native.PROXY_NONE, null, false);
            try {
                Native.clientFetchApiKey(client, 0L, null, IAGO, PASSWORD);
                throw new AssertionError("a null server URL was accepted");
            } catch (InvalidInputException error) {
                require(error.getStatus() == ZulipStatus.INVALID_ARGUMENT, "status is " + error.getStatus());
                require(error.getMessage().contains("serverUrl is null"), error.getMessage());
            } finally {
                Native.clientFree(client);
            }
            try {
                Native.ssoNew(http, null);
                throw new AssertionError("a null login URL was accepted");
            } catch (InvalidInputException error) {
                require(error.getMessage().contains("loginUrl is null"), error.getMessage());
            }
            try {
                Native.initAndroid(null);
                throw new AssertionError("a null context was accepted");
            } catch (InvalidInputException error) {
                require(error.getMessage().contains("context is null"), error.getMessage());
            }
        });
        test("cancel from Java thread", () -> {
            try (ZulipAuth auth = new ZulipAuth(); CancellationToken token = new CancellationToken()) {
                Thread canceller = new Thread(() -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    token.cancel();
                });
                canceller.start();
                try {
                    auth.fetchApiKey(http, "stall@scenario.test", PASSWORD, token);
                    throw new AssertionError("the stalled login returned");
                } catch (CancelledException expected) {
                    require(token.isCancelled(), "isCancelled() is false");
                } finally {
                    canceller.join();
                }
            }
        });
        test("status from number", () -> {
            require(ZulipStatus.fromNumber(405) == ZulipStatus.RATE_LIMITED, "405 is " + ZulipStatus.fromNumber(405));
            require(ZulipStatus.fromNumber(7) == null, "7 is " + ZulipStatus.fromNumber(7));
        });

        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
