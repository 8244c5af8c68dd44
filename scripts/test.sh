#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests, the C programs under valgrind, and the
# packaging tests (install layout, SONAME, pkg-config, the Clang module for Swift).
# The C tests link the shared and static libraries that `cargo build` makes, so build first.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --workspace --all-targets
cargo test --workspace "$@"
