//! Strings between Java and Rust: arguments in, results out.

use ::jni::objects::{JObject, JObjectArray, JString};
use ::jni::Env;

use super::boundary::Failure;
use crate::error::{Error, ErrorKind};

/// Copies a Java string argument. `name` is the Kotlin parameter name, for the message of the
/// `InvalidInputException` that a null argument gives.
pub(crate) fn string_argument(env: &Env<'_>, value: &JString<'_>, name: &str) -> Result<String, Failure> {
    if value.is_null() {
        return Err(Error::new(ErrorKind::InvalidArgument, format!("{name} is null; pass a string")).into());
    }
    Ok(value.try_to_string(env)?)
}

/// Copies a Java string argument that may be null.
pub(crate) fn optional_string_argument(env: &Env<'_>, value: &JString<'_>) -> Result<Option<String>, Failure> {
    if value.is_null() {
        return Ok(None);
    }
    Ok(Some(value.try_to_string(env)?))
}

/// Creates a Java string.
pub(crate) fn new_string<'local>(env: &mut Env<'local>, value: &str) -> Result<JObject<'local>, Failure> {
    Ok(env.new_string(value)?.into())
}

/// Creates a Java string, or null for `None`.
pub(crate) fn new_optional_string<'local>(env: &mut Env<'local>, value: Option<&str>) -> Result<JObject<'local>, Failure> {
    match value {
        Some(value) => new_string(env, value),
        None => Ok(JObject::null()),
    }
}

/// Creates a `String[]` whose elements are null for `None`.
pub(crate) fn new_string_array<'local, 'a>(
    env: &mut Env<'local>,
    values: impl ExactSizeIterator<Item = Option<&'a str>>,
) -> Result<JObject<'local>, Failure> {
    let array = JObjectArray::<JString>::new(env, values.len(), JString::null())?;
    for (index, value) in values.enumerate() {
        let Some(value) = value else {
            continue;
        };
        let element = env.new_string(value)?;
        array.set_element(env, index, &element)?;
        // A native method may hold only a limited number of local references (512 on
        // Android), so each element's reference is released at once.
        env.delete_local_ref(element);
    }
    Ok(array.into())
}
