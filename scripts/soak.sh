#!/usr/bin/env bash
# Soak test. Builds the release library and the test server, starts the server on 127.0.0.1,
# and runs tests/c/soak_test.c against its HTTPS listener: 16 threads make 20,000 logins that
# cycle through successes and every failure the server produces quickly. It fails on any wrong
# result, and on resident memory growing by more than MAX_RSS_GROWTH_KIB between the end of
# the warm-up (the first quarter of the logins) and the end. It also fails on threads or file
# descriptors left behind. The program stops itself after 300 s and the script after 420 s.
#
# Usage: scripts/soak.sh [LOGINS [THREADS]]
set -euo pipefail
cd "$(dirname "$0")/.."

logins=${1:-20000}
threads=${2:-16}
# Measured growth on a 2-core x86_64 machine: 0.4 to 2.5 MiB (docs/HARDENING.md).
max_rss_growth_kib=${MAX_RSS_GROWTH_KIB:-8192}

target_dir=${CARGO_TARGET_DIR:-target}
cargo build --release --lib
cargo build --release -p zulip-test-server

work=$(mktemp -d)
server_pid=
cleanup() {
    local status=$?
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if ((status != 0)) && [[ -s $work/server.log ]]; then
        echo "-- the test server's log:" >&2
        tail -n 50 "$work/server.log" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$target_dir/release/zulip-test-server" --quiet --info-out "$work/info.json" --ca-out "$work/ca.pem" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    [[ -s $work/info.json ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "the test server exited during start-up" >&2; exit 1; }
    sleep 0.1
done
[[ -s $work/info.json ]] || { echo "the test server did not start within 30 s" >&2; exit 1; }
https_url=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["https_url"])' "$work/info.json")

library_dir=$(cd "$target_dir/release" && pwd)
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Werror -pthread \
    -Iinclude tests/c/soak_test.c -o "$work/soak_test" \
    -L"$library_dir" -lzulip_auth -Wl,-rpath,"$library_dir"

echo "== Soak: $logins logins on $threads threads against $https_url"
# A fixed mmap threshold keeps glibc from moving its threshold up after the 1 MiB buffers of
# oversized responses are freed. Otherwise later large buffers come from the per-thread heaps and
# stay resident, which adds up to 12 MiB of noise with 16 threads that no leak causes.
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072 \
    timeout --signal=KILL 420 "$work/soak_test" "$https_url" "$work/ca.pem" "$logins" "$threads" "$max_rss_growth_kib"
