//! The sprint history behind the health chart, kept on GitHub: each new
//! issue's health section ends with one hidden summary line per sprint of its
//! chart (the sprint that just ended and up to five before it):
//!
//! `<!-- sprintbot:health sprint=2022-11-14 issue=12699 previous=12600 planned=13 done=5 carried=7 dropped=1 -->`
//!
//! (`previous=` is absent for a repository's first sprint.) So the next
//! rollover finds the history in the one issue it reads anyway. When those
//! lines are missing (health was off, the issue template has no
//! `{{ health }}`, an issue opened before sprintbot wrote them, or someone
//! deleted them), [`EarlierSprints`] names the older issues to read, one at a
//! time, each at most once, following each sprint's `previous=` link.

use std::collections::BTreeMap;

use super::super::SprintId;
use super::super::body::SprintDoc;
use super::{Figures, HISTORY_LEN, figures};

const PREFIX: &str = "<!-- sprintbot:health ";
const END: &str = "-->";
/// The health section's own markers (not a [`Section`](crate::sprint::markers::Section):
/// people never edit it, so it is rendered text between two lines).
pub const START_MARKER: &str = "<!-- sprintbot:health:start -->";
pub const END_MARKER: &str = "<!-- sprintbot:health:end -->";

/// What one sprint came to, as its summary line records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintSummary {
    pub sprint: SprintId,
    /// The sprint's issue.
    pub issue: u64,
    /// The issue of the sprint before it: where the history goes on.
    pub previous: Option<u64>,
    pub figures: Figures,
}

impl SprintSummary {
    pub fn render(&self) -> String {
        let previous = self
            .previous
            .map(|p| format!(" previous={p}"))
            .unwrap_or_default();
        let f = &self.figures;
        format!(
            "{PREFIX}sprint={} issue={}{previous} planned={} done={} carried={} dropped={} {END}",
            self.sprint, self.issue, f.planned, f.done, f.carried, f.dropped
        )
    }

    /// Read a (trimmed) summary line; `None` when it is damaged, including
    /// figures that do not add up (planned = done + carried + dropped).
    pub fn parse(line: &str) -> Option<SprintSummary> {
        let inner = line.strip_prefix(PREFIX)?.strip_suffix(END)?;
        let (mut sprint, mut issue, mut previous) = (None, None, None);
        let mut n = [None; 4];
        for field in inner.split_whitespace() {
            let (key, value) = field.split_once('=')?;
            let slot = match key {
                "sprint" => {
                    sprint = Some(SprintId(value.parse().ok()?));
                    continue;
                }
                "issue" => {
                    issue = Some(value.parse::<u64>().ok()?);
                    continue;
                }
                "previous" => {
                    previous = Some(value.parse::<u64>().ok()?);
                    continue;
                }
                "planned" => 0,
                "done" => 1,
                "carried" => 2,
                "dropped" => 3,
                _ => continue,
            };
            n[slot] = Some(value.parse::<u32>().ok()?);
        }
        let figures = Figures {
            planned: n[0]?,
            done: n[1]?,
            carried: n[2]?,
            dropped: n[3]?,
        };
        let sum = u64::from(figures.done) + u64::from(figures.carried) + u64::from(figures.dropped);
        (sum == u64::from(figures.planned)).then_some(())?;
        Some(SprintSummary {
            sprint: sprint?,
            issue: issue?,
            previous,
            figures,
        })
    }

    /// The summary of the sprint whose issue `issue` has body `doc`, from its
    /// goals and drop records; `None` without metadata or a goals section.
    pub fn of(issue: u64, doc: &SprintDoc) -> Option<SprintSummary> {
        let meta = doc.metadata()?;
        Some(SprintSummary {
            sprint: meta.sprint,
            issue,
            previous: meta.previous,
            figures: figures(&doc.goals().ok()?, &doc.dropped().ok()?),
        })
    }
}

/// The summaries recorded in a body's health section, in the order written
/// (none when it has no section, or its end marker is missing).
pub fn recorded(doc: &SprintDoc) -> Vec<SprintSummary> {
    let mut lines = doc.text().lines().map(str::trim);
    if !lines.any(|l| l == START_MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for line in lines {
        if line == END_MARKER {
            return out;
        }
        out.extend(SprintSummary::parse(line));
    }
    Vec::new()
}

/// The chart's sprints: the newest earlier ones before `ended` (one per
/// sprint, the first given wins), then `ended`; oldest first.
pub(super) fn last_sprints(ended: &SprintSummary, earlier: &[SprintSummary]) -> Vec<SprintSummary> {
    let mut by_sprint = BTreeMap::new();
    for s in earlier.iter().filter(|s| s.sprint < ended.sprint) {
        by_sprint.entry(s.sprint).or_insert_with(|| s.clone());
    }
    let skip = by_sprint.len().saturating_sub(HISTORY_LEN - 1);
    let mut out: Vec<SprintSummary> = by_sprint.into_values().skip(skip).collect();
    out.push(ended.clone());
    out
}

/// Gathers the summaries of the sprints before the one that ended, reading
/// as few issues as possible. The shell drives it:
///
/// ```text
/// let mut earlier = EarlierSprints::new(ended_issue, &ended_doc);
/// while let Some(issue) = earlier.wants() {
///     let body = github.issue_body(issue)?;        // one read per issue
///     earlier.add(issue, &SprintDoc::parse(&body)?);
/// }
/// let previous = Previous { earlier: earlier.finish(), .. };
/// ```
///
/// Usually `wants()` is `None` at once: the ended issue recorded the
/// history. A failed read can simply end the loop: `finish()` returns what
/// was found, and the chart is shorter.
#[derive(Debug, Clone)]
pub struct EarlierSprints {
    ended: Option<SprintId>,
    /// The issue before the ended sprint (its metadata's `previous`).
    ended_previous: Option<u64>,
    found: BTreeMap<SprintId, SprintSummary>,
    read: Vec<u64>,
}

impl EarlierSprints {
    /// Start from the issue of the sprint that just ended.
    pub fn new(issue: u64, doc: &SprintDoc) -> EarlierSprints {
        let meta = doc.metadata();
        let mut e = EarlierSprints {
            ended: meta.map(|m| m.sprint),
            ended_previous: meta.and_then(|m| m.previous),
            found: BTreeMap::new(),
            read: vec![issue],
        };
        e.record(recorded(doc));
        e
    }

    fn record(&mut self, summaries: impl IntoIterator<Item = SprintSummary>) {
        let Some(ended) = self.ended else { return };
        for s in summaries.into_iter().filter(|s| s.sprint < ended) {
            self.found.entry(s.sprint).or_insert(s);
        }
    }

    /// The issue to read next, or `None` when the history is complete, has
    /// no earlier sprint, or would need an issue read already.
    pub fn wants(&self) -> Option<u64> {
        self.ended?;
        if self.found.len() >= HISTORY_LEN - 1 || self.read.len() > HISTORY_LEN {
            return None;
        }
        // The issue before the oldest sprint known so far.
        let next = match self.found.values().next() {
            Some(oldest) => oldest.previous,
            None => self.ended_previous,
        }?;
        (!self.read.contains(&next)).then_some(next)
    }

    /// Add the body of issue `issue` (the one [`wants`](Self::wants) named):
    /// its own summary, and whatever history it recorded in turn.
    pub fn add(&mut self, issue: u64, doc: &SprintDoc) {
        self.read.push(issue);
        // What an issue recorded was what its chart showed: it wins over a
        // recount of an older issue people may have edited since.
        self.record(recorded(doc));
        self.record(SprintSummary::of(issue, doc));
    }

    /// The newest five summaries found, oldest first.
    pub fn finish(self) -> Vec<SprintSummary> {
        let skip = self.found.len().saturating_sub(HISTORY_LEN - 1);
        self.found.into_values().skip(skip).collect()
    }
}
