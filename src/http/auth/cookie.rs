//! The session cookie: `__Host-examhall=<realm>.<token>`, Secure, HttpOnly,
//! SameSite=Strict, Path=/. The `__Host-` prefix makes browsers refuse it
//! unless it was set by this exact host over a secure connection.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::domain::OrgId;

const NAME: &str = "__Host-examhall";

/// Which database holds a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    /// `platform.db`: platform admins.
    Platform,
    /// An organization's database.
    Org(OrgId),
}

impl Realm {
    /// The prefix written before a token (`platform` or the org id).
    #[must_use]
    pub fn prefix(self) -> String {
        match self {
            Self::Platform => "platform".to_owned(),
            Self::Org(id) => id.to_string(),
        }
    }

    /// Splits `<realm>.<token>` (cookies and link tokens share the form).
    #[must_use]
    pub fn split(text: &str) -> Option<(Self, &str)> {
        let (realm, token) = text.split_once('.')?;
        let realm = if realm == "platform" { Self::Platform } else { Self::Org(OrgId::parse(realm).ok()?) };
        Some((realm, token))
    }
}

/// The session named by a request's cookie.
pub struct SessionCookie<'a> {
    /// Where the session lives.
    pub realm: Realm,
    /// The secret token.
    pub token: &'a str,
}

impl<'a> SessionCookie<'a> {
    /// Finds the session cookie among the request's cookies.
    #[must_use]
    pub fn from_headers(headers: &'a HeaderMap) -> Option<Self> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == NAME)
            .and_then(|(_, value)| Realm::split(value))
            .map(|(realm, token)| Self { realm, token })
    }
}

/// The `Set-Cookie` value that starts a session. No `Max-Age`: the cookie
/// ends with the browser, and the server ends the session on its own clock.
#[must_use]
pub fn session_cookie(realm: Realm, token: &str) -> HeaderValue {
    let value = format!("{NAME}={}.{token}; Path=/; Secure; HttpOnly; SameSite=Strict", realm.prefix());
    HeaderValue::from_str(&value).unwrap_or_else(|_| clear_cookie())
}

/// The `Set-Cookie` value that removes the session cookie.
#[must_use]
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-examhall=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}
