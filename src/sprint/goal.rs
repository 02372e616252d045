//! A goal as read from the plan, and the identity that follows it from
//! sprint to sprint: its id and the hidden carry-over marker
//! `<!-- sprintbot:goal id=3f9a1c carried=2 -->` (see `carry`).

use std::fmt;

use super::{Login, SprintId};

pub(super) const GOAL_PREFIX: &str = "<!-- sprintbot:goal ";
const END: &str = "-->";

/// A goal as read from the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    /// 1-based, as shown.
    pub number: usize,
    pub done: bool,
    pub title: String,
    pub owner: Option<Login>,
    pub why: Option<String>,
    pub status: Option<String>,
    /// Its carry-over marker: `None` for a goal that has not rolled over
    /// (or whose marker people deleted).
    pub mark: Option<GoalMark>,
    /// The link whose closing made sprintbot tick it (its tick marker).
    pub ticked_by: Option<u64>,
}

/// A goal's identity across sprints: six lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoalId(String);

impl GoalId {
    pub fn parse(s: &str) -> Option<GoalId> {
        let valid = s.len() == 6 && s.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| GoalId(s.to_ascii_lowercase()))
    }

    /// A new id for a goal first carried out of sprint `sprint`, where it was
    /// goal `number` with this title. Deterministic, so planning the same
    /// rollover twice writes the same body; the number keeps two goals of
    /// one sprint with the same title apart.
    pub fn mint(sprint: Option<SprintId>, number: usize, title: &str) -> GoalId {
        use sha2::Digest as _;
        let sprint = sprint.map(|s| s.to_string()).unwrap_or_default();
        let seed = format!("{sprint}\n{number}\n{title}");
        let digest = sha2::Sha256::digest(seed.as_bytes());
        GoalId(hex::encode(&digest[..3]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GoalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The hidden marker at the end of a goal that has rolled over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalMark {
    pub id: GoalId,
    /// How many sprints the goal has rolled over so far (≥ 1).
    pub carried: u32,
}

impl GoalMark {
    /// `<!-- sprintbot:goal id=3f9a1c carried=2 -->`
    pub fn render(&self) -> String {
        format!("{GOAL_PREFIX}id={} carried={} {END}", self.id, self.carried)
    }

    /// Read a marker as [`GoalMark::render`] writes it; `None` when damaged.
    pub fn parse(comment: &str) -> Option<GoalMark> {
        let inner = comment
            .trim()
            .strip_prefix(GOAL_PREFIX)?
            .strip_suffix(END)?;
        let (mut id, mut carried) = (None, None);
        for (key, value) in fields(inner)? {
            match key {
                "id" => id = Some(GoalId::parse(value)?),
                "carried" => carried = Some(value.parse::<u32>().ok().filter(|c| *c >= 1)?),
                _ => {}
            }
        }
        Some(GoalMark {
            id: id?,
            carried: carried?,
        })
    }
}

/// `key=value` words; `None` when a word is not one.
pub(super) fn fields(inner: &str) -> Option<Vec<(&str, &str)>> {
    inner
        .split_whitespace()
        .map(|f| f.split_once('='))
        .collect()
}
