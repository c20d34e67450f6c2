//! Named points between the steps of a crash-safe change (a key rotation),
//! where a test stops the process dead to prove that a crash there loses
//! nothing. Only debug builds read `EXAMHALL_FAILPOINT`; in a release build
//! [`hit`] does nothing.

/// Stops the process at once, as a power cut or `kill -9` would (no
/// destructors, no flushing), when `EXAMHALL_FAILPOINT` names this point.
pub fn hit(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("EXAMHALL_FAILPOINT").is_ok_and(|point| point == name) {
        eprintln!("examhall: stopped at failpoint {name}");
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
