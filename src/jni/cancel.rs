//! `CancellationToken`: cancelling a call from another thread.

use ::jni::objects::JClass;
use ::jni::sys::{jboolean, jlong};
use ::jni::EnvUnowned;

use super::boundary::{native_call, Failure};
use super::handle::{borrow_handle, free_handle, into_handle};
use crate::cancel::CancelToken;

/// Creates a token that is not cancelled and returns its handle.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_cancelNew<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>) -> jlong {
    native_call(&mut env, |_| Ok(into_handle(CancelToken::new())))
}

/// Cancels every call using the token. Any thread may call it, while calls run.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_cancelCancel<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, token: jlong) {
    native_call(&mut env, |_| -> Result<(), Failure> {
        // SAFETY: Kotlin passes a live handle from cancelNew, or 0.
        unsafe { borrow_handle::<CancelToken>(token, "token") }?.cancel();
        Ok(())
    })
}

/// Returns whether the token was cancelled.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_cancelIsCancelled<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, token: jlong) -> jboolean {
    native_call(&mut env, |_| -> Result<jboolean, Failure> {
        // SAFETY: Kotlin passes a live handle from cancelNew, or 0.
        Ok(unsafe { borrow_handle::<CancelToken>(token, "token") }?.is_cancelled())
    })
}

/// Frees the token; 0 is a no-op.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_cancelFree<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, token: jlong) {
    native_call(&mut env, |_| -> Result<(), Failure> {
        // SAFETY: Kotlin frees each handle from cancelNew once, after its last call returned.
        unsafe { free_handle::<CancelToken>(token) };
        Ok(())
    })
}
