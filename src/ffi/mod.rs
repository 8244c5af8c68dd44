//! The C ABI: opaque handles, status codes and borrowed strings over the safe Rust API.
//!
//! This layer holds no protocol logic. Each exported function converts its arguments, calls the
//! safe API, and converts the outcome, inside the one panic boundary of [`panic::ffi_call`].
//!
//! The exported functions take raw pointers from C callers without being `unsafe fn`: the
//! header states what each pointer must be, and Rust callers are the tests only.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod api_key;
mod cancel;
mod client;
mod dev;
mod error;
mod panic;
mod server_settings;
mod sso;
mod status;
mod text;
mod version;

pub use api_key::*;
pub use cancel::*;
pub use client::*;
pub use dev::*;
pub use error::*;
pub use server_settings::*;
pub use sso::*;
pub use status::*;
pub use version::*;
