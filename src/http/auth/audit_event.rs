//! Audit entries for actions that arrive over HTTP.

use super::{ClientAddr, Principal};
use crate::audit::AuditEvent;

/// An entry for `action` by the signed-in caller, from the caller's address.
#[must_use]
pub fn by(principal: &Principal, action: &str, client: ClientAddr) -> AuditEvent {
    from(principal.user.id.to_string(), principal.user.email.clone(), action, client)
}

/// An entry for `action` by someone not (yet) signed in, named as they typed it.
#[must_use]
pub fn from(actor: String, label: String, action: &str, client: ClientAddr) -> AuditEvent {
    let event = AuditEvent::new(actor, label, action);
    match client.0 {
        Some(addr) => event.client(addr),
        None => event,
    }
}
