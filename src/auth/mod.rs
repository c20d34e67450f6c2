//! Authentication building blocks: password rules and hashing, secret
//! tokens, and attempt limits. Sessions and scopes build on these in
//! [`crate::store::identity`] and [`crate::http::auth`].

pub mod password;
pub mod rate_limit;
pub mod token;
