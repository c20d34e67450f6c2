//! What the people in the exam hall do for one student while the exam
//! runs, from the monitor: give extra time (instructors; proctors of the
//! student's section within the limit the exam's policy sets). Moving an
//! attempt to another computer is [`super::review::issue_move_code`].

use super::ExamWatch;
use super::policy;
use crate::domain::{Role, UserId};
use crate::notices::ExamEvent;
use crate::state::AppState;
use crate::store::attempts::{self, ExtraTime};
use crate::store::{StoreError, audit};

/// The most extra minutes anyone gives in one step (the table bounds the total to a day).
pub const MAX_STEP_MINUTES: u32 = 240;

/// The longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// Gives `student` `minutes` more, for `reason`. Instructors may; a proctor
/// may only when the exam's policy allows it and up to its limit for the
/// student in all (what proctors gave before counts). Audited; the
/// student's running deadline moves at once.
///
/// # Errors
/// [`StoreError::NotFound`] for a student the watcher does not see, or a
/// proctor of an exam whose policy gives them no extra time;
/// [`StoreError::Invalid`] for minutes out of range, an empty reason, or
/// more than the proctors' limit.
pub async fn give_extra_time(
    state: &AppState,
    watch: &ExamWatch,
    student: UserId,
    minutes: u32,
    reason: String,
) -> Result<ExtraTime, StoreError> {
    if !(1..=MAX_STEP_MINUTES).contains(&minutes) {
        return Err(StoreError::invalid("minutes", format!("minutes: 1 to {MAX_STEP_MINUTES}")));
    }
    let reason = super::text::one_line("reason", "reason", &reason, MAX_REASON_CHARS)?;
    let on = &watch.on;
    if super::monitor::row(state, watch, student).await?.is_none() {
        return Err(StoreError::NotFound("student".to_owned()));
    }
    let by_proctor = on.staff.role == Role::Proctor;
    let limit = if by_proctor {
        let limit = policy::policy(&on.staff.db, &on.exam).await?.proctor_extra_minutes;
        if limit == 0 {
            return Err(StoreError::NotFound("extra time".to_owned()));
        }
        Some(limit)
    } else {
        None
    };
    let (exam, now) = (on.exam.id, state.clock().now());
    let actor = on.staff.actor.clone();
    let given = on
        .staff
        .db
        .write(move |conn| {
            let before = attempts::extra_time(conn, exam, student)?;
            if let Some(limit) = limit
                && before.by_proctors + minutes > limit
            {
                let left = limit.saturating_sub(before.by_proctors);
                return Err(StoreError::invalid(
                    "minutes",
                    format!("minutes: proctors may give this student {limit} minutes in all; {left} are left"),
                ));
            }
            if before.minutes + minutes > 1440 {
                return Err(StoreError::invalid("minutes", "minutes: a student's extra time is at most a day"));
            }
            let after = attempts::add_extra_time(conn, exam, student, minutes, by_proctor, now)?;
            let details = serde_json::json!({
                "students": [student], "added": minutes, "minutes": after.minutes, "reason": reason,
            });
            audit::append(conn, &actor.event("exam.extra_time").target(exam.to_string()).details(details), now)?;
            Ok(after)
        })
        .await?;
    on.tell(state.notices(), ExamEvent::ExtraTime { students: vec![student], minutes: given.minutes });
    Ok(given)
}
