#!/usr/bin/env bash
# Builds the library and the C example, then logs in with it.
#
#   scripts/demo.sh                      against the bundled test server on 127.0.0.1
#   scripts/demo.sh SERVER_URL USERNAME  against a real Zulip server (prompts for the password)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --workspace
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
lib_dir="$target_dir/debug"
example="$target_dir/examples-c/fetch_api_key"
mkdir -p "$(dirname "$example")"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Iinclude examples/fetch_api_key.c \
    -L"$lib_dir" -lzulip_auth -Wl,-rpath,"$lib_dir" -o "$example"

if [ $# -eq 2 ]; then
    exec "$example" "$1" "$2"
elif [ $# -ne 0 ]; then
    echo "usage: $0 [SERVER_URL USERNAME]" >&2
    exit 2
fi

work=$(mktemp -d)
"$lib_dir/zulip-test-server" --info-out "$work/info.json" --ca-out "$work/ca.pem" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    [ -s "$work/info.json" ] && break
    sleep 0.1
done
if [ ! -s "$work/info.json" ]; then
    echo "the test server did not start; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http_url"])' "$work/info.json")

echo "== Test server at $url; logging in as iago@zulip.com with the right password:"
ZULIP_PASSWORD=abcd1234 "$example" "$url" iago@zulip.com
echo
echo "== The same with a wrong password:"
status=0
ZULIP_PASSWORD=wrong-password "$example" "$url" iago@zulip.com || status=$?
echo "(exit status $status)"
