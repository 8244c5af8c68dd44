//! Tests the installed library and the ways C, Objective-C and Swift reach it. `scripts/install.sh`
//! installs into a temporary prefix, whose layout and SONAME are checked. `examples/fetch_api_key.c`
//! is built with `pkg-config` against the shared and against the static library. The version must
//! agree wherever it is written. Objective-C code runs `@import ZulipAuth` through the Clang module
//! maps, which Swift's importer reads the same way. Programs run against the loopback test server.
//!
//! The libraries come from `cargo build`, which `scripts/test.sh` runs before `cargo test`; they
//! are installed with `--from target/<profile>` so that no release build is needed. The tests
//! need bash, readelf (binutils), pkg-config, clang and the C compiler `cc`.

mod artifacts;

use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use artifacts::{built_library, manifest_dir, profile_dir};
use zulip_test_server::users::{IAGO_API_KEY, IAGO_EMAIL, IAGO_PASSWORD, IAGO_USER_ID};
use zulip_test_server::TestServer;

const VERSION: &str = env!("CARGO_PKG_VERSION");


/// Returns the SONAME that build.rs gives the library: `libzulip_auth.so.0.MINOR` before 1.0.
fn expected_soname() -> String {
    let major: u64 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    if major == 0 {
        format!("libzulip_auth.so.0.{}", env!("CARGO_PKG_VERSION_MINOR"))
    } else {
        format!("libzulip_auth.so.{major}")
    }
}

/// Fails unless `cargo build` made both libraries after the last change to their inputs.
fn require_built_libraries() {
    built_library("libzulip_auth.so");
    built_library("libzulip_auth.a");
}

/// Returns `target/<profile>/packaging-tests`, emptied once per test run.
fn tests_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = profile_dir().join("packaging-tests");
        if root.exists() {
            std::fs::remove_dir_all(&root).unwrap();
        }
        std::fs::create_dir_all(&root).unwrap();
        root
    })
}

/// Returns an empty directory for one test; tests run in parallel, so each has its own.
fn work_dir(test: &str) -> PathBuf {
    let dir = tests_root().join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `command` and returns its output, failing with both output streams unless it succeeds.
fn run_checked(command: &mut Command) -> Output {
    let description = format!("{command:?}");
    let output = command.output().unwrap_or_else(|error| panic!("could not run {description}: {error}"));
    assert!(
        output.status.success(),
        "{description} failed with {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout_text(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Installs the libraries of `target/<profile>` into `<work dir>/prefix` and returns the prefix.
fn install(work: &Path, extra_args: &[&str]) -> PathBuf {
    require_built_libraries();
    let prefix = work.join("prefix");
    run_checked(
        Command::new("bash")
            .arg(manifest_dir().join("scripts/install.sh"))
            .arg("--from")
            .arg(profile_dir())
            .args(extra_args)
            .arg(&prefix)
            .env_remove("DESTDIR"),
    );
    prefix
}

/// Returns a prefix with the full installation, made once and shared by the tests that only
/// read it.
fn installed_prefix() -> PathBuf {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| install(&work_dir("installed"), &[])).clone()
}

/// Runs pkg-config on the prefix's `zulip_auth.pc` and returns the words it prints.
fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let output = run_checked(
        Command::new("pkg-config")
            .args(args)
            .arg("zulip_auth")
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .env_remove("PKG_CONFIG_SYSROOT_DIR"),
    );
    stdout_text(&output).split_whitespace().map(str::to_owned).collect()
}

/// Returns the `readelf -d` dynamic section of an ELF file as text.
fn dynamic_section(path: &Path) -> String {
    stdout_text(&run_checked(Command::new("readelf").arg("-d").arg(path)))
}

fn needed_libraries(path: &Path) -> Vec<String> {
    dynamic_section(path)
        .lines()
        .filter(|line| line.contains("(NEEDED)"))
        .filter_map(|line| Some(line.split_once('[')?.1.trim_end_matches(']').to_owned()))
        .collect()
}

/// Compiles `examples/fetch_api_key.c` with the flags that pkg-config prints.
fn compile_example(work: &Path, pkg_config_words: &[String], extra_args: &[String]) -> PathBuf {
    let program = work.join("fetch_api_key");
    run_checked(
        Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
            .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror"])
            .arg(manifest_dir().join("examples/fetch_api_key.c"))
            .arg("-o")
            .arg(&program)
            .args(pkg_config_words)
            .args(extra_args),
    );
    program
}

/// Returns a command for `program` without proxy variables and without `LD_LIBRARY_PATH`, so the
/// loader follows only the rpath built into the program. Cargo adds `target/<profile>` to
/// `LD_LIBRARY_PATH` for tests, which would hide a program that cannot find the installed library.
fn isolated_command(program: &Path) -> Command {
    let mut command = Command::new(program);
    command.env("ZULIP_PASSWORD", IAGO_PASSWORD).env_remove("LD_LIBRARY_PATH");
    for variable in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
        command.env_remove(variable);
    }
    command
}

/// Logs in as iago with the example program and checks the API key it prints.
fn run_example_login(program: &Path) {
    let server = TestServer::start().unwrap();
    let output = run_checked(isolated_command(program).args([server.http_url().as_str(), IAGO_EMAIL]));
    let stdout = stdout_text(&output);
    assert!(stdout.contains(&format!("API key: {IAGO_API_KEY}")), "{stdout}");
    assert!(!stdout.contains(IAGO_PASSWORD), "the example printed the password");
    assert!(!String::from_utf8_lossy(&output.stderr).contains(IAGO_PASSWORD), "the example printed the password");
}

fn header_text() -> String {
    std::fs::read_to_string(manifest_dir().join("include/zulip_auth.h")).unwrap()
}

/// Returns the value of `#define NAME value` in the header.
fn header_define(name: &str) -> String {
    let prefix = format!("#define {name} ");
    let header = header_text();
    let line = header.lines().find(|line| line.starts_with(&prefix)).unwrap_or_else(|| panic!("the header lacks {prefix}"));
    line[prefix.len()..].trim().trim_matches('"').to_owned()
}

#[test]
fn install_creates_layout() {
    let prefix = installed_prefix();
    let soname = expected_soname();

    let real = prefix.join(format!("lib/libzulip_auth.so.{VERSION}"));
    assert!(real.symlink_metadata().unwrap().file_type().is_file(), "{} is not a regular file", real.display());
    let soname_link = std::fs::read_link(prefix.join("lib").join(&soname)).unwrap();
    assert_eq!(soname_link, PathBuf::from(format!("libzulip_auth.so.{VERSION}")));
    let development_link = std::fs::read_link(prefix.join("lib/libzulip_auth.so")).unwrap();
    assert_eq!(development_link, PathBuf::from(&soname));

    assert!(prefix.join("lib/libzulip_auth.a").is_file());
    assert!(prefix.join("lib/pkgconfig/zulip_auth.pc").is_file());
    let installed_header = std::fs::read_to_string(prefix.join("include/zulip_auth.h")).unwrap();
    assert!(installed_header == header_text(), "the installed header differs from include/zulip_auth.h");
    let module_map = std::fs::read_to_string(prefix.join("include/ZulipAuth/module.modulemap")).unwrap();
    assert!(module_map.contains("module ZulipAuth {"), "{module_map}");
    assert!(module_map.contains("header \"../zulip_auth.h\""), "{module_map}");
}

#[test]
fn shared_library_has_versioned_soname() {
    let prefix = installed_prefix();
    let soname = expected_soname();
    let expected = format!("Library soname: [{soname}]");

    let installed = dynamic_section(&prefix.join(format!("lib/libzulip_auth.so.{VERSION}")));
    assert!(installed.contains(&expected), "the installed library lacks {expected}:\n{installed}");
    let built = dynamic_section(&profile_dir().join("libzulip_auth.so"));
    assert!(built.contains(&expected), "target/<profile>/libzulip_auth.so lacks {expected}:\n{built}");

    // build.rs links the SONAME to the library so that programs run from the build tree.
    let build_tree_link = std::fs::read_link(profile_dir().join(&soname)).unwrap();
    assert_eq!(build_tree_link, PathBuf::from("libzulip_auth.so"));
}

#[test]
fn example_links_shared_library_via_pkg_config() {
    let work = work_dir("shared");
    let prefix = installed_prefix();
    let flags = pkg_config(&prefix, &["--cflags", "--libs"]);
    assert!(flags.contains(&format!("-I{}", prefix.join("include").display())), "{flags:?}");
    assert!(flags.contains(&format!("-L{}", prefix.join("lib").display())), "{flags:?}");
    assert!(flags.contains(&"-lzulip_auth".to_owned()), "{flags:?}");

    let libdir = pkg_config(&prefix, &["--variable=libdir"]).join(" ");
    let program = compile_example(&work, &flags, &[format!("-Wl,-rpath,{libdir}")]);
    assert!(needed_libraries(&program).contains(&expected_soname()), "{:?}", needed_libraries(&program));

    // The program must load the installed library, not the one in target/<profile>.
    let ldd = stdout_text(&run_checked(Command::new("ldd").arg(&program).env_remove("LD_LIBRARY_PATH")));
    let expected_line = format!("{} => {}/{}", expected_soname(), libdir, expected_soname());
    assert!(ldd.contains(&expected_line), "ldd lacks {expected_line}:\n{ldd}");

    run_example_login(&program);
}

#[test]
fn example_links_static_library_via_pkg_config() {
    let work = work_dir("static");
    let prefix = install(&work, &["--static-only"]);
    assert!(!prefix.join("lib/libzulip_auth.so").exists(), "--static-only installed the shared library");
    let flags = pkg_config(&prefix, &["--static", "--cflags", "--libs"]);
    for flag in ["-lzulip_auth", "-lpthread", "-ldl", "-lm"] {
        assert!(flags.contains(&flag.to_owned()), "pkg-config --static lacks {flag}: {flags:?}");
    }

    let program = compile_example(&work, &flags, &[]);
    let needed = needed_libraries(&program);
    assert!(!needed.iter().any(|library| library.starts_with("libzulip_auth")), "linked dynamically: {needed:?}");

    run_example_login(&program);
}

/// `Libs.private` lists what the Rust standard library links on this target, because no
/// dependency of this crate adds a native library on Linux. `cargo rustc --lib --crate-type
/// staticlib -- --print native-static-libs` shows the same list, but takes too long for a test.
#[test]
fn pc_libs_private_match_rustc() {
    let work = work_dir("libs-private");
    let prefix = installed_prefix();
    std::fs::write(work.join("empty.rs"), "").unwrap();
    let output = run_checked(
        Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .args(["--crate-type", "staticlib", "--print", "native-static-libs", "--crate-name", "empty"])
            .arg(work.join("empty.rs"))
            .arg("--out-dir")
            .arg(&work),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find_map(|line| line.strip_prefix("note: native-static-libs: ")).expect("rustc printed native-static-libs");
    let from_rustc: Vec<&str> = line.split_whitespace().filter(|flag| *flag != "-lc").collect();

    let pc = std::fs::read_to_string(prefix.join("lib/pkgconfig/zulip_auth.pc")).unwrap();
    let libs_private = pc.lines().find_map(|line| line.strip_prefix("Libs.private: ")).expect("the .pc file has Libs.private");
    assert_eq!(libs_private.split_whitespace().collect::<Vec<_>>(), from_rustc);
}

#[test]
fn versions_agree() {
    let prefix = installed_prefix();

    let cargo_toml = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap();
    let package_version = cargo_toml
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .expect("Cargo.toml has a version line")
        .trim_matches('"');
    assert_eq!(package_version, VERSION);

    assert_eq!(header_define("ZULIP_AUTH_VERSION"), VERSION);
    let parts = [header_define("ZULIP_AUTH_VERSION_MAJOR"), header_define("ZULIP_AUTH_VERSION_MINOR"), header_define("ZULIP_AUTH_VERSION_PATCH")];
    assert_eq!(parts.join("."), VERSION);

    // SAFETY: zulip_version returns a static NUL-terminated string.
    let library_version = unsafe { CStr::from_ptr(zulip_auth::ffi::zulip_version()) }.to_str().unwrap();
    assert_eq!(library_version, VERSION);

    let pc = std::fs::read_to_string(prefix.join("lib/pkgconfig/zulip_auth.pc")).unwrap();
    assert_eq!(pc.lines().find_map(|line| line.strip_prefix("Version: ")), Some(VERSION));
    assert_eq!(pkg_config(&prefix, &["--modversion"]), [VERSION]);

    // The SONAME follows the header's MAJOR and MINOR: 0.MINOR before 1.0, MAJOR from then on.
    let soname = if parts[0] == "0" { format!("libzulip_auth.so.0.{}", parts[1]) } else { format!("libzulip_auth.so.{}", parts[0]) };
    let dynamic = dynamic_section(&prefix.join(format!("lib/libzulip_auth.so.{VERSION}")));
    assert!(dynamic.contains(&format!("Library soname: [{soname}]")), "the installed library lacks the SONAME {soname}:\n{dynamic}");
}

/// Compiles `tests/objc/import_test.m` with Clang modules and `include_args`, which lead Clang
/// to a module map, and links it to the shared library in `lib_dir`.
fn compile_import_test(work: &Path, include_args: &[String], lib_dir: &Path) -> PathBuf {
    let program = work.join("import_test");
    run_checked(
        Command::new("clang")
            .args(["-x", "objective-c", "-fmodules", "-Wall", "-Wextra", "-Werror"])
            .arg(format!("-fmodules-cache-path={}", work.join("module-cache").display()))
            .args(include_args)
            .arg(manifest_dir().join("tests/objc/import_test.m"))
            .arg("-o")
            .arg(&program)
            .arg(format!("-L{}", lib_dir.display()))
            .arg("-lzulip_auth")
            .arg(format!("-Wl,-rpath,{}", lib_dir.display())),
    );
    program
}

fn run_import_test(program: &Path) {
    let server = TestServer::start().unwrap();
    let output = run_checked(isolated_command(program).arg(server.http_url()));
    let stdout = stdout_text(&output);
    assert!(stdout.contains(&format!("version: {VERSION}\n")), "{stdout}");
    assert!(stdout.contains(&format!("email: {IAGO_EMAIL}\n")), "{stdout}");
    assert!(stdout.contains(&format!("user id: {IAGO_USER_ID}\n")), "{stdout}");
    assert!(stdout.lines().any(|line| line.ends_with(" passed, 0 failed")), "{stdout}");
    assert!(!stdout.contains(IAGO_API_KEY), "import_test printed the API key");
}

#[test]
fn objc_imports_module_from_source_tree() {
    require_built_libraries();
    let work = work_dir("objc-source");
    let include = format!("-I{}", manifest_dir().join("include").display());
    let program = compile_import_test(&work, &[include], &profile_dir());
    run_import_test(&program);
}

#[test]
fn objc_imports_module_with_module_map_file() {
    require_built_libraries();
    let work = work_dir("objc-map-file");
    let map_file = format!("-fmodule-map-file={}", manifest_dir().join("include/module.modulemap").display());
    let program = compile_import_test(&work, &[map_file], &profile_dir());
    run_import_test(&program);
}

#[test]
fn objc_imports_module_from_installed_prefix() {
    let work = work_dir("objc-installed");
    let prefix = installed_prefix();
    let include = format!("-I{}", prefix.join("include").display());
    let program = compile_import_test(&work, &[include], &prefix.join("lib"));
    run_import_test(&program);
}

/// Compiles `tests/objc/import_test.m` to an object file with the module map in `map_dir` and
/// returns the strings of its `.linker-options` section, where Clang records the module's
/// `link` declarations for the linker (ld64 reads them on Apple platforms).
fn linker_options(work: &Path, map_dir: &Path) -> Vec<String> {
    let object = work.join("import_test.o");
    run_checked(
        Command::new("clang")
            .args(["-x", "objective-c", "-fmodules", "-c"])
            .arg(format!("-fmodules-cache-path={}", work.join("module-cache").display()))
            .arg(format!("-I{}", map_dir.display()))
            .arg(manifest_dir().join("tests/objc/import_test.m"))
            .arg("-o")
            .arg(&object),
    );
    let dump = stdout_text(&run_checked(Command::new("readelf").args(["-p", ".linker-options"]).arg(&object)));
    dump.lines().filter_map(|line| Some(line.split_once(']')?.1.trim().to_owned())).collect()
}

#[test]
fn module_map_requests_library_link() {
    let work = work_dir("link-request");
    let options = linker_options(&work, &manifest_dir().join("include"));
    assert_eq!(options, ["lib", "zulip_auth"]);
}

#[test]
fn apple_module_map_requests_frameworks() {
    // The layout of one library in the XCFramework that docs/ios.md builds.
    let work = work_dir("apple-map");
    let headers = work.join("Headers");
    let module_dir = headers.join("ZulipAuth");
    std::fs::create_dir_all(&module_dir).unwrap();
    std::fs::copy(manifest_dir().join("include/zulip_auth.h"), module_dir.join("zulip_auth.h")).unwrap();
    std::fs::copy(manifest_dir().join("include/apple/ZulipAuth.modulemap"), module_dir.join("module.modulemap")).unwrap();

    let options = linker_options(&work, &headers);
    assert_eq!(options, ["-framework", "Security", "-framework", "CoreFoundation", "lib", "iconv"]);
}
