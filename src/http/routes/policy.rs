//! An exam's policy: read by everyone who watches the exam (proctors learn
//! what they may do), changed by its instructors only.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::AppError;
use crate::http::auth::{ExamInstructor, ExamProctor};
use crate::http::wire::policy::Policy;
use crate::integrity::signals::thresholds::Thresholds;
use crate::service::policy::{self as service, PolicyChange};
use crate::state::AppState;

/// `GET .../policy`: the exam's policy.
async fn show(ExamProctor(watch, _): ExamProctor) -> Result<Json<Policy>, AppError> {
    Ok(Json(service::policy(&watch.on.staff.db, &watch.on.exam).await?.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPolicy {
    /// The adjusted table, or `null` for the profile's.
    thresholds: Option<Thresholds>,
    proctors_read_code: bool,
    proctor_extra_minutes: u32,
}

/// `PUT .../policy`: sets the exam's policy (audited, old and new values);
/// its signals are derived with the new thresholds from now on.
async fn update(
    State(state): State<AppState>,
    ExamInstructor(on): ExamInstructor,
    Json(body): Json<NewPolicy>,
) -> Result<Json<Policy>, AppError> {
    let change = PolicyChange {
        thresholds: body.thresholds,
        proctors_read_code: body.proctors_read_code,
        proctor_extra_minutes: body.proctor_extra_minutes,
    };
    Ok(Json(service::set_policy(&state, &on, change).await?.into()))
}

/// The policy's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/courses/{course_id}/exams/{exam_id}/policy", get(show).put(update))
}
