//! Integrity evidence: signals for people to review, never verdicts.
//!
//! [`signals`] finds patterns in one attempt's log worth a person's look
//! (a large paste, sudden code, time away, ...), each with its evidence and
//! a severity from the exam's policy. [`similarity`] finds submissions that
//! look copied from each other, with the matching fragments side by side;
//! `examhall similarity` runs it from the command line.

pub mod signals;
pub mod similarity;
