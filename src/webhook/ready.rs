//! Readiness beyond the store: whether sprintbot has confirmed that GitHub
//! accepts its App credentials. `serve` marks it not ready, with the reason
//! `/readyz` shows, while GitHub cannot be reached at start-up, and ready
//! once a check succeeds. Ready by default (no App, or tests).

use std::sync::{Arc, Mutex};

/// Shared between the start-up check and `/readyz`.
#[derive(Clone, Default)]
pub struct Readiness(Arc<Mutex<Option<String>>>);

impl Readiness {
    pub fn set_ready(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub fn set_not_ready(&self, reason: impl Into<String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.into());
    }

    /// Why sprintbot is not ready, or `None` when it is.
    pub fn reason(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_is_shared_by_its_clones() {
        let r = Readiness::default();
        assert_eq!(r.reason(), None);
        let seen = r.clone();
        r.set_not_ready("GitHub unreachable");
        assert_eq!(seen.reason().as_deref(), Some("GitHub unreachable"));
        seen.set_ready();
        assert_eq!(r.reason(), None);
    }
}
