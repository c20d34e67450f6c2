//! The application: its router, its background jobs, and the listeners
//! that serve it until shutdown. The shared state is [`crate::state`].

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use crate::admin::socket::AdminSocket;
use crate::config::Config;
use crate::http::connections::{ConnectionPolicy, Gate};
use crate::http::prometheus::Exporter;
use crate::http::{self, HttpLimits};
pub use crate::state::AppState;

/// How often attempts past their deadline are submitted in the background.
pub const DEADLINE_SWEEP: Duration = Duration::from_secs(15);

/// Background job: submits attempts whose deadline passed, in every open
/// organization, every [`DEADLINE_SWEEP`], until the databases close.
pub async fn submit_at_deadlines(state: AppState) {
    submit_at_deadlines_every(state, DEADLINE_SWEEP).await;
}

/// [`submit_at_deadlines`], looking every `every` (tests tick fast while
/// they move a manual clock).
pub async fn submit_at_deadlines_every(state: AppState, every: Duration) {
    // Beside it, at the same pace: each closed exam's similarity run.
    tokio::spawn(crate::service::similarity::run_at_close_every(state.clone(), every));
    // And the backups each closed exam and each night are owed.
    tokio::spawn(crate::service::backups::run_due_every(state.clone(), every));
    // And the daily purge of what retention policies say is due.
    tokio::spawn(crate::service::retention::run_daily_every(state.clone(), every));
    // And the one worker that derives what monitors show of each attempt's log.
    tokio::spawn(crate::service::summaries::run(state.clone()));
    // And the daily check of every audit log, for the status page.
    tokio::spawn(crate::service::status::run_daily(state.clone()));
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        for (org, db) in state.registry().open_orgs() {
            match crate::service::attempts::sweep(&state, org, &db).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "submitted attempts at their deadline"),
                Err(crate::store::StoreError::Closed) => return,
                Err(error) => tracing::error!(%error, "could not submit overdue attempts"),
            }
        }
    }
}

/// Background job started by [`serve`]: every `auth.refusal_window_secs`,
/// writes the gathered refusals to the audit logs and sweeps spent entries
/// from the attempt limits, until `stop` is notified (never in the middle
/// of a flush).
pub async fn maintain(state: AppState, stop: Arc<tokio::sync::Notify>) {
    let window = Duration::from_secs(state.config().auth.refusal_window_secs);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + window, window);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stop.notified() => return,
        }
        let now = state.clock().now();
        state.limiter().sweep(now);
        state.refusals().flush(now).await;
    }
}

/// The whole application: routes inside the shared middleware; with an
/// `exporter`, every request is counted, and `/metrics` is served to the
/// bearer of its token.
pub fn router(state: &AppState, exporter: Option<&Arc<Exporter>>) -> Router {
    let server = &state.config().server;
    let limits = HttpLimits {
        max_body_bytes: server.max_body_bytes,
        request_timeout: Duration::from_secs(server.request_timeout_secs),
    };
    let mut routes = http::routes::router(state.clone());
    if let Some(exporter) = exporter.filter(|exporter| exporter.on_https()) {
        routes = routes.merge(http::prometheus::router(state.clone(), Arc::clone(exporter)));
    }
    let app = http::with_layers(routes, limits);
    match exporter {
        // Outside every other layer (each route's, so the matched route is
        // known): a request that times out or panics is counted as answered.
        Some(_) => app.layer(axum::middleware::from_fn(http::prometheus::record_request)),
        None => app,
    }
}

/// The sockets a server answers on, bound before serving so that tests can
/// bind port 0 and read the address.
pub struct Listeners {
    /// HTTPS.
    pub https: TcpListener,
    /// Plain HTTP that redirects to HTTPS.
    pub redirect: Option<TcpListener>,
    /// Plain HTTP on loopback, serving the whole app (reverse proxy, tests).
    pub loopback_http: Option<TcpListener>,
    /// Plain HTTP on loopback, serving only `/metrics`.
    pub metrics: Option<TcpListener>,
    /// The command line's way in ([`crate::admin`]); `None` when it could
    /// not be bound (logged: the command line then cannot reach the server).
    pub admin: Option<AdminSocket>,
}

impl Listeners {
    /// Binds the addresses of `config` (with `https` overriding
    /// `server.listen`) and the admin socket of its data directory. Must
    /// run inside the async runtime.
    ///
    /// # Errors
    /// When an address cannot be bound.
    pub fn bind(config: &Config, https: Option<SocketAddr>) -> std::io::Result<Self> {
        let bind = |address: SocketAddr| {
            let listener = TcpListener::bind(address)
                .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {address}: {e}")))?;
            listener.set_nonblocking(true)?;
            Ok::<_, std::io::Error>(listener)
        };
        Ok(Self {
            https: bind(https.unwrap_or(config.server.listen))?,
            redirect: config.server.redirect_listen.map(bind).transpose()?,
            loopback_http: config.server.loopback_http_listen.map(bind).transpose()?,
            metrics: config.metrics.listen.map(bind).transpose()?,
            admin: match AdminSocket::bind(&config.data().admin_socket()) {
                Ok(socket) => Some(socket),
                Err(error) => {
                    tracing::error!(%error, "cannot open the admin socket: the command line cannot reach this server");
                    None
                }
            },
        })
    }
}

/// Serves until `shutdown` completes, then lets requests in flight finish
/// (up to `server.shutdown_grace_secs`), writes the gathered refusals, and
/// closes every database after its queued writes are durable.
///
/// Every listener goes through one [`Gate`] (connection caps, handshake,
/// header and idle timeouts; see [`http::connections`]), and the open-file
/// limit is raised first so the caps, not the kernel, decide. The
/// background [`maintain`] job runs while serving, and the admin socket
/// takes the command line's changes ([`crate::admin`]).
///
/// # Errors
/// When a listener fails, or the metrics token cannot be read.
pub async fn serve(
    listeners: Listeners,
    tls: Arc<rustls::ServerConfig>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let exporter = Exporter::from_config(state.config())?;
    let app = router(&state, exporter.as_ref());
    let handle: Handle<SocketAddr> = Handle::new();
    let https_port = listeners.https.local_addr()?.port();
    let open_files = http::connections::raise_open_file_limit();
    let policy = ConnectionPolicy::from_config(&state.config().server, open_files);
    tracing::info!(
        open_files,
        max_connections = policy.max_total,
        per_address = policy.max_per_address,
        "connection limits"
    );
    let gate = Gate::new(policy.clone());
    let mut servers = tokio::task::JoinSet::new();
    let tls = RustlsAcceptor::new(RustlsConfig::from_config(tls))
        .handshake_timeout(policy.header_read_timeout)
        .acceptor(gate.clone());
    let mut https = axum_server::from_tcp(listeners.https)?.acceptor(tls).handle(handle.clone());
    policy.configure(https.http_builder());
    servers.spawn(https.serve(app.clone().into_make_service_with_connect_info::<SocketAddr>()));
    if let Some(listener) = listeners.loopback_http {
        let mut server = axum_server::from_tcp(listener)?.acceptor(gate.clone()).handle(handle.clone());
        policy.configure(server.http_builder());
        servers.spawn(server.serve(app.clone().into_make_service_with_connect_info::<SocketAddr>()));
    }
    if let Some(listener) = listeners.redirect {
        let mut server = axum_server::from_tcp(listener)?.acceptor(gate.clone()).handle(handle.clone());
        policy.configure(server.http_builder());
        servers.spawn(server.serve(http::redirect::router(https_port).into_make_service()));
    }
    if let (Some(listener), Some(exporter)) = (listeners.metrics, &exporter) {
        let mut server = axum_server::from_tcp(listener)?.acceptor(gate.clone()).handle(handle.clone());
        policy.configure(server.http_builder());
        let metrics = http::prometheus::loopback_app(state.clone(), Arc::clone(exporter));
        servers.spawn(server.serve(metrics.into_make_service()));
    }
    let stop_maintenance = Arc::new(tokio::sync::Notify::new());
    let maintenance = tokio::spawn(maintain(state.clone(), Arc::clone(&stop_maintenance)));
    let stop_admin = Arc::new(tokio::sync::Notify::new());
    let admin = listeners.admin.map(|socket| tokio::spawn(socket.serve(state.clone(), Arc::clone(&stop_admin))));
    let grace = Duration::from_secs(state.config().server.shutdown_grace_secs);
    let watcher = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(grace_secs = grace.as_secs(), "shutting down: finishing requests in flight");
        watcher.graceful_shutdown(Some(grace));
    });
    let mut result = Ok(());
    while let Some(joined) = servers.join_next().await {
        if let Ok(Err(error)) = joined {
            tracing::error!(%error, "a listener failed");
            handle.shutdown();
            result = Err(error);
        }
    }
    stop_maintenance.notify_one();
    let _ = maintenance.await;
    // Commands from the command line stop before the databases close.
    stop_admin.notify_one();
    if let Some(admin) = admin {
        let _ = admin.await;
    }
    state.refusals().flush(state.clock().now()).await;
    state.registry().close_all().await;
    tracing::info!("all databases closed");
    result
}
