//! Announcements as watchers and students read them.

use serde::Serialize;

use crate::domain::{SectionId, Timestamp, UserId};
use crate::store::announcements::{Announcement, Received, Sent};

/// An announcement as its watchers see it, with who of their students read it.
#[derive(Serialize)]
pub struct SentAnnouncement {
    id: String,
    /// `null`: every section of the exam.
    section_id: Option<SectionId>,
    body: String,
    made_by_name: String,
    made_at: Timestamp,
    read_by: Vec<UserId>,
}

impl From<Sent> for SentAnnouncement {
    fn from(sent: Sent) -> Self {
        let Announcement { id, section_id, body, made_by_name, made_at } = sent.announcement;
        Self { id, section_id, body, made_by_name, made_at, read_by: sent.read_by }
    }
}

/// An announcement as a student sees it.
#[derive(Serialize)]
pub struct ReceivedAnnouncement {
    id: String,
    body: String,
    made_by_name: String,
    made_at: Timestamp,
    /// When they said they read it; `null` until they do.
    read_at: Option<Timestamp>,
}

impl From<Received> for ReceivedAnnouncement {
    fn from(received: Received) -> Self {
        let Announcement { id, body, made_by_name, made_at, .. } = received.announcement;
        Self { id, body, made_by_name, made_at, read_at: received.read_at }
    }
}
