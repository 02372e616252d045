//! `/sprint adopt` and `sprintbot adopt`: an issue people wrote in the
//! sprint's shape becomes the current sprint issue, for the sprint its
//! title's dates name (`sprint::adopt_dates`, recorded in the issue's
//! calendar marker as `/sprint extend` records an exception; a title
//! without dates takes the calendar's current sprint). In steps, each
//! looking for its own earlier effect so a retry or a crash does every
//! step once: (1) sprintbot's comment recording the adoption is found or
//! posted (the proof the issue's metadata names, since sprintbot did not
//! write the issue), and sprintbot's 🚀 on the issue, which proves it when
//! that comment is deleted; (2) the body, read again right before, gets
//! its markers (`sprint::adopt`: nothing people wrote changes) unless it
//! has them; (3) the sprint label; (4) the pin; and the store learns the
//! current issue with the job's completion. Refused, with the reason, when
//! the config is missing or broken, the issue is one team's own plan, its
//! title is the template's placeholder (a title with the calendar's dates
//! is proposed) or names dates that do not fit, its sprint is over,
//! another sprint issue is open or holds this sprint, another hand-written
//! issue is current by its title's dates, or the issue lacks a section.
//! Older hand-written sprint issues still open are listed in the record
//! with how to close them. Calls: the config (cached), the sprint issues (a
//! page per 100), the open issues (a page per 100), the issue's comments,
//! a comment, the seal, the issue again, its body, the label, the pin.

use jiff::Timestamp;
use jiff::civil::Date;

use super::adopt_text as text;
use super::answers::Addressee;
use super::messages;
use super::selfservice::Asked;
use crate::context::Context;
use crate::github::{Comment, GitHub, Issue, IssueOp, IssueUpdate, Reaction, RepoRef, StateFilter};
use crate::sprint::adopt::{AdoptError, adopt_as};
use crate::sprint::adopt_dates::{self, DatesError, older_open};
use crate::sprint::exceptions::{self, Recorded};
use crate::sprint::ledger::Ledger;
use crate::sprint::markers::Metadata;
use crate::sprint::own_plan::own_plan;
use crate::sprint_issues;
use crate::store::{AuditEntry, Effect};
use crate::worker::{JobError, github_error};

/// An adoption to make: of `issue`, at `now`, asked by a `/sprint adopt`
/// comment (and its author) or, with `None`, from the command line.
pub struct Request<'a> {
    pub gh: &'a dyn GitHub,
    pub repo: &'a RepoRef,
    pub repo_id: Option<u64>,
    pub issue: &'a Issue,
    pub now: Timestamp,
    pub asked: Option<(&'a Comment, &'a str)>,
}

/// A done adoption: what the store learns, and the record's text.
pub struct Adopted {
    pub effects: Vec<Effect>,
    pub record: String,
    pub sprint: String,
}

impl Context {
    /// Adopt the issue `a` is on. `Ok(Err(reason))`: refused.
    pub(super) async fn adopt(
        &self,
        a: &Asked<'_>,
        to: &Addressee,
    ) -> Result<Result<Vec<Effect>, String>, JobError> {
        let req = Request {
            gh: a.gh,
            repo: &a.ev.origin.repo,
            repo_id: Some(a.ev.origin.repo_id),
            issue: a.issue,
            now: self.clock.now(),
            asked: Some((&a.ev.comment, &to.author)),
        };
        Ok(self.adopt_issue(&req).await?.map(|done| done.effects))
    }

    /// Adopt `req.issue`. `Ok(Err(reason))`: refused, nothing written.
    pub async fn adopt_issue(
        &self,
        req: &Request<'_>,
    ) -> Result<Result<Adopted, String>, JobError> {
        let (gh, repo, issue) = (req.gh, req.repo, req.issue);
        if issue.state != crate::github::IssueState::Open {
            return Ok(Err(messages::adopt_closed()));
        }
        let bot = self.github.bot_login().await.map_err(github_error)?;
        let loaded = self.config(gh, repo, req.repo_id, &bot).await?;
        let Some(config) = loaded.config.as_ref() else {
            let problem = loaded.problem_summary();
            return Ok(Err(messages::adopt_no_config(problem.as_deref())));
        };
        if let Some(why) = own_plan(&issue.title, &issue.body) {
            return Ok(Err(text::cannot(&why)));
        }
        let this = issue.number;
        let issues = sprint_issues::list(gh, repo, &config.sprint_label, StateFilter::All, &bot)
            .await
            .map_err(github_error)?;
        // The exceptions sprintbot's newest sprint issue carries forward.
        let before = issues
            .iter()
            .find(|(_, i)| i.number != this)
            .map(|(_, i)| Recorded::from_body(&i.body))
            .unwrap_or_default();
        let tz = &config.cadence.tz;
        let today = tz.to_datetime(req.now).date();
        let created = local_date(&issue.created_at, tz).unwrap_or(today);
        let calendar_now = config.calendar(&before).sprint_at(req.now);
        let placed = match adopt_dates::dated(&issue.title, created, config, &before) {
            Ok(d) => Some(d),
            Err(DatesError::NotDated) => None,
            Err(DatesError::Placeholder) => {
                let calendar = config.calendar(&before);
                let proposed = calendar
                    .label(&config.numbering, &calendar_now)
                    .ok()
                    .and_then(|label| {
                        crate::sprint::render::title(&config.templates, &calendar_now, &label).ok()
                    })
                    .unwrap_or_default();
                return Ok(Err(messages::adopt_placeholder(&proposed)));
            }
            Err(DatesError::Unfit(why)) => return Ok(Err(text::cannot(&why))),
        };
        let recorded = placed.as_ref().map_or(before, |d| d.recorded.clone());
        let calendar = config.calendar(&recorded);
        let sprint = match &placed {
            Some(d) => d.sprint.clone(),
            None => calendar_now,
        };
        let label = match calendar.label(&config.numbering, &sprint) {
            Ok(label) => label,
            Err(e) => return Ok(Err(e.to_string())),
        };
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
        // Among hand-written sprint issues (not a team's own plan), the
        // current one by dates.
        let older = match &placed {
            Some(d) => {
                let open = gh
                    .list_issues(repo, "", StateFilter::Open)
                    .await
                    .map_err(github_error)?;
                let others: Vec<(u64, String, Date)> = open
                    .iter()
                    .filter(|i| {
                        i.number != this
                            && !issues.iter().any(|(_, s)| s.number == i.number)
                            && own_plan(&i.title, &i.body).is_none()
                    })
                    .map(|i| {
                        let made = local_date(&i.created_at, tz).unwrap_or(today);
                        (i.number.0, i.title.clone(), made)
                    })
                    .collect();
                match older_open(&d.title, today, &others) {
                    Ok(older) => older,
                    Err(newer) => return Ok(Err(text::newer_is_current(&newer))),
                }
            }
            None => Vec::new(),
        };
        if let Some(d) = &placed
            && d.next <= today
        {
            return Ok(Err(text::ended(
                &d.title.end.to_string(),
                &d.next.to_string(),
            )));
        }
        // Comments up to the asking one (or, from the command line, every
        // comment so far) were written before the adoption: they are not
        // commands to run now.
        let since = req.asked.map(|(c, _)| c.created_at.as_str());
        let comments = gh
            .list_comments(repo, this, since)
            .await
            .map_err(github_error)?;
        let ledger = match req.asked {
            Some((c, _)) => Ledger {
                cursor: c.id.0,
                since: Some(c.created_at.clone()),
                ..Ledger::default()
            },
            None => Ledger {
                cursor: comments.iter().map(|c| c.id.0).max().unwrap_or(0),
                since: comments.iter().map(|c| c.updated_at.clone()).max(),
                ..Ledger::default()
            },
        };
        let mut meta = Metadata {
            sprint: sprint.id,
            version: label.version.to_string(),
            part: label.part,
            parts: label.parts,
            ledger,
            previous: None,
            adopted: None,
        };
        let adopted_already = sprint_issues::recognise_on_github(gh, repo, issue, &bot)
            .await
            .map_err(github_error)?
            .is_some();
        let mut era = None;
        if !adopted_already {
            match adopt_as(&issue.body, &meta, &config.layout) {
                Ok(a) => era = a.other_era,
                Err(e) => return Ok(Err(refusal(&e))),
            }
        }
        // 1. The record of the adoption, by sprintbot, on this issue.
        let proof = sprint_issues::adoption_marker(this, sprint.id);
        let found = comments
            .into_iter()
            .find(|c| sprint_issues::bot_marked(c, &bot, this, &proof));
        let (record, record_text) = match found {
            Some(c) => {
                let body = c.body.clone();
                (c, body)
            }
            None => {
                let (reply, author, from) = match req.asked {
                    Some((c, author)) => (
                        format!("<!-- sprintbot:reply-to={} adopt -->", c.id.0),
                        author.to_string(),
                        c.created_at.clone(),
                    ),
                    None => (String::new(), issue.author.0.clone(), req.now.to_string()),
                };
                let opens = calendar.local(sprint.closes_at);
                let days = (sprint.end - sprint.start).get_days() + 1;
                let (start, end) = match &placed {
                    Some(d) => (d.title.start, d.title.end),
                    None => (sprint.start, sprint.last_working_day),
                };
                let mut text =
                    messages::adopted(&reply, &proof, &author, &label.to_string(), &from)
                        .trim_start_matches('\n')
                        .to_string();
                text.push_str(&text::dates_line(
                    placed.is_some(),
                    &start.strftime("%a %b %-d, %Y").to_string(),
                    &end.strftime("%a %b %-d, %Y").to_string(),
                    days,
                    &opens,
                ));
                text.push_str(&text::older_open(repo, &older));
                if let Some(era) = era {
                    text.push_str(&text::era(era, config.layout.preset));
                }
                let c = gh
                    .create_comment(repo, this, &text, Some(&proof))
                    .await
                    .map_err(github_error)?;
                (c, text)
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
            let body = match adopt_as(&issue.body, &meta, &config.layout) {
                Ok(a) => recorded.write_into(&a.body),
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
        let actor = req
            .asked
            .map_or_else(|| bot.0.clone(), |(_, a)| a.to_string());
        let source = req.asked.map_or_else(
            || "sprintbot adopt".to_string(),
            |(c, _)| format!("comment {}", c.id.0),
        );
        Ok(Ok(Adopted {
            effects: vec![
                Effect::CurrentIssue {
                    repo: repo.to_string(),
                    issue: this.0,
                    sprint: exceptions::note(sprint.id, &recorded),
                },
                Effect::Audit(AuditEntry {
                    actor,
                    action: "sprint.adopt".into(),
                    target: format!("{repo}#{}", this.0),
                    before: None,
                    after: Some(format!("Sprint {label} ({})", sprint.id)),
                    source: Some(source),
                }),
            ],
            record: record_text,
            sprint: format!("Sprint {label} ({})", sprint.id),
        }))
    }
}

/// The local date of a GitHub instant (`2022-11-10T12:00:00Z`).
fn local_date(at: &str, tz: &jiff::tz::TimeZone) -> Option<Date> {
    let t: Timestamp = at.parse().ok()?;
    Some(tz.to_datetime(t).date())
}

/// What a person is told when the issue's shape refuses an adoption.
fn refusal(e: &AdoptError) -> String {
    messages::adopt_lacking(&e.to_string())
}
