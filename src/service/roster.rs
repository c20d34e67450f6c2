//! Org admins: importing a roster of students (preview, then import).

use super::OrgActor;
use crate::state::AppState;
use crate::store::audit;
use crate::store::roster::{self, Plan};
use crate::store::{Database, StoreError};

/// What importing `text` would do, row by row; nothing is written.
///
/// # Errors
/// [`StoreError::Invalid`] for a file that is not a roster CSV.
pub async fn preview(db: &Database, text: String) -> Result<Plan, StoreError> {
    db.read(move |conn| roster::plan(conn, &text)).await
}

/// Imports `text`: every row or, when any row has an error, none.
///
/// # Errors
/// [`StoreError::Invalid`] for a file that is not a roster CSV or has rows with errors.
pub async fn import(state: &AppState, admin: &OrgActor, text: String) -> Result<Plan, StoreError> {
    let now = state.clock().now();
    let event = admin.actor.event("roster.import");
    admin
        .db
        .write(move |conn| {
            let plan = roster::plan(conn, &text)?;
            if plan.errors > 0 {
                return Err(StoreError::invalid(
                    "roster",
                    format!("the roster has {} rows with errors; fix them and preview again", plan.errors),
                ));
            }
            roster::apply(conn, &plan, now)?;
            let details =
                serde_json::json!({ "creates": plan.creates, "updates": plan.updates, "unchanged": plan.unchanged });
            audit::append(conn, &event.details(details), now)?;
            Ok(plan)
        })
        .await
}
