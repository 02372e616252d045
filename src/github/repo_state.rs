//! Read-only looks at a repository's state that `/sprint doctor` and
//! `/sprint adopt` need: one comment by its id, the repository's labels,
//! and which issues are pinned (GraphQL: REST cannot tell).

use http::Method;
use serde_json::{Value, json};

use super::client::Client;
use super::models::*;
use super::types::*;
use super::{GitHubError, Result};

/// The GraphQL query for the pinned issues (GitHub shows at most three).
pub(super) const PINNED_QUERY: &str = "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { pinnedIssues(first: 10) { nodes { issue { number } } } } }";

/// The issue numbers in a `pinnedIssues` answer; an answer with errors and
/// no repository is an error, never "nothing pinned".
pub(super) fn pinned_numbers(answer: &Value) -> Result<Vec<IssueNumber>> {
    let nodes = answer
        .pointer("/data/repository/pinnedIssues/nodes")
        .and_then(Value::as_array);
    match nodes {
        Some(nodes) => Ok(nodes
            .iter()
            .filter_map(|n| n.pointer("/issue/number").and_then(Value::as_u64))
            .map(IssueNumber)
            .collect()),
        None => {
            let message = answer
                .pointer("/errors/0/message")
                .and_then(Value::as_str)
                .unwrap_or("GitHub's answer has no pinned issues field")
                .to_string();
            Err(GitHubError::Validation { message })
        }
    }
}

impl Client {
    pub(super) async fn get_comment(&self, repo: &RepoRef, id: CommentId) -> Result<Comment> {
        let path = format!("{}/issues/comments/{}", repo_path(repo), id.0);
        let raw: RawComment = self.get(&path).await?.json()?;
        Ok(raw.into())
    }

    pub(super) async fn labels(&self, repo: &RepoRef) -> Result<Vec<String>> {
        let labels: Vec<Label> = self
            .get_all(format!("{}/labels?per_page=100", repo_path(repo)))
            .await?;
        Ok(labels.into_iter().map(|l| l.name).collect())
    }

    pub(super) async fn pinned_issues(&self, repo: &RepoRef) -> Result<Vec<IssueNumber>> {
        let url = self.t.graphql_endpoint().to_string();
        let body = json!({
            "query": PINNED_QUERY,
            "variables": { "owner": repo.owner, "name": repo.name },
        });
        let resp = self
            .t
            .request(Method::POST, &url, Some(body), false)
            .await?;
        pinned_numbers(&resp.json::<Value>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_issues_are_read_and_a_failed_query_is_an_error() {
        let answer = json!({"data": {"repository": {"pinnedIssues": {"nodes": [
            {"issue": {"number": 12}}, {"issue": {"number": 3}}
        ]}}}});
        assert_eq!(
            pinned_numbers(&answer).unwrap(),
            [IssueNumber(12), IssueNumber(3)]
        );
        let none = json!({"data": {"repository": {"pinnedIssues": {"nodes": []}}}});
        assert!(pinned_numbers(&none).unwrap().is_empty());
        let failed =
            json!({"data": null, "errors": [{"message": "Field 'pinnedIssues' doesn't exist"}]});
        let err = pinned_numbers(&failed).unwrap_err();
        assert!(err.to_string().contains("pinnedIssues"), "{err}");
    }
}
