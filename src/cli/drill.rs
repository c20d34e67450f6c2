//! `examhall drill`: rehearse an exam against a running server
//! (`drill run`, [`crate::drill`]) and erase what drills left (`drill clean`).

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use super::CliError;
use crate::config::Config;
use crate::drill::{self, Credentials, Plan, SignIn, Target};
use crate::service::org_file::OrgFile;

/// How IT prepares the drill organization, shown in both commands' help.
const SETTING_UP: &str = "\
A drill runs in an organization of its own, never in a real one: its slug is `drill`
or starts with `drill-`, and it holds no course but the drills' (codes DRILL-...).
`drill run` refuses any other, and `drill clean` erases only such an organization,
so nothing of a drill stays in a real organization's append-only records.

Set one up once, with an org admin for the drill:

    examhall org create --slug drill --name \"Exam-day drill\"
    examhall user create --org drill --role org_admin \\
        --email drill-admin@it.example.edu --password-stdin

Drill, on the server's host:

    export EXAMHALL_DRILL_EMAIL=drill-admin@it.example.edu
    export EXAMHALL_DRILL_PASSWORD='...'
    examhall drill run --url https://127.0.0.1:8443 --org drill \\
        --students 2000 --duration 10m \\
        --ca-cert /var/lib/examhall/tls/cert.pem \\
        --server-pid \"$(systemctl show -p MainPID --value examhall)\" \\
        --json drill.json

Afterwards, with the server stopped, `examhall drill clean --org drill`
crypto-erases the organization; create it again (the two commands above)
before the next drill. docs/drill.md explains the report.";

/// Drill commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Rehearse an exam against a running server, with simulated students, and count what was lost.
    ///
    /// As the drill organization's org admin (EXAMHALL_DRILL_EMAIL, EXAMHALL_DRILL_PASSWORD) it creates a
    /// drill course, section and exam of one Python question, and N students (candidate links, or
    /// accounts with passwords), publishes the exam so that everyone's deadline falls at the same second
    /// at the end of --duration, then runs every student at once over the browser's own protocol: sign
    /// in, open the exam, start, type at 3-6 characters a second in bursts, save as the exam page does
    /// (change sets, chain, commitment, heartbeats, retries), paste and look away now and then, lose the
    /// network for 5-20 s (--offline-share), and hand in, or leave it to the deadline
    /// (--auto-submit-share). Each student has its own loopback source address (127.0.0.0/8).
    ///
    /// A live line on standard error shows the progress; the report on standard output gives requests
    /// and saves per second, latency percentiles per kind of request, errors with the server's answers,
    /// retries (not errors), the server's CPU and memory (--server-pid), and the lost count: every
    /// attempt read back through the staff API, checked against what each student typed.
    ///
    /// Exit status: 0 when nothing was lost, nothing failed and everyone was submitted; 3 when the drill
    /// ran and found otherwise; 1 when it could not run. Only this computer's loopback is drilled unless
    /// --target-is-mine.
    #[command(after_long_help = SETTING_UP)]
    Run(RunArgs),
    /// Crypto-erase a drill organization (the server must be stopped): its key and files, for good.
    ///
    /// Refuses an organization whose slug is not `drill` or `drill-…`, and one that holds a course
    /// no drill made.
    #[command(after_long_help = SETTING_UP)]
    Clean {
        /// The drill organization's slug.
        #[arg(long, value_name = "SLUG")]
        org: String,
    },
}

/// How students sign in.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SignInArg {
    /// A candidate link each.
    Link,
    /// An account with a password each (the server hashes every sign-in).
    Password,
}

/// Options of `examhall drill run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The server, as students reach it.
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    url: String,
    /// The drill organization's slug.
    #[arg(long, value_name = "SLUG")]
    org: String,
    /// Simulated students (at most 20,000).
    #[arg(long, default_value_t = 100)]
    students: usize,
    /// From publishing to everyone's deadline: `90s`, `10m`, `1h` (10 s to 4 h).
    #[arg(long, value_parser = parse_duration, default_value = "10m")]
    duration: Duration,
    /// Students arrive spread over this long (default: 10 s, or a quarter of a shorter duration).
    #[arg(long, value_parser = parse_duration)]
    ramp: Option<Duration>,
    /// How students sign in.
    #[arg(long, value_enum, default_value_t = SignInArg::Link)]
    sign_in: SignInArg,
    /// Accept any certificate (a self-signed one).
    #[arg(long)]
    insecure_tls: bool,
    /// Trust this certificate or authority (PEM), e.g. the data directory's tls/cert.pem.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// The share of students who leave the submission to the deadline.
    #[arg(long, value_name = "F", default_value_t = 0.25)]
    auto_submit_share: f64,
    /// The share of students who lose the network once, for 5-20 s.
    #[arg(long, value_name = "F", default_value_t = 0.1)]
    offline_share: f64,
    /// Seeds everyone's typing, pauses and outages (the same seed, the same drill).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The server's process id, on this host: its CPU and memory go into the report.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// The target is not this computer's loopback, and it is yours to load.
    #[arg(long)]
    target_is_mine: bool,
}

/// Parses `90`, `90s`, `10m`, `1h`, `1h30m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text}: give seconds, or a number with s, m or h (90s, 10m, 1h30m)");
    let (mut total, mut number) = (0u64, String::new());
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(invalid()),
        };
        let n: u64 = number.parse().map_err(|_| invalid())?;
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(invalid)?;
        number.clear();
    }
    if !number.is_empty() {
        total = number.parse::<u64>().ok().and_then(|n| total.checked_add(n)).ok_or_else(invalid)?;
    } else if total == 0 {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

/// Runs a drill command.
pub async fn run(config: Result<Config, CliError>, command: &Command) -> Result<(), CliError> {
    match command {
        Command::Run(args) => run_drill(args).await,
        Command::Clean { org } => clean(&config?, org).await,
    }
}

fn refused(error: drill::DrillError) -> CliError {
    let cli = CliError::new(error.message);
    match error.hint {
        Some(hint) => cli.hint(hint),
        None => cli,
    }
}

async fn run_drill(args: &RunArgs) -> Result<(), CliError> {
    // The target first: nothing is read or sent for a target refused.
    let mut target = Target::parse(&args.url, args.target_is_mine).map_err(refused)?;
    target.insecure_tls = args.insecure_tls;
    target.ca_cert.clone_from(&args.ca_cert);
    let plan = Plan {
        target,
        org: args.org.clone(),
        students: args.students,
        duration: args.duration,
        ramp: args.ramp.unwrap_or_else(|| Duration::from_secs(10).min(args.duration / 4)),
        sign_in: match args.sign_in {
            SignInArg::Link => SignIn::Link,
            SignInArg::Password => SignIn::Password,
        },
        auto_submit_share: args.auto_submit_share,
        offline_share: args.offline_share,
        seed: args.seed,
        server_pid: args.server_pid,
    };
    plan.check().map_err(refused)?;
    let variable = |name: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
            CliError::new(format!("{name} is not set: the drill acts as the drill organization's org admin"))
                .hint("export EXAMHALL_DRILL_EMAIL and EXAMHALL_DRILL_PASSWORD (see examhall drill run --help)")
        })
    };
    let credentials = Credentials {
        email: variable("EXAMHALL_DRILL_EMAIL")?,
        password: SecretString::from(variable("EXAMHALL_DRILL_PASSWORD")?),
    };
    let report = drill::run(plan, credentials).await.map_err(refused)?;
    print!("{}", report.text());
    if let Some(file) = &args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::new(format!("the JSON report: {e}")))?;
        std::fs::write(file, text + "\n")
            .map_err(|e| CliError::new(format!("cannot write the JSON report to {}: {e}", file.display())))?;
    }
    if report.passed { Ok(()) } else { Err(CliError::quiet(3)) }
}

/// Crypto-erases drill organization `slug`, after checking that it is one.
async fn clean(config: &Config, slug: &str) -> Result<(), CliError> {
    if !drill::is_drill_slug(slug) {
        return Err(CliError::new(format!(
            "{slug} is not a drill organization (their slugs are `drill` or start with `drill-`); nothing was erased"
        ))
        .hint(format!("to erase a real organization for good, use examhall org erase --org {slug} --confirm {slug}")));
    }
    let held = super::offline::hold(config, "cleaning up a drill")?;
    let platform = super::open_platform(config, Some(&held))?;
    let result = async {
        let org = super::org::by_slug(&platform, slug).await?;
        let courses = crate::service::courses::list_in(OrgFile::AsItIs(&platform, org.id)).await?;
        if let Some(course) = courses.iter().find(|c| !c.code.starts_with(drill::DRILL_COURSE_PREFIX)) {
            return Err(CliError::new(format!(
                "{slug} holds the course {}, which no drill made: it is not a drill organization; nothing was erased",
                course.code
            ))
            .hint(format!("to erase it anyway, use examhall org erase --org {slug} --confirm {slug}")));
        }
        super::org::erase_held(&platform, slug).await
    }
    .await;
    platform.db().close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        for bad in ["", "m", "10x", "1.5m", "-3s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
