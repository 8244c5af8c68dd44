#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests, the C programs under valgrind, the
# packaging tests (install layout, SONAME, pkg-config, the Clang module for Swift) and the
# Kotlin binding on a JVM.
# The C tests link the shared and static libraries that `cargo build` makes, so build first.
# Both commands enable the `jni` feature, so that one libzulip_auth.so serves the C tests and
# the JVM tests (tests/jvm.rs). With different features `cargo test` would rebuild it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --workspace --all-targets --features zulip-auth/jni
cargo test --workspace --features zulip-auth/jni "$@"
