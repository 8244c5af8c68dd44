#!/usr/bin/env bash
# Runs each fuzz target in fuzz/ for a bounded time, starting from the committed seed corpus in
# fuzz/corpus/<target>/, and fails when any target finds a crash.
#
# Usage: scripts/fuzz.sh [SECONDS]   (seconds per target, default 60)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a C++ standard library for libFuzzer.
# libFuzzer builds use unstable compiler flags (-Zsanitizer=address and coverage passes), and
# RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. New inputs found during the run go to
# a temporary directory, so the committed corpus is never changed; a crash input is kept in
# fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS]  (a positive number of seconds per target)" >&2
    exit 2
fi

export RUSTC_BOOTSTRAP=1
target_dir=${FUZZ_TARGET_DIR:-$PWD/target-fuzz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd fuzz
cargo fuzz build --target-dir "$target_dir"

# target name, dictionary, longest input in bytes
targets=(
    "api_key_response http_response.dict 16384"
    "server_settings_response http_response.dict 16384"
    "server_url server_url.dict 4096"
    "sso_callback sso_callback.dict 4096"
)

failed=()
for entry in "${targets[@]}"; do
    read -r target dict max_len <<<"$entry"
    echo "== Fuzzing $target for $seconds s"
    mkdir -p "$work/$target"
    # libFuzzer writes new inputs to the first corpus directory and only reads the others.
    if ! cargo fuzz run --target-dir "$target_dir" "$target" "$work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -max_len="$max_len" -dict="dict/$dict" -print_final_stats=1; then
        failed+=("$target")
        echo "!! $target failed; the input is in fuzz/artifacts/$target/." >&2
        echo "   Reproduce it with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $target artifacts/$target/<file>" >&2
    fi
done

if ((${#failed[@]} > 0)); then
    echo "fuzzing found crashes in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing found no crash in ${#targets[@]} targets ($seconds s each)"
