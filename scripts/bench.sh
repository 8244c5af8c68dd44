#!/usr/bin/env bash
# Benchmarks a password login over HTTPS against the loopback test server. One run measures
# zulip-auth with a reused client and with a new client per call, libcurl with a reused easy
# handle and with a new one per call, and the curl program, so that their numbers compare as
# ratios. It then measures the cost of loading each library up to the first result, resident
# memory, and the size of the stripped library against libcurl and the TLS libraries it loads.
# It is not part of the tests. docs/BENCHMARKS.md records the results and how to read them.
#
# Usage: scripts/bench.sh [ROUNDS]   (default 3; each statistic is the median over the rounds)
#
# Needs cc, python3, the curl program and libcurl's development files
# (Debian: apt-get install curl libcurl4-openssl-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
reuse_calls=${REUSE_CALLS:-1000}
new_calls=${NEW_CALLS:-300}
command_calls=${COMMAND_CALLS:-100}
first_runs=${FIRST_RUNS:-15}

target_dir=${CARGO_TARGET_DIR:-target}
cargo build --release --lib
cargo build --release -p zulip-test-server

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$target_dir/release/zulip-test-server" --quiet --info-out "$work/info.json" --ca-out "$work/ca.pem" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    [[ -s $work/info.json ]] && break
    sleep 0.1
done
[[ -s $work/info.json ]] || { echo "the test server did not start within 30 s" >&2; exit 1; }
https_url=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["https_url"])' "$work/info.json")

library_dir=$(cd "$target_dir/release" && pwd)
${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Iinclude benches/bench.c -o "$work/bench" -ldl
# The certificate is valid for both names. zulip-auth resolves the host name on every call but
# not the address, so the two show the cost of that lookup.
ip_url=${https_url/localhost/127.0.0.1}

# Usage: bench MODE[,MODE...] CALLS [URL [LABEL_SUFFIX]]
bench() {
    LD_LIBRARY_PATH="$library_dir" "$work/bench" "$1" "$2" "${3:-$https_url}" "$work/ca.pem" "${4:-}" |
        grep '^RESULT' >>"$work/results.txt"
}

echo "== Per-call cost: $rounds rounds against $https_url and $ip_url"
for round in $(seq 1 "$rounds"); do
    echo "   round $round of $rounds"
    # One process per mode: absolute numbers and each library's resident memory.
    bench zulip-reuse "$reuse_calls"
    bench curl-reuse "$reuse_calls"
    bench zulip-new "$new_calls"
    bench curl-new "$new_calls"
    bench curl-command "$command_calls"
    # Modes alternating call by call in one process: the ratios, free of the machine's drift.
    bench zulip-reuse,curl-reuse "$reuse_calls" "$https_url" /alternating
    bench zulip-reuse,curl-reuse "$reuse_calls" "$ip_url" -ip/alternating
    bench zulip-new,zulip-new-pinned,curl-new "$new_calls" "$https_url" /alternating
done
echo "== dlopen() to the first result: $first_runs processes each"
for _ in $(seq 1 "$first_runs"); do
    bench first-zulip 1
    bench first-curl 1
done

echo "== Sizes"
so="$work/libzulip_auth.so"
cp "$library_dir/libzulip_auth.so" "$so"
strip --strip-all "$so"
curl_library=$(readlink -f /usr/lib/x86_64-linux-gnu/libcurl.so.4)
{
    echo "zulip-auth $(stat -c %s "$so")"
    echo "libcurl $(stat -c %s "$curl_library")"
    ldd "$curl_library" | awk '/=>/ { print $1, $3 }' | while read -r name path; do
        echo "dependency $name $(stat -L -c %s "$path")"
    done
    ldd "$so" | awk '/=>/ { print $1 }' | sed 's/^/zulip-dependency /'
} >"$work/sizes.txt"

python3 - "$work/results.txt" "$work/sizes.txt" <<'PYTHON'
import statistics
import sys

results = {}
for line in open(sys.argv[1]):
    _, mode, calls, *numbers = line.split()
    results.setdefault(mode, []).append([float(value) for value in numbers])

def median_of(mode, column):
    return statistics.median(row[column] for row in results[mode])

columns = ["wall median", "wall p99", "CPU median", "CPU p99", "CPU mean", "RSS"]

def table(title, modes, with_rss):
    print(f"\n{title}\n")
    header = "| mode | wall median µs | wall p99 µs | CPU median µs | CPU p99 µs | CPU mean µs |"
    print(header + (" VmRSS KiB at end |" if with_rss else ""))
    print("|---" * (7 if with_rss else 6) + "|")
    for mode in modes:
        if mode in results:
            values = [median_of(mode, column) for column in range(6 if with_rss else 5)]
            print(f"| {mode} | " + " | ".join(f"{value:.0f}" for value in values) + " |")

table("One process per mode (VmRSS after the calls, with the bench program's own ~1.5 MiB):",
      ["zulip-reuse", "curl-reuse", "zulip-new", "curl-new", "curl-command", "first-zulip", "first-curl"], True)
table("Modes alternating call by call in one process:",
      ["zulip-reuse/alternating", "curl-reuse/alternating", "zulip-reuse-ip/alternating", "curl-reuse-ip/alternating",
       "zulip-new/alternating", "zulip-new-pinned/alternating", "curl-new/alternating"], False)

print("\nRatios to libcurl (1.00 = same; below 1 = zulip-auth cheaper):")
pairs = [
    ("zulip-reuse/alternating", "curl-reuse/alternating"),
    ("zulip-reuse-ip/alternating", "curl-reuse-ip/alternating"),
    ("zulip-new/alternating", "curl-new/alternating"),
    ("zulip-new-pinned/alternating", "curl-new/alternating"),
    ("zulip-reuse", "curl-reuse"),
    ("zulip-new", "curl-new"),
    ("first-zulip", "first-curl"),
]
for zulip_mode, curl_mode in pairs:
    if zulip_mode in results and curl_mode in results:
        parts = []
        for column in range(5):
            denominator = median_of(curl_mode, column)
            if denominator > 0:
                parts.append(f"{columns[column]} {median_of(zulip_mode, column) / denominator:.2f}")
        print(f"  {zulip_mode} / {curl_mode}: " + ", ".join(parts))

sizes = [line.split() for line in open(sys.argv[2])]
zulip_size = next(int(row[1]) for row in sizes if row[0] == "zulip-auth")
curl_size = next(int(row[1]) for row in sizes if row[0] == "libcurl")
dependencies = {row[1]: int(row[2]) for row in sizes if row[0] == "dependency"}
tls = sum(size for name, size in dependencies.items() if name.startswith(("libssl.", "libcrypto.")))
system = ("libc.", "libm.", "libpthread.", "libdl.", "librt.", "libz.")
others = sum(size for name, size in dependencies.items() if not name.startswith(system))
mib = 1024 * 1024
print(f"\nStripped libzulip_auth.so: {zulip_size} bytes ({zulip_size / mib:.2f} MiB; budget 1.50 MiB)")
print(f"libcurl: {curl_size} bytes; with libssl and libcrypto: {(curl_size + tls) / mib:.2f} MiB; "
      f"with every dependency except libc, libm and zlib: {(curl_size + others) / mib:.2f} MiB")
print("libzulip_auth.so links: " + ", ".join(row[1] for row in sizes if row[0] == "zulip-dependency"))
print("libcurl's dependencies: " + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sorted(dependencies.items(), key=lambda item: -item[1])))
PYTHON
