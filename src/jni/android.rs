//! `ZulipAuth.initAndroid`: hands the app's `Context` to rustls-platform-verifier.
//!
//! On Android the platform verifier checks certificates through the Java `TrustManager`, so it
//! needs the JVM and the app's class loader before the first HTTPS call. On other targets
//! there is nothing to set up.

use ::jni::objects::{JClass, JObject};
use ::jni::{Env, EnvUnowned};

use super::boundary::{native_call, Failure};
use crate::error::{Error, ErrorKind};

/// Initializes the platform verifier with `context`; later calls keep the first context.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_initAndroid<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, context: JObject<'local>) {
    native_call(&mut env, |env| {
        if context.is_null() {
            return Err(Error::new(ErrorKind::InvalidArgument, "context is null; pass the application Context").into());
        }
        init_platform_verifier(env, context)
    })
}

// NOTE: this Android branch is type-checked only when building for an Android target, which
// the test suite does not do; docs/android.md lists it as untested.
#[cfg(target_os = "android")]
fn init_platform_verifier(env: &mut Env<'_>, context: JObject<'_>) -> Result<(), Failure> {
    rustls_platform_verifier::android::init_with_env(env, context)?;
    Ok(())
}

#[cfg(not(target_os = "android"))]
fn init_platform_verifier(_env: &mut Env<'_>, _context: JObject<'_>) -> Result<(), Failure> {
    Ok(())
}
