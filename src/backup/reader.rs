//! Reading a bundle back and checking it whole: decryption, every layer of
//! the stream, every member against the manifest, and the manifest's
//! signature by a trusted key. Each way a bundle can be wrong has its own
//! error, so the command line can say which.

use std::collections::BTreeMap;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::{FORMAT_NAME, FORMAT_VERSION, MANIFEST, Manifest, Row, SIGNATURE};
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
    /// The manifest's exact bytes, as signed.
    pub manifest_bytes: Vec<u8>,
    /// The key that signed it.
    pub signed_by: PublicKey,
}

/// What was found of one data member.
struct Seen {
    rows: u64,
    bytes: u64,
    sha256: String,
}

/// The most members a bundle may have: far above any organization's
/// (each holds up to [`super::CHUNK_BYTES`]), and a bound on what a forged
/// file can make the check hold before its signature is known.
const MAX_MEMBERS: usize = 100_000;
/// An Ed25519 signature's length.
const SIGNATURE_BYTES: u64 = 64;

/// The tar entries of a decrypted, decompressed bundle, read raw: a GNU long
/// name or PAX record is not expanded (a forged one could be made huge), so
/// it reads as a member of its own that no manifest lists.
fn entries(
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
) -> Result<tar::Archive<impl Read>, ReadError> {
    let decryptor = age::Decryptor::new(input).map_err(|e| ReadError::NotAge(e.to_string()))?;
    let decrypted =
        decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity)).map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => ReadError::WrongIdentity,
            other => ReadError::Damaged(other.to_string()),
        })?;
    let decompressed = zstd::stream::read::Decoder::new(decrypted).map_err(damaged)?;
    Ok(tar::Archive::new(decompressed))
}

/// The name of a regular member; anything else (a link, a folder, a device) is refused.
fn member_name<R: Read>(entry: &tar::Entry<'_, R>) -> Result<String, ReadError> {
    if entry.header().entry_type() != tar::EntryType::Regular {
        return Err(ReadError::Mismatch("the bundle holds something that is not a plain file".to_owned()));
    }
    Ok(entry.path().map_err(damaged)?.to_string_lossy().into_owned())
}

/// Decrypts `input` with `identities` and checks the bundle against
/// `trusted` keys, touching nothing else. The signature is checked before
/// anything the manifest says is believed.
///
/// # Errors
/// What was wrong, as a [`ReadError`].
pub fn read(
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    trusted: &[PublicKey],
) -> Result<Opened, ReadError> {
    let mut archive = entries(input, identities)?;
    let (mut seen, mut manifest, mut signature) = (BTreeMap::new(), None, None);
    for entry in archive.entries().map_err(damaged)?.raw(true) {
        let mut entry = entry.map_err(damaged)?;
        let name = member_name(&entry)?;
        let slot = match name.as_str() {
            MANIFEST => Some((&mut manifest, MAX_MANIFEST_BYTES)),
            SIGNATURE => Some((&mut signature, SIGNATURE_BYTES)),
            _ => None,
        };
        if let Some((slot, most)) = slot {
            if slot.replace(small(&mut entry, most)?).is_some() {
                return Err(ReadError::Mismatch(format!("{name} appears twice")));
            }
        } else if seen.len() >= MAX_MEMBERS {
            return Err(ReadError::Mismatch(format!("more than {MAX_MEMBERS} members")));
        } else if seen.insert(name.clone(), scan(&mut entry)?).is_some() {
            return Err(ReadError::Mismatch(format!("{name} appears twice")));
        }
    }
    let manifest_bytes = manifest.ok_or(ReadError::Missing("manifest.json"))?;
    let signature = signature.ok_or(ReadError::Missing("signature (manifest.json.sig)"))?;
    let signed_by = signer(&manifest_bytes, &signature, trusted)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| ReadError::Damaged(format!("manifest.json is not a manifest: {e}")))?;
    check_members(&manifest, &seen)?;
    Ok(Opened { manifest, manifest_bytes, signed_by })
}

/// The trusted key that signed `manifest`, checked before its content is
/// believed: only the key, format and version are read first, so a manifest
/// of a newer format (with fields this build does not know) still says so.
fn signer(manifest: &[u8], signature: &[u8], trusted: &[PublicKey]) -> Result<PublicKey, ReadError> {
    #[derive(serde::Deserialize)]
    struct Header {
        format: String,
        format_version: u32,
        signing_key: String,
    }
    let header: Header = serde_json::from_slice(manifest)
        .map_err(|e| ReadError::Damaged(format!("manifest.json is not a manifest: {e}")))?;
    let key: [u8; 32] =
        hex::decode(&header.signing_key).ok().and_then(|bytes| bytes.try_into().ok()).ok_or(ReadError::BadSignature)?;
    let key = PublicKey(key);
    if !key.verifies(manifest, signature) {
        return Err(ReadError::BadSignature);
    }
    if !trusted.contains(&key) {
        return Err(ReadError::UntrustedKey { fingerprint: key.fingerprint() });
    }
    if header.format != FORMAT_NAME {
        return Err(ReadError::Damaged(format!("manifest.json names format {:?}", header.format)));
    }
    if header.format_version > FORMAT_VERSION {
        return Err(ReadError::NewerFormat { found: header.format_version });
    }
    Ok(key)
}

#[allow(clippy::needless_pass_by_value, reason = "used as `map_err(damaged)`")]
fn damaged(error: io::Error) -> ReadError {
    ReadError::Damaged(error.to_string())
}

/// Reads a small member whole; one longer than `most` bytes is refused.
fn small(entry: &mut impl Read, most: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    entry.take(most + 1).read_to_end(&mut bytes).map_err(damaged)?;
    if bytes.len() as u64 > most {
        return Err(ReadError::Mismatch("the manifest or its signature is longer than any examhall writes".to_owned()));
    }
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
    let listed: std::collections::BTreeSet<&str> = manifest.members.iter().map(|m| m.name.as_str()).collect();
    if let Some(extra) = seen.keys().find(|name| !listed.contains(name.as_str())) {
        return Err(ReadError::Mismatch(format!("{extra} is not listed in the manifest")));
    }
    Ok(())
}

/// Calls `each` with every row of a bundle [`read`] has checked (as
/// `checked`), member by member in the bundle's order. The stream is
/// checked again as it goes: each member's hash before its rows are given,
/// the manifest's bytes against the checked ones, and at the end that every
/// listed member came; so a file changed since the check stops with an
/// error (and the caller's transaction rolls back) instead of giving part
/// of a bundle. One [`Row`] is filled again for each line.
///
/// # Errors
/// The bundle's, or the first error of `each`.
pub fn for_each_row<E>(
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    checked: &Opened,
    each: impl FnMut(&str, &Row) -> Result<(), E>,
) -> Result<(), RowsError<E>> {
    rows(input, identities, checked, |_| true, each)
}

/// As [`for_each_row`], for the rows of `table` only: every member is still
/// read and checked, only the other tables' rows are not parsed.
///
/// # Errors
/// The bundle's, or the first error of `each`.
pub fn for_each_row_of<E>(
    table: &str,
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    checked: &Opened,
    each: impl FnMut(&str, &Row) -> Result<(), E>,
) -> Result<(), RowsError<E>> {
    rows(input, identities, checked, |name| name == table, each)
}

fn rows<E>(
    input: impl Read,
    identities: &[Box<dyn age::Identity + Send + Sync>],
    checked: &Opened,
    wanted: impl Fn(&str) -> bool,
    mut each: impl FnMut(&str, &Row) -> Result<(), E>,
) -> Result<(), RowsError<E>> {
    let changed =
        |what: &str| RowsError::Bundle(ReadError::Mismatch(format!("{what} changed since the bundle was checked")));
    let mut archive = entries(input, identities)?;
    let (mut given, mut manifest_seen) = (std::collections::BTreeSet::new(), false);
    let members: BTreeMap<&str, &super::Member> =
        checked.manifest.members.iter().map(|m| (m.name.as_str(), m)).collect();
    // One buffer for every member's bytes, one row for every line.
    let (mut bytes, mut row) = (Vec::new(), Row::default());
    for entry in archive.entries().map_err(damaged)?.raw(true) {
        let mut entry = entry.map_err(damaged)?;
        let name = member_name(&entry)?;
        if name == MANIFEST {
            manifest_seen = small(&mut entry, MAX_MANIFEST_BYTES)? == checked.manifest_bytes;
            if !manifest_seen {
                return Err(changed("manifest.json"));
            }
            continue;
        }
        let Some(member) = members.get(name.as_str()) else { continue };
        bytes.clear();
        entry.take(member.bytes + 1).read_to_end(&mut bytes).map_err(damaged)?;
        if hex::encode(Sha256::digest(&bytes)) != member.sha256 || !given.insert(member.name.as_str()) {
            return Err(changed(&name));
        }
        if !wanted(&member.table) {
            continue;
        }
        // Checked as UTF-8 once, so the lines' strings need not be again.
        let text = std::str::from_utf8(&bytes).map_err(|e| ReadError::Damaged(format!("{name} is not UTF-8: {e}")))?;
        for line in text.split('\n').filter(|line| !line.is_empty()) {
            row.fill_str(line).map_err(|e| ReadError::Damaged(format!("a row of {name} is not a JSON object: {e}")))?;
            each(&member.table, &row).map_err(RowsError::Each)?;
        }
    }
    if !manifest_seen || given.len() != members.len() {
        return Err(changed("the set of members"));
    }
    Ok(())
}
