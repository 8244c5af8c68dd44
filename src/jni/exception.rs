//! Turns a core [`Error`] into a pending Kotlin `ZulipException`.

use ::jni::objects::{JThrowable, JValue};
use ::jni::strings::JNIString;
use ::jni::{jni_sig, jni_str, Env};

use super::boundary::Failure;
use super::factory::call_factory;
use super::text::{new_optional_string, new_string};
use crate::error::Error;
use crate::ffi::ZulipStatus;

/// Throws the `ZulipException` subclass for `error`, unless a Java exception is already
/// pending, which then takes precedence.
///
/// When the Kotlin exception cannot be built, for example because R8 removed the factory
/// `Native.newException`, a `java.lang.RuntimeException` with the same message replaces
/// whatever the failed lookup left pending. So the caller never gets a return value without an
/// exception.
pub(crate) fn throw_error(env: &mut Env<'_>, error: &Error) {
    if env.exception_check() {
        return;
    }
    let build_failure = match new_exception(env, error) {
        Ok(exception) => {
            // Throw returns Err(JavaException) when it succeeds.
            let _ = env.throw(&exception);
            return;
        }
        Err(Failure::Jni(jni_error)) => jni_error.to_string(),
        Err(Failure::Zulip(inner)) => inner.message().to_owned(),
    };
    env.exception_clear();
    let message = format!(
        "{:?}: {} (zulip-auth could not create its exception: {build_failure}; check that R8 or ProGuard keeps org.zulip.auth.Native)",
        ZulipStatus::from(error.kind()),
        error.message(),
    );
    let _ = env.throw_new(jni_str!("java/lang/RuntimeException"), JNIString::from(message));
}

/// Builds the exception through `Native.newException`, which picks the family class.
fn new_exception<'local>(env: &mut Env<'local>, error: &Error) -> Result<JThrowable<'local>, Failure> {
    let status = ZulipStatus::from(error.kind()) as i32;
    let message = new_string(env, error.message())?;
    let code = new_optional_string(env, error.code())?;
    let server_message = new_optional_string(env, error.server_message())?;
    let http_status = error.http_status().map_or(0, i32::from);
    let retry_after_millis = error.retry_after().map_or(-1, |delay| i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));

    let exception = call_factory(
        env,
        jni_str!("newException"),
        &jni_sig!("(ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;IJ)Lorg/zulip/auth/ZulipException;"),
        &[
            JValue::Int(status),
            JValue::Object(&message),
            JValue::Object(&code),
            JValue::Object(&server_message),
            JValue::Int(http_status),
            JValue::Long(retry_after_millis),
        ],
    )?;
    Ok(env.cast_local::<JThrowable>(exception)?)
}
