/*
 * fetch_api_key: log in to a Zulip server with a username and password and print the API key.
 *
 * Usage: fetch_api_key SERVER_URL USERNAME
 *
 * The password comes from the ZULIP_PASSWORD environment variable; without it, it is read from
 * the terminal with echo off, or as one line from standard input when that is not a terminal.
 *
 * Exit status, one per failure family:
 *   0  logged in
 *   2  wrong usage, or the password could not be read
 *   3  invalid argument or server URL (ZULIP_ERROR_INVALID_*, ZULIP_ERROR_INSECURE_URL)
 *   4  network, TLS, timeout, cancellation or proxy failure (2xx statuses)
 *   5  the answer was not a usable Zulip response (3xx statuses)
 *   6  the server refused the login (4xx statuses except rate limiting and server errors)
 *   7  rate limited: retry after the printed delay
 *   8  any other error the server reported (ZULIP_ERROR_SERVER)
 *   9  internal error in the library
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "zulip_auth.h"

enum {
    EXIT_LOGGED_IN = 0,
    EXIT_USAGE = 2,
    EXIT_INVALID_INPUT = 3,
    EXIT_NETWORK = 4,
    EXIT_BAD_RESPONSE = 5,
    EXIT_REFUSED = 6,
    EXIT_RATE_LIMITED = 7,
    EXIT_SERVER_ERROR = 8,
    EXIT_INTERNAL = 9,
};

/* Reads one line into buffer without its newline; returns 0 on success. */
static int read_line(FILE *input, char *buffer, size_t size) {
    if (fgets(buffer, (int)size, input) == NULL) {
        return -1;
    }
    buffer[strcspn(buffer, "\r\n")] = '\0';
    return 0;
}

/* Reads the password from the terminal with echo off, or from non-terminal standard input. */
static int read_password(char *buffer, size_t size) {
    if (!isatty(STDIN_FILENO)) {
        return read_line(stdin, buffer, size);
    }

    struct termios saved;
    if (tcgetattr(STDIN_FILENO, &saved) != 0) {
        return -1;
    }
    struct termios quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs("Password: ", stderr);
    fflush(stderr);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    int status = read_line(stdin, buffer, size);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    fputc('\n', stderr);
    return status;
}

static int exit_code_for(ZulipStatus status) {
    if (status == ZULIP_ERROR_RATE_LIMITED) {
        return EXIT_RATE_LIMITED;
    }
    if (status == ZULIP_ERROR_SERVER) {
        return EXIT_SERVER_ERROR;
    }
    switch (status / 100) {
    case 1: return EXIT_INVALID_INPUT;
    case 2: return EXIT_NETWORK;
    case 3: return EXIT_BAD_RESPONSE;
    case 4: return EXIT_REFUSED;
    default: return EXIT_INTERNAL;
    }
}

static void print_error(const ZulipError *error) {
    ZulipStatus status = zulip_error_status(error);
    const char *code = zulip_error_code(error);
    fprintf(stderr, "login failed: %s\n", zulip_status_name(status));
    fprintf(stderr, "  message:     %s\n", zulip_error_message(error));
    fprintf(stderr, "  Zulip code:  %s\n", code != NULL ? code : "(none)");
    fprintf(stderr, "  HTTP status: %u\n", (unsigned)zulip_error_http_status(error));
    int64_t retry_after_ms = zulip_error_retry_after_ms(error);
    if (retry_after_ms >= 0) {
        fprintf(stderr, "  retry after: %lld ms\n", (long long)retry_after_ms);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SERVER_URL USERNAME\n"
                        "The password is read from ZULIP_PASSWORD, else from the terminal.\n", argv[0]);
        return EXIT_USAGE;
    }

    char password[4096];
    const char *from_environment = getenv("ZULIP_PASSWORD");
    if (from_environment != NULL) {
        if (strlen(from_environment) >= sizeof password) {
            fprintf(stderr, "ZULIP_PASSWORD is longer than %zu bytes\n", sizeof password - 1);
            return EXIT_USAGE;
        }
        strcpy(password, from_environment);
    } else if (read_password(password, sizeof password) != 0) {
        fprintf(stderr, "could not read the password; set ZULIP_PASSWORD or type it at the prompt\n");
        return EXIT_USAGE;
    }

    ZulipApiKeyResult *result = zulip_fetch_api_key(argv[1], argv[2], password);
    /* Clear our copy of the password; the library keeps none after the call. */
    memset(password, 0, sizeof password);

    int exit_code = EXIT_LOGGED_IN;
    if (zulip_api_key_result_status(result) == ZULIP_OK) {
        printf("email:   %s\n", zulip_api_key_result_email(result));
        int64_t user_id = zulip_api_key_result_user_id(result);
        if (user_id >= 0) {
            printf("user id: %lld\n", (long long)user_id);
        } else {
            printf("user id: (not sent by this server; Zulip before 7.0)\n");
        }
        printf("API key: %s\n", zulip_api_key_result_api_key(result));
    } else {
        const ZulipError *error = zulip_api_key_result_error(result);
        print_error(error);
        exit_code = exit_code_for(zulip_error_status(error));
    }

    zulip_api_key_result_free(result);
    return exit_code;
}
