#!/usr/bin/env bash
# Installs the C library under PREFIX:
#
#   PREFIX/include/zulip_auth.h
#   PREFIX/include/ZulipAuth/module.modulemap   the Clang module, for Swift and Objective-C
#   PREFIX/lib/libzulip_auth.so.VERSION         with the SONAME libzulip_auth.so.0.MINOR
#   PREFIX/lib/libzulip_auth.so.0.MINOR         -> libzulip_auth.so.VERSION
#   PREFIX/lib/libzulip_auth.so                 -> libzulip_auth.so.0.MINOR
#   PREFIX/lib/libzulip_auth.a
#   PREFIX/lib/pkgconfig/zulip_auth.pc
#
# Usage: scripts/install.sh [--from DIR] [--static-only] PREFIX
#
#   --from DIR     install the libraries that cargo already built in DIR (such as target/debug)
#                  instead of building the release libraries
#   --static-only  install libzulip_auth.a but no shared library, so that the linker takes the
#                  static library for -lzulip_auth
#
# PREFIX must be an absolute path. DESTDIR, when set, is put in front of every installed path
# for staging a package; the pkg-config file still names PREFIX. The shared library files are
# for ELF platforms (Linux, the BSDs); Apple platforms use an XCFramework (docs/ios.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    echo "usage: $0 [--from DIR] [--static-only] PREFIX" >&2
    exit 2
}

fail() {
    echo "$0: $*" >&2
    exit 1
}

# Escapes a value for the replacement side of a sed s|...|...| command.
sed_escape() {
    printf '%s' "$1" | sed 's/[|&\\]/\\&/g'
}

from=
static_only=false
while [ $# -gt 0 ]; do
    case "$1" in
        --from)
            [ $# -ge 2 ] || usage
            from=$2
            shift 2
            ;;
        --static-only)
            static_only=true
            shift
            ;;
        -*)
            echo "$0: unknown option $1" >&2
            usage
            ;;
        *)
            break
            ;;
    esac
done
[ $# -eq 1 ] || usage
prefix=$1
case "$prefix" in
    /*) ;;
    *) fail "PREFIX must be an absolute path, got '$prefix'" ;;
esac
case "$prefix" in
    *[[:space:]]*) fail "PREFIX must not contain white space, which pkg-config would split: '$prefix'" ;;
esac
if [ "$(uname -s)" = Darwin ]; then
    fail "this script installs ELF shared libraries; on Apple platforms build an XCFramework as docs/ios.md describes"
fi
command -v readelf >/dev/null || fail "readelf not found; install binutils"

# The version and SONAME follow Cargo.toml, as build.rs does: libzulip_auth.so.0.MINOR before
# 1.0, libzulip_auth.so.MAJOR from 1.0 on.
version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
if [[ ! "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
    fail "no valid version in the [package] section of $root/Cargo.toml (found '$version')"
fi
major=${BASH_REMATCH[1]}
minor=${BASH_REMATCH[2]}
if [ "$major" = 0 ]; then
    soname=libzulip_auth.so.0.$minor
else
    soname=libzulip_auth.so.$major
fi

if [ -n "$from" ]; then
    lib_dir=$(cd "$from" && pwd)
    # What rustc lists for the static library on Linux with glibc (`cargo rustc --lib --crate-type
    # staticlib -- --print native-static-libs`), without -lc, which every C compiler adds.
    # NOTE: for other targets, install without --from so that the list comes from the build.
    libs_private="-lgcc_s -lutil -lrt -lpthread -lm -ldl"
else
    echo "== Building the release libraries"
    build_log=$(mktemp)
    trap 'rm -f "$build_log"' EXIT
    (cd "$root" && cargo rustc --release --lib -- --print native-static-libs) 2>&1 | tee "$build_log"
    native_libs=$(sed -n 's/^note: native-static-libs: //p' "$build_log" | tail -n 1)
    [ -n "$native_libs" ] || fail "cargo printed no native-static-libs line for the static library"
    private=()
    for flag in $native_libs; do
        [ "$flag" = -lc ] || private+=("$flag")
    done
    libs_private="${private[*]}"
    target_dir=$(cd "$root" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    [ -n "$target_dir" ] || fail "could not read the target directory from cargo metadata"
    lib_dir=$target_dir/release
fi

[ -f "$lib_dir/libzulip_auth.a" ] || fail "$lib_dir/libzulip_auth.a not found; run cargo build first"
if ! $static_only; then
    [ -f "$lib_dir/libzulip_auth.so" ] || fail "$lib_dir/libzulip_auth.so not found; run cargo build first"
    built_soname=$(readelf -d "$lib_dir/libzulip_auth.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
    if [ "$built_soname" != "$soname" ]; then
        fail "$lib_dir/libzulip_auth.so has the SONAME '$built_soname' but version $version needs '$soname'; rebuild it with cargo build"
    fi
fi

dest=${DESTDIR:-}$prefix
if $static_only && [ -e "$dest/lib/libzulip_auth.so" ]; then
    fail "$dest/lib/libzulip_auth.so exists and the linker would take it over the static library; remove it or choose another PREFIX"
fi

echo "== Installing zulip_auth $version into $dest"
install -d "$dest/include/ZulipAuth" "$dest/lib/pkgconfig"
install -m 644 "$root/include/zulip_auth.h" "$dest/include/zulip_auth.h"

# The installed module map sits one directory below the header.
module_map=$dest/include/ZulipAuth/module.modulemap
sed 's|header "zulip_auth.h"|header "../zulip_auth.h"|' "$root/include/module.modulemap" >"$module_map"
grep -q 'header "../zulip_auth.h"' "$module_map" || fail "include/module.modulemap has no line header \"zulip_auth.h\" to rewrite"

if ! $static_only; then
    install -m 755 "$lib_dir/libzulip_auth.so" "$dest/lib/libzulip_auth.so.$version"
    ln -sfn "libzulip_auth.so.$version" "$dest/lib/$soname"
    ln -sfn "$soname" "$dest/lib/libzulip_auth.so"
fi
install -m 644 "$lib_dir/libzulip_auth.a" "$dest/lib/libzulip_auth.a"

sed -e "s|@PREFIX@|$(sed_escape "$prefix")|" \
    -e "s|@VERSION@|$(sed_escape "$version")|" \
    -e "s|@LIBS_PRIVATE@|$(sed_escape "$libs_private")|" \
    "$root/zulip_auth.pc.in" >"$dest/lib/pkgconfig/zulip_auth.pc"

echo "Installed:"
(cd "$dest" && find include/zulip_auth.h include/ZulipAuth lib/libzulip_auth* lib/pkgconfig/zulip_auth.pc | sort | sed 's/^/  /')
echo "Build against it with: PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs zulip_auth"
