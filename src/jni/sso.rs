//! `SsoSession`: a browser login with a one-time pad.

use ::jni::objects::{JClass, JObject, JString};
use ::jni::sys::jlong;
use ::jni::EnvUnowned;

use super::boundary::{native_call, Failure};
use super::handle::{borrow_handle, free_handle, into_handle};
use super::results::api_key_object;
use super::text::{new_string, string_argument};
use crate::sso::SsoSession;

/// Starts a session for the external method at `loginUrl` and returns its handle; see
/// [`SsoSession::new`].
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_ssoNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    realm_url: JString<'local>,
    login_url: JString<'local>,
) -> jlong {
    native_call(&mut env, |env| {
        let realm_url = string_argument(env, &realm_url, "realmUrl")?;
        let login_url = string_argument(env, &login_url, "loginUrl")?;
        Ok(into_handle(SsoSession::new(&realm_url, &login_url)?))
    })
}

/// Returns the URL to open in the browser. It contains the pad.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_ssoBrowserUrl<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, session: jlong) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: Kotlin passes a live handle from ssoNew, or 0.
        let session = unsafe { borrow_handle::<SsoSession>(session, "session") }?;
        new_string(env, session.browser_url())
    })
}

/// Returns the origin of the organization the session logs in to.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_ssoRealmUrl<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, session: jlong) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: Kotlin passes a live handle from ssoNew, or 0.
        let session = unsafe { borrow_handle::<SsoSession>(session, "session") }?;
        new_string(env, &session.realm_url())
    })
}

/// Checks the `zulip://login?...` callback URL and decrypts the API key; see
/// [`SsoSession::finish`].
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_ssoFinish<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    session: jlong,
    callback_url: JString<'local>,
) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: Kotlin passes a live handle from ssoNew, or 0, and keeps it open until this
        // call returns.
        let session = unsafe { borrow_handle::<SsoSession>(session, "session") }?;
        let callback_url = string_argument(env, &callback_url, "callbackUrl")?;
        let key = session.finish(&callback_url)?;
        api_key_object(env, &key)
    })
}

/// Frees the session, which zeroes its pad; 0 is a no-op.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_ssoFree<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, session: jlong) {
    native_call(&mut env, |_| -> Result<(), Failure> {
        // SAFETY: Kotlin frees each handle from ssoNew once, after its last call returned.
        unsafe { free_handle::<SsoSession>(session) };
        Ok(())
    })
}
