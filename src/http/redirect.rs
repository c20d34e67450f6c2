//! The plain-HTTP listener that only sends browsers to HTTPS, with the same
//! security headers as every other response.

use axum::Router;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;

/// A router that answers every request with a permanent redirect to the
/// same path on HTTPS port `https_port` of the host the client asked for.
pub fn router(https_port: u16) -> Router {
    let router =
        Router::new().fallback(move |headers: HeaderMap, uri: Uri| async move { redirect(&headers, &uri, https_port) });
    super::security_headers::apply(router)
}

fn redirect(headers: &HeaderMap, uri: &Uri, https_port: u16) -> Response {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()).and_then(host_without_port) else {
        return AppError::BadRequest("a Host header is required".to_owned()).into_response();
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    Redirect::permanent(&format!("https://{host}{port}{path}")).into_response()
}

/// The host part of a `Host` header, refusing anything that is not a plain
/// host name or IP literal (so the redirect cannot be pointed elsewhere).
fn host_without_port(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        &host[..=host.find(']')?]
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_reduced_to_their_name() {
        assert_eq!(host_without_port("exams.uni.edu:80"), Some("exams.uni.edu"));
        assert_eq!(host_without_port("exams.uni.edu"), Some("exams.uni.edu"));
        assert_eq!(host_without_port("[::1]:80"), Some("[::1]"));
        assert_eq!(host_without_port("evil.com/x"), None);
        assert_eq!(host_without_port(""), None);
    }
}
