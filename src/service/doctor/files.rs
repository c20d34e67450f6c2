//! The checks of `examhall doctor` made from the files alone: the data
//! directory and key file (owner and mode), the certificate (dates, host
//! name, authority), the free disk, the backup recipients. The command line
//! makes them as the user it runs as; the server, for its status page, as
//! the service user.

use std::path::Path;

use time::OffsetDateTime;

use super::Check;
use crate::config::Config;
use crate::store::master_key;

/// Certificates that end sooner than this warn.
const CERTIFICATE_WARN_DAYS: i64 = 30;
/// Free space below either of these fails: saves would soon be refused.
const DISK_FAIL: (u64, f64) = (1 << 30, 0.02);
/// Free space below either of these warns.
const DISK_WARN: (u64, f64) = (5 << 30, 0.10);

/// The checks made from the files alone, at `now`.
#[must_use]
pub fn run(config: &Config, now: OffsetDateTime) -> Vec<Check> {
    let mut checks = vec![data_dir(config), master_key_file(config), log_dir(config)];
    checks.extend(certificate(config, now));
    checks.push(key_pair(config));
    checks.push(disk(config.data().root()));
    if config.backup.recipients.is_empty() {
        checks.push(Check::warn(
            "backup recipients",
            "none configured: examhall makes no backups",
            "add the backup officers' public keys to [backup] recipients (age-keygen makes a pair; keep the private half offline)",
        ));
    } else {
        checks.push(Check::pass("backup recipients", format!("{} configured", config.backup.recipients.len())));
    }
    checks
}

fn data_dir(config: &Config) -> Check {
    const NAME: &str = "data directory";
    let data = config.data();
    let root = data.root();
    if !data.platform_db().exists() {
        return Check::fail(
            NAME,
            format!("{} is not initialised", root.display()),
            format!("run: examhall init --data-dir {}", root.display()),
        );
    }
    match crate::store::data_dir::check_private_dir(root) {
        Ok(()) => Check::pass(NAME, format!("{} belongs to this user, mode 0700", root.display())),
        Err(error) => Check::fail(
            NAME,
            error.to_string(),
            "run doctor as the service user (sudo -u examhall examhall doctor), and fix the owner or mode as shown",
        ),
    }
}

fn master_key_file(config: &Config) -> Check {
    const NAME: &str = "master key";
    let path = config.master_key_file();
    // A key file is checked whenever there is one, even when the key is read
    // from elsewhere: a copy others can read is a leaked key either way.
    let metadata = match std::fs::metadata(&path) {
        Ok(metadata) => metadata,
        Err(_) if master_key::other_source().is_some() => {
            return Check::pass(NAME, format!("read from {}", master_key::other_source().unwrap_or_default()));
        }
        Err(error) => {
            return Check::fail(
                NAME,
                format!("{}: {error}", path.display()),
                "point storage.master_key_file at the key, or restore it from its offline copy",
            );
        }
    };
    match crate::private_path::check(&path, &metadata) {
        Ok(()) => Check::pass(NAME, format!("{} is readable by this user alone", path.display())),
        Err(error) => Check::fail(
            NAME,
            error.to_string(),
            "only the service user may read the key; anyone else who could has to be assumed to have it (rotate it: examhall keys rotate-master)",
        ),
    }
}

/// The log folder `serve` writes to: private, or `serve` refuses to start.
fn log_dir(config: &Config) -> Check {
    const NAME: &str = "log folder";
    let dir = config.log_dir();
    match std::fs::metadata(&dir) {
        Err(_) => {
            Check::pass(NAME, format!("{} does not exist yet: the server makes it (0700) at start", dir.display()))
        }
        Ok(metadata) => match crate::private_path::check(&dir, &metadata) {
            Ok(()) => Check::pass(NAME, format!("{} belongs to this user, mode 0700", dir.display())),
            Err(error) => {
                Check::fail(NAME, error.to_string(), "the server refuses to start until the log folder is private")
            }
        },
    }
}

/// The certificate and its key go together: `serve` refuses a pair that does not.
fn key_pair(config: &Config) -> Check {
    const NAME: &str = "TLS key";
    let (cert, key) = config.tls_files();
    match crate::tls::server_config(&cert, &key) {
        Ok(_) => Check::pass(NAME, format!("{} goes with the certificate", key.display())),
        Err(error) => Check::fail(
            NAME,
            error.to_string(),
            "point tls.key_file at the certificate's own private key (PEM): the server does not start without it",
        ),
    }
}

fn certificate(config: &Config, now: OffsetDateTime) -> Vec<Check> {
    const NAME: &str = "TLS certificate";
    let (cert_file, _) = config.tls_files();
    let facts = match crate::tls::inspect_file(&cert_file) {
        Ok(facts) => facts,
        Err(error) => {
            let fix = "point tls.cert_file at the certificate chain (PEM), or run examhall init for a self-signed one";
            return vec![Check::fail(NAME, error.to_string(), fix)];
        }
    };
    let left = (facts.not_after - now).whole_days();
    let renew = "renew it and restart examhall (docs/operations.md, \"Certificates\")";
    let mut checks = vec![if facts.not_after <= now || facts.not_before > now {
        Check::fail(
            NAME,
            format!(
                "not valid now: valid from {} to {}",
                crate::domain::Timestamp::from_time(facts.not_before),
                crate::domain::Timestamp::from_time(facts.not_after)
            ),
            renew,
        )
    } else if left < CERTIFICATE_WARN_DAYS {
        Check::warn(NAME, format!("expires in {left} day(s), on {}", facts.not_after.date()), renew)
    } else {
        Check::pass(NAME, format!("valid for {left} more days, until {}", facts.not_after.date()))
    }];
    if let Some(host) = configured_host(config) {
        checks.push(if facts.names_host(&host) {
            Check::pass("TLS host name", format!("the certificate names {host}"))
        } else {
            Check::fail(
                "TLS host name",
                format!("the certificate is for {}, not {host} (server.public_url)", facts.names.join(", ")),
                "use a certificate for the address students open, or run examhall init --host NAME for a self-signed one",
            )
        });
    }
    if facts.self_signed {
        checks.push(Check::warn(
            "TLS authority",
            "the certificate is self-signed: browsers warn, and keep no offline copy of an exam on such a site",
            "install a certificate from the university's CA or an ACME proxy (tls.cert_file, tls.key_file)",
        ));
    }
    checks
}

/// The host of `server.public_url`, if set.
fn configured_host(config: &Config) -> Option<String> {
    let url = config.server.public_url.as_deref()?;
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    (!host.is_empty()).then(|| host.to_owned())
}

fn disk(root: &Path) -> Check {
    const NAME: &str = "free disk";
    let stats = match rustix::fs::statvfs(root) {
        Ok(stats) => stats,
        Err(error) => {
            return Check::fail(NAME, format!("{}: {error}", root.display()), "check the data directory's disk");
        }
    };
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    let total = stats.f_blocks.saturating_mul(stats.f_frsize).max(1);
    #[allow(clippy::cast_precision_loss)]
    let share = free as f64 / total as f64;
    #[allow(clippy::cast_precision_loss)]
    let detail =
        format!("{:.1} GiB free ({:.0}%) for {}", free as f64 / f64::from(1u32 << 30), share * 100.0, root.display());
    let fix = "free space or grow the disk before the next exam: saves stop when it is full";
    if free < DISK_FAIL.0 || share < DISK_FAIL.1 {
        Check::fail(NAME, detail, fix)
    } else if free < DISK_WARN.0 || share < DISK_WARN.1 {
        Check::warn(NAME, detail, fix)
    } else {
        Check::pass(NAME, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_host_is_read_from_the_public_url() {
        let mut config = Config::default();
        assert_eq!(configured_host(&config), None);
        for (url, host) in [
            ("https://exams.example.edu", "exams.example.edu"),
            ("https://exams.example.edu:8443/", "exams.example.edu"),
            ("https://[::1]:8443", "::1"),
            ("https://10.0.0.5/x", "10.0.0.5"),
        ] {
            config.server.public_url = Some(url.to_owned());
            assert_eq!(configured_host(&config).as_deref(), Some(host), "{url}");
        }
    }
}
