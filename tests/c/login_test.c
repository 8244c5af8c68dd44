/*
 * Login calls through the C API, run by tests/c_programs.rs against the loopback test server,
 * linked dynamically and statically and run under valgrind.
 *
 * Usage: login_test HTTP_URL HTTPS_URL CA_PEM_FILE
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zulip_auth.h"
#include "check.h"

static const char *const IAGO_KEY = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
static const char *const SECRET_PASSWORD = "C-Test-Secret-Password";

struct error_case {
    const char *username;
    ZulipStatus status;
    const char *code;
    uint16_t http_status;
    int64_t retry_after_ms;
};

static const struct error_case ERROR_CASES[] = {
    {"iago@zulip.com", ZULIP_ERROR_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED", 401, -1},
    {"not-an-email", ZULIP_ERROR_BAD_REQUEST, "BAD_REQUEST", 400, -1},
    {"deactivated@scenario.test", ZULIP_ERROR_USER_DEACTIVATED, "USER_DEACTIVATED", 401, -1},
    {"realm-deactivated@scenario.test", ZULIP_ERROR_REALM_DEACTIVATED, "REALM_DEACTIVATED", 401, -1},
    {"password-disabled@scenario.test", ZULIP_ERROR_PASSWORD_AUTH_DISABLED, "PASSWORD_AUTH_DISABLED", 401, -1},
    {"reset-required@scenario.test", ZULIP_ERROR_PASSWORD_RESET_REQUIRED, "PASSWORD_RESET_REQUIRED", 401, -1},
    {"nonexistent-subdomain@scenario.test", ZULIP_ERROR_REALM_NOT_FOUND, "NONEXISTENT_SUBDOMAIN", 404, -1},
    {"rate-limited@scenario.test", ZULIP_ERROR_RATE_LIMITED, "RATE_LIMIT_HIT", 429, 2500},
    {"rate-limited-nocode@scenario.test", ZULIP_ERROR_RATE_LIMITED, NULL, 429, 4000},
    {"old-403-nocode@scenario.test", ZULIP_ERROR_AUTHENTICATION_FAILED, NULL, 403, -1},
    {"new-code@scenario.test", ZULIP_ERROR_SERVER, "SOME_FUTURE_CODE", 400, -1},
    {"html-502@scenario.test", ZULIP_ERROR_HTTP_STATUS, NULL, 502, -1},
    {"truncated-json@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, NULL, 200, -1},
    {"oversized@scenario.test", ZULIP_ERROR_RESPONSE_TOO_LARGE, NULL, 200, -1},
    {"redirect-307-other@scenario.test", ZULIP_ERROR_REDIRECT, NULL, 307, -1},
};

static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    static char buffer[65536];
    size_t length = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[length] = '\0';
    return buffer;
}

static void test_success(const char *url) {
    ZulipApiKeyResult *result = zulip_fetch_api_key(url, "iago@zulip.com", "abcd1234");
    CHECK(zulip_api_key_result_status(result) == ZULIP_OK, "status %s", zulip_status_name(zulip_api_key_result_status(result)));
    CHECK(same_text(zulip_api_key_result_api_key(result), IAGO_KEY), "wrong API key");
    CHECK(same_text(zulip_api_key_result_email(result), "iago@zulip.com"), "email %s", zulip_api_key_result_email(result));
    CHECK(zulip_api_key_result_user_id(result) == 5, "user id %lld", (long long)zulip_api_key_result_user_id(result));
    CHECK(zulip_api_key_result_error(result) == NULL, "a success has no error");
    CHECK(zulip_api_key_result_ignored_parameter_count(result) == 0, "no ignored parameters");
    zulip_api_key_result_free(result);
}

static void test_error_cases(const char *url) {
    for (size_t i = 0; i < sizeof ERROR_CASES / sizeof ERROR_CASES[0]; i++) {
        const struct error_case *expected = &ERROR_CASES[i];
        ZulipApiKeyResult *result = zulip_fetch_api_key(url, expected->username, SECRET_PASSWORD);
        const ZulipError *error = zulip_api_key_result_error(result);
        ZulipStatus status = zulip_api_key_result_status(result);
        CHECK(status == expected->status, "%s: status %s", expected->username, zulip_status_name(status));
        CHECK(zulip_error_status(error) == status, "%s: error status matches", expected->username);
        CHECK(same_text(zulip_error_code(error), expected->code), "%s: code %s", expected->username, zulip_error_code(error));
        CHECK(zulip_error_http_status(error) == expected->http_status, "%s: HTTP %u", expected->username, (unsigned)zulip_error_http_status(error));
        CHECK(zulip_error_retry_after_ms(error) == expected->retry_after_ms, "%s: retry %lld", expected->username, (long long)zulip_error_retry_after_ms(error));
        const char *message = zulip_error_message(error);
        CHECK(message != NULL, "%s: has a message", expected->username);
        CHECK(message == NULL || message[0] != '\0', "%s: message is not empty", expected->username);
        CHECK(message == NULL || strstr(message, SECRET_PASSWORD) == NULL, "%s: message shows the password", expected->username);
        CHECK(zulip_api_key_result_api_key(result) == NULL, "%s: no API key", expected->username);
        CHECK(zulip_api_key_result_user_id(result) == -1, "%s: no user id", expected->username);
        zulip_api_key_result_free(result);
    }
}

static void test_invalid_arguments(const char *url) {
    const char invalid_utf8[] = {'p', (char)0xff, 'w', '\0'};
    const char *arguments[][3] = {
        {NULL, "iago@zulip.com", "abcd1234"},
        {url, NULL, "abcd1234"},
        {url, "iago@zulip.com", NULL},
        {url, "iago@zulip.com", invalid_utf8},
    };
    for (size_t i = 0; i < sizeof arguments / sizeof arguments[0]; i++) {
        ZulipApiKeyResult *result = zulip_fetch_api_key(arguments[i][0], arguments[i][1], arguments[i][2]);
        CHECK(result != NULL, "never NULL");
        CHECK(zulip_api_key_result_status(result) == ZULIP_ERROR_INVALID_ARGUMENT, "case %zu: %s", i,
              zulip_status_name(zulip_api_key_result_status(result)));
        zulip_api_key_result_free(result);
    }

    ZulipApiKeyResult *insecure = zulip_fetch_api_key("http://chat.example.com", "iago@zulip.com", "abcd1234");
    CHECK(zulip_api_key_result_status(insecure) == ZULIP_ERROR_INSECURE_URL, "plain http to a remote host is refused");
    zulip_api_key_result_free(insecure);

    ZulipApiKeyResult *email_as_url = zulip_fetch_api_key("iago@zulip.com", "iago@zulip.com", "abcd1234");
    CHECK(zulip_api_key_result_status(email_as_url) == ZULIP_ERROR_INVALID_URL, "an email is not a server URL");
    zulip_api_key_result_free(email_as_url);

    CHECK(zulip_api_key_result_status(NULL) == ZULIP_ERROR_INVALID_ARGUMENT, "NULL result");
    CHECK(zulip_error_message(NULL) == NULL, "NULL error");
    zulip_api_key_result_free(NULL);
    zulip_error_free(NULL);
    zulip_client_free(NULL);
    zulip_client_options_free(NULL);
    zulip_cancel_token_free(NULL);
}

static void test_https(const char *https_url, const char *ca_path) {
    ZulipApiKeyResult *untrusted = zulip_fetch_api_key(https_url, "iago@zulip.com", "abcd1234");
    CHECK(zulip_api_key_result_status(untrusted) == ZULIP_ERROR_TLS_CERTIFICATE, "the test CA is not trusted by default: %s",
          zulip_status_name(zulip_api_key_result_status(untrusted)));
    zulip_api_key_result_free(untrusted);

    const char *pem = read_file(ca_path);
    CHECK(pem != NULL, "read %s", ca_path);
    ZulipClientOptions *options = zulip_client_options_new();
    CHECK(zulip_client_options_add_root_certificates_pem(options, pem) == ZULIP_OK, "%s", zulip_client_options_last_error(options));
    CHECK(zulip_client_options_add_root_certificates_pem(options, "no certificate here") == ZULIP_ERROR_INVALID_ARGUMENT, "bad PEM is rejected");
    CHECK(zulip_client_options_last_error(options) != NULL, "the rejection has a message");
    ZulipError *error = NULL;
    ZulipClient *client = zulip_client_new(options, &error);
    zulip_client_options_free(options);
    CHECK(client != NULL, "client created");
    CHECK(error == NULL, "no error when the client is created");

    ZulipApiKeyResult *result = zulip_client_fetch_api_key(client, https_url, "iago@zulip.com", "abcd1234", NULL);
    CHECK(zulip_api_key_result_status(result) == ZULIP_OK, "HTTPS login: %s", zulip_error_message(zulip_api_key_result_error(result)));
    CHECK(same_text(zulip_api_key_result_api_key(result), IAGO_KEY), "HTTPS API key");
    zulip_api_key_result_free(result);
    zulip_client_free(client);
}

static void test_version(void) {
    CHECK(strcmp(zulip_version(), ZULIP_AUTH_VERSION) == 0, "library %s, header %s", zulip_version(), ZULIP_AUTH_VERSION);
    CHECK(strcmp(zulip_status_name(ZULIP_ERROR_TIMEOUT), "ZULIP_ERROR_TIMEOUT") == 0, "status name");
    CHECK(strcmp(zulip_status_name(99999), "ZULIP_STATUS_UNKNOWN") == 0, "unknown status name");
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s HTTP_URL HTTPS_URL CA_PEM_FILE\n", argv[0]);
        return 2;
    }
    test_success(argv[1]);
    test_error_cases(argv[1]);
    test_invalid_arguments(argv[1]);
    test_https(argv[2], argv[3]);
    test_version();
    return finish_checks();
}
