//! The command line's end: send the command to the running server, or,
//! when none runs, hold the data directory and carry it out here.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use super::{Command, Failure, Outcome, Reply, Request, execute};
use crate::config::Config;
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::data_dir::LockError;

/// How long the command line waits for the server's answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);
/// The largest answer the command line reads.
const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// Carries out `command` in the one process that writes to the data
/// directory of `config`.
///
/// # Errors
/// What was wrong, and what to do.
pub async fn submit(config: &Config, command: Command) -> Result<Outcome, Failure> {
    let data = config.data();
    if !data.platform_db().exists() {
        return Err(Failure::new(
            format!("{} is not initialised", data.root().display()),
            Some(&format!("run: examhall init --data-dir {}", data.root().display())),
        ));
    }
    match UnixStream::connect(data.admin_socket()).await {
        Ok(stream) => through_server(stream, command).await,
        Err(_) => in_process(config, command).await,
    }
}

async fn through_server(mut stream: UnixStream, command: Command) -> Result<Outcome, Failure> {
    let lost = |error: std::io::Error| {
        Failure::new(
            format!("the running server did not answer on its admin socket: {error}"),
            Some("check the server's log; the command may or may not have been carried out"),
        )
    };
    let request = Request { login: std::env::var("USER").ok(), command };
    let mut line = serde_json::to_vec(&request).map_err(|e| lost(std::io::Error::other(e)))?;
    line.push(b'\n');
    stream.write_all(&line).await.map_err(lost)?;
    let mut answer = String::new();
    let mut reader = BufReader::new(stream).take(MAX_ANSWER_BYTES);
    match tokio::time::timeout(ANSWER_TIMEOUT, reader.read_line(&mut answer)).await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => return Err(lost(error)),
        Err(_) => return Err(lost(std::io::ErrorKind::TimedOut.into())),
    }
    match serde_json::from_str::<Reply>(&answer) {
        Ok(Reply::Done(outcome)) => Ok(outcome),
        Ok(Reply::Failed(failure)) => Err(failure),
        Err(error) => Err(lost(std::io::Error::other(error))),
    }
}

async fn in_process(config: &Config, command: Command) -> Result<Outcome, Failure> {
    let data = config.data();
    let lock = data.lock().map_err(|error| match error {
        LockError::Held { dir } => Failure::new(
            format!("another examhall process holds {} and does not answer on its admin socket", dir.display()),
            Some("a server may be starting or stopping; try again in a moment"),
        ),
        other @ LockError::Io { .. } => Failure::new(other.to_string(), None),
    })?;
    let master = crate::store::master_rotation::load(&data, &config.master_key_file(), Some(&lock))
        .map_err(|e| Failure::new(e.to_string(), None))?;
    let clock = crate::clock::from_env().map_err(|message| Failure::new(message, None))?;
    let state = AppState::open(config.clone(), master, clock)?;
    let outcome = execute(&state, Actor::command_line(), command).await;
    state.registry().close_all().await;
    outcome
}
