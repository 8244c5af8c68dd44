/*
 * Soak test through the C ABI: THREADS threads share one client for LOGINS logins over HTTPS
 * against the loopback test server, cycling through successes and every failure the server
 * produces quickly. Every result is checked. Resident memory after the warm-up (the first
 * quarter of the logins) is compared with the end, and the thread and file descriptor counts
 * before the client exists with those after it is freed.
 *
 * Usage: soak_test HTTPS_URL CA_PEM_FILE [LOGINS [THREADS [MAX_RSS_GROWTH_KIB]]]
 *        (defaults: 20000 logins, 16 threads, 8192 KiB)
 *
 * scripts/soak.sh runs it on a release build; tests/sanitizers.rs runs a short version under
 * AddressSanitizer. The process ends itself after TIME_LIMIT_SECONDS.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zulip_auth.h"
#include "check.h"

enum {
    TIME_LIMIT_SECONDS = 300,
    /* Every NEW_CLIENT_EVERY-th login of a thread creates and frees a client of its own. */
    NEW_CLIENT_EVERY = 64,
    /* Every CANCEL_TOKEN_EVERY-th login of a thread passes a cancellation token it never cancels. */
    CANCEL_TOKEN_EVERY = 16,
    MAX_THREADS = 64,
};

struct login_case {
    const char *username;
    const char *password;
    ZulipStatus status;
    uint16_t http_status;
    /* For ZULIP_OK: the credentials expected. */
    const char *api_key;
    const char *email;
    int64_t user_id;
};

#define FAILURE(username, status, http_status) {username, "abcd1234", status, http_status, NULL, NULL, 0}

static const struct login_case CASES[] = {
    {"iago@zulip.com", "abcd1234", ZULIP_OK, 0, "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv", "iago@zulip.com", 5},
    {"hamlet", u8"Ünïcødé pässwörd 🔑 & = + %", ZULIP_OK, 0,
     "PCWVHu1cC1hPisJN11i0lvBBguonqXPj", "hamlet@zulip.com", 10},
    {"old@zulip.com", "abcd1234", ZULIP_OK, 0, "Dy3qmvrmexmdXCD7DjS1cSi5fkaHOE2x", "old@zulip.com", -1},
    {"iago@zulip.com", "wrong password", ZULIP_ERROR_AUTHENTICATION_FAILED, 401, NULL, NULL, 0},
    FAILURE("not-an-email", ZULIP_ERROR_BAD_REQUEST, 400),
    FAILURE("deactivated@scenario.test", ZULIP_ERROR_USER_DEACTIVATED, 401),
    FAILURE("realm-deactivated@scenario.test", ZULIP_ERROR_REALM_DEACTIVATED, 401),
    FAILURE("password-disabled@scenario.test", ZULIP_ERROR_PASSWORD_AUTH_DISABLED, 401),
    FAILURE("reset-required@scenario.test", ZULIP_ERROR_PASSWORD_RESET_REQUIRED, 401),
    FAILURE("nonexistent-subdomain@scenario.test", ZULIP_ERROR_REALM_NOT_FOUND, 404),
    FAILURE("rate-limited@scenario.test", ZULIP_ERROR_RATE_LIMITED, 429),
    FAILURE("rate-limited-nocode@scenario.test", ZULIP_ERROR_RATE_LIMITED, 429),
    FAILURE("rate-limited-header@scenario.test", ZULIP_ERROR_RATE_LIMITED, 429),
    FAILURE("old-403@scenario.test", ZULIP_ERROR_AUTHENTICATION_FAILED, 403),
    FAILURE("old-403-nocode@scenario.test", ZULIP_ERROR_AUTHENTICATION_FAILED, 403),
    FAILURE("new-code@scenario.test", ZULIP_ERROR_SERVER, 400),
    FAILURE("server-error@scenario.test", ZULIP_ERROR_SERVER, 500),
    FAILURE("proxy-misconfig@scenario.test", ZULIP_ERROR_SERVER, 500),
    FAILURE("html-502@scenario.test", ZULIP_ERROR_HTTP_STATUS, 502),
    FAILURE("html-200@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("truncated-json@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("wrong-types@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("missing-api-key@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("empty-api-key@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("invalid-utf8@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("deep-json@scenario.test", ZULIP_ERROR_INVALID_RESPONSE, 200),
    FAILURE("oversized@scenario.test", ZULIP_ERROR_RESPONSE_TOO_LARGE, 200),
    FAILURE("oversized-chunked@scenario.test", ZULIP_ERROR_RESPONSE_TOO_LARGE, 200),
    FAILURE("huge-header@scenario.test", ZULIP_ERROR_RESPONSE_TOO_LARGE, 0),
    FAILURE("no-body@scenario.test", ZULIP_ERROR_CONNECT, 200),
    FAILURE("reset-mid-body@scenario.test", ZULIP_ERROR_CONNECT, 200),
    FAILURE("redirect-301-https@scenario.test", ZULIP_ERROR_REDIRECT, 301),
    FAILURE("redirect-301-same@scenario.test", ZULIP_ERROR_REDIRECT, 301),
    FAILURE("redirect-307-other@scenario.test", ZULIP_ERROR_REDIRECT, 307),
};
enum { CASE_COUNT = sizeof CASES / sizeof CASES[0] };

struct soak {
    const ZulipClient *client;
    const ZulipClientOptions *options;
    const char *url;
    atomic_long next_login;
    long end_login;
    atomic_long wrong_results;
    atomic_long per_status[1000];
};

/* Returns the number of entries in a /proc/self directory, not counting "." and "..". */
static long count_entries(const char *path) {
    DIR *dir = opendir(path);
    if (dir == NULL) {
        return -1;
    }
    long count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
            count++;
        }
    }
    closedir(dir);
    /* The directory stream of /proc/self/fd is itself an open descriptor. */
    return strcmp(path, "/proc/self/fd") == 0 ? count - 1 : count;
}

/* Returns the VmRSS line of /proc/self/status in KiB, or -1. */
static long resident_kib(void) {
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL) {
        return -1;
    }
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
            break;
        }
    }
    fclose(status);
    return kib;
}

static double now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Returns whether `result` matches `expected`, printing the difference otherwise. */
static int check_result(const struct login_case *expected, ZulipApiKeyResult *result, long login) {
    ZulipStatus status = zulip_api_key_result_status(result);
    const ZulipError *error = zulip_api_key_result_error(result);
    int right = status == expected->status;
    if (right && status == ZULIP_OK) {
        right = error == NULL && same_text(zulip_api_key_result_api_key(result), expected->api_key) &&
                same_text(zulip_api_key_result_email(result), expected->email) &&
                zulip_api_key_result_user_id(result) == expected->user_id;
    } else if (right) {
        right = error != NULL && zulip_error_status(error) == status && zulip_error_http_status(error) == expected->http_status &&
                zulip_error_message(error) != NULL && zulip_api_key_result_api_key(result) == NULL;
        if (right && status == ZULIP_ERROR_RATE_LIMITED) {
            right = zulip_error_retry_after_ms(error) > 0;
        }
    }
    if (!right) {
        fprintf(stderr, "login %ld (%s): expected %s, got %s (HTTP %u): %s\n", login, expected->username,
                zulip_status_name(expected->status), zulip_status_name(status), (unsigned)zulip_error_http_status(error),
                error != NULL ? zulip_error_message(error) : "(no error)");
    }
    return right;
}

static void *run_worker(void *argument) {
    struct soak *soak = argument;
    for (long done = 0;; done++) {
        long login = atomic_fetch_add(&soak->next_login, 1);
        if (login >= soak->end_login) {
            break;
        }
        const struct login_case *expected = &CASES[login % CASE_COUNT];

        ZulipClient *own_client = NULL;
        const ZulipClient *client = soak->client;
        if (done % NEW_CLIENT_EVERY == NEW_CLIENT_EVERY - 1) {
            own_client = zulip_client_new(soak->options, NULL);
            client = own_client;
        }
        ZulipCancelToken *token = NULL;
        if (done % CANCEL_TOKEN_EVERY == CANCEL_TOKEN_EVERY - 1) {
            token = zulip_cancel_token_new();
        }

        ZulipApiKeyResult *result = zulip_client_fetch_api_key(client, soak->url, expected->username, expected->password, token);
        ZulipStatus status = zulip_api_key_result_status(result);
        if (!check_result(expected, result, login)) {
            atomic_fetch_add(&soak->wrong_results, 1);
        }
        if ((unsigned)status < 1000) {
            atomic_fetch_add(&soak->per_status[status], 1);
        }
        zulip_api_key_result_free(result);
        zulip_cancel_token_free(token);
        zulip_client_free(own_client);
    }
    return NULL;
}

/* Runs logins up to `end_login` on `threads` threads and waits for them. */
static void run_phase(struct soak *soak, long end_login, int threads) {
    soak->end_login = end_login;
    pthread_t ids[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, run_worker, soak) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
    }
}

/*
 * Waits up to two seconds for the thread count to fall back to `expected`: a name lookup's
 * helper thread may still be ending after its call returned.
 */
static long settled_thread_count(long expected) {
    long count = count_entries("/proc/self/task");
    for (int i = 0; i < 200 && count > expected; i++) {
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 10000000}, NULL);
        count = count_entries("/proc/self/task");
    }
    return count;
}

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

int main(int argc, char **argv) {
    if (argc < 3 || argc > 6) {
        fprintf(stderr, "usage: %s HTTPS_URL CA_PEM_FILE [LOGINS [THREADS [MAX_RSS_GROWTH_KIB]]]\n", argv[0]);
        return 2;
    }
    long logins = argc > 3 ? atol(argv[3]) : 20000;
    int threads = argc > 4 ? atoi(argv[4]) : 16;
    long max_growth_kib = argc > 5 ? atol(argv[5]) : 8192;
    if (logins < 10 || threads < 1 || threads > MAX_THREADS || max_growth_kib < 0) {
        fprintf(stderr, "invalid LOGINS, THREADS or MAX_RSS_GROWTH_KIB\n");
        return 2;
    }
    alarm(TIME_LIMIT_SECONDS);

    const char *ca_pem = read_file(argv[2]);
    if (ca_pem == NULL) {
        fprintf(stderr, "cannot read the CA file %s\n", argv[2]);
        return 2;
    }

    long threads_before = count_entries("/proc/self/task");
    long fds_before = count_entries("/proc/self/fd");

    ZulipClientOptions *options = zulip_client_options_new();
    CHECK(zulip_client_options_add_root_certificates_pem(options, ca_pem) == ZULIP_OK, "%s", zulip_client_options_last_error(options));
    CHECK(zulip_client_options_set_no_proxy(options) == ZULIP_OK, "no proxy");
    CHECK(zulip_client_options_set_timeout_ms(options, 20000) == ZULIP_OK, "timeout");
    ZulipError *error = NULL;
    ZulipClient *client = zulip_client_new(options, &error);
    CHECK(client != NULL, "client: %s", error != NULL ? zulip_error_message(error) : "");
    if (client == NULL) {
        zulip_error_free(error);
        zulip_client_options_free(options);
        return finish_checks();
    }

    static struct soak soak;
    soak.client = client;
    soak.options = options;
    soak.url = argv[1];

    /* A quarter of the logins warm up the allocator, the connection pool and the TLS state. */
    double started = now_seconds();
    long warmup = logins / 4;
    run_phase(&soak, warmup, threads);
    long rss_after_warmup = resident_kib();
    run_phase(&soak, logins, threads);
    double elapsed = now_seconds() - started;
    long rss_at_end = resident_kib();

    zulip_client_free(client);
    zulip_client_options_free(options);
    long threads_after = settled_thread_count(threads_before);
    long fds_after = count_entries("/proc/self/fd");

    long wrong = atomic_load(&soak.wrong_results);
    printf("%ld logins on %d threads over HTTPS in %.1f s (%.0f per second), %d kinds of result\n", logins, threads, elapsed,
           (double)logins / elapsed, (int)CASE_COUNT);
    for (int status = 0; status < 1000; status++) {
        long count = atomic_load(&soak.per_status[status]);
        if (count > 0) {
            printf("  %-36s %6ld\n", zulip_status_name((ZulipStatus)status), count);
        }
    }
    printf("wrong results: %ld\n", wrong);
    printf("resident memory: %ld KiB after warm-up, %ld KiB at the end, growth %ld KiB (limit %ld KiB)\n", rss_after_warmup,
           rss_at_end, rss_at_end - rss_after_warmup, max_growth_kib);
    printf("threads: %ld before, %ld after; file descriptors: %ld before, %ld after\n", threads_before, threads_after, fds_before,
           fds_after);

    CHECK(wrong == 0, "%ld of %ld results were wrong", wrong, logins);
    CHECK(rss_after_warmup > 0, "VmRSS after the warm-up is readable");
    CHECK(rss_at_end > 0, "VmRSS at the end is readable");
    CHECK(rss_at_end - rss_after_warmup <= max_growth_kib, "resident memory grew by %ld KiB", rss_at_end - rss_after_warmup);
    CHECK(threads_after == threads_before, "%ld threads before, %ld after", threads_before, threads_after);
    CHECK(fds_after == fds_before, "%ld file descriptors before, %ld after", fds_before, fds_after);
    return finish_checks();
}
