//! The shared state of a running server: configuration, the open
//! databases, the clock, the notice bus and the bounded pools every request
//! may draw on. Handlers, services and background jobs reach it; it imports
//! none of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::auth::device::DeviceCookies;
use crate::auth::hasher::HashPool;
use crate::auth::in_flight::InFlight;
use crate::auth::rate_limit::RateLimiter;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::domain::UserId;
use crate::notices::Bus;
use crate::presence::{Presence, Viewings};
use crate::store::audit::refusals::Refusals;
use crate::store::keys::MasterKey;
use crate::store::platform::Platform;
use crate::store::registry::Registry;
use crate::store::{OpenOptions, StoreError};
use crate::stream_slots::StreamSlots;
use crate::summaries::Summaries;

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
    passwords: HashPool,
    devices: DeviceCookies,
    refusals: Refusals,
    password_changes: InFlight,
    notices: Bus,
    presence: Presence,
    viewings: Viewings,
    monitor_streams: Arc<tokio::sync::Semaphore>,
    similarity_runs: Arc<tokio::sync::Semaphore>,
    exports: StreamSlots<crate::domain::OrgId>,
    announced: Bus,
    announcement_streams: StreamSlots<UserId>,
    summaries: Summaries,
    /// Held while the doctor's checks run: one run at a time.
    doctor_turn: Arc<tokio::sync::Mutex<()>>,
    /// The appliance's signing key, read once from `platform.db`.
    signing: tokio::sync::OnceCell<Arc<crate::signing::SigningKey>>,
}

/// The most live-monitor streams the server keeps open at once: each holds
/// a connection and reads a row per notice of its exam.
pub const MAX_MONITOR_STREAMS: usize = 256;

/// The most exports the server streams at once: each holds one of its
/// organization's read connections (and a read snapshot) for as long as its
/// download takes, so the others stay free for the pages.
pub const MAX_EXPORTS: usize = 4;

/// The most exports one organization streams at once: a slow download in
/// one organization never keeps another's from starting.
pub const MAX_EXPORTS_PER_ORG: usize = 1;

/// The most announcement streams the server keeps open at once (one per
/// student's exam page; over HTTP/2 each shares the page's connection).
pub const MAX_ANNOUNCEMENT_STREAMS: usize = 10_000;

/// The most announcement streams one person keeps open (a page, a reload
/// still closing, a second tab).
pub const MAX_ANNOUNCEMENT_STREAMS_PER_PERSON: usize = 3;

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
            background_checkpoints: config.storage.background_checkpoints,
        };
        let platform = Platform::open(&config.data(), Arc::new(master), options)?;
        let passwords = HashPool::start(config.auth.hash_threads, config.auth.hash_queue, config.auth.hash_niceness);
        let inner = Inner {
            config,
            registry: Registry::new(platform),
            clock,
            ready: AtomicBool::new(false),
            limiter: RateLimiter::default(),
            passwords,
            devices: DeviceCookies::default(),
            refusals: Refusals::default(),
            password_changes: InFlight::default(),
            notices: Bus::default(),
            presence: Presence::default(),
            viewings: Viewings::default(),
            monitor_streams: Arc::new(tokio::sync::Semaphore::new(MAX_MONITOR_STREAMS)),
            // A similarity run uses every core: one at a time, the others wait their turn.
            similarity_runs: Arc::new(tokio::sync::Semaphore::new(1)),
            exports: StreamSlots::new(MAX_EXPORTS, MAX_EXPORTS_PER_ORG),
            // Its own bus: a student's stream wakes for announcements, never for saves.
            announced: Bus::default(),
            announcement_streams: StreamSlots::new(MAX_ANNOUNCEMENT_STREAMS, MAX_ANNOUNCEMENT_STREAMS_PER_PERSON),
            summaries: Summaries::default(),
            doctor_turn: Arc::new(tokio::sync::Mutex::new(())),
            signing: tokio::sync::OnceCell::new(),
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

    /// Held while the doctor's checks run ([`crate::service::doctor`]).
    #[must_use]
    pub fn doctor_turn(&self) -> &Arc<tokio::sync::Mutex<()>> {
        &self.inner.doctor_turn
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

    /// The password hashing threads: every hash and check of a request
    /// runs there, in bounded memory.
    #[must_use]
    pub fn passwords(&self) -> &HashPool {
        &self.inner.passwords
    }

    /// Issues and checks the device cookies of sign-in.
    #[must_use]
    pub fn devices(&self) -> &DeviceCookies {
        &self.inner.devices
    }

    /// Refusals gathered for the audit log (flushed on a timer).
    #[must_use]
    pub fn refusals(&self) -> &Refusals {
        &self.inner.refusals
    }

    /// Password changes in flight, one per user.
    #[must_use]
    pub fn password_changes(&self) -> &InFlight {
        &self.inner.password_changes
    }

    /// The bus on which services publish what they committed.
    #[must_use]
    pub fn notices(&self) -> &Bus {
        &self.inner.notices
    }

    /// The permits of the live-monitor streams ([`MAX_MONITOR_STREAMS`]).
    #[must_use]
    pub fn monitor_streams(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.inner.monitor_streams
    }

    /// The turns of exports ([`MAX_EXPORTS`] at a time, [`MAX_EXPORTS_PER_ORG`] per organization).
    #[must_use]
    pub fn exports(&self) -> &StreamSlots<crate::domain::OrgId> {
        &self.inner.exports
    }

    /// The turns of similarity runs (one at a time).
    #[must_use]
    pub fn similarity_runs(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.inner.similarity_runs
    }

    /// The bus of announcements alone: what students' exam pages listen to.
    #[must_use]
    pub fn announced(&self) -> &Bus {
        &self.inner.announced
    }

    /// The appliance's signing key (made the first time, as `init` does).
    ///
    /// # Errors
    /// Storage errors, or a master key that does not open the stored seed.
    pub async fn signing_key(&self) -> Result<Arc<crate::signing::SigningKey>, crate::store::StoreError> {
        let key = self
            .inner
            .signing
            .get_or_try_init(|| async {
                self.registry().platform().signing_key(self.clock().now()).await.map(Arc::new)
            })
            .await?;
        Ok(Arc::clone(key))
    }

    /// What the monitor shows of each attempt's log ([`crate::summaries`]).
    #[must_use]
    pub fn summaries(&self) -> &Summaries {
        &self.inner.summaries
    }

    /// Places for students' announcement streams, bounded in all and per person.
    #[must_use]
    pub fn announcement_streams(&self) -> &StreamSlots<UserId> {
        &self.inner.announcement_streams
    }

    /// Staff viewings of attempts, audited once each ([`crate::presence::Viewings`]).
    #[must_use]
    pub fn viewings(&self) -> &Viewings {
        &self.inner.viewings
    }

    /// When each attempt's browser was last heard ([`crate::presence`]).
    #[must_use]
    pub fn presence(&self) -> &Presence {
        &self.inner.presence
    }
}
