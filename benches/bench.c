/*
 * Per-call cost of a password login, zulip-auth against libcurl and the curl command, run by
 * scripts/bench.sh against the loopback test server over HTTPS. Each library is loaded with
 * dlopen(), so that a process contains only the libraries of the modes it runs.
 *
 * Usage: bench MODE[,MODE...] CALLS HTTPS_URL CA_PEM_FILE [LABEL_SUFFIX]
 *
 * MODE is one of:
 *   zulip-reuse        one ZulipClient for every call (connections are kept and reused)
 *   zulip-new          a new ZulipClient per call, trusting the platform's roots and the CA
 *   zulip-new-pinned   a new ZulipClient per call, trusting only the CA
 *   curl-reuse         one libcurl easy handle for every call (connections are kept)
 *   curl-new           a new libcurl easy handle per call
 *   curl-command       the curl program per call (fork, exec, wait)
 *   first-zulip        dlopen() to the first result with zulip-auth, once
 *   first-curl         dlopen() to the first result with libcurl, once
 *
 * With several modes, the program alternates their calls, one call of each in turn, so that
 * all of them run under the same load of the machine. Their VmRSS is then that of the process
 * with every library they load.
 *
 * After WARMUP_CALLS unmeasured calls and CALLS measured ones, it prints one line per mode:
 *   RESULT MODE[LABEL_SUFFIX] CALLS WALL_MEDIAN_US WALL_P99_US CPU_MEDIAN_US CPU_P99_US CPU_MEAN_US RSS_KIB
 * CPU time is the whole process's (every thread, user and system), or the child's for
 * curl-command. RSS_KIB is VmRSS after all the calls. A first-* mode runs alone and prints
 *   RESULT MODE 1 WALL_US 0 CPU_US 0 CPU_US RSS_KIB
 * Every call's result is checked, and a wrong one ends the program with status 1.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "zulip_auth.h"

enum { WARMUP_CALLS = 20, MAX_CALLS = 100000, MAX_RUNNERS = 8 };

static const char *const USERNAME = "iago@zulip.com";
static const char *const PASSWORD = "abcd1234";
static const char *const FORM = "username=iago%40zulip.com&password=abcd1234";
static const char *const EXPECTED_KEY = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

static const char *url;
static const char *ca_path;
static char *ca_pem;
static char endpoint[512];

/* ---- measurement ---- */

static double wall_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e6 + (double)now.tv_nsec / 1e3;
}

static double cpu_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec * 1e6 + (double)now.tv_nsec / 1e3;
}

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

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Returns the value below which `fraction` of the sorted `values` lie (nearest rank). */
static double percentile(const double *sorted, int count, double fraction) {
    int rank = (int)(fraction * count + 0.999999);
    if (rank < 1) {
        rank = 1;
    }
    return sorted[rank > count ? count - 1 : rank - 1];
}

static void fail(const char *message) {
    fprintf(stderr, "bench: %s\n", message);
    exit(1);
}

static void *symbol(void *library, const char *name) {
    void *address = dlsym(library, name);
    if (address == NULL) {
        fprintf(stderr, "bench: %s not found: %s\n", name, dlerror());
        exit(1);
    }
    return address;
}

/* ---- zulip-auth through dlopen ---- */

static struct {
    ZulipClientOptions *(*options_new)(void);
    ZulipStatus (*options_add_root_certificates_pem)(ZulipClientOptions *, const char *);
    ZulipStatus (*options_set_trust_only_added_roots)(ZulipClientOptions *, bool);
    ZulipStatus (*options_set_no_proxy)(ZulipClientOptions *);
    void (*options_free)(ZulipClientOptions *);
    ZulipClient *(*client_new)(const ZulipClientOptions *, ZulipError **);
    void (*client_free)(ZulipClient *);
    ZulipApiKeyResult *(*fetch)(const ZulipClient *, const char *, const char *, const char *, const ZulipCancelToken *);
    ZulipStatus (*result_status)(const ZulipApiKeyResult *);
    const char *(*result_api_key)(const ZulipApiKeyResult *);
    void (*result_free)(ZulipApiKeyResult *);
} zulip;

static void load_zulip(void) {
    void *library = dlopen("libzulip_auth.so", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "bench: %s\n", dlerror());
        exit(1);
    }
    *(void **)&zulip.options_new = symbol(library, "zulip_client_options_new");
    *(void **)&zulip.options_add_root_certificates_pem = symbol(library, "zulip_client_options_add_root_certificates_pem");
    *(void **)&zulip.options_set_trust_only_added_roots = symbol(library, "zulip_client_options_set_trust_only_added_roots");
    *(void **)&zulip.options_set_no_proxy = symbol(library, "zulip_client_options_set_no_proxy");
    *(void **)&zulip.options_free = symbol(library, "zulip_client_options_free");
    *(void **)&zulip.client_new = symbol(library, "zulip_client_new");
    *(void **)&zulip.client_free = symbol(library, "zulip_client_free");
    *(void **)&zulip.fetch = symbol(library, "zulip_client_fetch_api_key");
    *(void **)&zulip.result_status = symbol(library, "zulip_api_key_result_status");
    *(void **)&zulip.result_api_key = symbol(library, "zulip_api_key_result_api_key");
    *(void **)&zulip.result_free = symbol(library, "zulip_api_key_result_free");
}

static ZulipClient *zulip_client(bool pinned) {
    ZulipClientOptions *options = zulip.options_new();
    if (zulip.options_add_root_certificates_pem(options, ca_pem) != ZULIP_OK || zulip.options_set_no_proxy(options) != ZULIP_OK) {
        fail("the client options were rejected");
    }
    if (pinned && zulip.options_set_trust_only_added_roots(options, true) != ZULIP_OK) {
        fail("trust_only_added_roots was rejected");
    }
    ZulipClient *client = zulip.client_new(options, NULL);
    zulip.options_free(options);
    if (client == NULL) {
        fail("zulip_client_new failed");
    }
    return client;
}

static void zulip_login(const ZulipClient *client) {
    ZulipApiKeyResult *result = zulip.fetch(client, url, USERNAME, PASSWORD, NULL);
    if (zulip.result_status(result) != ZULIP_OK || strcmp(zulip.result_api_key(result), EXPECTED_KEY) != 0) {
        fail("a zulip-auth login failed");
    }
    zulip.result_free(result);
}

/* ---- libcurl through dlopen ---- */

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
} curl;

static void load_curl(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "bench: %s\n", dlerror());
        exit(1);
    }
    *(void **)&curl.global_init = symbol(library, "curl_global_init");
    *(void **)&curl.easy_init = symbol(library, "curl_easy_init");
    *(void **)&curl.easy_setopt = symbol(library, "curl_easy_setopt");
    *(void **)&curl.easy_perform = symbol(library, "curl_easy_perform");
    *(void **)&curl.easy_getinfo = symbol(library, "curl_easy_getinfo");
    *(void **)&curl.easy_cleanup = symbol(library, "curl_easy_cleanup");
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fail("curl_global_init failed");
    }
}

struct body {
    char data[4096];
    size_t length;
};

static size_t collect_body(char *data, size_t size, size_t count, void *user) {
    struct body *body = user;
    size_t amount = size * count;
    size_t room = sizeof body->data - 1 - body->length;
    size_t kept = amount < room ? amount : room;
    memcpy(body->data + body->length, data, kept);
    body->length += kept;
    body->data[body->length] = '\0';
    return amount;
}

static CURL *curl_handle(struct body *body) {
    CURL *handle = curl.easy_init();
    if (handle == NULL) {
        fail("curl_easy_init failed");
    }
    curl.easy_setopt(handle, CURLOPT_URL, endpoint);
    curl.easy_setopt(handle, CURLOPT_POSTFIELDS, FORM);
    curl.easy_setopt(handle, CURLOPT_CAINFO, ca_path);
    curl.easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl.easy_setopt(handle, CURLOPT_USERAGENT, "bench");
    curl.easy_setopt(handle, CURLOPT_HTTPHEADER, NULL);
    curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect_body);
    curl.easy_setopt(handle, CURLOPT_WRITEDATA, body);
    return handle;
}

/* Checks the status and that the body contains the key. libcurl parses no JSON. */
static void curl_login(CURL *handle, struct body *body) {
    body->length = 0;
    body->data[0] = '\0';
    long status = 0;
    if (curl.easy_perform(handle) != CURLE_OK || curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
        status != 200 || strstr(body->data, EXPECTED_KEY) == NULL) {
        fail("a libcurl login failed");
    }
}

/* ---- the curl program ---- */

/* Runs the curl program once and returns its CPU time (user and system) in microseconds. */
static double curl_command(void) {
    pid_t child = fork();
    if (child < 0) {
        fail("fork failed");
    }
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execlp("curl", "curl", "--silent", "--fail", "--noproxy", "*", "--cacert", ca_path, "--data", FORM, "--output", "/dev/null",
               endpoint, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail("the curl program failed");
    }
    return (double)usage.ru_utime.tv_sec * 1e6 + (double)usage.ru_utime.tv_usec + (double)usage.ru_stime.tv_sec * 1e6 +
           (double)usage.ru_stime.tv_usec;
}

/* ---- modes ---- */

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

/* Measures the dlopen() of a library, the setup of a client and the first login. */
static int run_first(const char *mode) {
    double wall_start = wall_us(), cpu_start = cpu_us();
    if (strcmp(mode, "first-zulip") == 0) {
        load_zulip();
        ZulipClient *client = zulip_client(false);
        zulip_login(client);
        zulip.client_free(client);
    } else if (strcmp(mode, "first-curl") == 0) {
        load_curl();
        struct body body;
        CURL *handle = curl_handle(&body);
        curl_login(handle, &body);
        curl.easy_cleanup(handle);
    } else {
        fail("unknown MODE");
    }
    double wall = wall_us() - wall_start, cpu = cpu_us() - cpu_start;
    printf("RESULT %s 1 %.0f 0 %.0f 0 %.0f %ld\n", mode, wall, cpu, cpu, resident_kib());
    return 0;
}

/* One measured kind of call and its samples. */
struct runner {
    const char *mode;
    bool is_zulip, is_curl, command, new_per_call, pinned;
    ZulipClient *client;
    CURL *handle;
    struct body body;
    double *walls, *cpus;
};

static bool zulip_loaded, curl_loaded;

static void runner_init(struct runner *runner, const char *mode, int calls) {
    memset(runner, 0, sizeof *runner);
    runner->mode = mode;
    runner->is_zulip = strcmp(mode, "zulip-reuse") == 0 || strcmp(mode, "zulip-new") == 0 || strcmp(mode, "zulip-new-pinned") == 0;
    runner->is_curl = strcmp(mode, "curl-reuse") == 0 || strcmp(mode, "curl-new") == 0;
    runner->command = strcmp(mode, "curl-command") == 0;
    runner->new_per_call = strcmp(mode, "zulip-new") == 0 || strcmp(mode, "zulip-new-pinned") == 0 || strcmp(mode, "curl-new") == 0;
    runner->pinned = strcmp(mode, "zulip-new-pinned") == 0;

    if (!runner->is_zulip && !runner->is_curl && !runner->command) {
        fprintf(stderr, "bench: unknown MODE %s\n", mode);
        exit(2);
    }
    if (runner->is_zulip && !zulip_loaded) {
        load_zulip();
        zulip_loaded = true;
    }
    if (runner->is_curl && !curl_loaded) {
        load_curl();
        curl_loaded = true;
    }

    if (runner->is_zulip && !runner->new_per_call) {
        runner->client = zulip_client(false);
    }
    if (runner->is_curl && !runner->new_per_call) {
        runner->handle = curl_handle(&runner->body);
    }

    runner->walls = malloc(sizeof(double) * (size_t)calls);
    runner->cpus = malloc(sizeof(double) * (size_t)calls);
    if (runner->walls == NULL || runner->cpus == NULL) {
        fail("out of memory");
    }
}

/* Makes one call and records its wall and CPU time as sample `index`, unless it is negative. */
static void runner_call(struct runner *runner, int index) {
    double wall_start = wall_us(), cpu_start = cpu_us(), cpu = 0;
    if (runner->command) {
        cpu = curl_command();
    } else if (runner->is_zulip) {
        ZulipClient *client = runner->new_per_call ? zulip_client(runner->pinned) : runner->client;
        zulip_login(client);
        if (runner->new_per_call) {
            zulip.client_free(client);
        }
    } else {
        CURL *handle = runner->new_per_call ? curl_handle(&runner->body) : runner->handle;
        curl_login(handle, &runner->body);
        if (runner->new_per_call) {
            curl.easy_cleanup(handle);
        }
    }
    if (!runner->command) {
        cpu = cpu_us() - cpu_start;
    }
    if (index >= 0) {
        runner->walls[index] = wall_us() - wall_start;
        runner->cpus[index] = cpu;
    }
}

static void runner_report(struct runner *runner, int calls, const char *label_suffix, long rss) {
    double cpu_total = 0;
    for (int i = 0; i < calls; i++) {
        cpu_total += runner->cpus[i];
    }
    qsort(runner->walls, (size_t)calls, sizeof(double), compare_doubles);
    qsort(runner->cpus, (size_t)calls, sizeof(double), compare_doubles);
    printf("RESULT %s%s %d %.1f %.1f %.1f %.1f %.1f %ld\n", runner->mode, label_suffix, calls, percentile(runner->walls, calls, 0.5),
           percentile(runner->walls, calls, 0.99), percentile(runner->cpus, calls, 0.5), percentile(runner->cpus, calls, 0.99),
           cpu_total / calls, rss);
    if (runner->client != NULL) {
        zulip.client_free(runner->client);
    }
    if (runner->handle != NULL) {
        curl.easy_cleanup(runner->handle);
    }
    free(runner->walls);
    free(runner->cpus);
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s MODE[,MODE...] CALLS HTTPS_URL CA_PEM_FILE [LABEL_SUFFIX]\n", argv[0]);
        return 2;
    }
    char *modes = argv[1];
    int calls = atoi(argv[2]);
    url = argv[3];
    ca_path = argv[4];
    const char *label_suffix = argc == 6 ? argv[5] : "";
    if (calls < 1 || calls > MAX_CALLS) {
        fail("CALLS must be from 1 to 100000");
    }
    ca_pem = read_file(ca_path);
    if (ca_pem == NULL) {
        fail("the CA file cannot be read");
    }
    snprintf(endpoint, sizeof endpoint, "%s/api/v1/fetch_api_key", url);
    if (strncmp(modes, "first-", 6) == 0) {
        return run_first(modes);
    }

    struct runner runners[MAX_RUNNERS];
    int count = 0;
    for (char *mode = strtok(modes, ","); mode != NULL; mode = strtok(NULL, ",")) {
        if (count == MAX_RUNNERS) {
            fail("too many modes");
        }
        runner_init(&runners[count++], mode, calls);
    }

    /* Round-robin over the modes, so that all of them run under the same machine load. */
    for (int i = -WARMUP_CALLS; i < calls; i++) {
        for (int r = 0; r < count; r++) {
            runner_call(&runners[r], i);
        }
    }
    long rss = resident_kib();
    for (int r = 0; r < count; r++) {
        runner_report(&runners[r], calls, label_suffix, rss);
    }
    return 0;
}
