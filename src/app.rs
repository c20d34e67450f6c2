//! The application: its shared state, its router, and the listeners that
//! serve it until shutdown.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

use crate::auth::rate_limit::RateLimiter;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::http::{self, HttpLimits};
use crate::store::keys::MasterKey;
use crate::store::platform::Platform;
use crate::store::registry::Registry;
use crate::store::{OpenOptions, StoreError};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    registry: Registry,
    clock: SharedClock,
    ready: AtomicBool,
    limiter: RateLimiter,
    hashing: tokio::sync::Semaphore,
}

impl AppState {
    /// Opens `platform.db`; organizations open with [`AppState::open_organizations`].
    ///
    /// # Errors
    /// A missing or undecryptable platform database.
    pub fn open(config: Config, master: MasterKey, clock: SharedClock) -> Result<Self, StoreError> {
        let options = OpenOptions {
            create: false,
            readers: config.storage.read_connections,
            batch_limit: config.storage.write_batch_limit,
        };
        let platform = Platform::open(&config.data(), Arc::new(master), options)?;
        let inner = Inner {
            config,
            registry: Registry::new(platform),
            clock,
            ready: AtomicBool::new(false),
            limiter: RateLimiter::default(),
            hashing: tokio::sync::Semaphore::new(hashing_slots()),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Opens and migrates every active organization, then reports ready.
    ///
    /// # Errors
    /// The first organization that fails to open; the server stays not-ready.
    pub async fn open_organizations(&self) -> Result<usize, StoreError> {
        let count = self.inner.registry.open_all().await?;
        self.inner.ready.store(true, Ordering::Release);
        Ok(count)
    }

    /// Whether every database is open.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::Acquire)
    }

    /// The configuration in effect.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The open databases.
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    /// Attempt limits for sign-in and link redemption.
    #[must_use]
    pub fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// Runs a password hash or check off the async threads, at most a few at
    /// a time: each takes 19 MiB and tens of milliseconds, so a flood of
    /// sign-ins queues here instead of exhausting memory.
    ///
    /// # Errors
    /// When the hashing task panicked.
    pub async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, crate::error::AppError> {
        let internal = |e: Box<dyn std::error::Error + Send + Sync>| crate::error::AppError::Internal(e);
        let _slot = self.inner.hashing.acquire().await.map_err(|e| internal(Box::new(e)))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| internal(Box::new(e)))
    }

    fn limits(&self) -> HttpLimits {
        HttpLimits {
            max_body_bytes: self.config().server.max_body_bytes,
            request_timeout: Duration::from_secs(self.config().server.request_timeout_secs),
        }
    }
}

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
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        let now = state.clock().now();
        for db in state.registry().open_orgs().await {
            match db.write(move |conn| crate::store::attempts::submit_overdue(conn, now)).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "submitted attempts at their deadline"),
                Err(crate::store::StoreError::Closed) => return,
                Err(error) => tracing::error!(%error, "could not submit overdue attempts"),
            }
        }
    }
}

/// Concurrent password hashes: two per core.
fn hashing_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
}

/// The whole application: routes inside the shared middleware.
pub fn router(state: &AppState) -> Router {
    http::with_layers(http::routes::router(state.clone()), state.limits())
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
}

impl Listeners {
    /// Binds the addresses of `config` (with `https` overriding `server.listen`).
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
        })
    }
}

/// Serves until `shutdown` completes, then lets requests in flight finish
/// (up to `server.shutdown_grace_secs`) and closes every database after its
/// queued writes are durable.
///
/// # Errors
/// When a listener fails.
pub async fn serve(
    listeners: Listeners,
    tls: Arc<rustls::ServerConfig>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(&state);
    let handle: Handle<SocketAddr> = Handle::new();
    let https_port = listeners.https.local_addr()?.port();
    let mut servers = tokio::task::JoinSet::new();
    let https = axum_server::from_tcp_rustls(listeners.https, RustlsConfig::from_config(tls))?
        .handle(handle.clone())
        .serve(app.clone().into_make_service_with_connect_info::<SocketAddr>());
    servers.spawn(https);
    if let Some(listener) = listeners.loopback_http {
        let server = axum_server::from_tcp(listener)?
            .handle(handle.clone())
            .serve(app.clone().into_make_service_with_connect_info::<SocketAddr>());
        servers.spawn(server);
    }
    if let Some(listener) = listeners.redirect {
        let server = axum_server::from_tcp(listener)?
            .handle(handle.clone())
            .serve(http::redirect::router(https_port).into_make_service());
        servers.spawn(server);
    }
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
    state.registry().close_all().await;
    tracing::info!("all databases closed");
    result
}
