//! Looking up everything `/sprint doctor` reports, one item at a time. A
//! look-up that fails becomes an item that says so (never "missing"), so
//! the person always gets the whole checklist. Calls: `GET /app` (App mode
//! only), the config file (a conditional read; the organisation's copy
//! only when its cached one is old), the labels (a page per 100), the open
//! sprint issues (a page per 100), and the pinned issues (one GraphQL
//! query, when pinning is on and a sprint issue is open), and the current
//! issue's comments (`teams`). Webhook
//! deliveries, the API budget and what happens next cost nothing: the
//! store, the client's own bookkeeping and the calendar know them.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::report::{self, Check};
use crate::config::repo::RepoConfig;
use crate::context::Context;
use crate::github::{GitHub, InstallationId, IssueNumber, RepoRef, StateFilter};
use crate::lifecycle::next::{self, Next};
use crate::repos::{CONFIG_PATH, Loaded, NOTICE_LABEL};
use crate::sprint::{Login, SprintId};
use crate::sprint_issues;
use crate::store::RepoKey;
use crate::work;
use crate::worker::JobError;

const CONFIG: &str = "Config";
const LABELS: &str = "Labels";
const CURRENT: &str = "Current sprint issue";

/// The repository being checked, and the comment that asked.
pub(crate) struct Subject<'a> {
    pub gh: &'a dyn GitHub,
    pub installation: InstallationId,
    pub repo: &'a RepoRef,
    pub repo_id: Option<u64>,
    pub bot: &'a Login,
    /// When the asking comment was written.
    pub asked_at: Timestamp,
}

impl Context {
    /// Every item of the checklist, in the order people read them (times
    /// in the repository's time zone, else UTC).
    pub(crate) async fn doctor_checks(&self, s: &Subject<'_>) -> Vec<Check> {
        let mut checks = Vec::new();
        let app = self.github.app_info_now().await;
        let one_shot = matches!(app, Ok(None));
        checks.push(match &app {
            Ok(info) => report::permissions(info.as_ref()),
            Err(e) => Check::failed(report::PERMISSIONS, "GET /app", e),
        });
        let loaded = self
            .revalidated_config(s.gh, s.repo, s.repo_id, s.bot)
            .await;
        checks.push(self.config_check(s.repo, &loaded).await);
        let config = loaded.as_ref().ok().and_then(|l| l.config.clone());
        let tz = config
            .as_ref()
            .map_or(TimeZone::UTC, |c| c.cadence.tz.clone());
        checks.push(labels(s, config.as_ref()).await);
        let (current_check, current, issue) = self.current_issue(s, config.as_ref()).await;
        checks.push(current_check);
        if let (Some(c), Some((number, sprint))) = (&config, issue) {
            checks.push(super::teams::team_comments(s, c, number, sprint).await);
        }
        let last = self.store.last_delivery(s.installation.0).await;
        let now = self.clock.now();
        checks.push(match last {
            Ok(last) => report::webhooks(last.as_ref(), s.asked_at, now, !one_shot),
            Err(e) => Check::failed(report::WEBHOOKS, "reading the store's deliveries", &e),
        });
        checks.push(report::budget(&self.github.budget(s.installation), &tz));
        checks.push(match &config {
            Some(c) => self.next_check(s.repo, c, current, now).await,
            None => Check::bad(
                report::NEXT,
                "nothing is scheduled: there is no valid config",
                format!("fix {CONFIG_PATH} (see the Config item)"),
            ),
        });
        checks
    }

    async fn config_check(&self, repo: &RepoRef, loaded: &Result<Loaded, JobError>) -> Check {
        let fix = format!(
            "fix {CONFIG_PATH}: the `sprintbot: configuration error` issue names each problem's line and column, and `sprintbot check-config` checks the file"
        );
        let loaded = match loaded {
            Ok(l) => l,
            Err(e) => return Check::failed(CONFIG, &format!("reading {CONFIG_PATH}"), e),
        };
        if !loaded.enabled {
            return Check::bad(
                CONFIG,
                format!(
                    "this repository has no {CONFIG_PATH}, so sprintbot does not run sprints here"
                ),
                "add one: every key is in config/repo-sprintbot.example.toml",
            );
        }
        if let Some(problem) = loaded.problem_summary() {
            let in_force = if loaded.config.is_some() {
                "the last valid version stays in force"
            } else {
                "there is no earlier valid version, so nothing runs"
            };
            return Check::bad(
                CONFIG,
                format!("{CONFIG_PATH} is broken ({problem}); {in_force}"),
                fix,
            );
        }
        let org = RepoRef::new(repo.owner.clone(), ".github");
        let org_file = self
            .store
            .cached_config(RepoKey::named(org.to_string()))
            .await
            .ok()
            .flatten()
            .and_then(|c| c.source)
            .is_some();
        let over = if org_file && org != *repo {
            format!(" over the organisation's defaults in {org}'s {CONFIG_PATH}, over")
        } else {
            " over".to_string()
        };
        Check::ok(
            CONFIG,
            format!("valid: this repository's {CONFIG_PATH},{over} the deployment's `[defaults]`"),
        )
    }

    /// The current sprint issue and whether it is the pinned one; also the
    /// sprint it is for, for what happens next.
    async fn current_issue(
        &self,
        s: &Subject<'_>,
        config: Option<&RepoConfig>,
    ) -> (Check, Option<String>, Option<(IssueNumber, SprintId)>) {
        let label = config.map_or("sprint", |c| c.sprint_label.as_str());
        let open = match sprint_issues::list(s.gh, s.repo, label, StateFilter::Open, s.bot).await {
            Ok(open) => open,
            Err(e) => {
                return (
                    Check::failed(CURRENT, "listing the open sprint issues", &e),
                    None,
                    None,
                );
            }
        };
        let Some((meta, issue)) = open.into_iter().next() else {
            let before_anchor = config.is_some_and(|c| {
                let (calendar, _) = next::calendar(c, None);
                matches!(
                    next::next(&calendar, None, self.clock.now()),
                    Next::First(_)
                )
            });
            // Whether the missing issue is late is the Next item's to say
            // (it is the one a person fixes): said here, it would be
            // counted twice, and a due one opening now is no problem at all.
            let check = if before_anchor {
                Check::ok(
                    CURRENT,
                    "none yet: the first sprint has not opened (see Next)",
                )
            } else {
                Check::info(
                    CURRENT,
                    format!(
                        "no open sprint issue labelled `{label}`: sprintbot opens one when the next sprint is due (see Next); to take over one people wrote, `/sprint adopt` on it"
                    ),
                )
            };
            return (check, None, None);
        };
        let found = Some((issue.number, meta.sprint));
        let what = format!(
            "#{} (Sprint {} {}/{}) is the current sprint issue",
            issue.number.0, meta.version, meta.part, meta.parts
        );
        let note = sprint_issues::note(&meta, &issue);
        if !config.is_some_and(|c| c.switches.pin) {
            return (
                Check::ok(
                    CURRENT,
                    format!("{what}; pinning is off (`[switches] pin`)"),
                ),
                Some(note),
                found,
            );
        }
        let check = match s.gh.pinned_issues(s.repo).await {
            Err(e) => Check::failed(CURRENT, "asking GitHub which issues are pinned", &e),
            Ok(pinned) if pinned.contains(&issue.number) => {
                Check::ok(CURRENT, format!("{what}, and it is pinned"))
            }
            Ok(pinned) => {
                let others: Vec<String> = pinned.iter().map(|n| format!("#{}", n.0)).collect();
                let also = if others.is_empty() {
                    String::new()
                } else {
                    format!(" (pinned: {})", others.join(", "))
                };
                let full = if pinned.len() >= 3 {
                    "; GitHub pins three issues at most, so unpin one first"
                } else {
                    ""
                };
                Check::bad(
                    CURRENT,
                    format!("{what}, but it is not pinned{also}"),
                    format!("pin #{} (\"Pin issue\" on its page){full}", issue.number.0),
                )
            }
        };
        (check, Some(note), found)
    }

    async fn next_check(
        &self,
        repo: &RepoRef,
        config: &RepoConfig,
        note: Option<String>,
        now: Timestamp,
    ) -> Check {
        let (calendar, current) = next::calendar(config, note.as_deref());
        let n = next::next(&calendar, current, now);
        let last_error = match &n {
            Next::Due(s) => self
                .store
                .last_error_under(&work::scheduled_rollover_key(
                    &repo.to_string(),
                    &s.id.to_string(),
                ))
                .await
                .ok()
                .flatten(),
            _ => None,
        };
        let name = |index: i64| {
            let sprint = calendar.sprint(index);
            calendar
                .label(&config.numbering, &sprint)
                .map(|l| l.to_string())
                .unwrap_or_else(|_| sprint.id.to_string())
        };
        let planned = match &n {
            Next::Due(_) => self.planned_opening(repo, now).await,
            _ => None,
        };
        report::next(
            &n,
            now,
            &config.cadence.tz,
            &name,
            last_error.as_deref(),
            planned,
        )
    }
}

/// The labels sprintbot writes: the sprint label and the notice label of
/// its configuration-error issue. Missing ones are information only.
async fn labels(s: &Subject<'_>, config: Option<&RepoConfig>) -> Check {
    let sprint = config.map_or("sprint", |c| c.sprint_label.as_str());
    let have = match s.gh.labels(s.repo).await {
        Ok(have) => have,
        Err(e) => return Check::failed(LABELS, "listing the labels", &e),
    };
    let wanted = [sprint, NOTICE_LABEL];
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| !have.iter().any(|h| h.eq_ignore_ascii_case(w)))
        .collect();
    let names = |l: &[&str]| {
        l.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if missing.is_empty() {
        return Check::ok(LABELS, format!("{} exist", names(&wanted)));
    }
    // Not for a person to fix: sprintbot makes each label just before its
    // first use (`ensure_label`), and whether it may write issues is the
    // permissions item's business.
    let (them, is) = if missing.len() == 1 {
        ("it", "is")
    } else {
        ("them", "are")
    };
    Check::info(
        LABELS,
        format!(
            "{} {is} not there yet: sprintbot creates {them} when it first needs {them} (the sprint label with the first sprint issue it opens, `{NOTICE_LABEL}` with a configuration-error issue)",
            names(&missing)
        ),
    )
}
