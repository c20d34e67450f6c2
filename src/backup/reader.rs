//! Reading a bundle back and checking it whole: decryption, every layer of
//! the stream, every member against the manifest, and the manifest's
//! signature by a trusted key. Each way a bundle can be wrong has its own
//! error, so the command line can say which.

use std::collections::BTreeMap;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::{FORMAT_NAME, FORMAT_VERSION, MANIFEST, Manifest, SIGNATURE};
use crate::signing::PublicKey;

/// The largest manifest or signature member read (a manifest of an
/// organization with many thousands of members stays far below).
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not an age file at all.
    #[error("not an age-encrypted examhall bundle: {0}")]
    NotAge(String),
    /// None of the identities is a recipient of the file.
    #[error("none of the given identities can decrypt this bundle (it was encrypted to other recipients)")]
    WrongIdentity,
    /// The stream ends early or its content was changed.
    #[error("the bundle is damaged or cut short: {0}")]
    Damaged(String),
    /// No manifest, or no signature.
    #[error("the bundle has no {0}: it was not made by examhall, or it was cut short")]
    Missing(&'static str),
    /// A format this build does not read.
    #[error(
        "the bundle's format version {found} is newer than this examhall reads ({FORMAT_VERSION}); upgrade examhall"
    )]
    NewerFormat {
        /// The bundle's.
        found: u32,
    },
    /// The signature does not match the manifest.
    #[error("the manifest's signature is not valid: the manifest was changed after it was signed")]
    BadSignature,
    /// A valid signature by a key this appliance does not trust.
    #[error("the bundle was signed by a key this appliance does not know (fingerprint {fingerprint})")]
    UntrustedKey {
        /// The SHA-256 of the key that signed.
        fingerprint: String,
    },
    /// The members do not match the manifest.
    #[error("the bundle's members do not match its manifest: {0}")]
    Mismatch(String),
}

/// Why going through a bundle's rows stopped.
#[derive(Debug, thiserror::Error)]
pub enum RowsError<E> {
    /// The bundle (it changed since it was checked, or cannot be read).
    #[error(transparent)]
    Bundle(#[from] ReadError),
    /// What the caller's `each` returned.
    #[error(transparent)]
    Each(E),
}

/// A bundle that passed every check.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Its manifest.
    pub manifest: Manifest,
    /// The key that signed it.
    pub signed_by: PublicKey,
}

/// What was found of one data member.
struct Seen {
    rows: u64,
    bytes: u64,
    sha256: String,
}

/// Decrypts `input` with `identities` and checks the bundle against
/// `trusted` keys, touching nothing else.
///
/// # Errors
/// What was wrong, as a [`ReadError`].
pub fn read(
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    trusted: &[PublicKey],
) -> Result<Opened, ReadError> {
    let decryptor = age::Decryptor::new(input).map_err(|e| ReadError::NotAge(e.to_string()))?;
    let decrypted =
        decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity)).map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => ReadError::WrongIdentity,
            other => ReadError::Damaged(other.to_string()),
        })?;
    let decompressed = zstd::stream::read::Decoder::new(decrypted).map_err(damaged)?;
    let mut archive = tar::Archive::new(decompressed);
    let (mut seen, mut manifest, mut signature) = (BTreeMap::new(), None, None);
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        match name.as_str() {
            MANIFEST => manifest = Some(small(&mut entry)?),
            SIGNATURE => signature = Some(small(&mut entry)?),
            _ => {
                if seen.insert(name.clone(), scan(&mut entry)?).is_some() {
                    return Err(ReadError::Mismatch(format!("{name} appears twice")));
                }
            }
        }
    }
    let manifest_bytes = manifest.ok_or(ReadError::Missing("manifest.json"))?;
    let signature = signature.ok_or(ReadError::Missing("signature (manifest.json.sig)"))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| ReadError::Damaged(format!("manifest.json is not a manifest: {e}")))?;
    if manifest.format != FORMAT_NAME {
        return Err(ReadError::Damaged(format!("manifest.json names format {:?}", manifest.format)));
    }
    if manifest.format_version > FORMAT_VERSION {
        return Err(ReadError::NewerFormat { found: manifest.format_version });
    }
    let signer = PublicKey(
        hex::decode(&manifest.signing_key)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(ReadError::BadSignature)?,
    );
    if !signer.verifies(&manifest_bytes, &signature) {
        return Err(ReadError::BadSignature);
    }
    if !trusted.contains(&signer) {
        return Err(ReadError::UntrustedKey { fingerprint: signer.fingerprint() });
    }
    check_members(&manifest, &seen)?;
    Ok(Opened { manifest, signed_by: signer })
}

#[allow(clippy::needless_pass_by_value, reason = "used as `map_err(damaged)`")]
fn damaged(error: io::Error) -> ReadError {
    ReadError::Damaged(error.to_string())
}

/// Reads a small member whole.
fn small(entry: &mut impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    entry.take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes).map_err(damaged)?;
    Ok(bytes)
}

/// Hashes a data member and counts its lines, streaming.
fn scan(entry: &mut impl Read) -> Result<Seen, ReadError> {
    let (mut hash, mut rows, mut bytes) = (Sha256::new(), 0, 0);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = entry.read(&mut buffer).map_err(damaged)?;
        if read == 0 {
            break;
        }
        hash.update(&buffer[..read]);
        rows += buffer[..read].iter().fold(0, |lines, byte| lines + u64::from(*byte == b'\n'));
        bytes += read as u64;
    }
    Ok(Seen { rows, bytes, sha256: hex::encode(hash.finalize()) })
}

/// Every member the manifest lists is there, as listed, and nothing else is.
fn check_members(manifest: &Manifest, seen: &BTreeMap<String, Seen>) -> Result<(), ReadError> {
    for member in &manifest.members {
        let Some(found) = seen.get(&member.name) else {
            return Err(ReadError::Mismatch(format!("{} is listed but missing", member.name)));
        };
        if found.sha256 != member.sha256 || found.bytes != member.bytes {
            return Err(ReadError::Mismatch(format!("{} is not the member the manifest lists", member.name)));
        }
        if found.rows != member.rows {
            return Err(ReadError::Mismatch(format!(
                "{} holds {} rows, the manifest says {}",
                member.name, found.rows, member.rows
            )));
        }
    }
    if let Some(extra) = seen.keys().find(|name| !manifest.members.iter().any(|m| &m.name == *name)) {
        return Err(ReadError::Mismatch(format!("{extra} is not listed in the manifest")));
    }
    Ok(())
}

/// Calls `each` with every row of a bundle [`read`] has checked, member by
/// member in the bundle's order, each row a JSON object. Each member's hash
/// is checked again before its rows are given, so a file changed since the
/// check stops here (the caller's transaction then rolls back).
///
/// # Errors
/// The bundle's, or the first error of `each`.
pub fn for_each_row<E>(
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    manifest: &Manifest,
    mut each: impl FnMut(&str, serde_json::Map<String, serde_json::Value>) -> Result<(), E>,
) -> Result<(), RowsError<E>> {
    let decryptor = age::Decryptor::new(input).map_err(|e| ReadError::NotAge(e.to_string()))?;
    let decrypted = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| ReadError::Damaged(e.to_string()))?;
    let decompressed = zstd::stream::read::Decoder::new(decrypted).map_err(damaged)?;
    let mut archive = tar::Archive::new(decompressed);
    for entry in archive.entries().map_err(damaged)? {
        let entry = entry.map_err(damaged)?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        let Some(member) = manifest.members.iter().find(|m| m.name == name) else { continue };
        let mut bytes = Vec::new();
        entry.take(member.bytes + 1).read_to_end(&mut bytes).map_err(damaged)?;
        if hex::encode(Sha256::digest(&bytes)) != member.sha256 {
            return Err(ReadError::Mismatch(format!("{name} changed since the bundle was checked")).into());
        }
        for line in bytes.split(|b| *b == b'\n').filter(|line| !line.is_empty()) {
            let row: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(line)
                .map_err(|e| ReadError::Damaged(format!("a row of {name} is not a JSON object: {e}")))?;
            each(&member.table, row).map_err(RowsError::Each)?;
        }
    }
    Ok(())
}
