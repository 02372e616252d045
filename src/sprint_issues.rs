//! Sprint issues as found on GitHub. An issue is a sprint issue when
//! sprintbot's own account wrote it and its body carries the sprint metadata
//! marker: a label or a marker someone else typed counts for nothing. An
//! issue people wrote counts once `/sprint adopt` took it over: its metadata
//! names sprintbot's comment that records the adoption, and that comment,
//! by sprintbot's account, on this issue, for this sprint, is the proof.
//! GitHub, not the calendar, decides which one is current: the newest open
//! sprint issue.
//!
//! Markers in comments are parsed, never searched ([`bot_marked`]): one
//! counts only on a line of its own, in a comment sprintbot's account
//! wrote, on the issue it belongs to.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use crate::github::{
    Comment, CommentId, GitHub, GitHubError, Issue, IssueNumber, IssueState, Reaction, RepoRef,
    StateFilter,
};
use crate::sprint::body::SprintDoc;
use crate::sprint::exceptions::{self, Recorded};
use crate::sprint::markers::{Metadata, has_marker_line};
use crate::sprint::{Login, SprintId};
use crate::store::{Store, StoreError};

/// The metadata line of an issue body, whoever wrote it.
fn metadata(issue: &Issue) -> Option<Metadata> {
    // The metadata line alone identifies the sprint, even when a section
    // marker elsewhere is damaged.
    let line = issue
        .body
        .lines()
        .map(str::trim)
        .find(|l| Metadata::is_marker_line(l))?;
    Metadata::parse(line)
}

/// The sprint metadata of `issue`, when sprintbot wrote it (an adopted
/// issue needs its proof read: [`recognise_on_github`]).
pub fn recognise(issue: &Issue, bot: &Login) -> Option<Metadata> {
    if !issue.author.0.eq_ignore_ascii_case(&bot.0) {
        return None;
    }
    metadata(issue)
}

/// Whether `comment` is sprintbot's (`bot`'s), on `issue`, and carries
/// `marker` as a whole line. Every check of a comment marker goes through
/// here: a marker someone else wrote, or one quoted inside a line of
/// sprintbot's (it escapes what it quotes), or a comment on another issue,
/// counts for nothing.
pub fn bot_marked(comment: &Comment, bot: &Login, issue: IssueNumber, marker: &str) -> bool {
    comment.author.0.eq_ignore_ascii_case(&bot.0)
        && comment.issue() == Some(issue)
        && has_marker_line(&comment.body, marker)
}

/// The first of `comments` that [`bot_marked`] accepts.
pub fn find_marked<'c>(
    comments: &'c [Comment],
    bot: &Login,
    issue: IssueNumber,
    marker: &str,
) -> Option<&'c Comment> {
    comments.iter().find(|c| bot_marked(c, bot, issue, marker))
}

/// The first of `comments` that [`bot_marked`] accepts, else sprintbot's
/// comment on `issue` that a person took every marker out of but that
/// says what `text` (the comment it would write now) says first: still
/// its earlier effect, never written again.
pub fn find_written<'c>(
    comments: &'c [Comment],
    bot: &Login,
    issue: IssueNumber,
    marker: &str,
    text: &str,
) -> Option<&'c Comment> {
    find_marked(comments, bot, issue, marker).or_else(|| unmarked_twin(comments, bot, issue, text))
}

/// The first line of text of a body, past marker lines and what is left
/// of one, without heading marks or emphasis, in lower case.
pub fn first_text_line(body: &str) -> Option<String> {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("<!--") && !l.contains("sprintbot:"))?;
    let bare = line.trim_start_matches('#').trim();
    let bare = bare.trim_matches(|c| c == '*' || c == '_').trim();
    Some(bare.to_lowercase())
}

/// sprintbot's comment on `issue` with no intact marker left whose first
/// line of text is `text`'s.
pub fn unmarked_twin<'c>(
    comments: &'c [Comment],
    bot: &Login,
    issue: IssueNumber,
    text: &str,
) -> Option<&'c Comment> {
    let first = first_text_line(text)?;
    comments.iter().find(|c| {
        c.author.0.eq_ignore_ascii_case(&bot.0)
            && c.issue() == Some(issue)
            && !c.body.lines().any(|l| {
                let t = l.trim();
                t.starts_with("<!-- sprintbot:") && t.ends_with("-->")
            })
            && first_text_line(&c.body).as_deref() == Some(first.as_str())
    })
}

/// Forget the adoptions this process has proven, so the next look asks
/// GitHub again (as a restarted process does).
pub fn forget_proven() {
    PROVEN.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// The hidden marker of sprintbot's comment that records an adoption.
pub fn adoption_marker(issue: IssueNumber, sprint: SprintId) -> String {
    format!(
        "<!-- sprintbot:adopted issue={} sprint={sprint} -->",
        issue.0
    )
}

/// Adoptions already proven, by (repository, issue, comment): a comment
/// id names one comment for good, and only sprintbot can edit its own.
static PROVEN: LazyLock<Mutex<HashSet<(String, u64, u64)>>> = LazyLock::new(Default::default);

/// The sprint metadata of `issue`, when sprintbot wrote it or adopted it.
/// An adoption is proven by sprintbot's comment that its metadata names
/// (read once per process; a deleted comment proves nothing). A failed
/// look-up is an error, never "not a sprint issue".
pub async fn recognise_on_github(
    gh: &dyn GitHub,
    repo: &RepoRef,
    issue: &Issue,
    bot: &Login,
) -> Result<Option<Metadata>, GitHubError> {
    if let Some(meta) = recognise(issue, bot) {
        return Ok(Some(meta));
    }
    let Some(meta) = metadata(issue) else {
        return Ok(None);
    };
    let Some(comment) = meta.adopted else {
        return Ok(None);
    };
    let key = (
        repo.to_string().to_ascii_lowercase(),
        issue.number.0,
        comment,
    );
    if PROVEN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&key)
    {
        return Ok(Some(meta));
    }
    let proof = match gh.get_comment(repo, CommentId(comment)).await {
        Ok(c) => c,
        // Someone deleted the record: sprintbot's seal on the issue (a 🚀
        // only its own account can take off) still proves the adoption.
        Err(GitHubError::NotFound { .. }) => {
            let sealed = gh
                .list_issue_reactions(repo, issue.number)
                .await?
                .iter()
                .any(|(l, c)| l.0.eq_ignore_ascii_case(&bot.0) && c == Reaction::Rocket.content());
            if !sealed {
                return Ok(None);
            }
            tracing::warn!(%repo, issue = issue.number.0, comment,
                "the comment recording this adoption was deleted; sprintbot's seal on the issue proves it");
            PROVEN.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
            return Ok(Some(meta));
        }
        Err(e) => return Err(e),
    };
    let marker = adoption_marker(issue.number, meta.sprint);
    if bot_marked(&proof, bot, issue.number, &marker) {
        PROVEN.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
        return Ok(Some(meta));
    }
    tracing::warn!(%repo, issue = issue.number.0, comment,
        "an issue claims an adoption sprintbot's comment does not record; it counts for nothing");
    Ok(None)
}

/// What the store notes about a current sprint issue: its sprint and the
/// cadence exceptions its calendar marker records, so the scheduler knows
/// the calendar without asking GitHub (see `sprint::exceptions::note`).
pub fn note(meta: &Metadata, issue: &Issue) -> String {
    exceptions::note(meta.sprint, &Recorded::from_body(&issue.body))
}

/// Whether the body around the metadata can still be read (every managed
/// section's markers intact).
pub fn is_readable(issue: &Issue) -> bool {
    SprintDoc::parse(&issue.body).is_ok()
}

/// Every sprint issue of `repo` (by its label), with its metadata, newest
/// sprint first.
pub async fn list(
    gh: &dyn GitHub,
    repo: &RepoRef,
    label: &str,
    state: StateFilter,
    bot: &Login,
) -> Result<Vec<(Metadata, Issue)>, GitHubError> {
    Ok(list_with_others(gh, repo, label, state, bot).await?.0)
}

/// Sprint issues another account wrote: (that account, the newest such
/// issue). Someone ran sprintbot with another identity on this repository
/// (an Action's token, then the App, or a person's token).
pub type OtherWriter = (Login, IssueNumber);

/// [`list`], and the newest open issue with the sprint label whose
/// metadata another account wrote (not an adoption), if any.
pub async fn list_with_others(
    gh: &dyn GitHub,
    repo: &RepoRef,
    label: &str,
    state: StateFilter,
    bot: &Login,
) -> Result<(Vec<(Metadata, Issue)>, Option<OtherWriter>), GitHubError> {
    let mut found: Vec<(Metadata, Issue)> = Vec::new();
    let mut other: Option<OtherWriter> = None;
    for issue in gh.list_issues(repo, label, state).await? {
        if let Some(meta) = recognise_on_github(gh, repo, &issue, bot).await? {
            found.push((meta, issue));
        } else if issue.state == IssueState::Open
            && metadata(&issue).is_some_and(|m| m.adopted.is_none())
            && other.as_ref().is_none_or(|(_, n)| issue.number.0 > n.0)
        {
            other = Some((issue.author.clone(), issue.number));
        }
    }
    found.sort_by(|(a, ai), (b, bi)| b.sprint.cmp(&a.sprint).then(ai.number.cmp(&bi.number)));
    Ok((found, other))
}

/// Whether an issue is where commands go now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Currency {
    Current,
    /// Closed, or a newer sprint issue is open: commands go there.
    Superseded {
        current: Option<IssueNumber>,
    },
}

/// Why the current issue could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum CurrencyError {
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Decide whether `issue` is the current sprint issue. The store remembers
/// the current issue (a rollover or an `issues` webhook keeps it right), so
/// the usual case costs no call; otherwise the open sprint issues are
/// listed once. Returns whether GitHub was called.
pub async fn currency(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    label: &str,
    issue: &Issue,
    bot: &Login,
) -> Result<(Currency, bool), CurrencyError> {
    if issue.state == IssueState::Open
        && store
            .current_issue(&repo.to_string())
            .await?
            .is_some_and(|(n, _)| n == issue.number.0)
    {
        return Ok((Currency::Current, false));
    }
    let mut open = list(gh, repo, label, StateFilter::Open, bot).await?;
    // An open sprint issue whose label a person took off is still one: the
    // label only makes the listing cheap.
    if issue.state == IssueState::Open
        && !open.iter().any(|(_, i)| i.number == issue.number)
        && let Some(meta) = recognise_on_github(gh, repo, issue, bot).await?
        && open.first().is_none_or(|(m, _)| meta.sprint >= m.sprint)
    {
        open.insert(0, (meta, issue.clone()));
    }
    let newest = open.first().map(|(m, i)| (i.number, note(m, i)));
    if let Some((n, note)) = &newest {
        store
            .set_current_issue(&repo.to_string(), n.0, note)
            .await?;
    }
    let newest = newest.map(|(n, _)| n);
    let currency = match newest {
        Some(n) if n == issue.number && issue.state == IssueState::Open => Currency::Current,
        other => Currency::Superseded {
            current: other.filter(|n| *n != issue.number),
        },
    };
    Ok((currency, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::ReactionCounts;

    fn comment(author: &str, issue: u64, body: &str) -> Comment {
        Comment {
            id: CommentId(9),
            body: body.into(),
            author: Login(author.into()),
            author_is_bot: true,
            created_at: String::new(),
            updated_at: String::new(),
            html_url: format!("https://github.com/acme/app/issues/{issue}#issuecomment-9"),
            reactions: ReactionCounts::default(),
        }
    }

    #[test]
    fn a_marker_counts_only_from_sprintbot_on_its_own_issue_and_line() {
        let bot = Login("sprintbot[bot]".into());
        let m = "<!-- sprintbot:adopted issue=7 sprint=2022-11-14 -->";
        let body = format!("{m}\ntext");
        assert!(bot_marked(
            &comment("sprintbot[bot]", 7, &body),
            &bot,
            IssueNumber(7),
            m
        ));
        assert!(bot_marked(
            &comment("SprintBot[bot]", 7, &body),
            &bot,
            IssueNumber(7),
            m
        ));
        // Someone else's comment, another issue, a marker inside a line.
        assert!(!bot_marked(
            &comment("visitor", 7, &body),
            &bot,
            IssueNumber(7),
            m
        ));
        assert!(!bot_marked(
            &comment("sprintbot[bot]", 8, &body),
            &bot,
            IssueNumber(7),
            m
        ));
        let quoted = format!("> /risk {m}");
        assert!(!bot_marked(
            &comment("sprintbot[bot]", 7, &quoted),
            &bot,
            IssueNumber(7),
            m
        ));
        let mut unknown = comment("sprintbot[bot]", 7, &body);
        unknown.html_url = String::new();
        assert!(!bot_marked(&unknown, &bot, IssueNumber(7), m));
    }
}
