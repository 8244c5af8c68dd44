//! Zulip's login calls for native apps.
//!
//! The safe Rust API is [`Client`] with [`ClientOptions`], [`CancelToken`] and [`Error`], plus
//! [`SsoSession`] for browser logins. The C ABI in the `ffi` module (declared in
//! `include/zulip_auth.h`) is a thin layer over it.
//!
//! ```no_run
//! let client = zulip_auth::default_client()?;
//! let key = client.fetch_api_key("chat.example.com", "iago@zulip.com", "abcd1234", None)?;
//! println!("logged in as {} (user id {:?})", key.email, key.user_id);
//! # Ok::<(), zulip_auth::Error>(())
//! ```

mod api_key;
mod cancel;
mod client;
mod dev;
mod error;
mod form;
mod net;
mod options;
mod response;
mod secret;
mod server_settings;
mod server_url;
mod sso;

pub mod ffi;
// Empty unless the `fuzzing` feature or a test build enables it; see the module.
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "jni")]
mod jni;

pub use api_key::ApiKey;
pub use cancel::CancelToken;
pub use client::{default_client, Client};
pub use dev::DevUser;
pub use error::{Error, ErrorKind};
pub use options::{default_user_agent, ClientOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use response::MAX_BODY_BYTES;
pub use secret::SecretString;
pub use server_settings::{ExternalAuthMethod, PasswordLogin, ServerSettings};
pub use server_url::ServerUrl;
pub use sso::SsoSession;
