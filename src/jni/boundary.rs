//! The boundary every JNI entry point runs inside.

use std::any::Any;

use ::jni::errors::{Error as JniError, ErrorPolicy, Result as JniResult};
use ::jni::{Env, EnvUnowned};

use super::exception::throw_error;
use crate::error::{Error, ErrorKind};

/// The failure of a native method.
pub(crate) enum Failure {
    /// A failure reported by the core, thrown as the matching `ZulipException` subclass.
    Zulip(Error),
    /// A JNI call failed. Usually a Java exception, such as an `OutOfMemoryError`, is pending
    /// and is left to propagate.
    Jni(JniError),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Zulip(error)
    }
}

impl From<JniError> for Failure {
    fn from(error: JniError) -> Failure {
        Failure::Jni(error)
    }
}

/// Runs the body of a native method. A returned error becomes a pending Java exception and a
/// panic becomes an `InternalException`; in both cases the method returns `T::default()`
/// (0, false or null), which Kotlin never receives because the exception is thrown first.
pub(crate) fn native_call<'local, T: Default>(env: &mut EnvUnowned<'local>, body: impl FnOnce(&mut Env<'local>) -> Result<T, Failure>) -> T {
    env.with_env(body).resolve::<ThrowException>()
}

/// The error policy of [`native_call`].
struct ThrowException;

impl<T: Default> ErrorPolicy<T, Failure> for ThrowException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        failure: Failure,
    ) -> JniResult<T> {
        match failure {
            Failure::Zulip(error) => throw_error(env, &error),
            Failure::Jni(error) => {
                let error = Error::new(ErrorKind::Internal, format!("a JNI call inside zulip-auth failed: {error}"));
                throw_error(env, &error);
            }
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> JniResult<T> {
        let error = Error::new(ErrorKind::Internal, format!("zulip-auth panicked ({}); this is a bug in the library", panic_text(payload)));
        throw_error(env, &error);
        Ok(T::default())
    }
}

/// Returns the message of a panic payload.
fn panic_text(payload: Box<dyn Any + Send + 'static>) -> String {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        return (*text).to_owned();
    }
    if let Some(text) = payload.downcast_ref::<String>() {
        return text.clone();
    }
    // The Drop of an unknown payload type could panic again, outside any catch_unwind, so the
    // payload is leaked instead. Only panic_any() with a custom type gets here.
    std::mem::forget(payload);
    "a panic payload that is not a string".to_owned()
}
