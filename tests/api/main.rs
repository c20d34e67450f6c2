//! The black-box test binary: the real application on `127.0.0.1:0` with a
//! temporary data directory, and the real `examhall` binary for the CLI.

#![allow(clippy::unwrap_used, reason = "in tests a panic is the failure report")]

mod client;
mod exam_client;
mod helpers;
mod people;
mod sse;

mod access;
mod access_cases;
mod admin;
mod anchoring;
mod announcements;
mod attempts;
mod audit;
mod audit_content;
mod audit_retention;
mod audited;
mod backup_cost;
mod backup_schedule;
mod backups;
mod candidates;
mod case_file;
mod cli;
mod connections;
mod data_dir;
mod durability;
mod erasure;
mod exam_day;
mod exams;
mod exports;
mod grading;
mod grading_bench;
mod headers;
mod health;
mod keys;
mod late;
mod logging;
mod marking;
mod monitor;
mod moves;
mod notices;
mod openapi;
mod org_admins;
mod passwords;
mod policy;
mod proctors;
mod receipts;
mod reopen;
mod restore;
mod retention;
mod s3;
mod saves;
mod sessions;
mod sign_in_limits;
mod signals;
mod similarity;
mod similarity_runs;
mod storage;
mod subject_access;
mod timeline;
mod tls;
mod ui;
mod upgrade;
mod wire_types;
