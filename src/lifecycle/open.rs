//! Opening a sprint: find the previous issue, create the new one, post the
//! team comments, link and close the previous one, move the pin. Every step
//! checks GitHub for its own earlier effect (the sprint metadata marker, the
//! team markers, the closing marker) and is recorded before the next begins.

use jiff::Timestamp;

use crate::config::repo::RepoConfig;
use crate::github::{
    GitHub, GitHubError, Issue, IssueNumber, IssueState, IssueUpdate, NewIssue, RepoRef,
    StateFilter,
};
use crate::sprint::body::SprintDoc;
use crate::sprint::calendar::Sprint;
use crate::sprint::markers::{Metadata, team_marker};
use crate::sprint::numbering::BeforeFirstVersion;
use crate::sprint::render::TemplateError;
use crate::sprint::rollover::{self, Previous, Settings};
use crate::sprint::team::TeamDoc;
use crate::store::{Store, StoreError};

/// Why a rollover could not finish (it resumes where it stopped next time).
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Numbering(#[from] BeforeFirstVersion),
    #[error("another process is rolling {0} over; try again when it is done")]
    Busy(String),
}

/// What a rollover did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub sprint: String,
    pub issue: IssueNumber,
    /// Whether this run created the issue (false: it existed and was resumed).
    pub created: bool,
    pub team_comments_posted: usize,
    pub previous: Option<IssueNumber>,
}

fn metadata(issue: &Issue) -> Option<Metadata> {
    SprintDoc::parse(&issue.body).ok()?.metadata().cloned()
}

/// Open `sprint` in `repo`, or finish opening it.
pub async fn open_sprint(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    config: &RepoConfig,
    sprint: &Sprint,
) -> Result<Report, LifecycleError> {
    let label = config.numbering.label(sprint.index)?;
    let (repo_key, sprint_key) = (repo.to_string(), sprint.id.to_string());
    let step = async |name: &str, detail: Option<String>| {
        store
            .record_step(&repo_key, &sprint_key, name, detail)
            .await
    };

    // 1. Find this sprint's issue and the previous one, by their markers.
    gh.ensure_label(repo, &config.sprint_label).await?;
    let issues = gh
        .list_issues(repo, &config.sprint_label, StateFilter::All)
        .await?;
    let tagged: Vec<(Metadata, Issue)> = issues
        .into_iter()
        .filter_map(|i| metadata(&i).map(|m| (m, i)))
        .collect();
    let existing = tagged
        .iter()
        .find(|(m, _)| m.sprint == sprint.id)
        .map(|(_, i)| i.clone());
    let previous = tagged
        .iter()
        .filter(|(m, _)| m.sprint < sprint.id)
        .max_by_key(|(m, _)| m.sprint)
        .map(|(_, i)| i.clone());
    step(
        "found",
        previous
            .as_ref()
            .map(|p| format!("previous #{}", p.number.0)),
    )
    .await?;

    // 2. Read the previous sprint: goals, statuses, team comments.
    let prev_comments = match &previous {
        Some(p) => gh.list_comments(repo, p.number, None).await?,
        None => Vec::new(),
    };
    let prev = previous.as_ref().and_then(|p| {
        let doc = SprintDoc::parse(&p.body).ok()?;
        let team_comments = prev_comments
            .iter()
            .filter_map(|c| TeamDoc::parse(&c.body))
            .collect();
        Some(Previous {
            issue: p.number.0,
            doc,
            team_comments,
        })
    });
    let settings = Settings {
        templates: config.templates.clone(),
        teams: config.team_views(),
        carry_unfinished_goals: config.switches.carry_unfinished_goals,
    };
    let plan = rollover::plan(
        prev.as_ref(),
        &settings,
        sprint,
        &label,
        config.rotation.heroes_for(sprint),
    )?;

    // 3. The new issue, unless it exists already.
    let (issue, created) = match existing {
        Some(issue) => (issue, false),
        None => {
            let marker = format!("<!-- sprintbot:sprint id={} ", sprint.id);
            let new = NewIssue {
                title: plan.title.clone(),
                body: plan.body.clone(),
                labels: vec![config.sprint_label.clone()],
            };
            (gh.create_issue(repo, &new, &marker).await?, true)
        }
    };
    step("issue", Some(format!("#{}", issue.number.0))).await?;

    // 4. One comment per team, each only if its marker is not there yet.
    let on_issue = if created {
        Vec::new()
    } else {
        gh.list_comments(repo, issue.number, None).await?
    };
    let mut posted = 0;
    for tc in &plan.team_comments {
        let marker = team_marker(&tc.slug, sprint.id);
        if !on_issue.iter().any(|c| c.body.contains(&marker)) {
            gh.create_comment(repo, issue.number, &tc.body, Some(&marker))
                .await?;
            posted += 1;
        }
    }
    step("team_comments", Some(format!("{posted} posted"))).await?;

    // 5. The previous issue: a link to the new one, the pin, then closing it
    //    (last, so a closed previous issue means every step is done).
    if let Some(p) = &previous {
        let marker = rollover::closing_marker(issue.number.0);
        if !prev_comments.iter().any(|c| c.body.contains(&marker)) {
            let text = rollover::closing_comment(issue.number.0, &plan.title, plan.unfinished);
            gh.create_comment(repo, p.number, &text, Some(&marker))
                .await?;
        }
        step("linked_previous", None).await?;
    }
    let pin_pending = created
        || previous
            .as_ref()
            .is_some_and(|p| p.state == IssueState::Open)
        || (previous.is_none()
            && !store
                .steps(&repo_key, &sprint_key)
                .await?
                .iter()
                .any(|s| s == "pinned"));
    if config.switches.pin && pin_pending {
        if let Some(p) = previous.as_ref().filter(|p| p.state == IssueState::Open) {
            gh.unpin_issue(&p.node_id).await?;
        }
        gh.pin_issue(&issue.node_id).await?;
        step("pinned", None).await?;
    }
    if let Some(p) = previous
        .as_ref()
        .filter(|p| config.switches.close_previous && p.state == IssueState::Open)
    {
        gh.update_issue(
            repo,
            p.number,
            &IssueUpdate {
                state: Some(IssueState::Closed),
                ..Default::default()
            },
        )
        .await?;
        step("closed_previous", None).await?;
    }
    step("done", None).await?;
    Ok(Report {
        sprint: sprint_key,
        issue: issue.number,
        created,
        team_comments_posted: posted,
        previous: previous.map(|p| p.number),
    })
}

/// Hold the repository's rollover lease while `f` runs; a second process on
/// the same store waits for the first (up to `wait`).
async fn leased<T>(
    store: &Store,
    repo: &RepoRef,
    wait: std::time::Duration,
    f: impl AsyncFnOnce() -> Result<T, LifecycleError>,
) -> Result<T, LifecycleError> {
    let name = format!("rollover:{repo}");
    let holder = format!("{}:{}", std::process::id(), rand::random::<u64>());
    let started = std::time::Instant::now();
    while !store.try_lease(&name, &holder, 15 * 60 * 1000).await? {
        if started.elapsed() > wait {
            return Err(LifecycleError::Busy(repo.to_string()));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let result = f().await;
    store.release_lease(&name, &holder).await?;
    result
}

/// Run whatever is due at `now`: open the current sprint unless that is done.
/// Returns `None` when nothing was due (also before the cadence anchor: no
/// sprint opens before it, as `check-config` warns).
pub async fn tick(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    config: &RepoConfig,
    now: Timestamp,
) -> Result<Option<Report>, LifecycleError> {
    let Some(sprint) = config.sprint_due(now) else {
        return Ok(None);
    };
    let (repo_key, sprint_key) = (repo.to_string(), sprint.id.to_string());
    if store
        .steps(&repo_key, &sprint_key)
        .await?
        .iter()
        .any(|s| s == "done")
    {
        return Ok(None);
    }
    leased(
        store,
        repo,
        std::time::Duration::from_secs(600),
        async || {
            // Check again under the lease: another process may have finished it.
            if store
                .steps(&repo_key, &sprint_key)
                .await?
                .iter()
                .any(|s| s == "done")
            {
                return Ok(None);
            }
            open_sprint(gh, store, repo, config, &sprint)
                .await
                .map(Some)
        },
    )
    .await
}

/// Open the sprint after `after` now (`/sprint rollover` passes the sprint
/// of the issue it was written on, so repeating it is harmless); with no
/// `after`, the sprint after the newest sprint issue (`sprintbot rollover`),
/// or the current sprint when there is none yet.
pub async fn rollover_now(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    config: &RepoConfig,
    now: Timestamp,
    after: Option<crate::sprint::SprintId>,
) -> Result<Report, LifecycleError> {
    let newest = match after {
        Some(id) => Some(id),
        None => gh
            .list_issues(repo, &config.sprint_label, StateFilter::All)
            .await?
            .iter()
            .filter_map(metadata)
            .map(|m| m.sprint)
            .max(),
    };
    let target = match newest {
        Some(id) => config
            .cadence
            .sprint(config.cadence.sprint_containing(id.0).index + 1),
        // Asked for now, before the anchor: open the first sprint early
        // rather than one numbered backwards from it.
        None => config
            .sprint_due(now)
            .unwrap_or_else(|| config.cadence.sprint(0)),
    };
    leased(
        store,
        repo,
        std::time::Duration::from_secs(600),
        async || open_sprint(gh, store, repo, config, &target).await,
    )
    .await
}
