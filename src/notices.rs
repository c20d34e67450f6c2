//! The in-process notice bus: after a service's transaction commits, it
//! publishes a typed [`Notice`] here, and whatever listens (a live monitor,
//! integrity signals, metrics) hears of it.
//!
//! A notice says that something is durable; it is never sent for a write
//! that rolled back, because services publish only after the writer has
//! answered that their group committed. Notices are a hint to look, not the
//! record: the database is. A listener that falls more than
//! [`CAPACITY`] notices behind is told it [`Lagged`] and must read the
//! state it shows again instead of trusting its own tally.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::domain::receipt::SubmissionReason;
use crate::domain::{AttemptId, ExamId, OrgId, UserId};

/// Notices kept for slow listeners before the oldest are dropped for them.
/// At the saves per second of a whole year group (see docs/benchmarks.md)
/// this is several seconds of slack.
pub const CAPACITY: usize = 8192;

/// Something that happened to an exam, durably.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The organization.
    pub org: OrgId,
    /// The exam.
    pub exam: ExamId,
    /// What happened.
    pub event: ExamEvent,
}

/// What happened to an exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExamEvent {
    /// A student started an attempt and bound a browser to it.
    AttemptStarted {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
    },
    /// An attempt that staff allowed to move was taken over by another browser.
    AttemptMoved {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
    },
    /// A batch of a student's changes is durable.
    Saved {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
        /// Every item up to this sequence number is stored.
        acked_seq: i64,
        /// Items of the batch taken into the log or set aside as late.
        items: usize,
    },
    /// The exam's close moved (closed early or extended).
    WindowChanged {
        /// The new close.
        closes_at: time::OffsetDateTime,
    },
    /// Extra time was set for some students (0 minutes removes it).
    ExtraTime {
        /// The students.
        students: Vec<UserId>,
        /// Their extra minutes now.
        minutes: u32,
    },
    /// The attempt's browser was heard again after a silence (or for the
    /// first time since the server started): it is connected.
    Reconnected {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
    },
    /// Staff let the attempt move to another browser.
    MoveAllowed {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
    },
    /// The exam's policy changed: its signals are derived anew.
    PolicyChanged,
    /// Staff sent an announcement to the exam's students (of `section`, or all).
    Announced {
        /// The section it is for; `None` for every section.
        section: Option<crate::domain::SectionId>,
    },
    /// What the monitor shows of an attempt's log was derived anew.
    Summarized {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
    },
    /// A student said they read an announcement.
    AnnouncementRead {
        /// The student.
        student: UserId,
    },
    /// Someone wrote an incident note (about a student of `section`, or
    /// the whole section).
    IncidentNoted {
        /// The section it concerns.
        section: crate::domain::SectionId,
    },
    /// A submission was made: the attempt's first (by the student or at the
    /// deadline), or a new one after staff applied late items.
    Submitted {
        /// The attempt.
        attempt: AttemptId,
        /// The student.
        student: UserId,
        /// Who or what submitted it.
        reason: SubmissionReason,
    },
}

/// The bus. Cheap to clone; every clone publishes to the same listeners.
#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<Notice>>,
}

impl Default for Bus {
    fn default() -> Self {
        Self { sender: broadcast::channel(CAPACITY).0 }
    }
}

impl Bus {
    /// Tells every listener of the notice's exam. Call only after the
    /// transaction that made it true committed.
    pub fn publish(&self, notice: Notice) {
        // No listener is not an error: nothing is watching this exam.
        let _ = self.sender.send(Arc::new(notice));
    }

    /// Listens to one exam of one organization from now on.
    #[must_use]
    pub fn subscribe(&self, org: OrgId, exam: ExamId) -> Subscription {
        Subscription { receiver: self.sender.subscribe(), org, exam }
    }
}

/// The listener fell behind by this many notices, which are lost to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the listener fell {0} notices behind; read the state again")]
pub struct Lagged(pub u64);

/// The notices of one exam.
pub struct Subscription {
    receiver: broadcast::Receiver<Arc<Notice>>,
    org: OrgId,
    exam: ExamId,
}

impl Subscription {
    /// The next notice of the exam; `None` once the bus is gone.
    ///
    /// # Errors
    /// [`Lagged`] when notices were dropped before this listener read them.
    pub async fn next(&mut self) -> Result<Option<Arc<Notice>>, Lagged> {
        loop {
            match self.receiver.recv().await {
                Ok(notice) if notice.org == self.org && notice.exam == self.exam => return Ok(Some(notice)),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(missed)) => return Err(Lagged(missed)),
                Err(broadcast::error::RecvError::Closed) => return Ok(None),
            }
        }
    }

    /// The next notice of the exam if one is waiting, without waiting.
    ///
    /// # Errors
    /// [`Lagged`] when notices were dropped before this listener read them.
    pub fn try_next(&mut self) -> Result<Option<Arc<Notice>>, Lagged> {
        loop {
            match self.receiver.try_recv() {
                Ok(notice) if notice.org == self.org && notice.exam == self.exam => return Ok(Some(notice)),
                Ok(_) => {}
                Err(broadcast::error::TryRecvError::Lagged(missed)) => return Err(Lagged(missed)),
                Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed) => {
                    return Ok(None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(org: OrgId, exam: ExamId, acked_seq: i64) -> Notice {
        let event =
            ExamEvent::Saved { attempt: AttemptId::generate(), student: UserId::generate(), acked_seq, items: 1 };
        Notice { org, exam, event }
    }

    #[tokio::test]
    async fn a_listener_hears_only_its_own_exam_of_its_own_organization() {
        let bus = Bus::default();
        let (org, exam) = (OrgId::generate(), ExamId::generate());
        let mut listener = bus.subscribe(org, exam);
        bus.publish(saved(OrgId::generate(), exam, 1));
        bus.publish(saved(org, ExamId::generate(), 2));
        bus.publish(saved(org, exam, 3));
        let heard = listener.next().await.unwrap().unwrap();
        assert!(matches!(heard.event, ExamEvent::Saved { acked_seq: 3, .. }));
        assert_eq!(listener.try_next(), Ok(None));
    }

    #[tokio::test]
    async fn a_listener_that_falls_behind_is_told_so() {
        let bus = Bus::default();
        let (org, exam) = (OrgId::generate(), ExamId::generate());
        let mut listener = bus.subscribe(org, exam);
        for seq in 0..CAPACITY + 5 {
            bus.publish(saved(org, exam, i64::try_from(seq).unwrap()));
        }
        assert_eq!(listener.try_next(), Err(Lagged(5)));
        assert!(matches!(listener.try_next(), Ok(Some(_))), "it reads on from the oldest kept");
    }
}
