//! `/sprint adopt`: an issue people wrote in the sprint's shape becomes the
//! current sprint issue, for the sprint the calendar says is current. In
//! steps, each looking for its own earlier effect so a retry or a crash
//! does every step once: (1) sprintbot's comment recording the adoption is
//! found or posted (the proof the issue's metadata names, since sprintbot
//! did not write the issue), and sprintbot's 🚀 on the issue, which proves
//! it when that comment is deleted; (2) the body, read again right before, gets
//! its markers (`sprint::adopt`: nothing people wrote changes) unless it
//! has them; (3) the sprint label; (4) the pin; and the store learns the
//! current issue with the job's completion. Refused, with the reason, when
//! the config is missing or broken, another sprint issue is open or holds
//! this sprint, the issue lacks a section, or its title is the template's
//! placeholder (a title with the calendar's dates is proposed). Calls: the config (cached),
//! the sprint issues (a page per 100), the issue's comments since the
//! command, a comment, the seal, the issue again, its body, the label, the
//! pin.

use super::Commands;
use super::answers::Addressee;
use super::messages;
use super::selfservice::Asked;
use crate::github::{IssueOp, IssueUpdate, Reaction, StateFilter};
use crate::sprint::adopt::{AdoptError, adopt};
use crate::sprint::ledger::Ledger;
use crate::sprint::markers::Metadata;
use crate::sprint::title_read::{TitleRead, read_title};
use crate::sprint_issues;
use crate::store::{AuditEntry, Effect};
use crate::worker::{JobError, github_error};

impl Commands {
    /// Adopt the issue `a` is on. `Ok(Err(reason))`: refused.
    pub(super) async fn adopt(
        &self,
        a: &Asked<'_>,
        to: &Addressee,
    ) -> Result<Result<Vec<Effect>, String>, JobError> {
        let (gh, repo, ev) = (a.gh, &a.ev.origin.repo, a.ev);
        if a.issue.state != crate::github::IssueState::Open {
            return Ok(Err(messages::adopt_closed()));
        }
        let bot = self.github.bot_login().await.map_err(github_error)?;
        let loaded = self.config(gh, repo, Some(ev.origin.repo_id), &bot).await?;
        let Some(config) = loaded.config.as_ref() else {
            let problem = loaded.problem_summary();
            return Ok(Err(messages::adopt_no_config(problem.as_deref())));
        };
        // The sprint the calendar says is current (its skipped and extended
        // sprints included; before the anchor, the one before it).
        let calendar = config.config_calendar();
        let sprint = calendar.sprint_at(self.clock.now());
        let label = match calendar.label(&config.numbering, &sprint) {
            Ok(label) => label,
            Err(e) => return Ok(Err(e.to_string())),
        };
        // The template's title, never edited, names no dates to adopt.
        let today = sprint.start;
        if read_title(&a.issue.title, today) == TitleRead::Placeholder {
            let proposed = crate::sprint::render::title(&config.templates, &sprint, &label)
                .unwrap_or_else(|_| label.to_string());
            return Ok(Err(messages::adopt_placeholder(&proposed)));
        }
        let this = a.issue.number;
        let issues = sprint_issues::list(gh, repo, &config.sprint_label, StateFilter::All, &bot)
            .await
            .map_err(github_error)?;
        for (m, i) in issues.iter().filter(|(_, i)| i.number != this) {
            if m.sprint >= sprint.id {
                return Ok(Err(messages::adopt_taken(
                    i.number.0,
                    &m.sprint.to_string(),
                )));
            }
            if i.state == crate::github::IssueState::Open {
                return Ok(Err(messages::adopt_open_elsewhere(i.number.0)));
            }
        }
        let mut meta = Metadata {
            sprint: sprint.id,
            version: label.version.to_string(),
            part: label.part,
            parts: label.parts,
            // Comments up to this one were written before the adoption:
            // they are not commands to run now.
            ledger: Ledger {
                cursor: ev.comment.id.0,
                since: Some(ev.comment.created_at.clone()),
                ..Ledger::default()
            },
            previous: None,
            adopted: None,
        };
        let adopted_already = sprint_issues::recognise_on_github(gh, repo, a.issue, &bot)
            .await
            .map_err(github_error)?
            .is_some();
        if !adopted_already && let Err(e) = adopt(&a.issue.body, &meta) {
            return Ok(Err(refusal(&e)));
        }
        // 1. The record of the adoption, by sprintbot, on this issue.
        let proof = sprint_issues::adoption_marker(this, sprint.id);
        let found = gh
            .list_comments(repo, this, Some(&ev.comment.created_at))
            .await
            .map_err(github_error)?
            .into_iter()
            .find(|c| sprint_issues::bot_marked(c, &bot, this, &proof));
        let record = match found {
            Some(c) => c,
            None => {
                let reply = format!("<!-- sprintbot:reply-to={} adopt -->", ev.comment.id.0);
                let text = messages::adopted(
                    &reply,
                    &proof,
                    &to.author,
                    &label.to_string(),
                    &ev.comment.created_at,
                );
                gh.create_comment(repo, this, &text, Some(&proof))
                    .await
                    .map_err(github_error)?
            }
        };
        meta.adopted = Some(record.id.0);
        // 1b. sprintbot's seal on the issue itself: a reaction only its own
        // account can take off, so deleting the record cannot undo the
        // adoption (`sprint_issues::recognise_on_github`). A repeat is a 200.
        gh.add_issue_reaction(repo, this, Reaction::Rocket)
            .await
            .map_err(github_error)?;
        // 2. The markers, on the body as it is now.
        let issue = gh.get_issue(repo, this).await.map_err(github_error)?;
        let has_meta = sprint_issues::recognise_on_github(gh, repo, &issue, &bot)
            .await
            .map_err(github_error)?
            .is_some();
        if !has_meta {
            let body = match adopt(&issue.body, &meta) {
                Ok(body) => body,
                Err(e) => {
                    // Changed meanwhile: take the record back, and say why.
                    gh.delete_comment(repo, record.id)
                        .await
                        .map_err(github_error)?;
                    return Ok(Err(refusal(&e)));
                }
            };
            let update = IssueUpdate {
                body: Some(body),
                ..IssueUpdate::default()
            };
            gh.update_issue(repo, this, &update)
                .await
                .map_err(github_error)?;
        }
        // 3. Labelled and 4. pinned like an opened sprint.
        if !issue
            .labels
            .iter()
            .any(|l| l.eq_ignore_ascii_case(&config.sprint_label))
        {
            gh.add_labels(repo, this, std::slice::from_ref(&config.sprint_label))
                .await
                .map_err(github_error)?;
        }
        if config.switches.pin {
            let ops = [IssueOp::Pin(issue.node_id.clone())];
            let results = gh.issue_ops(&ops).await.map_err(github_error)?;
            if let Some(Err(e)) = results.into_iter().next() {
                metrics::counter!("sprintbot_pin_failures_total").increment(1);
                tracing::warn!(%repo, issue = this.0, error = %e,
                    "could not pin the adopted sprint issue; unpin another issue to make room");
            }
        }
        tracing::info!(%repo, issue = this.0, sprint = %sprint.id, "adopted a sprint issue");
        Ok(Ok(vec![
            Effect::CurrentIssue {
                repo: repo.to_string(),
                issue: this.0,
                sprint: sprint.id.to_string(),
            },
            Effect::Audit(AuditEntry {
                actor: to.author.clone(),
                action: "sprint.adopt".into(),
                target: format!("{repo}#{}", this.0),
                before: None,
                after: Some(format!("Sprint {label} ({})", sprint.id)),
                source: Some(format!("comment {}", ev.comment.id.0)),
            }),
        ]))
    }
}

/// What a person is told when the issue's shape refuses an adoption.
fn refusal(e: &AdoptError) -> String {
    messages::adopt_lacking(&e.to_string())
}
