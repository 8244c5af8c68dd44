//! Generates `include/zulip_auth.h` from the `extern "C"` functions in `src/ffi/`.
//!
//! The header is written to `OUT_DIR` on every build. Outside CI (the `CI` environment variable
//! unset) it is also written to `include/`, so that changes to the C API show up in `git diff`.
//! In CI the committed header is left alone and a test compares it with the fresh one.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=CI");

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
