//! The read-only look-ups of the [`GitHub`](super::GitHub) interface:
//! permissions, team membership, repository files and the installation's
//! repositories.

use serde::Deserialize;

use super::client::Client;
use super::models::*;
use super::types::*;
use super::{GitHubError, Result};
use crate::sprint::Login;

impl Client {
    pub(super) async fn permission(&self, repo: &RepoRef, user: &Login) -> Result<Permission> {
        {
            #[derive(Deserialize)]
            struct Raw {
                permission: String,
                role_name: Option<String>,
            }
            let path = format!(
                "{}/collaborators/{}/permission",
                repo_path(repo),
                path_segment(&user.0)
            );
            match self.get(&path).await {
                Ok(resp) => {
                    let r: Raw = resp.json()?;
                    Ok(
                        Permission::from_github(r.role_name.as_deref().unwrap_or(&r.permission))
                            .max(Permission::from_github(&r.permission)),
                    )
                }
                Err(GitHubError::NotFound { .. }) => Ok(Permission::None),
                Err(e) => Err(e),
            }
        }
    }

    pub(super) async fn is_team_member(&self, org: &str, team: &str, user: &Login) -> Result<bool> {
        {
            #[derive(Deserialize)]
            struct Raw {
                state: String,
            }
            let path = format!(
                "/orgs/{}/teams/{}/memberships/{}",
                path_segment(org),
                path_segment(team),
                path_segment(&user.0)
            );
            match self.get(&path).await {
                Ok(resp) => Ok(resp.json::<Raw>()?.state == "active"),
                Err(GitHubError::NotFound { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        }
    }

    pub(super) async fn read_file(&self, repo: &RepoRef, path: &str) -> Result<Option<String>> {
        match self.read_file_if_changed(repo, path, None).await? {
            FileRead::Found { text, .. } => Ok(Some(text)),
            FileRead::Missing | FileRead::NotModified => Ok(None),
        }
    }

    pub(super) async fn read_file_if_changed(
        &self,
        repo: &RepoRef,
        path: &str,
        etag: Option<&str>,
    ) -> Result<FileRead> {
        self.lookup_contents(repo, path, None, etag).await
    }

    /// A file on the default branch, or at `git_ref` (a commit, branch or tag).
    pub(super) async fn lookup_contents(
        &self,
        repo: &RepoRef,
        path: &str,
        git_ref: Option<&str>,
        etag: Option<&str>,
    ) -> Result<FileRead> {
        {
            #[derive(Deserialize)]
            struct Raw {
                #[serde(rename = "type")]
                kind: String,
                content: Option<String>,
                encoding: Option<String>,
                #[serde(default)]
                sha: Option<String>,
            }
            let encoded: Vec<String> = path.split('/').map(path_segment).collect();
            let mut url = format!("{}/contents/{}", repo_path(repo), encoded.join("/"));
            if let Some(r) = git_ref {
                url.push_str(&format!("?ref={}", path_segment(r)));
            }
            let resp = match self
                .t
                .request_with(http::Method::GET, &url, None, false, etag)
                .await
            {
                Ok(resp) if resp.status == 304 => return Ok(FileRead::NotModified),
                Ok(resp) => resp,
                Err(GitHubError::NotFound { .. }) => return Ok(FileRead::Missing),
                Err(e) => return Err(e),
            };
            let new_etag = resp
                .headers
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(String::from);
            let raw: Raw = resp.json()?;
            if raw.kind != "file" {
                return Err(GitHubError::Decode(format!(
                    "{path} is a {}, not a file",
                    raw.kind
                )));
            }
            let content = raw.content.unwrap_or_default();
            let text = if raw.encoding.as_deref() != Some("base64") {
                content
            } else {
                use base64::Engine as _;
                let cleaned: String = content.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(cleaned)
                    .map_err(|e| GitHubError::Decode(format!("{path}: {e}")))?;
                String::from_utf8(bytes)
                    .map_err(|_| GitHubError::Decode(format!("{path} is not UTF-8 text")))?
            };
            Ok(FileRead::Found {
                text,
                etag: new_etag,
                sha: raw.sha,
            })
        }
    }

    /// Every reaction at `path` (a comment's or an issue's), all pages.
    pub(super) async fn lookup_reactions(&self, path: String) -> Result<Vec<(Login, String)>> {
        #[derive(Deserialize)]
        struct Raw {
            user: Option<User>,
            content: String,
        }
        let mut out = Vec::new();
        let mut next = Some(format!("{path}?per_page=100"));
        while let Some(url) = next {
            let resp = self.get(&url).await?;
            out.extend(
                resp.json::<Vec<Raw>>()?
                    .into_iter()
                    .filter_map(|r| Some((Login(r.user?.login), r.content))),
            );
            next = resp.next_page();
        }
        Ok(out)
    }

    /// The login this client's token acts as (`GET /user`).
    pub async fn authenticated_login(&self) -> Result<Login> {
        #[derive(Deserialize)]
        struct Raw {
            login: String,
        }
        Ok(Login(self.get("/user").await?.json::<Raw>()?.login))
    }

    pub(super) async fn repositories(&self) -> Result<Vec<(u64, RepoRef)>> {
        {
            #[derive(Deserialize)]
            struct Page {
                repositories: Vec<Repo>,
            }
            #[derive(Deserialize)]
            struct Repo {
                id: u64,
                full_name: String,
            }
            let mut out = Vec::new();
            let mut next = Some("/installation/repositories?per_page=100".to_string());
            while let Some(url) = next {
                let resp = self.get(&url).await?;
                out.extend(
                    resp.json::<Page>()?
                        .repositories
                        .iter()
                        .filter_map(|r| Some((r.id, RepoRef::parse(&r.full_name)?))),
                );
                next = resp.next_page();
            }
            Ok(out)
        }
    }
}
