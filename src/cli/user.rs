//! `examhall user`: accounts of an organization, for IT automation.

use std::io::BufRead;

use super::CliError;
use super::reading::OrgReader;
use crate::admin::{self, NewUser, Outcome, client};
use crate::auth::password::NewPassword;
use crate::config::Config;
use crate::domain::{DisplayName, Email, OrgSlug, Role};
use crate::store::StoreError;
use crate::store::accounts::users;

/// User commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an account with a role; prints a one-time invitation link, or
    /// with --password-stdin sets the password read from standard input.
    Create(CreateArgs),
    /// List an organization's accounts.
    List {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Options of `examhall user create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The organization's slug.
    #[arg(long)]
    org: String,
    /// Sign-in e-mail address.
    #[arg(long)]
    email: String,
    /// Display name (default: the part of the e-mail before the @).
    #[arg(long)]
    name: Option<String>,
    /// org_admin, instructor, reviewer, proctor or student.
    #[arg(long)]
    role: String,
    /// Course code, for course and section roles.
    #[arg(long)]
    course: Option<String>,
    /// Section name within --course, for proctor and student.
    #[arg(long)]
    section: Option<String>,
    /// Student number, for students.
    #[arg(long)]
    student_number: Option<String>,
    /// Read the password from standard input (one line) instead of printing an invitation link.
    #[arg(long)]
    password_stdin: bool,
}

/// Runs a user command; a new account is created through the running
/// server if there is one.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    match command {
        Command::Create(args) => create(config, args).await,
        Command::List { org: slug, json } => {
            let platform = super::open_platform(config, None)?;
            let org = platform.org_by_slug(OrgSlug::parse(slug)?).await.map_err(|error| match error {
                StoreError::NotFound(_) => {
                    CliError::new(format!("no organization has the slug {slug}")).hint("`examhall org list` shows them")
                }
                other => other.into(),
            });
            let result = match org {
                Ok(org) => match OrgReader::open(&platform, org.id).await {
                    Ok(reader) => {
                        let people = crate::service::people::list(reader.file(&platform, org.id)).await;
                        reader.close().await;
                        people.map(|people| print_list(people, *json)).map_err(CliError::from)
                    }
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            };
            platform.db().close().await;
            result
        }
    }
}

async fn create(config: &Config, args: &CreateArgs) -> Result<(), CliError> {
    let email = Email::parse(&args.email)?;
    let name =
        DisplayName::parse(args.name.as_deref().unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("")))?;
    let role = Role::parse(&args.role)?;
    let password_hash = if args.password_stdin {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::new(format!("cannot read standard input: {e}")))?;
        let password = NewPassword::parse(line.trim_end_matches(['\r', '\n']))?;
        Some(password.hash())
    } else {
        None
    };
    let user = NewUser {
        org: args.org.clone(),
        email: email.as_str().to_owned(),
        name: name.as_str().to_owned(),
        role: role.as_str().to_owned(),
        course: args.course.clone(),
        section: args.section.clone(),
        student_number: args.student_number.clone(),
        password_hash,
    };
    match client::submit(config, admin::Command::UserCreate(user)).await? {
        Outcome::UserCreated { org, email, id, role, invitation, valid_hours } => {
            println!("created {email} ({id}) as {role}");
            if let Some(token) = invitation {
                let base = super::setup_link::base_url(config, None);
                println!("invitation link (works once, for {valid_hours} hours): {base}/link/{org}.{token}");
            }
            Ok(())
        }
        other => Err(super::unexpected(&other)),
    }
}

fn print_list(people: Vec<(users::User, Vec<crate::store::courses::Grant>)>, json: bool) {
    if json {
        let rows: Vec<_> = people
            .iter()
            .map(|(user, roles)| {
                let roles: Vec<_> = roles
                    .iter()
                    .map(|g| {
                        serde_json::json!({
                            "id": g.id, "user_id": g.user_id, "role": g.role,
                            "course_id": g.course_id, "section_id": g.section_id,
                        })
                    })
                    .collect();
                let user = serde_json::json!({
                    "id": user.id, "email": user.email, "display_name": user.display_name,
                    "student_number": user.student_number, "status": user.status,
                    "has_password": user.has_password, "created_at": user.created_at,
                    "last_sign_in_at": user.last_sign_in_at,
                });
                serde_json::json!({ "user": user, "roles": roles })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return;
    }
    if people.is_empty() {
        println!("no accounts yet; create one with: examhall user create --org SLUG --email E --role ROLE");
        return;
    }
    println!("{:40}  {:8}  {:24}  ROLES", "EMAIL", "STATUS", "LAST SIGN-IN");
    for (user, grants) in people {
        let roles: Vec<_> = grants.iter().map(|g| g.role.as_str()).collect();
        let status = if user.status == users::UserStatus::Active { "active" } else { "disabled" };
        let last = user.last_sign_in_at.map_or_else(|| "never".to_owned(), |at| at.to_string());
        println!("{:40}  {:8}  {:24}  {}", user.email, status, last, roles.join(","));
    }
}
