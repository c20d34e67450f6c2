//! Integrity evidence: signals for people to review, never verdicts.
//!
//! [`similarity`] finds submissions that look copied from each other, with
//! the matching fragments side by side; `examhall similarity` runs it from
//! the command line, and the server will run it over an exam's submissions.

pub mod similarity;
