#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests, and the C programs under valgrind.
# The C tests link the shared and static libraries that `cargo build` makes, so build first.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --workspace --all-targets
cargo test --workspace "$@"
