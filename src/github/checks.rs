//! Pull requests and check runs: the files a pull request changes, a file
//! as it is at a commit, and check runs with their annotations. The domain
//! types are here with the calls, since only the config check uses them.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::Client;
use super::models::*;
use super::types::*;
use super::{GitHubError, Result};

/// GitHub takes at most this many annotations per request; more are added
/// by updating the check run.
const ANNOTATIONS_PER_REQUEST: usize = 50;

/// A file a pull request adds, changes, renames or removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFile {
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, `copied`, `changed`, `unchanged`.
    pub status: String,
    /// The name before a rename.
    pub previous_filename: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    Success,
    Failure,
    Neutral,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Neutral => "neutral",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationLevel {
    Notice,
    Warning,
    Failure,
}

impl AnnotationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationLevel::Notice => "notice",
            AnnotationLevel::Warning => "warning",
            AnnotationLevel::Failure => "failure",
        }
    }
}

/// A remark on one line of a file, shown in the pull request's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, when the remark is about one place on the line.
    pub column: Option<usize>,
    pub level: AnnotationLevel,
    pub title: String,
    pub message: String,
}

/// A finished check run to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCheckRun {
    pub name: String,
    pub head_sha: String,
    pub conclusion: Conclusion,
    pub title: String,
    /// Markdown.
    pub summary: String,
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CheckRunId(pub u64);

fn annotation_json(a: &Annotation) -> serde_json::Value {
    let mut v = json!({
        "path": a.path, "start_line": a.line, "end_line": a.line,
        "annotation_level": a.level.as_str(), "title": a.title, "message": a.message,
    });
    if let Some(c) = a.column {
        v["start_column"] = json!(c);
        v["end_column"] = json!(c);
    }
    v
}

impl Client {
    pub(super) async fn pull_request_files(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
    ) -> Result<Vec<PullFile>> {
        #[derive(Deserialize)]
        struct Raw {
            filename: String,
            status: String,
            #[serde(default)]
            previous_filename: Option<String>,
        }
        let first = format!("{}/pulls/{}/files?per_page=100", repo_path(repo), n.0);
        let raw: Vec<Raw> = self.get_all(first).await?;
        Ok(raw
            .into_iter()
            .map(|r| PullFile {
                filename: r.filename,
                status: r.status,
                previous_filename: r.previous_filename,
            })
            .collect())
    }

    pub(super) async fn read_file_at(
        &self,
        repo: &RepoRef,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<String>> {
        match self
            .lookup_contents(repo, path, Some(git_ref), None)
            .await?
        {
            FileRead::Found { text, .. } => Ok(Some(text)),
            FileRead::Missing | FileRead::NotModified => Ok(None),
        }
    }

    /// Create a finished check run; annotations past GitHub's 50 per
    /// request are appended by updating it. A create that times out is not
    /// retried here: a second run of the same name on the same commit would
    /// only replace the first in GitHub's view, but it is still a second write.
    pub(super) async fn create_check_run(
        &self,
        repo: &RepoRef,
        run: &NewCheckRun,
    ) -> Result<CheckRunId> {
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        let mut batches = run.annotations.chunks(ANNOTATIONS_PER_REQUEST);
        let output = |batch: Option<&[Annotation]>| {
            json!({
                "title": run.title,
                "summary": run.summary,
                "annotations": batch.unwrap_or(&[]).iter().map(annotation_json).collect::<Vec<_>>(),
            })
        };
        let body = json!({
            "name": run.name,
            "head_sha": run.head_sha,
            "status": "completed",
            "conclusion": run.conclusion.as_str(),
            "output": output(batches.next()),
        });
        let path = format!("{}/check-runs", repo_path(repo));
        let created: Created = self
            .t
            .request(Method::POST, &path, Some(body), true)
            .await?
            .json()?;
        for batch in batches {
            let path = format!("{}/check-runs/{}", repo_path(repo), created.id);
            self.t
                .request(
                    Method::PATCH,
                    &path,
                    Some(json!({ "output": output(Some(batch)) })),
                    false,
                )
                .await
                .map_err(|e| match e {
                    GitHubError::Validation { message } => GitHubError::Validation {
                        message: format!(
                            "adding annotations to check run {}: {message}",
                            created.id
                        ),
                    },
                    other => other,
                })?;
        }
        Ok(CheckRunId(created.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_carry_columns_only_when_known() {
        let mut a = Annotation {
            path: ".github/sprintbot.toml".into(),
            line: 3,
            column: Some(5),
            level: AnnotationLevel::Warning,
            title: "t".into(),
            message: "m".into(),
        };
        let v = annotation_json(&a);
        assert_eq!(
            (v["start_line"].as_u64(), v["start_column"].as_u64()),
            (Some(3), Some(5))
        );
        assert_eq!(v["annotation_level"], "warning");
        a.column = None;
        assert!(annotation_json(&a).get("start_column").is_none());
    }
}
