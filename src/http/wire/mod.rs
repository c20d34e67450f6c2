//! What the API sends: one type per body, made from store rows, so the
//! wire format is decided here and a store row never goes on the wire by
//! itself (store rows do not implement `Serialize`). The front end's types
//! (`assets/src/api/`) are checked against these bodies by
//! `tests/api/wire_types.rs`.

pub mod announcements;
pub mod attempts;
pub mod backups;
pub mod candidates;
pub mod case_file;
mod case_file_html;
pub mod courses;
pub mod exams;
pub mod grading;
pub mod monitor;
pub mod people;
pub mod policy;
pub mod results;
pub mod retention;
pub mod review;
pub mod roster;
pub mod signals;
pub mod similarity;

use serde::Serialize;

use crate::error::AppError;
use crate::store::attempts::submissions::StoredReceipt;

/// A receipt as the API sends it: the document's exact stored text (so its
/// SHA-256 can be checked against the bytes received), and that SHA-256.
#[derive(Serialize)]
pub struct ReceiptBody {
    receipt: Box<serde_json::value::RawValue>,
    sha256: String,
}

impl ReceiptBody {
    /// The body of `stored`.
    ///
    /// # Errors
    /// An internal error if the stored text is not JSON.
    pub fn of(stored: &StoredReceipt) -> Result<Self, AppError> {
        let receipt = serde_json::value::RawValue::from_string(stored.text.clone())
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok(Self { receipt, sha256: stored.sha256.clone() })
    }
}

/// A receipt as its student gets it: with the appliance's signature of its
/// SHA-256 ([`crate::signing::receipt_message`]), and which key signed.
#[derive(Serialize)]
pub struct SignedReceiptBody {
    #[serde(flatten)]
    body: ReceiptBody,
    /// The Ed25519 signature, in hex; `null` when the receipt could not be
    /// signed now (the key unreadable, or a stored hash that does not match
    /// the stored text): the receipt stands without it.
    signature: Option<String>,
    /// The SHA-256 of the public key that signed (`examhall keys show` prints it).
    signing_key: Option<String>,
}

impl SignedReceiptBody {
    /// `stored`, signed by `key` when there is one and the stored hash is
    /// the hash of the stored text (the appliance vouches only for what it
    /// can check).
    ///
    /// # Errors
    /// An internal error if the stored text is not JSON.
    pub fn of(stored: &StoredReceipt, key: Option<&crate::signing::SigningKey>) -> Result<Self, AppError> {
        use sha2::Digest as _;
        let matches = hex::encode(sha2::Sha256::digest(stored.text.as_bytes())) == stored.sha256;
        let key = key.filter(|_| matches);
        let signature = key.map(|key| hex::encode(key.sign(&crate::signing::receipt_message(&stored.sha256))));
        Ok(Self { body: ReceiptBody::of(stored)?, signature, signing_key: key.map(|key| key.public().fingerprint()) })
    }
}

/// A one-time link as the front end shows it.
#[derive(Serialize)]
pub struct LinkIssued {
    /// The person it is for.
    pub user_id: String,
    /// The path to open: `/link/<realm>.<token>`.
    pub link: String,
    /// When it stops working.
    pub expires_at: String,
}

// Services say why they refused in their own terms; this is their one
// mapping to problem types.
impl From<crate::service::ServiceError> for AppError {
    fn from(error: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError;
        match error {
            ServiceError::Store(store) => store.into(),
            ServiceError::OtherDevice => Self::OtherDevice(error.to_string()),
            ServiceError::SequenceGap { acked_seq } => Self::SequenceGap { acked_seq },
            ServiceError::SaveQuota => Self::SaveQuota,
            ServiceError::Busy { retry_after_secs } => Self::Overloaded { retry_after_secs },
        }
    }
}
