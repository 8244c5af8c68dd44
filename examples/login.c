/*
 * login: the whole login flow of a Zulip app, in order.
 *
 * Usage: login SERVER_URL USERNAME        password login (password as in fetch_api_key.c)
 *        login SERVER_URL --sso METHOD    browser login with an external method, e.g. github
 *
 * 1. Fetch the server settings from the address the user typed: they say which login methods
 *    the organization offers and its real URL (redirects are followed).
 * 2. Log in at the reported realm URL, not at the typed address: with a password when the
 *    server shows a password form, or through the browser with a one-time pad. For the browser
 *    login this program prints the URL to open and reads the zulip://login?... URL that the
 *    browser was sent to from standard input, as an app receives it from its URL handler.
 *
 * Exit status: 0 logged in, 1 failed (the error is printed), 2 wrong usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zulip_auth.h"

static void print_error(const char *what, const ZulipError *error) {
    const char *server_message = zulip_error_server_message(error);
    fprintf(stderr, "%s failed: %s\n  %s\n", what, zulip_status_name(zulip_error_status(error)), zulip_error_message(error));
    if (server_message != NULL) {
        fprintf(stderr, "  server message: %s\n", server_message);
    }
}

static void print_settings(const ZulipServerSettings *settings) {
    const char *name = zulip_server_settings_realm_name(settings);
    const char *version = zulip_server_settings_zulip_version(settings);
    printf("organization: %s at %s\n", name != NULL ? name : "(none)", zulip_server_settings_realm_url(settings));
    printf("server:       Zulip %s, feature level %lld\n", version != NULL ? version : "(unknown)",
           (long long)zulip_server_settings_zulip_feature_level(settings));
    switch (zulip_server_settings_password_login(settings)) {
    case ZULIP_PASSWORD_LOGIN_EMAIL: printf("password:     yes, with an email address\n"); break;
    case ZULIP_PASSWORD_LOGIN_USERNAME: printf("password:     yes, with a username\n"); break;
    default: printf("password:     not offered\n"); break;
    }
    size_t count = zulip_server_settings_external_method_count(settings);
    for (size_t i = 0; i < count; i++) {
        printf("browser:      %s (%s)\n", zulip_server_settings_external_method_name(settings, i),
               zulip_server_settings_external_method_display_name(settings, i));
    }
}

static void print_credentials(const ZulipApiKeyResult *result) {
    printf("email:        %s\n", zulip_api_key_result_email(result));
    printf("user id:      %lld\n", (long long)zulip_api_key_result_user_id(result));
    printf("API key:      %s\n", zulip_api_key_result_api_key(result));
}

static int read_line(char *buffer, size_t size) {
    if (fgets(buffer, (int)size, stdin) == NULL) {
        return -1;
    }
    buffer[strcspn(buffer, "\r\n")] = '\0';
    return 0;
}

static ZulipApiKeyResult *password_login(const ZulipServerSettings *settings, const char *username) {
    if (zulip_server_settings_password_login(settings) == ZULIP_PASSWORD_LOGIN_UNAVAILABLE) {
        fprintf(stderr, "this organization offers no password login; use --sso with a browser method\n");
        return NULL;
    }
    char password[4096];
    const char *from_environment = getenv("ZULIP_PASSWORD");
    if (from_environment != NULL && strlen(from_environment) < sizeof password) {
        strcpy(password, from_environment);
    } else {
        fprintf(stderr, "Password (echoed; set ZULIP_PASSWORD to avoid that): ");
        if (read_line(password, sizeof password) != 0) {
            return NULL;
        }
    }
    ZulipApiKeyResult *result = zulip_fetch_api_key(zulip_server_settings_realm_url(settings), username, password);
    memset(password, 0, sizeof password);
    return result;
}

static ZulipApiKeyResult *browser_login(const ZulipServerSettings *settings, const char *method_name) {
    size_t count = zulip_server_settings_external_method_count(settings);
    size_t index = 0;
    while (index < count && strcmp(zulip_server_settings_external_method_name(settings, index), method_name) != 0) {
        index++;
    }
    if (index == count) {
        fprintf(stderr, "this organization offers no browser login named '%s'\n", method_name);
        return NULL;
    }

    ZulipError *error = NULL;
    ZulipSsoSession *session = zulip_sso_session_new(zulip_server_settings_realm_url(settings),
                                                     zulip_server_settings_external_method_login_url(settings, index), &error);
    if (session == NULL) {
        print_error("starting the browser login", error);
        zulip_error_free(error);
        return NULL;
    }
    printf("open in a browser: %s\n", zulip_sso_session_browser_url(session));
    printf("paste the zulip://login URL:\n");
    fflush(stdout);

    char callback[8192];
    ZulipApiKeyResult *result = NULL;
    if (read_line(callback, sizeof callback) == 0) {
        result = zulip_sso_session_finish(session, callback);
    }
    zulip_sso_session_free(session);
    return result;
}

int main(int argc, char **argv) {
    int sso = argc == 4 && strcmp(argv[2], "--sso") == 0;
    if (argc != 3 && !sso) {
        fprintf(stderr, "usage: %s SERVER_URL USERNAME\n       %s SERVER_URL --sso METHOD\n", argv[0], argv[0]);
        return 2;
    }

    ZulipServerSettings *settings = zulip_fetch_server_settings(argv[1]);
    if (zulip_server_settings_status(settings) != ZULIP_OK) {
        print_error("fetching the server settings", zulip_server_settings_error(settings));
        zulip_server_settings_free(settings);
        return 1;
    }
    print_settings(settings);

    ZulipApiKeyResult *result = sso ? browser_login(settings, argv[3]) : password_login(settings, argv[2]);
    zulip_server_settings_free(settings);
    if (result == NULL) {
        return 1;
    }
    int exit_code = 0;
    if (zulip_api_key_result_status(result) == ZULIP_OK) {
        print_credentials(result);
    } else {
        print_error("logging in", zulip_api_key_result_error(result));
        exit_code = 1;
    }
    zulip_api_key_result_free(result);
    return exit_code;
}
