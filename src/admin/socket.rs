//! The server's end of the admin socket.
//!
//! Bounded like everything a connection can make the server spend: at
//! most [`MAX_CONNECTIONS`] commands at once, one request line of at most
//! [`MAX_REQUEST_BYTES`], read within [`READ_TIMEOUT`]. Only the server's
//! own user (or root) may connect: the socket file is owner-only, in the
//! owner-only data directory, and the peer's uid is checked as well.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Notify, Semaphore};

use super::{Failure, Reply, Request, execute};
use crate::state::AppState;
use crate::store::audit::Actor;

/// Commands carried out at once; more connections are told to wait.
pub const MAX_CONNECTIONS: usize = 4;
/// The largest request line.
pub const MAX_REQUEST_BYTES: u64 = 64 * 1024;
/// How long a connection may take to send its request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for the commands in flight.
pub const FINISH_TIMEOUT: Duration = Duration::from_secs(60);
/// The pause after a failed accept.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// A bound admin socket, removed when dropped.
pub struct AdminSocket {
    listener: UnixListener,
    path: PathBuf,
}

impl AdminSocket {
    /// Binds `path`, replacing a socket a stopped server left behind (the
    /// caller holds the data directory, so no live server owns it).
    ///
    /// # Errors
    /// When the socket cannot be bound or made owner-only.
    pub fn bind(path: &Path) -> std::io::Result<Self> {
        match std::fs::remove_file(path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        Ok(Self { listener, path: path.to_owned() })
    }

    /// Takes commands until `stop` is notified, then waits (up to
    /// [`FINISH_TIMEOUT`]) for the commands in flight, so none runs after
    /// the databases close.
    pub async fn serve(self, state: AppState, stop: Arc<Notify>) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut in_flight = tokio::task::JoinSet::new();
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                () = stop.notified() => break,
            };
            // Reap finished commands so the set stays small.
            while in_flight.try_join_next().is_some() {}
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(%error, "the admin socket could not accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let (state, slots) = (state.clone(), Arc::clone(&slots));
            in_flight.spawn(async move {
                let Ok(_slot) = slots.try_acquire() else {
                    let busy = Failure::new("the server is carrying out other commands", Some("try again in a moment"));
                    let _ = answer(stream, &Reply::Failed(busy)).await;
                    return;
                };
                serve_one(stream, &state).await;
            });
        }
        let finishing = async { while in_flight.join_next().await.is_some() {} };
        if tokio::time::timeout(FINISH_TIMEOUT, finishing).await.is_err() {
            tracing::error!("admin commands still running at shutdown were stopped");
            in_flight.abort_all();
        }
    }
}

impl Drop for AdminSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn serve_one(mut stream: UnixStream, state: &AppState) {
    let Ok(peer) = stream.peer_cred() else { return };
    let own = rustix::process::geteuid().as_raw();
    if peer.uid() != own && peer.uid() != 0 {
        tracing::warn!(uid = peer.uid(), "refused an admin socket connection from another user");
        return;
    }
    let mut line = String::new();
    let mut reader = BufReader::new(&mut stream).take(MAX_REQUEST_BYTES);
    let read = tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line)).await;
    drop(reader);
    let reply = match read {
        Ok(Ok(_)) => match serde_json::from_str::<Request>(&line) {
            Ok(request) => {
                let actor = Actor::command_line_through_server(peer.uid(), request.login.as_deref());
                tracing::info!(actor = %actor.label, "admin command");
                match execute(state, actor, request.command).await {
                    Ok(outcome) => Reply::Done(outcome),
                    Err(failure) => Reply::Failed(failure),
                }
            }
            Err(error) => Reply::Failed(Failure::new(format!("the request is malformed: {error}"), None)),
        },
        Ok(Err(_)) | Err(_) => return,
    };
    let _ = answer(stream, &reply).await;
}

async fn answer(mut stream: UnixStream, reply: &Reply) -> std::io::Result<()> {
    let mut text = serde_json::to_vec(reply).map_err(std::io::Error::other)?;
    text.push(b'\n');
    stream.write_all(&text).await?;
    stream.shutdown().await
}
