//! The pure core of the sprint ritual: which sprint it is and what it is
//! called (`calendar`, `numbering`, `rotation`), what its issue and team
//! comments look like (`render`), how people's edits are read and one change
//! applied without disturbing anything else (`body`, `team`), what a goal's
//! history across sprints is (`carry`: carry-over counts and drop records in
//! hidden markers), how the last sprints went (`health`), which goals their
//! linked issues and pull requests tick (`links`), what shipped in a sprint
//! (`shipped`), what a rollover must produce (`rollover`) and what it moves
//! (`moving`), and the timed reminders of a sprint: when they are due
//! (`timed`) and what they say (`reminders`). The calendar people live by
//! is the cadence (`calendar`) with its exceptions (`exceptions`: skipped
//! and extended sprints) applied (`timeline`); who is away is `off`, and
//! `/sprint preview` is `preview`. How a hand-written sprint issue gets
//! sprintbot's markers is `adopt`. No I/O, no clock, no async here.

pub mod adopt;
pub mod adopt_dates;
pub mod body;
pub mod calendar;
pub mod carry;
pub mod change;
pub mod exceptions;
pub(crate) mod items;
pub use items::GoalText;
pub mod goal;
pub mod health;
mod ids;
pub mod layout;
pub mod ledger;
pub mod links;
pub mod markers;
pub mod moving;
pub mod numbering;
pub mod off;
pub mod own_plan;
pub mod preview;
pub mod quarter_goals;
pub mod reminders;
pub mod render;
pub mod rollover;
pub mod rotation;
pub mod shipped;
pub mod team;
pub mod team_comment;
pub mod team_identity;
pub mod team_lines;
pub mod team_map;
pub mod team_read;
pub mod timed;
pub mod timeline;
pub mod title_read;

pub use ids::{Login, SprintId};
