//! examhall: self-hosted, AI-free coding exams for universities.
//!
//! One binary serves the student exam client, the staff dashboards and the
//! IT command line. Each organization's data lives in its own
//! SQLCipher-encrypted database; see `docs/` and the design notes for the
//! decisions that shape the whole.
//!
//! The binary (`main.rs`) only parses the command line and hands over to
//! [`cli::run`]; everything else lives here so that tests can start the real
//! application in-process.

pub mod admin;
pub mod app;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod drill;
pub mod error;
pub mod failpoint;
pub mod http;
pub mod integrity;
pub mod notices;
pub mod presence;
pub mod private_path;
pub mod random;
pub mod service;
pub mod signing;
pub mod state;
pub mod store;
pub mod stream_slots;
pub mod summaries;
pub mod telemetry;
pub mod tls;
pub mod version;

#[cfg(test)]
mod architecture_tests;
