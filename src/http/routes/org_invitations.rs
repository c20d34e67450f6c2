//! Org admins: invitation links in bulk, for the people who have not chosen
//! a password yet (students imported from a roster), to print as sign-in
//! slips or hand out as a CSV. Each link is shown once, in this answer.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::domain::UserId;
use crate::error::AppError;
use crate::http::auth::{ClientAddr, OrgAdmin, Realm};
use crate::service::invitations::{self, Skipped};
use crate::state::AppState;

/// `POST /api/v1/org/invitations`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    /// The people, at most 2,000.
    user_ids: Vec<String>,
}

/// One link issued: what a sign-in slip shows.
#[derive(Serialize)]
struct Slip {
    user_id: String,
    email: String,
    display_name: String,
    student_number: Option<String>,
    /// The path of the one-time link (`/link/...`); shown this once.
    link: String,
}

/// One person who got no link, and why (`has_password`, `disabled`).
#[derive(Serialize)]
struct NoLink {
    user_id: String,
    reason: &'static str,
}

#[derive(Serialize)]
struct Issued {
    links: Vec<Slip>,
    skipped: Vec<NoLink>,
    /// When every link stops working.
    expires_at: String,
}

/// `POST /api/v1/org/invitations`: a fresh invitation link for each listed
/// person who has no password yet and is active (audited one by one); the
/// others are named with the reason. 404 (nothing issued) for an id that
/// is not a person of this organization; 422 for more than 2,000 people or
/// an entry that is not an id.
async fn issue(
    State(state): State<AppState>,
    client: ClientAddr,
    OrgAdmin(admin): OrgAdmin,
    Json(request): Json<Request>,
) -> Result<(StatusCode, Json<Issued>), AppError> {
    let ids =
        request.user_ids.iter().map(|id| UserId::parse(id)).collect::<Result<Vec<_>, _>>().map_err(|_| {
            AppError::Invalid { field: "user_ids", message: "every entry must be a person's id".into() }
        })?;
    let now = state.clock().now();
    let valid = Duration::from_secs(state.config().auth.link_valid_hours * 3600);
    let realm = Realm::Org(admin.org_id).prefix();
    let (issued, skipped) = invitations::issue(&state, &admin.acting(client), ids, valid).await?;
    let links = issued
        .into_iter()
        .map(|issued| Slip {
            user_id: issued.user.id.to_string(),
            email: issued.user.email,
            display_name: issued.user.display_name,
            student_number: issued.user.student_number,
            link: format!("/link/{realm}.{}", issued.token),
        })
        .collect();
    let skipped = skipped
        .into_iter()
        .map(|(id, why)| NoLink {
            user_id: id.to_string(),
            reason: match why {
                Skipped::HasPassword => "has_password",
                Skipped::Disabled => "disabled",
            },
        })
        .collect();
    let expires_at = crate::clock::rfc3339(now + valid);
    Ok((StatusCode::CREATED, Json(Issued { links, skipped, expires_at })))
}

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/org/invitations", post(issue))
}
