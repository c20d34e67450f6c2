//! What a service refuses, beyond what storage refuses.

use crate::store::StoreError;

/// Why a service did not do what was asked. HTTP maps each variant to one
/// problem type (`crate::error`); the command line to one message.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// From storage: not found, taken, invalid, wrong state, or a failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The exam is bound to another browser, and this one does not hold its secret.
    #[error("this exam is open on another computer or browser; ask a proctor if that was not you")]
    OtherDevice,
    /// A save batch that does not continue the log; resend from `acked_seq + 1`.
    #[error("the batch does not continue the saved changes")]
    SequenceGap {
        /// Every item up to this sequence number is durable.
        acked_seq: i64,
    },
    /// The attempt has stored as much as an attempt may.
    #[error("the attempt's storage quota is used up")]
    SaveQuota,
    /// The server is doing as much of this work as it does at once.
    #[error("the server is busy; try again in a moment")]
    Busy {
        /// Seconds until a retry is likely to be served.
        retry_after_secs: u64,
    },
}
