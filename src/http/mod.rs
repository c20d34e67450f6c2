//! The HTTP layer: middleware shared by every route, the embedded front end,
//! and the API routes.

pub mod auth;
pub mod connections;
mod layers;
pub mod prometheus;
pub mod redirect;
pub mod routes;
mod security_headers;
pub mod ui;
pub mod wire;

pub use layers::{HttpLimits, with_layers};
pub use security_headers::CONTENT_SECURITY_POLICY;
