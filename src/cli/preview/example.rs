//! The invented history `sprintbot preview` shows, so that people see the
//! retro with carry-over counts and the sprint health section before their
//! first rollover. The previous sprint's issue is built by the real body
//! model (goals added, ticked, given a status and dropped by the same
//! changes commands make, carried by the real rollover), so the preview is
//! exactly what a rollover would write after such a sprint. Owners are the
//! config's own team members, so the per-team table shows its teams; they
//! are also the authors of the invented pull requests of the "shipped" list
//! (with one by a bot, which the list leaves out).

use crate::config::repo::RepoConfig;
use crate::sprint::Login;
use crate::sprint::body::{Change, SprintDoc};
use crate::sprint::calendar::Sprint;
use crate::sprint::health::{Figures, SprintSummary};
use crate::sprint::markers::Section;
use crate::sprint::numbering::SprintLabel;
use crate::sprint::rollover::{self, Previous};
use crate::sprint::shipped::{MergedPull, Shipped, Window};

/// The invented previous sprint's issue number.
pub const ISSUE: u64 = 106;

/// The invented sprints before it: (planned, done, carried, dropped), oldest first.
const EARLIER: [(u32, u32, u32, u32); 5] = [
    (7, 5, 2, 0),
    (8, 5, 2, 1),
    (9, 7, 1, 1),
    (8, 5, 3, 0),
    (9, 6, 2, 1),
];

/// What happens to a goal of the previous sprint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Done,
    Unfinished(&'static str),
    Dropped,
}

/// The previous sprint's goals beyond the two that keep rolling.
const GOALS: [(&str, Fate); 6] = [
    ("Make insights query performance measurable", Fate::Done),
    ("Sentry is clean and errors are actionable", Fate::Done),
    ("Alert on Kafka and ClickHouse lag", Fate::Done),
    (
        "Test feature flag permissioning with users",
        Fate::Unfinished("🟡 two of five interviews done"),
    ),
    ("Move monitoring into one place", Fate::Dropped),
    ("Get the new Postgres instance replicating", Fate::Done),
];

/// The invented pull requests merged last sprint, authored in turn.
const SHIPPED: [&str; 9] = [
    "Speed up funnels with a materialized column",
    "Playlist sidebar for session recordings",
    "Alert when the Kafka consumer lags",
    "Permission checks for feature flags in the API",
    "New ingestion step in onboarding",
    "Move reads to the new Postgres instance",
    "Cache insight results per team",
    "Fix time zones in trends",
    "Retry failed plugin jobs",
];

/// Where the invented pull requests live: a placeholder, as the preview
/// knows no repository.
const REPO_URL: &str = "https://github.com/OWNER/REPO";

/// The pull requests merged during `previous`, which `shown` follows.
fn shipped(repo: &RepoConfig, previous: &Sprint, shown: &Sprint) -> Shipped {
    let people = owners(repo);
    let mut pulls: Vec<MergedPull> = SHIPPED
        .iter()
        .zip(people.iter().cycle())
        .enumerate()
        .map(|(k, (title, author))| MergedPull {
            number: 1_200 + 7 * k as u64,
            title: (*title).into(),
            author: author.clone(),
            author_is_bot: false,
            merged_at: previous
                .opens_at
                .saturating_add(jiff::SignedDuration::from_hours(20 * (k as i64 + 1)))
                .unwrap_or(previous.opens_at),
        })
        .collect();
    pulls.push(MergedPull {
        number: 1_199,
        title: "Bump django from 3.2.15 to 3.2.16".into(),
        author: Login("dependabot[bot]".into()),
        author_is_bot: true,
        merged_at: previous.opens_at,
    });
    Shipped {
        repo_url: REPO_URL.into(),
        base: "main".into(),
        window: Window {
            start: previous.opens_at,
            end: shown.opens_at,
            first_day: previous.start,
            last_day: previous.end,
        },
        pulls,
        roster: repo.roster(),
    }
}

/// People to own the invented goals: each team's first member in turn,
/// then each team's second, ...; else the engineers.
fn owners(repo: &RepoConfig) -> Vec<Login> {
    let deepest = repo
        .teams
        .iter()
        .map(|t| t.members.len())
        .max()
        .unwrap_or(0);
    let mut out: Vec<Login> = (0..deepest)
        .flat_map(|i| repo.teams.iter().filter_map(move |t| t.members.get(i)))
        .cloned()
        .collect();
    if out.is_empty() {
        out = repo.engineers.logins.clone();
    }
    out
}

fn apply(body: &str, change: Change) -> Result<String, String> {
    SprintDoc::parse(body)
        .and_then(|d| d.apply(&change))
        .map(|a| a.body)
        .map_err(|e| format!("the preview's invented sprint: {e}"))
}

fn add(body: &str, title: &str, owner: Option<&Login>) -> Result<String, String> {
    apply(
        body,
        Change::AddGoal {
            title: title.into(),
            owner: owner.cloned(),
            why: None,
        },
    )
}

/// One invented rollover into the sprint `index`, carrying every unfinished
/// goal with its count.
fn roll(
    repo: &RepoConfig,
    from: Option<(u64, &str)>,
    index: i64,
    label: &SprintLabel,
) -> Result<String, String> {
    let mut settings = repo.rollover_settings();
    settings.carry_unfinished_goals = true;
    settings.carry_counts = true;
    settings.health = false;
    let previous = match from {
        Some((issue, body)) => Some(Previous {
            issue,
            doc: SprintDoc::parse(body).map_err(|e| e.to_string())?,
            team_comments: Vec::new(),
            earlier: Vec::new(),
            shipped: None,
        }),
        None => None,
    };
    let sprint = repo.cadence.sprint(index);
    rollover::plan(previous.as_ref(), &settings, &sprint, label, Vec::new())
        .map(|p| p.body)
        .map_err(|e| e.to_string())
}

/// The invented sprint before `shown`, as its issue would read at rollover.
pub fn previous(
    repo: &RepoConfig,
    shown: &Sprint,
    label: &SprintLabel,
) -> Result<Previous, String> {
    let people = owners(repo);
    let mut owner = people.iter().cycle();
    let mut next_owner = || owner.next();
    let i = shown.index;
    // A layout without a goals list (presets 2023 to 2026) has no goals
    // to invent: its previous sprint is a plain one.
    let body = if repo.layout.holds(Section::Goals) {
        invented_goals(repo, i, label, &mut next_owner)?
    } else {
        roll(repo, None, i - 1, label)?
    };
    let earlier = EARLIER
        .iter()
        .zip(1u64..)
        .map(|(&(planned, done, carried, dropped), k)| SprintSummary {
            sprint: repo.cadence.sprint(i - 7 + k as i64).id,
            issue: ISSUE - 6 + k,
            previous: Some(ISSUE - 7 + k),
            figures: Figures {
                planned,
                done,
                carried,
                dropped,
            },
        })
        .collect();
    Ok(Previous {
        issue: ISSUE,
        doc: SprintDoc::parse(&body).map_err(|e| e.to_string())?,
        team_comments: Vec::new(),
        earlier,
        shipped: Some(shipped(repo, &repo.cadence.sprint(i - 1), shown)),
    })
}

/// The previous sprint's body with goals that rolled, were done, carried
/// and dropped.
fn invented_goals<'a>(
    repo: &RepoConfig,
    i: i64,
    label: &SprintLabel,
    next_owner: &mut impl FnMut() -> Option<&'a Login>,
) -> Result<String, String> {
    // Three sprints ago a goal was planned that keeps rolling; two sprints
    // ago another joined it. Both roll into the previous sprint unfinished.
    let three_ago = add(
        &roll(repo, None, i - 3, label)?,
        "Refactor onboarding beyond ingestion",
        next_owner(),
    )?;
    let two_ago = roll(repo, Some((ISSUE - 2, &three_ago)), i - 2, label)?;
    let two_ago = add(&two_ago, "Static playlists for recordings", next_owner())?;
    let mut body = roll(repo, Some((ISSUE - 1, &two_ago)), i - 1, label)?;
    body = apply(
        &body,
        Change::SetStatus(1, "🟡 half of the flows moved".into()),
    )?;
    body = apply(&body, Change::SetStatus(2, "🔴 blocked on storage".into()))?;
    for (title, _) in GOALS {
        body = add(&body, title, next_owner())?;
    }
    // Ticks and statuses first, drops last: a drop renumbers what follows.
    for (n, (_, fate)) in GOALS.iter().enumerate().map(|(k, g)| (k + 3, g)) {
        match fate {
            Fate::Done => body = apply(&body, Change::Tick(n))?,
            Fate::Unfinished(status) => {
                body = apply(&body, Change::SetStatus(n, (*status).into()))?
            }
            Fate::Dropped => {}
        }
    }
    for (n, _) in GOALS
        .iter()
        .enumerate()
        .map(|(k, g)| (k + 3, g))
        .filter(|(_, (_, fate))| *fate == Fate::Dropped)
        .rev()
    {
        body = apply(&body, Change::Drop(n))?;
    }
    Ok(body)
}
