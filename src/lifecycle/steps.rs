//! The steps after a sprint issue exists, each looking for its own earlier
//! effect on GitHub (only in what sprintbot's account wrote): the team
//! comments, the optional summary comment and sub-issues (`extras`), the
//! closing comment on the previous issue (the audit of what moved where,
//! see `sprint::moving`), and the pin and the previous
//! issue's closing in one GraphQL call. Closing the previous issue
//! comes last, so a closed previous issue means the opening is complete.
//! Also: reducing two issues for one sprint to the older, and telling
//! people when a damaged previous issue stops a rollover.

use super::Repo;
use super::{LifecycleError, Report, extras, unmarked};
use crate::github::{
    Comment, GitHubError, Issue, IssueNumber, IssueOp, IssueState, IssueUpdate, StateFilter,
};
use crate::sprint::SprintId;
use crate::sprint::body::SprintDoc;
use crate::sprint::markers::{Metadata, team_marker};
use crate::sprint::moving::{Destination, audit_comment};
use crate::sprint::rollover::{self, Plan, Previous};
use crate::sprint::team::TeamDoc;
use crate::sprint_issues::{self, bot_marked};

/// Finishing the opening of one sprint issue.
pub struct Finishing<'a> {
    r: &'a Repo<'a>,
    meta: Metadata,
    issue: Issue,
    previous: Option<(Metadata, Issue)>,
    plan: Option<Plan>,
    prev_comments: Option<Vec<Comment>>,
    /// The previous issue's body as the rollover read it (its commands applied).
    prev_doc: Option<SprintDoc>,
}

fn by_bot<'c>(comments: &'c [Comment], r: &Repo<'_>) -> impl Iterator<Item = &'c Comment> {
    let bot = r.bot.clone();
    comments.iter().filter(move |c| c.author == bot)
}

/// For each configured team (in config order), sprintbot's comment for it
/// on the issue of `sprint`: by slug, by an earlier name, or as the one
/// renamed team (`sprint::team_identity`), so that renaming a team never
/// posts an empty comment beside its old one.
fn team_comments<'c>(
    on_issue: &'c [Comment],
    r: &Repo<'_>,
    issue: IssueNumber,
    sprint: crate::sprint::SprintId,
) -> Vec<Option<&'c Comment>> {
    let docs: Vec<(String, &Comment)> = by_bot(on_issue, r)
        .filter(|c| c.issue() == Some(issue))
        .filter_map(|c| {
            TeamDoc::parse(&c.body)
                .filter(|d| d.sprint == sprint)
                .map(|d| (d.slug, c))
        })
        .collect();
    let slugs: Vec<&str> = docs.iter().map(|(s, _)| s.as_str()).collect();
    let mut found: Vec<Option<&Comment>> =
        crate::sprint::team_identity::match_comments(&r.config.team_views(), &slugs)
            .into_iter()
            .map(|found| found.map(|(i, _)| docs[i].1))
            .collect();
    // A team's comment whose marker a person deleted or changed is still
    // its comment: posting another would double it.
    for (slot, team) in found.iter_mut().zip(&r.config.teams) {
        if slot.is_none() {
            *slot = on_issue
                .iter()
                .find(|c| unmarked::is_team_comment(c, r.bot, issue, sprint, team));
        }
    }
    found
}

impl<'a> Finishing<'a> {
    pub fn new(
        r: &'a Repo<'a>,
        issues: &[(Metadata, Issue)],
        meta: &Metadata,
        issue: &Issue,
    ) -> Self {
        let previous = meta
            .previous
            .and_then(|n| issues.iter().find(|(_, i)| i.number.0 == n).cloned());
        Finishing {
            r,
            meta: meta.clone(),
            issue: issue.clone(),
            previous,
            plan: None,
            prev_comments: None,
            prev_doc: None,
        }
    }

    /// The plan the issue was just created from, the previous issue's
    /// comments as listed for it, and its body as read for it.
    pub fn with_plan(
        mut self,
        plan: Plan,
        prev_comments: Vec<Comment>,
        prev_doc: Option<SprintDoc>,
    ) -> Self {
        self.plan = Some(plan);
        self.prev_comments = Some(prev_comments);
        self.prev_doc = prev_doc;
        self
    }

    fn close_previous(&self) -> bool {
        self.r.config.switches.close_previous
    }

    /// Finish the opening if a crash or an error cut it short; `None` when
    /// it is complete (the usual case, which writes nothing). `on_issue`:
    /// the issue's comments.
    pub async fn finish_if_cut_short(
        &self,
        on_issue: &[Comment],
    ) -> Result<Option<Report>, LifecycleError> {
        if self.issue.state != IssueState::Open {
            return Ok(None);
        }
        let previous_open = self
            .previous
            .as_ref()
            .is_some_and(|(_, p)| p.state == IssueState::Open);
        // People wrote an adopted issue's team comments themselves.
        let adopted = self.meta.adopted.is_some();
        let missing = !adopted
            && team_comments(on_issue, self.r, self.issue.number, self.meta.sprint)
                .iter()
                .any(Option::is_none);
        self.remove_duplicate_team_comments(on_issue).await?;
        if missing || (self.close_previous() && previous_open) {
            return self.finish(Some(on_issue)).await.map(Some);
        }
        if let (Some((_, p)), false) = (&self.previous, self.close_previous()) {
            let prev = self.r.gh.list_comments(self.r.repo, p.number, None).await?;
            if !unmarked::closing_posted(&prev, self.r.bot, p.number, self.issue.number.0) {
                return self.finish(Some(on_issue)).await.map(Some);
            }
        }
        Ok(None)
    }

    /// Post what is missing, move the pin, close the previous issue.
    /// `on_issue`: the issue's comments (`None`: it was just created).
    pub async fn finish(&self, on_issue: Option<&[Comment]>) -> Result<Report, LifecycleError> {
        let created = on_issue.is_none();
        let r = self.r;
        let prev_comments = match (&self.prev_comments, &self.previous) {
            (Some(c), _) => c.clone(),
            (None, Some((_, p))) => r.gh.list_comments(r.repo, p.number, None).await?,
            (None, None) => Vec::new(),
        };
        let plan = match &self.plan {
            Some(plan) => plan.clone(),
            None => self.replan(&prev_comments)?,
        };
        if self.previous.is_none() && r.config.switches.pin {
            self.run_ops(vec![IssueOp::Pin(self.issue.node_id.clone())])
                .await?;
        }
        let on_issue = on_issue.unwrap_or_default();
        let mut posted = 0;
        // Where each team's comment is, for the audit comment's links.
        let mut team_urls = Vec::new();
        let existing = team_comments(on_issue, r, self.issue.number, self.meta.sprint);
        for (i, tc) in plan.team_comments.iter().enumerate() {
            let marker = team_marker(&tc.slug, self.meta.sprint);
            let url = match existing.get(i).copied().flatten() {
                Some(c) => c.html_url.clone(),
                None => {
                    posted += 1;
                    r.gh.create_comment(r.repo, self.issue.number, &tc.body, Some(&marker))
                        .await?
                        .html_url
                }
            };
            team_urls.push((tc.slug.clone(), url));
        }
        if let Some((_, p)) = &self.previous {
            if let Some(text) = &plan.summary {
                extras::summary(r, &self.issue, self.meta.sprint, text, on_issue).await?;
            }
            let prev_doc = match &self.prev_doc {
                Some(d) => Some(d.clone()),
                None => SprintDoc::parse(&p.body).ok(),
            };
            let moved_subs = match prev_doc.filter(|_| r.config.switches.goals_as_sub_issues) {
                Some(d) => extras::sub_issues(r, &self.issue, p, &d, created, on_issue).await?,
                None => Vec::new(),
            };
            let mut ops = Vec::new();
            if r.config.switches.pin {
                if p.state == IssueState::Open {
                    ops.push(IssueOp::Unpin(p.node_id.clone()));
                }
                ops.push(IssueOp::Pin(self.issue.node_id.clone()));
            }
            let marker = rollover::closing_marker(self.issue.number.0);
            let linked =
                unmarked::closing_posted(&prev_comments, r.bot, p.number, self.issue.number.0);
            let link = async || -> Result<(), LifecycleError> {
                if !linked {
                    let to = Destination {
                        issue: self.issue.number.0,
                        title: &plan.title,
                        into_plan: r.config.switches.carry_unfinished_goals,
                        team_comments: &team_urls,
                        sub_issues: &moved_subs,
                    };
                    let text = audit_comment(&plan.moving, &to);
                    r.gh.create_comment(r.repo, p.number, &text, Some(&marker))
                        .await?;
                }
                Ok(())
            };
            if self.close_previous() {
                link().await?;
                if p.state == IssueState::Open {
                    ops.push(IssueOp::Close(p.node_id.clone()));
                }
                self.run_ops(ops).await?;
            } else {
                if !linked {
                    self.run_ops(ops).await?;
                }
                link().await?;
            }
        }
        Ok(Report {
            sprint: self.meta.sprint.to_string(),
            issue: self.issue.number,
            created,
            team_comments_posted: posted,
            previous: self.previous.as_ref().map(|(_, p)| p.number),
        })
    }

    /// Two runs racing on separate stores may both post a team's comment in
    /// the same moment: the newer copy goes, unless someone edited it.
    async fn remove_duplicate_team_comments(
        &self,
        on_issue: &[Comment],
    ) -> Result<(), LifecycleError> {
        for t in &self.r.config.teams {
            let marker = team_marker(&t.slug, self.meta.sprint);
            let copies: Vec<&Comment> = on_issue
                .iter()
                .filter(|c| bot_marked(c, self.r.bot, self.issue.number, &marker))
                .collect();
            for extra in copies.iter().skip(1) {
                if extra.created_at == extra.updated_at && extra.body == copies[0].body {
                    self.r.gh.delete_comment(self.r.repo, extra.id).await?;
                }
            }
        }
        Ok(())
    }

    /// The plan again, to know the team comments of an opening cut short.
    fn replan(&self, prev_comments: &[Comment]) -> Result<Plan, LifecycleError> {
        let r = self.r;
        let calendar = r
            .config
            .calendar(&crate::sprint::exceptions::Recorded::from_body(
                &self.issue.body,
            ));
        let sprint = calendar.containing(self.meta.sprint.0);
        let label = calendar.label(&r.config.numbering, &sprint)?;
        let prev = self.previous.as_ref().and_then(|(m, p)| {
            Some(Previous {
                issue: p.number.0,
                doc: SprintDoc::parse(&p.body).ok()?,
                team_comments: by_bot(prev_comments, r)
                    .filter_map(|c| TeamDoc::parse(&c.body))
                    .filter(|t| t.sprint == m.sprint)
                    .collect(),
                // The new issue's body is written already: the plan is
                // wanted for its team comments, closing comment and summary,
                // which use neither the older history nor the shipped list.
                earlier: Vec::new(),
                shipped: None,
            })
        });
        let settings = r.config.rollover_settings();
        let away = rollover::Away::new(prev.as_ref(), &settings, &sprint);
        let heroes = r.config.rotation.heroes_with(&calendar, &sprint, &away.all);
        Ok(rollover::plan(
            prev.as_ref(),
            &settings,
            &sprint,
            &label,
            heroes,
        )?)
    }

    /// Pin, unpin and close in one call. A pin GitHub refuses (three issues
    /// pinned already) is reported, not retried; a close must happen.
    async fn run_ops(&self, ops: Vec<IssueOp>) -> Result<(), LifecycleError> {
        if ops.is_empty() {
            return Ok(());
        }
        let results = self.r.gh.issue_ops(&ops).await?;
        for (op, result) in ops.iter().zip(results) {
            match (op, result) {
                (_, Ok(())) | (IssueOp::Unpin(_), Err(_)) => {}
                (IssueOp::Pin(_), Err(e)) => {
                    metrics::counter!("sprintbot_pin_failures_total").increment(1);
                    tracing::warn!(repo = %self.r.repo, issue = self.issue.number.0, error = %e,
                        "could not pin the sprint issue; unpin another issue to make room");
                }
                (IssueOp::Close(_), Err(e)) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Two or more issues for one sprint (two runs opened it at the same
/// moment): every one but the oldest is closed as a duplicate that links
/// the oldest, and dropped from `issues`.
pub async fn close_duplicates(
    r: &Repo<'_>,
    issues: &mut Vec<(Metadata, Issue)>,
) -> Result<(), LifecycleError> {
    let mut keep: Vec<(Metadata, Issue)> = Vec::new();
    for (meta, issue) in std::mem::take(issues) {
        match keep.iter().find(|(m, _)| m.sprint == meta.sprint) {
            Some((_, older)) => close_as_duplicate(r, &issue, older.number.0).await?,
            None => keep.push((meta, issue)),
        }
    }
    *issues = keep;
    Ok(())
}

async fn close_as_duplicate(r: &Repo<'_>, issue: &Issue, of: u64) -> Result<(), GitHubError> {
    if issue.state == IssueState::Open {
        let marker = format!("<!-- sprintbot:duplicate of={of} -->");
        let text = format!(
            "{marker}\nThis sprint was opened twice at the same moment; #{of} is the one to use, so this duplicate is closed.\n"
        );
        r.gh.create_comment(r.repo, issue.number, &text, Some(&marker))
            .await?;
        r.gh.update_issue(
            r.repo,
            issue.number,
            &IssueUpdate {
                state: Some(IssueState::Closed),
                state_reason: Some("not_planned"),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// After creating `created` for `sprint`: if another run created one too,
/// keep the older and close this one as its duplicate.
pub async fn settle_twins(
    r: &Repo<'_>,
    sprint: SprintId,
    created: Issue,
) -> Result<Issue, LifecycleError> {
    let mut twins: Vec<Issue> = sprint_issues::list(
        r.gh,
        r.repo,
        &r.config.sprint_label,
        StateFilter::All,
        r.bot,
    )
    .await?
    .into_iter()
    .filter(|(m, i)| m.sprint == sprint && i.number != created.number)
    .map(|(_, i)| i)
    .collect();
    twins.sort_by_key(|i| i.number);
    match twins.into_iter().next() {
        Some(older) if older.number < created.number => {
            close_as_duplicate(r, &created, older.number.0).await?;
            Ok(older)
        }
        _ => Ok(created),
    }
}

/// Tell people, once, that the previous issue is too damaged to roll over.
pub async fn report_damage(
    r: &Repo<'_>,
    p: &Issue,
    meta: &Metadata,
    comments: &[Comment],
    problem: &str,
) -> Result<(), GitHubError> {
    metrics::counter!("sprintbot_rollover_blocked_total").increment(1);
    tracing::error!(repo = %r.repo, issue = p.number.0, problem, "a damaged sprint issue stops the rollover");
    let marker = format!("<!-- sprintbot:damaged sprint={} -->", meta.sprint);
    let text = format!(
        "{marker}\nI cannot open the next sprint: this issue's structure is damaged ({problem}), so I cannot read its goals for the retro, and I will not guess them. \
         Restore the hidden marker lines (`<!-- sprintbot:... -->`) from the issue's edit history; I try again every few minutes and carry on once it reads.\n"
    );
    if sprint_issues::find_written(comments, r.bot, p.number, &marker, &text).is_some() {
        return Ok(());
    }
    r.gh.create_comment(r.repo, p.number, &text, Some(&marker))
        .await?;
    Ok(())
}
