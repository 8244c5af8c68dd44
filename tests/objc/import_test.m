/*
 * import_test: imports the library as the Clang module ZulipAuth, as Swift's importer reads
 * include/module.modulemap, and logs in through it.
 *
 * Usage: import_test SERVER_URL
 *
 * Logs in as iago@zulip.com with the password from ZULIP_PASSWORD, then with a wrong password.
 * Prints the email and user id, never the API key, and closes with "N passed, N failed".
 * Only C types are used, so no Foundation framework is needed to build it.
 */
@import ZulipAuth;

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed = 0;
static int failed = 0;

static void check(int condition, const char *what) {
    if (condition) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAILED: %s\n", what);
    }
}

/* The header's macros come through the module too, and must match the loaded library. */
static void check_version(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", ZULIP_AUTH_VERSION_MAJOR, ZULIP_AUTH_VERSION_MINOR,
             ZULIP_AUTH_VERSION_PATCH);
    printf("version: %s\n", zulip_version());
    check(strcmp(zulip_version(), ZULIP_AUTH_VERSION) == 0, "zulip_version() equals ZULIP_AUTH_VERSION");
    check(strncmp(ZULIP_AUTH_VERSION, expected, strlen(expected)) == 0,
          "ZULIP_AUTH_VERSION starts with MAJOR.MINOR.PATCH");
}

static void check_login(const char *server_url, const char *password) {
    ZulipApiKeyResult *result = zulip_fetch_api_key(server_url, "iago@zulip.com", password);
    ZulipStatus status = zulip_api_key_result_status(result);
    check(status == ZULIP_OK, "login with the right password returns ZULIP_OK");
    if (status != ZULIP_OK) {
        fprintf(stderr, "status %s: %s\n", zulip_status_name(status),
                zulip_error_message(zulip_api_key_result_error(result)));
    }

    const char *email = zulip_api_key_result_email(result);
    const char *api_key = zulip_api_key_result_api_key(result);
    check(email != NULL && strcmp(email, "iago@zulip.com") == 0, "the result has the account's email");
    check(api_key != NULL && strlen(api_key) == 32, "the result has a 32-character API key");
    check(zulip_api_key_result_error(result) == NULL, "a successful result has no error");
    printf("email: %s\n", email != NULL ? email : "(null)");
    printf("user id: %lld\n", (long long)zulip_api_key_result_user_id(result));
    zulip_api_key_result_free(result);
}

static void check_wrong_password(const char *server_url) {
    ZulipApiKeyResult *result = zulip_fetch_api_key(server_url, "iago@zulip.com", "not-the-password");
    const ZulipError *error = zulip_api_key_result_error(result);
    check(zulip_api_key_result_status(result) == ZULIP_ERROR_AUTHENTICATION_FAILED,
          "a wrong password returns ZULIP_ERROR_AUTHENTICATION_FAILED");
    check(zulip_error_status(error) == ZULIP_ERROR_AUTHENTICATION_FAILED, "the error has the same status");
    check(zulip_error_message(error) != NULL, "the error has a message");
    check(zulip_api_key_result_api_key(result) == NULL, "a failed result has no API key");
    zulip_api_key_result_free(result);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SERVER_URL\n", argv[0]);
        return 2;
    }
    const char *password = getenv("ZULIP_PASSWORD");
    if (password == NULL) {
        fprintf(stderr, "ZULIP_PASSWORD is not set; set it to the password of iago@zulip.com\n");
        return 2;
    }

    check_version();
    check_login(argv[1], password);
    check_wrong_password(argv[1]);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
