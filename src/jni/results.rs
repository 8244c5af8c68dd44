//! Login results as Kotlin objects: `ApiKey` and the `DevUser` list.

use ::jni::objects::{JObject, JValue};
use ::jni::{jni_sig, jni_str, Env};

use super::boundary::Failure;
use super::factory::call_factory;
use super::text::{new_string, new_string_array};
use crate::api_key::ApiKey;
use crate::dev::DevUser;

/// Builds an `org.zulip.auth.ApiKey`. The user id is passed as -1 when the server sent none.
pub(crate) fn api_key_object<'local>(env: &mut Env<'local>, key: &ApiKey) -> Result<JObject<'local>, Failure> {
    // NOTE: the Java string holding the API key cannot be zeroed; it lives until the garbage
    // collector reclaims it.
    let api_key = new_string(env, key.api_key.expose())?;
    let email = new_string(env, &key.email)?;
    let ignored = new_string_array(env, key.ignored_parameters.iter().map(|name| Some(name.as_str())))?;
    call_factory(
        env,
        jni_str!("newApiKey"),
        &jni_sig!("(Ljava/lang/String;Ljava/lang/String;J[Ljava/lang/String;)Lorg/zulip/auth/ApiKey;"),
        &[JValue::Object(&api_key), JValue::Object(&email), JValue::Long(key.user_id.unwrap_or(-1)), JValue::Object(&ignored)],
    )
}

/// Builds a `java.util.List<org.zulip.auth.DevUser>` from parallel arrays, in the given order.
pub(crate) fn dev_users_object<'local>(env: &mut Env<'local>, users: &[DevUser]) -> Result<JObject<'local>, Failure> {
    let emails = new_string_array(env, users.iter().map(|user| Some(user.email.as_str())))?;
    let realm_urls = new_string_array(env, users.iter().map(|user| Some(user.realm_url.as_str())))?;
    let admin_flags: Vec<bool> = users.iter().map(|user| user.is_admin).collect();
    let admins = env.new_boolean_array(admin_flags.len())?;
    admins.set_region(env, 0, &admin_flags)?;
    call_factory(
        env,
        jni_str!("newDevUsers"),
        &jni_sig!("([Ljava/lang/String;[Ljava/lang/String;[Z)Ljava/util/List;"),
        &[JValue::Object(&emails), JValue::Object(&realm_urls), JValue::Object(&admins)],
    )
}
