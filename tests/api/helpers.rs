//! `spawn_app()` and the `TestApp` every test drives.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use examhall::app::{self, AppState, Listeners};
use examhall::clock::ManualClock;
use examhall::config::Config;
use examhall::domain::{OrgName, OrgSlug};
use examhall::store::audit::Actor;
use examhall::store::master_key;
use examhall::store::platform::Organization;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A running application with its own data directory.
pub struct TestApp {
    pub address: SocketAddr,
    /// The plain-HTTP redirect listener, when the config asks for one.
    pub redirect_address: Option<SocketAddr>,
    /// The plain-HTTP loopback listener, when the config asks for one.
    pub loopback_address: Option<SocketAddr>,
    /// The loopback listener of `/metrics`, when the config asks for one.
    pub metrics_address: Option<SocketAddr>,
    pub data_dir: TempDir,
    pub state: AppState,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// How often the test server's deadline sweeper looks (production: 15 s).
pub const DEADLINE_SWEEP: Duration = Duration::from_millis(100);

/// A config whose data directory is `dir`.
pub fn config_for(dir: &Path) -> Config {
    Config { data_dir: dir.to_owned(), ..Config::default() }
}

/// Where every test's clock starts: the morning of an exam day. Tests move
/// time with a [`ManualClock`] of their own; nothing depends on the day the
/// suite runs.
pub const EXAM_DAY: time::OffsetDateTime = time::macros::datetime!(2026-06-01 09:00 UTC);

/// The clock of a test that does not move time: it stands at [`EXAM_DAY`].
pub fn exam_day() -> examhall::clock::SharedClock {
    Arc::new(ManualClock::new(EXAM_DAY))
}

/// Starts the app on a loopback port the system chose, with a fresh,
/// initialised data dir, at [`EXAM_DAY`].
pub async fn spawn_app() -> TestApp {
    spawn_app_with_clock(exam_day()).await
}

/// Starts the app with `clock` (a `ManualClock` lets tests move time).
pub async fn spawn_app_with_clock(clock: examhall::clock::SharedClock) -> TestApp {
    spawn_app_with(clock, |_| {}).await
}

/// Starts the app with `clock` and a config changed by `adjust`.
pub async fn spawn_app_with(clock: examhall::clock::SharedClock, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = config_for(data_dir.path());
    adjust(&mut config);
    examhall::cli::init::initialise(&config, &[]).unwrap();
    start(config, data_dir, clock).await
}

/// Starts the app again, at [`EXAM_DAY`], on a data directory a stopped app left behind.
pub async fn restart(data_dir: TempDir) -> TestApp {
    let config = config_for(data_dir.path());
    start(config, data_dir, exam_day()).await
}

async fn start(config: Config, data_dir: TempDir, clock: examhall::clock::SharedClock) -> TestApp {
    let master = master_key::load(&config.master_key_file()).unwrap();
    let (cert, key) = config.tls_files();
    let tls = examhall::tls::server_config(&cert, &key).unwrap();
    let client = client_trusting(&cert);
    let listeners = Listeners::bind(&config, Some("127.0.0.1:0".parse().unwrap())).unwrap();
    let address = listeners.https.local_addr().unwrap();
    let redirect_address = listeners.redirect.as_ref().map(|l| l.local_addr().unwrap());
    let loopback_address = listeners.loopback_http.as_ref().map(|l| l.local_addr().unwrap());
    let metrics_address = listeners.metrics.as_ref().map(|l| l.local_addr().unwrap());
    let state = AppState::open(config, master, clock).unwrap();
    // As `examhall serve` does: a data directory without a signing key gets one.
    state.registry().platform().signing_key(state.clock().now()).await.unwrap();
    state.open_organizations().await.unwrap();
    // The deadline sweeper runs as in `examhall serve`, ticking fast so that a
    // test that moves a manual clock sees submissions within a moment.
    tokio::spawn(app::submit_at_deadlines_every(state.clone(), DEADLINE_SWEEP));
    let (shutdown, signal) = oneshot::channel::<()>();
    let server = tokio::spawn(app::serve(listeners, tls, state.clone(), async move {
        let _ = signal.await;
    }));
    TestApp {
        address,
        redirect_address,
        loopback_address,
        metrics_address,
        data_dir,
        state,
        client,
        shutdown: Some(shutdown),
        server: Some(server),
    }
}

/// An HTTPS client that trusts exactly the certificate in `cert_file`.
pub fn client_trusting(cert_file: &Path) -> reqwest::Client {
    client_builder(cert_file).build().unwrap()
}

/// The builder behind [`client_trusting`], for clients that need more settings.
pub fn client_builder(cert_file: &Path) -> reqwest::ClientBuilder {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(cert_file).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls).no_proxy()
}

impl TestApp {
    /// `https://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Creates an organization through the service, as the platform admin's page does.
    pub async fn create_org(&self, slug: &str, name: &str) -> Organization {
        let actor = examhall::service::Actor::audited(Actor::system());
        let (slug, name) = (OrgSlug::parse(slug).unwrap(), OrgName::parse(name).unwrap());
        examhall::service::organizations::create(&self.state, &actor, slug, name).await.unwrap()
    }

    /// Stops the server the way SIGTERM does and waits for it.
    pub async fn stop(mut self) -> TempDir {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
        self.data_dir
    }
}

/// Waits (at most 10 s) for the bus to tell `subscription`'s listeners that
/// an attempt was submitted at its deadline, and returns it: a test that
/// moved a manual clock waits for the sweeper's notice, not for time to pass.
pub async fn submitted_at_deadline(subscription: &mut examhall::notices::Subscription) -> examhall::domain::AttemptId {
    use examhall::domain::receipt::SubmissionReason;
    use examhall::notices::ExamEvent;
    let wait = async {
        loop {
            let notice = subscription.next().await.unwrap().expect("the bus is open");
            if let ExamEvent::Submitted { attempt, reason: SubmissionReason::Deadline, .. } = notice.event {
                return attempt;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait).await.expect("submitted at the deadline within 10 s")
}

/// A set-up link's token, issued through the service as the command line
/// would; `None` once a platform admin exists.
pub async fn setup_link(state: &AppState) -> Option<String> {
    let actor = examhall::service::Actor::audited(Actor::system());
    examhall::service::credentials::issue_setup_link(state, &actor).await.unwrap()
}

/// Every regular file under `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(path),
                Ok(kind) if kind.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out
}

/// The real binary.
pub fn examhall() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_examhall"));
    command.env_remove("EXAMHALL_MASTER_KEY").stdin(Stdio::null());
    command
}

/// How long a command of the binary may take in a test before it is killed.
pub const CLI_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs the binary to completion; (success, stdout, stderr). Killed, and
/// the test failed, after [`CLI_TIMEOUT`]: no test hangs on it.
pub fn run(args: &[&str]) -> (bool, String, String) {
    let (code, stdout, stderr) = run_code(args);
    (code == Some(0), stdout, stderr)
}

/// [`run`], with the exit code (`None` when a signal ended it).
pub fn run_code(args: &[&str]) -> (Option<i32>, String, String) {
    let mut command = examhall();
    command.args(args);
    run_command(command, CLI_TIMEOUT)
}

/// Runs `command` (the binary with its arguments and environment) to
/// completion within `timeout`; (exit code, stdout, stderr). Killed, and
/// the test failed, after `timeout`.
pub fn run_command(mut command: Command, timeout: Duration) -> (Option<i32>, String, String) {
    let args: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Drained as the child writes, so a full pipe never stalls it.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let pid = rustix::process::Pid::from_child(&child);
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait()));
    let Ok(status) = exited.recv_timeout(timeout) else {
        // Our own child, by its PID; it has not been reaped, so the PID is still its.
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        panic!("examhall {args:?} took longer than {timeout:?} and was killed");
    };
    let status = status.unwrap();
    (status.code(), stdout.join().unwrap(), stderr.join().unwrap())
}

/// [`run`] with `stdin` written to the command's standard input (a
/// password for `--password-stdin`).
pub fn run_with_stdin(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    let mut child =
        examhall().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

/// [`run`] off the test's own thread, for a test whose server (in this
/// process) must keep answering while the command runs: the command line
/// talks to it over the admin socket.
pub async fn run_beside(args: &[&str]) -> (bool, String, String) {
    let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
    tokio::task::spawn_blocking(move || run(&args.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap()
}

/// A `serve` process started by a test on a port the system chose (`--listen
/// 127.0.0.1:0`, read back from the line it prints). Both pipes are drained
/// for its whole life, so a chatty server never blocks on a full pipe; what
/// it printed is in [`ServeProcess::output`]. Killed by PID when dropped.
pub struct ServeProcess {
    pub child: Child,
    pub port: u16,
    printed: Arc<std::sync::Mutex<String>>,
    drains: Vec<std::thread::JoinHandle<()>>,
}

/// How long a started server may take to print where it serves.
const SERVE_START_TIMEOUT: Duration = Duration::from_secs(60);

impl ServeProcess {
    /// Starts `examhall serve` on `dir` with extra environment variables.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut command = examhall();
        command.args(["serve", "--data-dir", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
        for (name, value) in env {
            command.env(name, value);
        }
        Self::spawn(command)
    }

    /// Spawns `command`, a server told to listen on port 0, and waits (at
    /// most [`SERVE_START_TIMEOUT`]) for the address it prints.
    pub fn spawn(mut command: Command) -> Self {
        use std::io::BufRead;
        let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let printed = Arc::new(std::sync::Mutex::new(String::new()));
        let (found, port) = std::sync::mpsc::channel::<u16>();
        let drain = |pipe: Box<dyn std::io::Read + Send>, found: Option<std::sync::mpsc::Sender<u16>>| {
            let printed = Arc::clone(&printed);
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                    let served = line
                        .split_once("is serving https://")
                        .and_then(|(_, rest)| rest.trim_end_matches('/').parse::<std::net::SocketAddr>().ok());
                    if let (Some(address), Some(found)) = (served, &found) {
                        let _ = found.send(address.port());
                    }
                    let mut text = printed.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            })
        };
        let drains = vec![
            drain(Box::new(child.stdout.take().unwrap()), Some(found)),
            drain(Box::new(child.stderr.take().unwrap()), None),
        ];
        let mut server = Self { child, port: 0, printed, drains };
        if let Ok(port) = port.recv_timeout(SERVE_START_TIMEOUT) {
            server.port = port;
            return server;
        }
        panic!("the server printed no address within {SERVE_START_TIMEOUT:?}:\n{}", server.output())
    }

    /// Everything the server printed so far, on stdout and stderr.
    pub fn output(&self) -> String {
        self.printed.lock().unwrap().clone()
    }

    /// Waits for the server to exit (after [`Self::terminate`]) and returns
    /// everything it printed.
    pub fn finish(mut self) -> String {
        self.child.wait().unwrap();
        for drain in self.drains.drain(..) {
            drain.join().unwrap();
        }
        self.output()
    }

    /// Polls `/readyz` until 200 (bounded: 100 tries, 20 s).
    pub async fn wait_ready(&self, cert: &Path) -> bool {
        let client = client_trusting(cert);
        let url = format!("https://127.0.0.1:{}/readyz", self.port);
        for _ in 0..100 {
            let response = client.get(&url).timeout(Duration::from_millis(500)).send().await;
            if response.is_ok_and(|r| r.status() == 200) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
