//! `ZulipAuth`: a configured client and its login calls.

use std::time::Duration;

use ::jni::objects::{JClass, JObject, JString};
use ::jni::sys::{jboolean, jint, jlong};
use ::jni::EnvUnowned;
use zeroize::Zeroizing;

use super::boundary::{native_call, Failure};
use super::handle::{borrow_handle, free_handle, into_handle, optional_token};
use super::results::{api_key_object, dev_users_object};
use super::text::{optional_string_argument, string_argument};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::options::ClientOptions;

/// `proxyMode` values of `clientNew`, as `Native.PROXY_*` in Kotlin defines them.
const PROXY_FROM_ENVIRONMENT: jint = 0;
const PROXY_NONE: jint = 1;
const PROXY_URL: jint = 2;

/// Creates a client from the fields of Kotlin's `ClientOptions` and returns its handle.
/// A null `userAgent` keeps the library's default, and a null `rootCertificatesPem` adds no
/// roots.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_zulip_auth_Native_clientNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    timeout_millis: jlong,
    connect_timeout_millis: jlong,
    user_agent: JString<'local>,
    root_certificates_pem: JString<'local>,
    trust_only_added_roots: jboolean,
    proxy_mode: jint,
    proxy_url: JString<'local>,
    allow_insecure_http: jboolean,
) -> jlong {
    native_call(&mut env, |env| {
        let mut options = ClientOptions::new();
        options.set_timeout(Some(positive_millis(timeout_millis, "timeoutMillis")?));
        options.set_connect_timeout(Some(positive_millis(connect_timeout_millis, "connectTimeoutMillis")?));
        if let Some(user_agent) = optional_string_argument(env, &user_agent)? {
            options.set_user_agent(&user_agent)?;
        }
        if let Some(pem) = optional_string_argument(env, &root_certificates_pem)? {
            options.add_root_certificates_pem(pem.as_bytes())?;
        }
        options.set_trust_only_added_roots(trust_only_added_roots);
        match proxy_mode {
            PROXY_FROM_ENVIRONMENT => options.set_proxy_from_environment(),
            PROXY_NONE => options.set_no_proxy(),
            PROXY_URL => options.set_proxy_url(&string_argument(env, &proxy_url, "proxy URL")?)?,
            other => return Err(Error::new(ErrorKind::InvalidArgument, format!("proxyMode {other} is unknown; use 0, 1 or 2")).into()),
        }
        options.set_allow_insecure_http(allow_insecure_http);

        let client = Client::new(&options)?;
        Ok(into_handle(client))
    })
}

/// Frees the client; 0 is a no-op.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_clientFree<'local>(mut env: EnvUnowned<'local>, _class: JClass<'local>, client: jlong) {
    native_call(&mut env, |_| -> Result<(), Failure> {
        // SAFETY: Kotlin frees each handle from clientNew once, after its last call returned.
        unsafe { free_handle::<Client>(client) };
        Ok(())
    })
}

/// Logs in with a username and password; see [`Client::fetch_api_key`]. `cancel` is a token
/// handle or 0.
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_clientFetchApiKey<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    cancel: jlong,
    server_url: JString<'local>,
    username: JString<'local>,
    password: JString<'local>,
) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: Kotlin passes live handles from clientNew and cancelNew, or 0, and keeps
        // them open until this call returns.
        let (client, cancel) = unsafe { (borrow_handle::<Client>(client, "client")?, optional_token(cancel)) };
        let server_url = string_argument(env, &server_url, "serverUrl")?;
        let username = string_argument(env, &username, "username")?;
        let password = Zeroizing::new(string_argument(env, &password, "password")?);

        let key = client.fetch_api_key(&server_url, &username, &password, cancel)?;
        api_key_object(env, &key)
    })
}

/// Logs in on a development server without a password; see [`Client::dev_fetch_api_key`].
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_clientDevFetchApiKey<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    cancel: jlong,
    server_url: JString<'local>,
    username: JString<'local>,
) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: as in clientFetchApiKey.
        let (client, cancel) = unsafe { (borrow_handle::<Client>(client, "client")?, optional_token(cancel)) };
        let server_url = string_argument(env, &server_url, "serverUrl")?;
        let username = string_argument(env, &username, "username")?;

        let key = client.dev_fetch_api_key(&server_url, &username, cancel)?;
        api_key_object(env, &key)
    })
}

/// Lists the accounts of a development server; see [`Client::dev_list_users`].
#[no_mangle]
pub extern "system" fn Java_org_zulip_auth_Native_clientDevListUsers<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    cancel: jlong,
    server_url: JString<'local>,
) -> JObject<'local> {
    native_call(&mut env, |env| {
        // SAFETY: as in clientFetchApiKey.
        let (client, cancel) = unsafe { (borrow_handle::<Client>(client, "client")?, optional_token(cancel)) };
        let server_url = string_argument(env, &server_url, "serverUrl")?;

        let users = client.dev_list_users(&server_url, cancel)?;
        dev_users_object(env, &users)
    })
}

/// Converts a timeout from Kotlin, rejecting zero and negative values.
fn positive_millis(millis: jlong, name: &str) -> Result<Duration, Error> {
    match u64::try_from(millis) {
        Ok(millis) if millis > 0 => Ok(Duration::from_millis(millis)),
        _ => Err(Error::new(ErrorKind::InvalidArgument, format!("{name} is {millis}; it must be a positive number of milliseconds"))),
    }
}
