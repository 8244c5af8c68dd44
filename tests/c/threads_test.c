/*
 * 16 threads sharing one client for 800 logins, every result checked; run by
 * tests/c_programs.rs under valgrind.
 *
 * Usage: threads_test HTTP_URL
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "zulip_auth.h"
#include "check.h"

enum { THREADS = 16, LOGINS_PER_THREAD = 50 };

struct worker {
    const ZulipClient *client;
    const char *url;
    int index;
    int wrong_results;
};

static void *run_worker(void *argument) {
    struct worker *worker = argument;
    for (int i = 0; i < LOGINS_PER_THREAD; i++) {
        /* Alternate success and two failure kinds, so results cannot be mixed up unnoticed. */
        int kind = (worker->index + i) % 3;
        const char *username = "old@zulip.com";
        if (kind == 0) {
            username = "iago@zulip.com";
        } else if (kind == 1) {
            username = "deactivated@scenario.test";
        }
        ZulipApiKeyResult *result = zulip_client_fetch_api_key(worker->client, worker->url, username, "abcd1234", NULL);
        ZulipStatus status = zulip_api_key_result_status(result);
        int right = 0;
        if (kind == 0) {
            right = status == ZULIP_OK && zulip_api_key_result_user_id(result) == 5 &&
                    same_text(zulip_api_key_result_email(result), "iago@zulip.com");
        } else if (kind == 1) {
            right = status == ZULIP_ERROR_USER_DEACTIVATED;
        } else {
            right = status == ZULIP_OK && zulip_api_key_result_user_id(result) == -1 &&
                    same_text(zulip_api_key_result_email(result), "old@zulip.com");
        }
        if (!right) {
            worker->wrong_results++;
            fprintf(stderr, "thread %d login %d (%s): %s\n", worker->index, i, username, zulip_status_name(status));
        }
        zulip_api_key_result_free(result);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s HTTP_URL\n", argv[0]);
        return 2;
    }
    ZulipClient *client = zulip_client_new(NULL, NULL);
    CHECK(client != NULL, "client created");

    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){.client = client, .url = argv[1], .index = i, .wrong_results = 0};
        pthread_create(&threads[i], NULL, run_worker, &workers[i]);
    }
    int wrong = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        wrong += workers[i].wrong_results;
    }
    CHECK(wrong == 0, "%d of %d results were wrong", wrong, THREADS * LOGINS_PER_THREAD);
    printf("%d logins on %d threads\n", THREADS * LOGINS_PER_THREAD, THREADS);
    zulip_client_free(client);
    return finish_checks();
}
