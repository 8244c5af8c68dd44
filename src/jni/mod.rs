//! The JNI layer for Kotlin and Java (`bindings/kotlin/`), built with the `jni` feature.
//!
//! Every exported function is a static native method of the Kotlin object
//! `org.zulip.auth.Native`. It calls the safe Rust core, not the C ABI, and runs inside the one
//! boundary of [`boundary::native_call`], which turns every error, JNI failure and panic into a
//! Java exception. Native objects reach Kotlin as `jlong` handles (see [`handle`]). The Kotlin
//! class that owns a handle frees it exactly once, and never while a call is using it.

mod android;
mod boundary;
mod cancel;
mod client;
mod exception;
mod factory;
mod handle;
mod results;
mod server_settings;
mod sso;
#[cfg(debug_assertions)]
mod test_hooks;
mod text;
