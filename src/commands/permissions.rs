//! Repository permissions of comment authors, cached for a short time so a
//! burst of comments costs one look-up per person, while a change of access
//! is seen within a minute.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::{Timestamp, ToSpan};

use crate::github::{GitHub, GitHubError, Permission, RepoRef};
use crate::sprint::Login;

/// How long a looked-up permission is trusted.
const TTL_SECS: i64 = 60;

#[derive(Default)]
pub struct PermissionCache {
    entries: Mutex<HashMap<(String, String), (Permission, Timestamp)>>,
}

impl PermissionCache {
    pub async fn get(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        user: &Login,
        now: Timestamp,
    ) -> Result<Permission, GitHubError> {
        let key = (repo.to_string(), user.0.to_ascii_lowercase());
        if let Some((p, at)) = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            && now < at.saturating_add(TTL_SECS.seconds()).unwrap_or(*at)
        {
            return Ok(*p);
        }
        let p = gh.permission(repo, user).await?;
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (p, now));
        Ok(p)
    }
}
