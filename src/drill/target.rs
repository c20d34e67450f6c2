//! The server a drill loads, and whether it may: a drill sends thousands
//! of students' worth of requests, so it goes to this computer's own
//! loopback unless the operator says the target is theirs. Nothing is
//! sent before [`Target::parse`] has agreed.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use super::DrillError;

/// A checked target.
#[derive(Debug, Clone)]
pub struct Target {
    /// `https://host:port`, without a trailing slash.
    pub base: String,
    /// The host as written, for the TLS name and messages.
    pub host: String,
    /// Whether the host is this computer's loopback.
    pub loopback: bool,
    /// Accept any certificate (a self-signed one on a test server).
    pub insecure_tls: bool,
    /// Trust this certificate (or authority) besides the system's.
    pub ca_cert: Option<PathBuf>,
}

impl Target {
    /// Checks `url`: HTTPS, a host and port and nothing else, and loopback
    /// unless `target_is_mine`.
    ///
    /// # Errors
    /// A URL that is not one, or a non-loopback one without `target_is_mine`.
    pub fn parse(url: &str, target_is_mine: bool) -> Result<Self, DrillError> {
        let parsed = url::Url::parse(url).map_err(|e| DrillError::new(format!("--url {url}: {e}")))?;
        if parsed.scheme() != "https" {
            return Err(DrillError::new(format!("--url {url}: examhall serves HTTPS; use https://HOST:PORT")));
        }
        if parsed.path() != "/" || parsed.query().is_some() || !parsed.username().is_empty() {
            return Err(DrillError::new(format!("--url {url}: give only https://HOST:PORT, no path")));
        }
        let host = match parsed.host() {
            Some(url::Host::Domain(name)) => name.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
            None => return Err(DrillError::new(format!("--url {url}: no host"))),
        };
        let loopback = is_loopback(parsed.host().as_ref());
        if !loopback && !target_is_mine {
            return Err(DrillError::new(format!(
                "refusing to drill {url}: it is not this computer's loopback, and a drill sends the load of a whole exam hall; nothing was sent"
            ))
            .hint("drill only a server you run: on its own host use https://127.0.0.1:PORT, or add --target-is-mine if this server is yours"));
        }
        let port = parsed.port_or_known_default().unwrap_or(443);
        Ok(Self { base: format!("https://{host}:{port}"), host, loopback, insecure_tls: false, ca_cert: None })
    }

    /// The source address of student `index`: on a loopback IPv4 target,
    /// one address of 127.0.0.0/8 each, as an exam hall's PCs have one each
    /// (the server's per-address limits see what they would on the day);
    /// otherwise the system's choice.
    #[must_use]
    pub fn source_address(&self, index: usize) -> Option<IpAddr> {
        if !self.loopback || self.host.starts_with('[') {
            return None;
        }
        // 127.100.0.1 onwards, 250 to a /24, never .0 or .255.
        let third = u8::try_from(index / 250).ok()?;
        let fourth = u8::try_from(index % 250 + 1).ok()?;
        Some(IpAddr::V4(Ipv4Addr::new(127, 100, third, fourth)))
    }

    /// Where a `localhost` target connects: 127.0.0.1, so that a source
    /// address of 127.0.0.0/8 always matches the address family.
    #[must_use]
    pub fn pinned_localhost(&self) -> Option<std::net::SocketAddr> {
        if self.host != "localhost" {
            return None;
        }
        let port = self.base.rsplit(':').next().and_then(|p| p.parse().ok())?;
        Some(std::net::SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    }
}

fn is_loopback(host: Option<&url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.to_canonical().is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_targets_pass_and_others_need_the_operators_word() {
        for url in ["https://127.0.0.1:8443", "https://127.9.9.9:1/", "https://localhost:8443", "https://[::1]:8443"] {
            assert!(Target::parse(url, false).is_ok_and(|t| t.loopback), "{url}");
        }
        for url in ["https://10.0.0.7:8443", "https://exams.example.edu", "https://[::ffff:10.0.0.1]:8443"] {
            let refused = Target::parse(url, false).expect_err(url);
            assert!(refused.message.contains("nothing was sent"), "{}", refused.message);
            assert!(Target::parse(url, true).is_ok_and(|t| !t.loopback), "{url}");
        }
        assert!(Target::parse("https://[::ffff:127.0.0.1]:8443", false).is_ok(), "a mapped loopback address");
        for bad in ["http://127.0.0.1:8443", "https://127.0.0.1:8443/api", "127.0.0.1:8443"] {
            assert!(Target::parse(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_student_of_the_largest_drill_gets_a_loopback_address_of_their_own() {
        let target = Target::parse("https://127.0.0.1:8443", false).expect("loopback");
        let addresses: std::collections::BTreeSet<_> =
            (0..super::super::MAX_STUDENTS).map(|i| target.source_address(i).expect("an address")).collect();
        assert_eq!(addresses.len(), super::super::MAX_STUDENTS);
        assert!(addresses.iter().all(IpAddr::is_loopback));
        let remote = Target::parse("https://10.0.0.7:8443", true).expect("theirs");
        assert_eq!(remote.source_address(0), None);
        assert_eq!(
            Target::parse("https://localhost:9", false).expect("loopback").pinned_localhost().map(|a| a.port()),
            Some(9)
        );
    }
}
