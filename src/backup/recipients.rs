//! The backup officers' keys: the public ones in the config (X25519
//! `age1...` or SSH `ssh-ed25519 ...`/`ssh-rsa ...`), and the private
//! identity file an officer gives to `backup verify` and `restore`.

use std::path::Path;
use std::str::FromStr;

/// Parses the `[backup] recipients` of the config.
///
/// # Errors
/// The first entry that is not an age or SSH public key, by position (never
/// echoing a value that may have been a secret put in the wrong place).
pub fn parse_recipients(entries: &[String]) -> Result<Vec<Box<dyn age::Recipient + Send>>, String> {
    let mut recipients: Vec<Box<dyn age::Recipient + Send>> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let entry = entry.trim();
        if let Ok(x25519) = age::x25519::Recipient::from_str(entry) {
            recipients.push(Box::new(x25519));
        } else if let Ok(ssh) = age::ssh::Recipient::from_str(entry) {
            recipients.push(Box::new(ssh));
        } else {
            return Err(format!(
                "backup.recipients entry {} is not an age public key (age1...) or an SSH public key (ssh-ed25519 ...)",
                index + 1
            ));
        }
    }
    Ok(recipients)
}

/// Reads an identity file: age's (`AGE-SECRET-KEY-1...` lines, as
/// `age-keygen` writes) or an unencrypted SSH private key.
///
/// # Errors
/// An unreadable file, or one that holds no identity.
pub fn identities_from_file(path: &Path) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the identity file {}: {e}", path.display()))?;
    identities_from_text(&text).map_err(|problem| format!("{}: {problem}", path.display()))
}

/// Reads the text of an identity file (see [`identities_from_file`]).
///
/// # Errors
/// Text that holds no identity, or a passphrase-protected SSH key.
pub fn identities_from_text(text: &str) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>, String> {
    if let Ok(file) = age::IdentityFile::from_buffer(text.as_bytes())
        && let Ok(identities) = file.into_identities()
        && !identities.is_empty()
    {
        return Ok(identities);
    }
    match age::ssh::Identity::from_buffer(text.as_bytes(), None) {
        Ok(age::ssh::Identity::Unencrypted(key)) => Ok(vec![Box::new(age::ssh::Identity::Unencrypted(key))]),
        Ok(age::ssh::Identity::Encrypted(_)) => Err("a passphrase-protected SSH key: decrypt the bundle with the age \
                                                     tool (it asks for the passphrase), or give an unencrypted copy \
                                                     kept offline"
            .to_owned()),
        _ => Err("holds no age identity (AGE-SECRET-KEY-1...) and no SSH private key".to_owned()),
    }
}
