//! Authentication building blocks: password rules and hashing (and the
//! server's hashing pool), secret tokens, attempt limits and device cookies.
//! Sessions and scopes build on these in [`crate::store::accounts`] and
//! [`crate::http::auth`].

pub mod device;
pub mod hasher;
pub mod in_flight;
pub mod password;
pub mod rate_limit;
pub mod token;
