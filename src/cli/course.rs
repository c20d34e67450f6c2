//! `examhall course` and `examhall section`: an organization's courses and
//! their sections, for IT setting up an organization from the command line
//! (the org admin's Courses page does the same). Creating goes through the
//! running server when there is one.

use super::CliError;
use super::reading::OrgReader;
use crate::admin::courses::CourseCommand;
use crate::admin::{self, Outcome, client};
use crate::config::Config;

/// Course commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a course.
    Create {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// Its code, unique in the organization ("PHYS101").
        #[arg(long)]
        code: String,
        /// Its title ("Physics I").
        #[arg(long)]
        title: String,
    },
    /// List the courses with their sections.
    List {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
    },
}

/// Section commands.
#[derive(Debug, clap::Subcommand)]
pub enum SectionCommand {
    /// Create a section of a course.
    Create {
        /// The organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
        /// The course's code.
        #[arg(long)]
        course: String,
        /// The section's name, unique in the course ("A", "Monday lab").
        #[arg(long)]
        name: String,
    },
}

/// Runs a course command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    match command {
        Command::Create { org, code, title } => {
            let course = CourseCommand::Create { code: code.clone(), title: title.clone() };
            match client::submit(config, admin::Command::Course { org: org.clone(), course }).await? {
                Outcome::CourseCreated { id, code } => {
                    println!(
                        "created course {code} ({id}); add sections with: examhall section create --org {org} --course {code} --name NAME"
                    );
                    Ok(())
                }
                other => Err(super::unexpected(&other)),
            }
        }
        Command::List { org } => list(config, org).await,
    }
}

/// Runs a section command.
pub async fn run_section(config: &Config, command: &SectionCommand) -> Result<(), CliError> {
    let SectionCommand::Create { org, course, name } = command;
    let command = CourseCommand::SectionCreate { course: course.clone(), name: name.clone() };
    match client::submit(config, admin::Command::Course { org: org.clone(), course: command }).await? {
        Outcome::SectionCreated { id, course, name } => {
            println!("created section {name} of {course} ({id})");
            Ok(())
        }
        other => Err(super::unexpected(&other)),
    }
}

async fn list(config: &Config, slug: &str) -> Result<(), CliError> {
    let platform = super::open_platform(config, None)?;
    let result = async {
        let org = super::org::by_slug(&platform, slug).await?.id;
        let reader = OrgReader::open(&platform, org).await?;
        let courses = crate::service::courses::list_in(reader.file(&platform, org)).await;
        reader.close().await;
        let courses = courses?;
        if courses.is_empty() {
            println!("no courses yet; create one with: examhall course create --org {slug} --code CODE --title TITLE");
        }
        for course in courses {
            let sections: Vec<&str> = course.sections.iter().map(|s| s.name.as_str()).collect();
            let sections = if sections.is_empty() { "no sections".to_owned() } else { sections.join(", ") };
            println!("{:12}  {}  ({sections})", course.code, course.title);
        }
        Ok(())
    }
    .await;
    platform.db().close().await;
    result
}
