//! `examhall receipt verify`: whether this appliance (or the one whose key
//! is given) signed a student's receipt. The student's receipt page shows
//! the receipt's SHA-256 and the signature; that is all it takes.
//!
//! The same check with standard tools, given the appliance's `signing.pub`:
//!
//! ```text
//! printf 'examhall-receipt-sha256:%s' SHA256 > message
//! printf '%s' SIGNATURE | xxd -r -p > signature
//! openssl pkeyutl -verify -pubin -inkey signing.pub -rawin -in message -sigfile signature
//! ```
//!
//! Exit codes: 0 signed by a trusted key; 4 not (a changed hash, another
//! key, a signature that is not one); 1 anything else.

use std::path::PathBuf;

use super::CliError;
use crate::config::Config;
use crate::signing::receipt_message;

/// Receipt commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check a receipt's signature: the SHA-256 and the signature its page shows.
    Verify {
        /// The receipt's SHA-256, as its page shows it.
        #[arg(long, value_name = "HEX")]
        sha256: String,
        /// The signature, as its page shows it.
        #[arg(long, value_name = "HEX")]
        signature: String,
        /// Trust this appliance public key (another appliance's signing.pub) instead of this data directory's keys.
        #[arg(long, value_name = "PEM")]
        trust_key: Option<PathBuf>,
    },
}

/// Runs a receipt command.
pub async fn run(config: &Config, command: &Command) -> Result<(), CliError> {
    let Command::Verify { sha256, signature, trust_key } = command;
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CliError::new("--sha256 is the receipt's SHA-256: 64 hexadecimal characters"));
    }
    let signature: String = signature.chars().filter(|c| !c.is_whitespace()).collect();
    let signature = hex::decode(&signature)
        .ok()
        .filter(|bytes| bytes.len() == 64)
        .ok_or_else(|| CliError::new("--signature is the receipt's signature: 128 hexadecimal characters"))?;
    let keys = super::keys::trusted(config, trust_key.as_deref()).await?;
    let message = receipt_message(&sha256);
    match keys.iter().find(|key| key.verifies(&message, &signature)) {
        Some(key) => {
            println!("the receipt {sha256} was signed by the key with SHA-256 {}", key.fingerprint());
            Ok(())
        }
        None => Err(CliError::new(format!("the signature does not match the receipt {sha256} under any trusted key"))
            .hint("check the hash and signature as the receipt page shows them; for a receipt of another appliance, pass its signing.pub with --trust-key")
            .exit_code(4)),
    }
}
