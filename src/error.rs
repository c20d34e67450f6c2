//! `AppError`: the one error type of the HTTP boundary, rendered as
//! `application/problem+json` (RFC 9457) with a stable `type`.
//!
//! Internal failures render as a generic 500 carrying an `error_id`; the
//! detail goes to the log under the same id, never to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// No valid session.
    #[error("sign-in required")]
    Unauthorized,
    /// Credentials were refused; the message says so without saying which part.
    #[error("{0}")]
    UnauthorizedWith(String),
    /// A signed-in request without its CSRF token.
    #[error("{0}")]
    Forbidden(String),
    /// No such object, or not one the caller may know about.
    #[error("not found")]
    NotFound,
    /// Something that must be unique is in use already.
    #[error("{0}")]
    Taken(String),
    /// The change does not fit the current state of what it changes.
    #[error("{0}")]
    WrongState(String),
    /// A named value of the request breaks a rule.
    #[error("{message}")]
    Invalid {
        /// The value at fault, as the request names it.
        field: &'static str,
        /// What is wrong, safe to show.
        message: String,
    },
    /// The body is too large.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body's media type is not accepted.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body is well-formed but a value breaks a rule.
    #[error("{0}")]
    Unprocessable(String),
    /// Too many attempts; try again after the given seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// The server is starting or stopping.
    #[error("{0}")]
    Unavailable(String),
    /// The exam's binding secret is missing or is not this browser's.
    #[error("{0}")]
    OtherDevice(String),
    /// A save batch that does not continue the log; resend from `acked_seq + 1`.
    #[error("the batch does not continue the saved changes")]
    SequenceGap {
        /// Every item up to this sequence number is durable.
        acked_seq: i64,
    },
    /// The attempt has stored as much as an attempt may.
    #[error("the attempt's storage quota is used up")]
    SaveQuota,
    /// The server is at capacity for this kind of work; try again after the
    /// given seconds.
    #[error("the server is busy; try again in a moment")]
    Overloaded {
        /// Seconds until a retry is likely to be served.
        retry_after_secs: u64,
    },
    /// Anything else: logged with an id, answered as a generic 500.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// The body of a problem response.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// A stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short human summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened in this case, safe to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For 500s: the id under which the detail was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// For a save batch with a gap: every item up to this one is durable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acked_seq: Option<i64>,
    /// For an invalid value: which one, as the request names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl Problem {
    /// A problem of kind `slug` (`urn:examhall:problem:<slug>`).
    #[must_use]
    pub fn new(status: StatusCode, slug: &str, detail: Option<String>) -> Self {
        Self {
            kind: format!("urn:examhall:problem:{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            error_id: None,
            acked_seq: None,
            field: None,
        }
    }

    /// The problem for a bare status code produced outside a handler
    /// (a body limit, a timeout, an unknown method).
    #[must_use]
    pub fn for_status(status: StatusCode) -> Self {
        let slug = match status {
            StatusCode::NOT_FOUND => "not-found",
            StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
            StatusCode::REQUEST_TIMEOUT => "request-timeout",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
            StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
            s if s.is_server_error() => "internal",
            _ => "bad-request",
        };
        Self::new(status, slug, None)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, slug) = match &self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request"),
            Self::Unauthorized | Self::UnauthorizedWith(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "csrf"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            Self::Taken(_) => (StatusCode::CONFLICT, "taken"),
            Self::WrongState(_) => (StatusCode::CONFLICT, "wrong-state"),
            Self::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large"),
            Self::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
            Self::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests"),
            Self::Unavailable(_) | Self::Overloaded { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::OtherDevice(_) => (StatusCode::FORBIDDEN, "other-device"),
            Self::SequenceGap { .. } => (StatusCode::CONFLICT, "sequence-gap"),
            Self::SaveQuota => (StatusCode::UNPROCESSABLE_ENTITY, "save-quota"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let mut problem = match &self {
            Self::BadRequest(m)
            | Self::Taken(m)
            | Self::WrongState(m)
            | Self::Unprocessable(m)
            | Self::Unavailable(m)
            | Self::Forbidden(m)
            | Self::OtherDevice(m)
            | Self::UnauthorizedWith(m) => Problem::new(status, slug, Some(m.clone())),
            Self::Invalid { field, message } => {
                Problem { field: Some(field), ..Problem::new(status, slug, Some(message.clone())) }
            }
            Self::SequenceGap { acked_seq } => {
                let detail = format!("the changes after {acked_seq} must be sent again, in order");
                Problem { acked_seq: Some(*acked_seq), ..Problem::new(status, slug, Some(detail)) }
            }
            Self::SaveQuota => Problem::new(
                status,
                slug,
                Some("this attempt has stored far more changes than any exam needs; nothing more can be saved, ask a proctor".to_owned()),
            ),
            Self::Overloaded { .. } => Problem::new(status, slug, Some(self.to_string())),
            _ => Problem::new(status, slug, None),
        };
        if let Self::Internal(source) = &self {
            let id = uuid::Uuid::new_v4().to_string();
            tracing::error!(error_id = %id, error = %source, "internal error");
            problem.error_id = Some(id);
        }
        let mut response = problem.into_response();
        if let Self::TooManyRequests { retry_after_secs } | Self::Overloaded { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<crate::domain::InvalidValue> for AppError {
    fn from(error: crate::domain::InvalidValue) -> Self {
        Self::Unprocessable(error.0)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => Self::NotFound,
            StoreError::Taken(message) => Self::Taken(message),
            StoreError::WrongState(message) => Self::WrongState(message),
            StoreError::Invalid { field, message } => Self::Invalid { field, message },
            StoreError::Closed => Self::Unavailable("the server is shutting down; try again shortly".to_owned()),
            StoreError::OrgRefused(refusal) => Self::Unavailable(format!(
                "organization {} is not available: its data failed an integrity check when the server opened it, \
                 and it stays closed until IT has investigated (the server log says what was found)",
                refusal.slug
            )),
            other => Self::Internal(Box::new(other)),
        }
    }
}

impl From<crate::auth::hasher::HashError> for AppError {
    fn from(error: crate::auth::hasher::HashError) -> Self {
        use crate::auth::hasher::{HashError, RETRY_AFTER_SECS};
        match error {
            HashError::Busy => Self::Overloaded { retry_after_secs: RETRY_AFTER_SECS },
            HashError::Failed => Self::Internal(Box::new(error)),
        }
    }
}
