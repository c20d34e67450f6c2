//! Wire types more than one route sends. Store rows never go on the wire
//! by themselves being `Serialize`d here: each type says what the API shows.

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
