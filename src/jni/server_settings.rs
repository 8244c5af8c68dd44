//! `ZulipAuth.fetchServerSettings`: what a login screen needs to know about a server.

use ::jni::objects::{JClass, JObject, JString, JValue};
use ::jni::sys::{jint, jlong};
use ::jni::{jni_sig, jni_str, Env, EnvUnowned};

use super::boundary::{native_call, Failure};
use super::factory::call_factory;
use super::handle::{borrow_handle, optional_token};
use super::text::{new_optional_string, new_string, new_string_array, string_argument};
use crate::client::Client;
use crate::server_settings::{PasswordLogin, ServerSettings};

/// Fetches `server_settings`; see [`Client::fetch_server_settings`].
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_clientFetchServerSettings<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    cancel: jlong,
    server_url: JString<'local>,
) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: Kotlin passes live handles from clientNew and cancelNew, or 0, and keeps
        // them open until this call returns.
        let (client, cancel) = unsafe { (borrow_handle::<Client>(client, "client")?, optional_token(cancel)) };
        let server_url = string_argument(env, &server_url, "serverUrl")?;

        let settings = client.fetch_server_settings(&server_url, cancel)?;
        server_settings_object(env, &settings)
    })
}

/// The number Kotlin's `PasswordLogin` enum uses, the same as the C header's
/// `ZulipPasswordLogin`.
fn password_login_number(login: PasswordLogin) -> jint {
    match login {
        PasswordLogin::Unavailable => 0,
        PasswordLogin::Email => 1,
        PasswordLogin::Username => 2,
    }
}

/// Builds an `org.zulip.auth.ServerSettings`. The authentication method flags and the
/// external methods travel as parallel arrays.
fn server_settings_object<'local>(env: &mut Env<'local>, settings: &ServerSettings) -> Result<JObject<'local>, Failure> {
    let realm_url = new_string(env, &settings.realm_url)?;
    let realm_name = new_optional_string(env, settings.realm_name.as_deref())?;
    let realm_icon = new_optional_string(env, settings.realm_icon.as_deref())?;
    let realm_description = new_optional_string(env, settings.realm_description.as_deref())?;
    let zulip_version = new_optional_string(env, settings.zulip_version.as_deref())?;
    let zulip_merge_base = new_optional_string(env, settings.zulip_merge_base.as_deref())?;

    let flags = &settings.authentication_methods;
    let flag_names = new_string_array(env, flags.iter().map(|(name, _)| Some(name.as_str())))?;
    let flag_values: Vec<bool> = flags.iter().map(|(_, enabled)| *enabled).collect();
    let flag_enabled = env.new_boolean_array(flag_values.len())?;
    flag_enabled.set_region(env, 0, &flag_values)?;

    let methods = &settings.external_methods;
    let method_names = new_string_array(env, methods.iter().map(|method| Some(method.name.as_str())))?;
    let display_names = new_string_array(env, methods.iter().map(|method| Some(method.display_name.as_str())))?;
    let display_icons = new_string_array(env, methods.iter().map(|method| method.display_icon.as_deref()))?;
    let login_urls = new_string_array(env, methods.iter().map(|method| Some(method.login_url.as_str())))?;
    let signup_urls = new_string_array(env, methods.iter().map(|method| Some(method.signup_url.as_str())))?;

    call_factory(
        env,
        jni_str!("newServerSettings"),
        &jni_sig!(
            "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;JLjava/lang/String;ZZZZZ[Ljava/lang/String;[Z[Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;I)Lorg/zulip/auth/ServerSettings;"
        ),
        &[
            JValue::Object(&realm_url),
            JValue::Object(&realm_name),
            JValue::Object(&realm_icon),
            JValue::Object(&realm_description),
            JValue::Object(&zulip_version),
            JValue::Long(settings.zulip_feature_level),
            JValue::Object(&zulip_merge_base),
            JValue::Bool(settings.push_notifications_enabled),
            JValue::Bool(settings.is_incompatible),
            JValue::Bool(settings.email_auth_enabled),
            JValue::Bool(settings.require_email_format_usernames),
            JValue::Bool(settings.realm_web_public_access_enabled),
            JValue::Object(&flag_names),
            JValue::Object(&flag_enabled),
            JValue::Object(&method_names),
            JValue::Object(&display_names),
            JValue::Object(&display_icons),
            JValue::Object(&login_urls),
            JValue::Object(&signup_urls),
            JValue::Int(password_login_number(settings.password_login())),
        ],
    )
}
