//! Carrying out a command, in whichever process holds the data directory.

use std::time::Duration;

use super::{Command, Failure, NewUser, Outcome, find_org};
use crate::domain::{DisplayName, Email, ExamId, OrgName, OrgSlug, Role};
use crate::service::people::{self, NewPerson, Placement};
use crate::service::{Actor, backups, organizations};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::Actor as AuditActor;
use crate::store::backup::Scope;
use crate::store::backup_runs::Reason;
use crate::store::platform::OrgStatus;

/// Carries out `command` for `actor` with the services of `state`.
///
/// # Errors
/// What was wrong with the command, and what to do.
pub async fn execute(state: &AppState, actor: AuditActor, command: Command) -> Result<Outcome, Failure> {
    match command {
        Command::SetupLink => setup_link(state, actor).await,
        Command::OrgCreate { slug, name } => org_create(state, actor, &slug, &name).await,
        Command::OrgRename { slug, name } => {
            let name = OrgName::parse(&name)?;
            org_change(state, actor, &slug, Some(name), None).await
        }
        Command::OrgSetActive { slug, active } => {
            let status = if active { OrgStatus::Active } else { OrgStatus::Deactivated };
            org_change(state, actor, &slug, None, Some(status)).await
        }
        Command::UserCreate(user) => user_create(state, actor, user).await,
        Command::Course { org, course } => {
            let org = find_org(state, &org).await?.id;
            super::courses::execute(state, actor, org, course).await
        }
        Command::Backup { org, exam, to } => backup(state, actor, &org, exam.as_deref(), to).await,
        Command::Restore { file, identity, trust_key, org } => {
            restore(state, actor, file, &identity, trust_key.as_deref(), org.as_deref()).await
        }
        Command::Retention { org, retention } => {
            let org = find_org(state, &org).await?.id;
            super::retention::execute(state, actor, org, retention).await
        }
        Command::AcceptHead { slug, reason } => super::heads::accept_anchored(state, actor, &slug, &reason).await,
        Command::AcceptReplacedHead { org, head, reason } => {
            super::heads::accept_replaced(state, actor, org.as_deref(), &head, &reason).await
        }
        Command::Doctor => Ok(Outcome::Doctor { checks: crate::service::doctor::run(state).await }),
    }
}

async fn restore(
    state: &AppState,
    actor: AuditActor,
    file: std::path::PathBuf,
    identity: &super::Secret,
    trust_key: Option<&str>,
    org: Option<&str>,
) -> Result<Outcome, Failure> {
    let identities = crate::backup::identities_from_text(&identity.0).map_err(|message| Failure::new(message, None))?;
    let trust = trust_key
        .map(crate::signing::PublicKey::from_pem)
        .transpose()
        .map_err(|e| Failure::new(format!("--trust-key: {e}"), None))?;
    let into = org.map(OrgSlug::parse).transpose()?;
    let done = crate::service::restore::restore(state, &Actor::audited(actor), file, identities, trust, into)
        .await
        .map_err(|error| match error {
            crate::service::restore::RestoreError::Bundle(error) => Failure::new(
                error.to_string(),
                Some("check the bundle first: examhall backup verify FILE --identity KEY"),
            ),
            crate::service::restore::RestoreError::Schema(error) => {
                Failure { message: error.to_string(), hint: Some(error.hint()) }
            }
            crate::service::restore::RestoreError::Refused(error) => error.into(),
        })?;
    Ok(Outcome::Restored {
        org: done.org.slug.to_string(),
        created: done.created,
        exam: done.manifest.exam.map(|exam| exam.title),
        added: done.added,
        present: done.present,
    })
}

async fn backup(
    state: &AppState,
    actor: AuditActor,
    slug: &str,
    exam: Option<&str>,
    to: Option<std::path::PathBuf>,
) -> Result<Outcome, Failure> {
    let org = find_org(state, slug).await?;
    let scope = match exam {
        None => Scope::Organization,
        Some(exam) => Scope::Exam(ExamId::parse(exam).map_err(|_| {
            Failure::new(format!("{exam} is not an exam id"), Some("an exam's id is the UUID in its page's address"))
        })?),
    };
    let made =
        backups::back_up(state, &Actor::audited(actor), &org, scope, to, Reason::Command).await.map_err(|error| {
            match error {
                StoreError::NotFound(what) => Failure::new(
                    format!("no {what}"),
                    Some("the exam's id is the UUID in the address of its page (…/exams/ID)"),
                ),
                other => other.into(),
            }
        })?;
    let rows = made.manifest.rows_by_table().into_iter().map(|(t, n)| (t.to_owned(), n)).collect();
    Ok(Outcome::BackedUp {
        file: made.file,
        bytes: made.bytes,
        sha256: made.sha256,
        rows,
        audit_head: made.manifest.audit_head,
    })
}

async fn setup_link(state: &AppState, actor: AuditActor) -> Result<Outcome, Failure> {
    let token = crate::service::credentials::issue_setup_link(state, &Actor::audited(actor)).await?;
    let token = token.ok_or_else(|| {
        Failure::new(
            "a platform administrator exists already, so no set-up link is needed",
            Some("sign in as that administrator; the set-up link only creates the first one"),
        )
    })?;
    Ok(Outcome::SetupLink { token })
}

async fn org_create(state: &AppState, actor: AuditActor, slug: &str, name: &str) -> Result<Outcome, Failure> {
    let (slug, name) = (OrgSlug::parse(slug)?, OrgName::parse(name)?);
    let org = organizations::create(state, &Actor::audited(actor), slug, name).await.map_err(|error| match error {
        StoreError::Taken(_) => {
            Failure::new(error.to_string(), Some("choose another --slug; `examhall org list` shows the ones in use"))
        }
        other => other.into(),
    })?;
    let database = state.registry().platform().data_dir().org_db(org.id);
    Ok(Outcome::OrgCreated { id: org.id.to_string(), slug: org.slug.to_string(), name: org.name, database })
}

async fn org_change(
    state: &AppState,
    actor: AuditActor,
    slug: &str,
    name: Option<OrgName>,
    status: Option<OrgStatus>,
) -> Result<Outcome, Failure> {
    let org = find_org(state, slug).await?;
    let actor = Actor::audited(actor);
    let (_, sessions_ended) = organizations::update(state, &actor, org.id, name, status).await?;
    Ok(Outcome::OrgChanged { sessions_ended })
}

async fn user_create(state: &AppState, actor: AuditActor, user: NewUser) -> Result<Outcome, Failure> {
    let email = Email::parse(&user.email)?;
    let name = DisplayName::parse(&user.name)?;
    let role = Role::parse(&user.role)?;
    let org = find_org(state, &user.org).await?;
    let db = state.registry().org(org.id).await?;
    let invitation =
        user.password_hash.is_none().then(|| Duration::from_secs(state.config().auth.link_valid_hours * 3600));
    let person = NewPerson {
        email,
        name,
        student_number: user.student_number,
        password_hash: user.password_hash,
        role: Some((role, Placement::Named { course: user.course, section: user.section })),
        invitation,
    };
    let event = Actor::audited(actor).event("user.create");
    let created = people::create(&db, person, Some(event), state.clock().now()).await.map_err(|error| match error {
        StoreError::Invalid { field: "role", .. } => Failure::new(
            format!("role {}: wrong scope", role.as_str()),
            Some(
                "org_admin takes neither --course nor --section; instructor and reviewer take --course; \
                 proctor and student take --course and --section",
            ),
        ),
        other => other.into(),
    })?;
    Ok(Outcome::UserCreated {
        org: org.id.to_string(),
        email: created.user.email,
        id: created.user.id.to_string(),
        role: role.as_str().to_owned(),
        invitation: created.invitation,
        valid_hours: state.config().auth.link_valid_hours,
    })
}
