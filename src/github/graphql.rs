//! The GraphQL side of the [`GitHub`](super::GitHub) interface: pinning,
//! unpinning and closing issues, several in one request (GitHub runs the
//! mutations of one document in order), so that moving the sprint pin and
//! closing the previous sprint cost one call.

use http::Method;
use serde_json::{Value, json};

use super::client::Client;
use super::types::IssueOp;
use super::{GitHubError, Result};

/// The mutation document and variables for `ops`, one aliased field each
/// (`op0`, `op1`, ...), so errors can be told apart by their path.
pub(super) fn document(ops: &[IssueOp]) -> (String, Value) {
    let mut params = Vec::new();
    let mut fields = Vec::new();
    let mut vars = serde_json::Map::new();
    for (i, op) in ops.iter().enumerate() {
        params.push(format!("$id{i}: ID!"));
        let field = match op {
            IssueOp::Pin(_) => {
                format!("op{i}: pinIssue(input: {{issueId: $id{i}}}) {{ issue {{ id }} }}")
            }
            IssueOp::Unpin(_) => {
                format!("op{i}: unpinIssue(input: {{issueId: $id{i}}}) {{ issue {{ id }} }}")
            }
            IssueOp::Close(_) => format!(
                "op{i}: closeIssue(input: {{issueId: $id{i}, stateReason: COMPLETED}}) {{ issue {{ id }} }}"
            ),
        };
        fields.push(field);
        vars.insert(format!("id{i}"), json!(op.node_id()));
    }
    let query = format!("mutation({}) {{ {} }}", params.join(", "), fields.join(" "));
    (query, Value::Object(vars))
}

/// Each operation's outcome from GitHub's answer: an error whose `path`
/// names `opN` belongs to operation N; one without a path fails them all.
pub(super) fn outcomes(n: usize, answer: &Value) -> Result<Vec<Result<()>>> {
    let mut out: Vec<Result<()>> = (0..n).map(|_| Ok(())).collect();
    let errors = answer
        .get("errors")
        .and_then(|e| e.as_array())
        .cloned()
        .unwrap_or_default();
    for e in errors {
        let message = e
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("GraphQL error")
            .to_string();
        let index = e
            .get("path")
            .and_then(|p| p.get(0))
            .and_then(|p| p.as_str())
            .and_then(|p| p.strip_prefix("op"))
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|i| *i < n);
        match index {
            Some(i) => out[i] = Err(GitHubError::Validation { message }),
            None => return Err(GitHubError::Validation { message }),
        }
    }
    Ok(out)
}

impl Client {
    pub(super) async fn issue_ops(&self, ops: &[IssueOp]) -> Result<Vec<Result<()>>> {
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        let (query, variables) = document(ops);
        let url = self.t.graphql_endpoint().to_string();
        let resp = self
            .t
            .request(
                Method::POST,
                &url,
                Some(json!({ "query": query, "variables": variables })),
                false,
            )
            .await?;
        outcomes(ops.len(), &resp.json::<Value>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_operations_go_in_one_document_in_order() {
        let ops = [
            IssueOp::Unpin("A".into()),
            IssueOp::Pin("B".into()),
            IssueOp::Close("A".into()),
        ];
        let (q, v) = document(&ops);
        assert_eq!(
            q,
            "mutation($id0: ID!, $id1: ID!, $id2: ID!) { op0: unpinIssue(input: {issueId: $id0}) { issue { id } } op1: pinIssue(input: {issueId: $id1}) { issue { id } } op2: closeIssue(input: {issueId: $id2, stateReason: COMPLETED}) { issue { id } } }"
        );
        assert_eq!(v, json!({"id0": "A", "id1": "B", "id2": "A"}));
    }

    #[test]
    fn errors_are_given_to_the_operation_they_name() {
        let answer = json!({"data": {"op0": null, "op1": {"issue": {"id": "B"}}},
            "errors": [{"path": ["op0"], "message": "not pinned"}]});
        let out = outcomes(2, &answer).unwrap();
        assert!(
            matches!(&out[0], Err(GitHubError::Validation { message }) if message == "not pinned")
        );
        assert!(out[1].is_ok());
        let whole = json!({"errors": [{"message": "Bad credentials"}]});
        assert!(outcomes(2, &whole).is_err());
    }
}
