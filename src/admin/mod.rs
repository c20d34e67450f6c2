//! One writing process per data directory.
//!
//! While a server runs, the command line's changes (a set-up link, an
//! organization, a person, an accepted audit head) reach it over a Unix
//! socket in the data directory ([`socket`]): owner-only, never on the
//! network. The server carries them out with its own writers and services,
//! so no second process ever writes behind its back. When no server runs,
//! the command line takes the data directory's lock and carries them out
//! itself with the same code ([`client`], [`execute`]).

pub mod client;
pub mod courses;
mod execute;
mod heads;
pub mod retention;
pub mod socket;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use execute::execute;

use crate::domain::OrgSlug;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::platform::Organization;

/// What IT does about a log that fails verification.
pub const TAMPERED: &str = "restore this database from the last backup whose audit head verified, and investigate \
                            who had access to the master key or the database files since then";

/// The organization with `slug`, or what to do when there is none.
async fn find_org(state: &AppState, slug: &str) -> Result<Organization, Failure> {
    let parsed = OrgSlug::parse(slug)?;
    state.registry().platform().org_by_slug(parsed).await.map_err(|error| match error {
        StoreError::NotFound(_) => {
            Failure::new(format!("no organization has the slug {slug}"), Some("`examhall org list` shows them"))
        }
        other => other.into(),
    })
}

/// A change the command line asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// A fresh one-time link that creates the first platform admin.
    SetupLink,
    /// A new organization.
    OrgCreate {
        /// Its slug.
        slug: String,
        /// Its display name.
        name: String,
    },
    /// A new display name for an organization.
    OrgRename {
        /// The organization.
        slug: String,
        /// The new name.
        name: String,
    },
    /// An organization taken out of service (`active: false`) or put back.
    OrgSetActive {
        /// The organization.
        slug: String,
        /// In service or not.
        active: bool,
    },
    /// A new person with a role.
    UserCreate(NewUser),
    /// A course or a section created in an organization.
    Course {
        /// The organization.
        org: String,
        /// What to create.
        course: courses::CourseCommand,
    },
    /// A backup of one exam, or of a whole organization.
    Backup {
        /// The organization.
        org: String,
        /// The exam; the whole organization when `None`.
        exam: Option<String>,
        /// The folder (absolute); the configured one when `None`.
        to: Option<PathBuf>,
    },
    /// A bundle restored.
    Restore {
        /// The bundle (absolute).
        file: PathBuf,
        /// The backup officer's identity file's text: read by the command
        /// line (the officer's file need not be readable by the server's
        /// user), used in memory, never stored or logged.
        identity: Secret,
        /// Another appliance's signing public key (PEM), to trust besides this one's.
        trust_key: Option<String>,
        /// The organization the bundle must be of.
        org: Option<String>,
    },
    /// A retention change or purge in an organization.
    Retention {
        /// The organization.
        org: String,
        /// What to do.
        retention: retention::Retention,
    },
    /// A refused organization's audit head accepted after investigation.
    AcceptHead {
        /// The organization.
        slug: String,
        /// What the investigation found.
        reason: String,
    },
    /// A head kept outside, no longer in a log, accepted as replaced.
    AcceptReplacedHead {
        /// The organization whose log it is; the platform's when `None`.
        org: Option<String>,
        /// The head, as SEQ:HEX.
        head: String,
        /// Why it is gone.
        reason: String,
    },
    /// The checks of `examhall doctor` that need the databases.
    Doctor,
}

/// A secret sent over the socket: never shown by `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[secret]")
    }
}

/// `examhall user create`, as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The organization.
    pub org: String,
    /// Sign-in name.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The role's name.
    pub role: String,
    /// A course code, for course and section roles.
    pub course: Option<String>,
    /// A section name, for section roles.
    pub section: Option<String>,
    /// For students.
    pub student_number: Option<String>,
    /// An argon2id hash of a password read on the command line; without
    /// one, an invitation link is issued.
    pub password_hash: Option<String>,
}

/// What a command did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A set-up link was issued.
    SetupLink {
        /// Its token (shown once).
        token: String,
    },
    /// An organization was created.
    OrgCreated {
        /// Its id.
        id: String,
        /// Its slug.
        slug: String,
        /// Its name.
        name: String,
        /// Its database file.
        database: PathBuf,
    },
    /// An organization was changed.
    OrgChanged {
        /// Sessions ended by taking it out of service.
        sessions_ended: Option<usize>,
    },
    /// A person was created.
    UserCreated {
        /// The organization's id (it names the realm of links).
        org: String,
        /// Their sign-in name.
        email: String,
        /// Their id.
        id: String,
        /// Their role.
        role: String,
        /// Their invitation link's token, when one was issued.
        invitation: Option<String>,
        /// How many hours the invitation works.
        valid_hours: u64,
    },
    /// A backup bundle was written.
    BackedUp {
        /// Its file.
        file: PathBuf,
        /// Its size in bytes.
        bytes: u64,
        /// Its SHA-256, in hex.
        sha256: String,
        /// Rows per table.
        rows: std::collections::BTreeMap<String, u64>,
        /// The organization's audit head it records.
        audit_head: String,
    },
    /// A bundle was restored.
    Restored {
        /// The organization's slug.
        org: String,
        /// Whether the organization was made by the restore.
        created: bool,
        /// The exam's title, for an exam bundle.
        exam: Option<String>,
        /// Rows added, by table.
        added: std::collections::BTreeMap<String, u64>,
        /// Rows that were there already.
        present: u64,
    },
    /// A retention policy was set.
    RetentionSet {
        /// Days the integrity evidence is kept (`None`: indefinitely).
        evidence_days: Option<u32>,
        /// Days the whole exam is kept (`None`: indefinitely).
        exam_days: Option<u32>,
        /// Days audit entries are kept (`None`: indefinitely).
        #[serde(default)]
        audit_days: Option<u32>,
    },
    /// A course was created.
    CourseCreated {
        /// Its id.
        id: String,
        /// Its code.
        code: String,
    },
    /// A section was created.
    SectionCreated {
        /// Its id.
        id: String,
        /// Its course's code.
        course: String,
        /// Its name.
        name: String,
    },
    /// A legal hold was set or released, or was already as asked.
    RetentionChanged {
        /// Whether anything changed.
        changed: bool,
    },
    /// A purge ran.
    RetentionApplied {
        /// What went.
        purged: Vec<retention::PurgeLine>,
        /// What a legal hold kept.
        held: Vec<retention::PurgeLine>,
        /// Expired bundles deleted from their destination (file names).
        bundles_deleted: Vec<String>,
        /// Expired bundles that could not be deleted, with why.
        bundles_left: Vec<(String, String)>,
        /// Audit entries emptied, past their retention.
        #[serde(default)]
        audit_emptied: u64,
        /// People erased at the organization's request (their pseudonyms).
        #[serde(default)]
        erased: Vec<String>,
    },
    /// An audit head was accepted, or there was nothing to accept.
    HeadAccepted {
        /// The checkpoint written, if any.
        checkpoint: Option<AcceptedHead>,
    },
    /// What the doctor's checks found.
    Doctor {
        /// Each check.
        checks: Vec<crate::service::doctor::Check>,
    },
}

/// The checkpoint of an accepted head.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AcceptedHead {
    /// Its entry.
    pub seq: i64,
    /// The anchored head, no longer in the log.
    pub old_head: String,
    /// The head it follows.
    pub new_head: String,
    /// The head anchored now.
    pub head: String,
}

/// Why a command was not carried out: what was wrong, and what to do.
#[derive(Debug, Clone, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What was wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with a message and a hint.
    #[must_use]
    pub fn new(message: impl Into<String>, hint: Option<&str>) -> Self {
        Self { message: message.into(), hint: hint.map(str::to_owned) }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self { hint: error.hint(), message: error.to_string() }
    }
}

impl From<crate::domain::InvalidValue> for Failure {
    fn from(error: crate::domain::InvalidValue) -> Self {
        Self { message: error.0, hint: None }
    }
}

/// A request on the socket: who runs the command line, and what they ask.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    /// The login name the command line runs as (`USER`), for the audit
    /// log; the server adds the uid it sees on the socket.
    login: Option<String>,
    /// The command.
    command: Command,
}

/// The answer on the socket.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Done(Outcome),
    Failed(Failure),
}
