//! What one client can hold open, on every listener (HTTPS, the HTTP
//! redirect, the loopback HTTP): a cap on connections per address and in
//! total, a deadline for the TLS handshake and for each HTTP/1 request's
//! headers, and an idle timeout for HTTP/1 and HTTP/2 alike.
//!
//! The idle timeout is enforced on the socket ([`Guarded`]): a connection on
//! which nothing is read or written for `server.idle_timeout_secs` is closed,
//! whatever protocol runs on it, so a client that connects and sends nothing
//! (or stops halfway) lets go of its slot. It is longer than a request may
//! take, so a slow handler is never cut off. Long-lived responses (the live
//! monitor's server-sent events, a later feature) must therefore send
//! something, a comment line or a keep-alive event, well inside the idle
//! timeout, or the connection is closed under them. HTTP/2 PING keep-alives
//! stay off: they would count as traffic and keep idle connections open.
//!
//! Addresses are counted as the rate limits count them (IPv6 by /64);
//! trusted reverse proxies, which carry many people's connections, are held
//! only to the total.

use std::collections::HashMap;
use std::future::Ready;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use crate::auth::rate_limit::address_group;
use crate::config::ServerConfig;

/// File descriptors kept free for databases, logs and the listeners.
const RESERVED_FILES: u64 = 512;

/// The limits and timeouts of one server's listeners.
#[derive(Debug, Clone)]
pub struct ConnectionPolicy {
    /// TLS handshake and HTTP/1 header deadline.
    pub header_read_timeout: Duration,
    /// Nothing read or written for this long closes a connection.
    pub idle_timeout: Duration,
    /// Open connections in total.
    pub max_total: usize,
    /// Open connections per address.
    pub max_per_address: usize,
    /// Addresses held only to the total (trusted proxies).
    pub exempt: Vec<IpAddr>,
}

impl ConnectionPolicy {
    /// The policy of `config`, with the total kept below `open_files`
    /// (the process's file limit) when it is known.
    #[must_use]
    pub fn from_config(config: &ServerConfig, open_files: Option<u64>) -> Self {
        let room = open_files.map_or(usize::MAX, |limit| {
            usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX).max(1)
        });
        Self {
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            max_total: config.max_connections.min(room),
            max_per_address: config.max_connections_per_address,
            exempt: config.trusted_proxies.clone(),
        }
    }

    /// Applies the HTTP timeouts to a listener's connection builder.
    pub fn configure(&self, builder: &mut Builder<TokioExecutor>) {
        builder.http1().timer(TokioTimer::new()).header_read_timeout(self.header_read_timeout).keep_alive(true);
        builder.http2().timer(TokioTimer::new()).keep_alive_interval(None);
    }
}

/// Raises the soft limit on open files to the hard limit (a server holds a
/// socket per connection; the usual soft limit of 1,024 is an exam hall)
/// and returns the limit in effect.
#[must_use]
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        limit.current = limit.maximum;
        if let Err(error) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!(%error, "could not raise the open-file limit");
        }
    }
    getrlimit(Resource::Nofile).current
}

#[derive(Debug)]
struct Counts {
    policy: ConnectionPolicy,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// Admits connections within the caps and wraps them with the idle
/// timeout; an acceptor for every listener of one server (clones share the
/// counts).
#[derive(Debug, Clone)]
pub struct Gate {
    counts: Arc<Counts>,
}

impl Gate {
    /// A gate enforcing `policy`.
    #[must_use]
    pub fn new(policy: ConnectionPolicy) -> Self {
        Self { counts: Arc::new(Counts { policy, open: Mutex::new((0, HashMap::new())) }) }
    }

    /// Connections open now.
    #[must_use]
    pub fn open(&self) -> usize {
        self.counts.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0
    }

    fn admit(&self, peer: IpAddr) -> Option<Slot> {
        let policy = &self.counts.policy;
        let group = (!policy.exempt.contains(&peer)).then(|| address_group(peer));
        let mut open = self.counts.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if open.0 >= policy.max_total {
            return None;
        }
        if let Some(group) = group {
            let mine = open.1.entry(group).or_insert(0);
            if *mine >= policy.max_per_address {
                return None;
            }
            *mine += 1;
        }
        open.0 += 1;
        Some(Slot { counts: Arc::clone(&self.counts), group })
    }
}

impl<S> Accept<TcpStream, S> for Gate {
    type Stream = Guarded<TcpStream>;
    type Service = S;
    type Future = Ready<io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream.peer_addr().and_then(|peer| {
            let slot = self.admit(peer.ip()).ok_or_else(|| {
                tracing::debug!(peer = %peer.ip(), "connection refused: too many open");
                io::Error::other("too many open connections")
            })?;
            stream.set_nodelay(true)?;
            Ok((Guarded::new(stream, slot, self.counts.policy.idle_timeout), service))
        });
        std::future::ready(admitted)
    }
}

/// One admitted connection's place in the counts, given back when dropped.
#[derive(Debug)]
struct Slot {
    counts: Arc<Counts>,
    group: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        open.0 = open.0.saturating_sub(1);
        if let Some(group) = self.group
            && let Some(mine) = open.1.get_mut(&group)
        {
            *mine -= 1;
            if *mine == 0 {
                open.1.remove(&group);
            }
        }
    }
}

/// A socket that fails with `TimedOut` once nothing has been read or
/// written on it for the idle timeout, and holds its slot until dropped.
#[derive(Debug)]
pub struct Guarded<T> {
    io: T,
    _slot: Slot,
    idle: Duration,
    last_active: Instant,
    timer: Pin<Box<Sleep>>,
}

impl<T> Guarded<T> {
    fn new(io: T, slot: Slot, idle: Duration) -> Self {
        let now = Instant::now();
        Self { io, _slot: slot, idle, last_active: now, timer: Box::pin(tokio::time::sleep_until(now + idle)) }
    }

    /// Called when the socket is not ready: `Pending` (with the timer armed
    /// to wake the task) until the idle deadline passes, then the error.
    fn poll_idle<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        loop {
            let deadline = self.last_active + self.idle;
            if self.timer.deadline() != deadline {
                self.timer.as_mut().reset(deadline);
            }
            match self.timer.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) if Instant::now() >= self.last_active + self.idle => {
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "connection idle too long")));
                }
                Poll::Ready(()) => {}
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.last_active = Instant::now();
                }
                Poll::Ready(result)
            }
            Poll::Pending => self.poll_idle(cx),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, data) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    self.last_active = Instant::now();
                }
                Poll::Ready(result)
            }
            Poll::Pending => self.poll_idle(cx),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write_vectored(cx, data) {
            Poll::Ready(result) => {
                if matches!(result, Ok(n) if n > 0) {
                    self.last_active = Instant::now();
                }
                Poll::Ready(result)
            }
            Poll::Pending => self.poll_idle(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.io).poll_flush(cx) {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => self.poll_idle(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
