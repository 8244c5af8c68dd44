//! Calls into the Kotlin object `org.zulip.auth.Native`, whose static factory methods build the
//! results and exceptions that native methods return or throw.
//!
//! Native code looks up this one class by name, so an app's R8 or ProGuard rules must keep it
//! and its members (see `docs/android.md`). The lookup runs inside a native method of that
//! same class, where `FindClass` uses the app's class loader, also on Android.

use ::jni::objects::{JObject, JValue};
use ::jni::signature::MethodSignature;
use ::jni::strings::JNIStr;
use ::jni::{jni_str, Env};

use super::boundary::Failure;

/// Calls the static factory `name` of `org.zulip.auth.Native` and returns the object it built.
pub(crate) fn call_factory<'local>(
    env: &mut Env<'local>,
    name: &JNIStr,
    signature: &MethodSignature<'_, '_>,
    arguments: &[JValue<'_>],
) -> Result<JObject<'local>, Failure> {
    let class = env.find_class(jni_str!("org/zulip/auth/Native"))?;
    let built = env.call_static_method(&class, name, signature, arguments)?.l()?;
    env.delete_local_ref(class);
    Ok(built)
}
