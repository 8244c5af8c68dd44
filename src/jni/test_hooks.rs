//! Native methods of `org.zulip.auth.jvmtest.TestHooks` in `tests/jvm/`, which make the JNI
//! boundary handle failures that the public API cannot cause. Debug builds only.

use ::jni::objects::JClass;
use ::jni::{jni_sig, jni_str, EnvUnowned};

use super::boundary::{native_call, Failure};
use super::factory::call_factory;

/// Panics inside the boundary; Kotlin receives an `InternalException`.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_jvmtest_TestHooks_panic<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>) {
    native_call(&mut env, |_| -> Result<(), Failure> { panic!("deliberate panic from the JVM test hook") })
}

/// Calls a factory that `org.zulip.auth.Native` does not have, as after R8 removed one;
/// Kotlin receives an `InternalException` instead of the `NoSuchMethodError`.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_jvmtest_TestHooks_callMissingFactory<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>) {
    native_call(&mut env, |env| -> Result<(), Failure> {
        call_factory(env, jni_str!("noSuchFactory"), &jni_sig!("()Ljava/lang/Object;"), &[])?;
        Ok(())
    })
}
