/*
 * Cancellation from a second thread, run by tests/c_programs.rs under valgrind.
 *
 * Usage: cancel_test HTTP_URL
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "zulip_auth.h"
#include "check.h"

static double now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void *cancel_later(void *token) {
    struct timespec delay = {.tv_sec = 0, .tv_nsec = 300 * 1000 * 1000};
    nanosleep(&delay, NULL);
    zulip_cancel_token_cancel((const ZulipCancelToken *)token);
    /* Cancelling twice is allowed. */
    zulip_cancel_token_cancel((const ZulipCancelToken *)token);
    return NULL;
}

static void test_cancel_during_stall(const ZulipClient *client, const char *url, const char *username) {
    ZulipCancelToken *token = zulip_cancel_token_new();
    pthread_t thread;
    pthread_create(&thread, NULL, cancel_later, token);
    double started = now_seconds();
    ZulipApiKeyResult *result = zulip_client_fetch_api_key(client, url, username, "x", token);
    double elapsed = now_seconds() - started;
    pthread_join(thread, NULL);
    CHECK(zulip_api_key_result_status(result) == ZULIP_ERROR_CANCELLED, "%s: status %s", username,
          zulip_status_name(zulip_api_key_result_status(result)));
    /* The server stalls for 60 s and the client's timeout is 30 s; valgrind slows everything. */
    CHECK(elapsed < 5.0, "%s: cancelled after %.2f s", username, elapsed);
    CHECK(zulip_cancel_token_is_cancelled(token), "token reports cancelled");
    zulip_api_key_result_free(result);
    zulip_cancel_token_free(token);
}

static void test_cancel_before_start(const ZulipClient *client, const char *url) {
    ZulipCancelToken *token = zulip_cancel_token_new();
    zulip_cancel_token_cancel(token);
    ZulipApiKeyResult *result = zulip_client_fetch_api_key(client, url, "iago@zulip.com", "abcd1234", token);
    CHECK(zulip_api_key_result_status(result) == ZULIP_ERROR_CANCELLED, "pre-cancelled: %s",
          zulip_status_name(zulip_api_key_result_status(result)));
    zulip_api_key_result_free(result);
    zulip_cancel_token_free(token);
}

static void test_cancel_after_completion(const ZulipClient *client, const char *url) {
    ZulipCancelToken *token = zulip_cancel_token_new();
    ZulipApiKeyResult *result = zulip_client_fetch_api_key(client, url, "iago@zulip.com", "abcd1234", token);
    zulip_cancel_token_cancel(token);
    CHECK(zulip_api_key_result_status(result) == ZULIP_OK, "a finished call keeps its result");
    CHECK(zulip_api_key_result_api_key(result) != NULL, "API key still readable");
    zulip_api_key_result_free(result);
    zulip_cancel_token_free(token);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s HTTP_URL\n", argv[0]);
        return 2;
    }
    ZulipClient *client = zulip_client_new(NULL, NULL);
    CHECK(client != NULL, "default client");
    test_cancel_during_stall(client, argv[1], "stall@scenario.test");
    test_cancel_during_stall(client, argv[1], "stall-body@scenario.test");
    test_cancel_before_start(client, argv[1]);
    test_cancel_after_completion(client, argv[1]);
    zulip_cancel_token_cancel(NULL);
    CHECK(!zulip_cancel_token_is_cancelled(NULL), "NULL token is not cancelled");
    zulip_client_free(client);
    return finish_checks();
}
