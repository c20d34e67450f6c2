//! `POST /api/v1/me/exams/{id}/saves`: a batch of the student's queue, and
//! the client's commitment to what it has queued (docs/autosave.md).
//!
//! The body is read as bytes and each item kept as the exact JSON text the
//! client sent: the queue's chain is over that text, so the server can
//! reproduce the client's hash without trusting a re-encoding.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::domain::autosave::{Commitment, MAX_BATCH_ITEMS};
use crate::domain::save_item::SaveItem;
use crate::error::AppError;
use crate::http::auth::{ExamSecret, StudentExam};
use crate::http::wire::attempts::SaveOutcome;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch<'a> {
    #[serde(borrow)]
    items: Vec<&'a RawValue>,
    #[serde(default)]
    commit: Option<CommitWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitWire {
    seq: i64,
    hash: String,
}

/// The answer to a batch: what is durable and what was set aside, and the
/// attempt's time as the server sees it now, so the student's timer follows
/// extra time granted or a window moved during the attempt.
#[derive(Serialize)]
struct SaveAnswer {
    #[serde(flatten)]
    outcome: SaveOutcome,
    #[serde(with = "crate::domain::timestamp::text")]
    deadline_at: OffsetDateTime,
    #[serde(with = "crate::domain::timestamp::text")]
    server_now: OffsetDateTime,
}

fn is_json(headers: &HeaderMap) -> bool {
    super::media_type(headers) == "application/json"
}

/// `POST /api/v1/me/exams/{id}/saves`: stores a batch. An empty batch is
/// the client's heartbeat: it carries the commitment and learns the deadline.
async fn save(
    State(state): State<AppState>,
    StudentExam(taker): StudentExam,
    ExamSecret(secret): ExamSecret,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SaveAnswer>, AppError> {
    if !is_json(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let batch: Batch<'_> =
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("the batch is malformed: {e}")))?;
    if batch.items.len() > MAX_BATCH_ITEMS {
        return Err(AppError::Unprocessable(format!("send at most {MAX_BATCH_ITEMS} items per batch")));
    }
    let questions = &taker.exam.question_ids;
    let items = batch.items.iter().map(|raw| SaveItem::parse(raw.get(), questions)).collect::<Result<Vec<_>, _>>()?;
    let commitment = batch.commit.map(|c| Commitment::parse(c.seq, &c.hash)).transpose()?;
    let saved = crate::service::attempts::save(&state, &taker, secret, items, commitment).await?;
    Ok(Json(SaveAnswer { outcome: saved.outcome.into(), deadline_at: saved.deadline_at, server_now: saved.now }))
}

/// The save route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me/exams/{id}/saves", post(save))
}
