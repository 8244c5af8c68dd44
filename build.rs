//! Generates `include/zulip_auth.h` from the `extern "C"` functions in `src/ffi/`.
//!
//! The header is written to `OUT_DIR` on every build. Outside CI (the `CI` environment variable
//! unset) it is also written to `include/`, so that changes to the C API show up in `git diff`.
//! In CI the committed header is left alone and a test compares it with the fresh one.
//!
//! It also gives the shared library its versioned SONAME; see `set_soname`.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=CI");
    set_soname(&out_dir);

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the C header from src/ffi");

    let generated = out_dir.join("zulip_auth.h");
    bindings.write_to_file(&generated);
    if env::var_os("CI").is_none() {
        let committed = crate_dir.join("include").join("zulip_auth.h");
        fs::create_dir_all(committed.parent().expect("the path has a parent")).expect("include/ can be created");
        bindings.write_to_file(&committed);
    }
}

/// Gives the shared library a versioned SONAME on Linux and the BSDs, so that a program records
/// which ABI it was linked against and a library with another ABI is never loaded in its place.
///
/// Before 1.0 a minor version may break the ABI, so the SONAME carries major and minor
/// (`libzulip_auth.so.0.1` for 0.1.x), as is usual for pre-1.0 libraries. From 1.0 on it
/// carries the major version only (`libzulip_auth.so.1`). `scripts/install.sh` names the
/// installed files to match. Android is left out because `System.loadLibrary()` and APK
/// packaging expect the plain `libzulip_auth.so`; Apple platforms use install names instead.
fn set_soname(out_dir: &Path) {
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if !matches!(target_os.as_str(), "linux" | "freebsd" | "netbsd" | "openbsd" | "dragonfly") {
        return;
    }
    let major: u64 = env::var("CARGO_PKG_VERSION_MAJOR").unwrap().parse().expect("the major version is a number");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").unwrap();
    let soname = if major == 0 { format!("libzulip_auth.so.0.{minor}") } else { format!("libzulip_auth.so.{major}") };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    link_soname_in_profile_dir(out_dir, &soname);
}

/// Creates `target/<profile>/<soname>` pointing to `libzulip_auth.so`. A program linked with
/// `-L target/<profile> -lzulip_auth` records the SONAME, so without this link it would not
/// start from the build tree (through `-rpath` or `LD_LIBRARY_PATH`).
///
/// NOTE: this assumes cargo's default layout, where OUT_DIR is
/// `<profile dir>/build/<package>-<hash>/out`. With a separate `build-dir` configured, the
/// link lands in the build directory instead and programs need the installed library.
#[cfg(unix)]
fn link_soname_in_profile_dir(out_dir: &Path, soname: &str) {
    let Some(profile_dir) = out_dir.ancestors().nth(3) else {
        return;
    };
    let link = profile_dir.join(soname);
    if link.symlink_metadata().is_ok() {
        return;
    }
    if let Err(error) = std::os::unix::fs::symlink("libzulip_auth.so", &link) {
        println!("cargo:warning=could not create the symbolic link {}: {error}", link.display());
    }
}

#[cfg(not(unix))]
fn link_soname_in_profile_dir(_: &Path, _: &str) {}

fn version_macros() -> String {
    let part = |name: &str| env::var(name).expect("cargo sets the package version variables");
    format!(
        "\n/* The version of this header; compare with zulip_version() at run time. */\n\
         #define ZULIP_AUTH_VERSION \"{}\"\n\
         #define ZULIP_AUTH_VERSION_MAJOR {}\n\
         #define ZULIP_AUTH_VERSION_MINOR {}\n\
         #define ZULIP_AUTH_VERSION_PATCH {}\n",
        part("CARGO_PKG_VERSION"),
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    )
}
