//! The client's address, for rate limits and the audit log.
//!
//! `X-Forwarded-For` is believed only when the connection comes from a proxy
//! listed in `server.trusted_proxies`; then the right-most address that is
//! not itself a trusted proxy is the client.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

/// The client's IP address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        let trusted = &state.config().server.trusted_proxies;
        let Some(peer) = peer else { return Ok(Self(None)) };
        if !trusted.contains(&peer) {
            return Ok(Self(Some(peer)));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        let client = forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer);
        Ok(Self(Some(client)))
    }
}

impl ClientAddr {
    /// The address as text, for storage.
    #[must_use]
    pub fn text(&self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}
