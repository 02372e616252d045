//! The sprint lifecycle: opening each sprint, on schedule (`tick`, the
//! `rollover` job) or on demand (`sprintbot rollover`, `/sprint rollover`),
//! with GitHub as the record of what is done: every step looks for its own
//! earlier effect, so a crash, a failed call or an empty store neither
//! repeats nor skips a step. Two processes opening the same sprint at the
//! same moment can each create its issue; each then finds the other's and
//! the newer is closed as a duplicate of the older (`steps::settle_twins`).
//! Also the timed reminders of the current sprint (`timed`: the review
//! before the rollover, the nudges), kept to the same rule.

pub mod discovery;
pub mod dry_run;
mod error;
mod extras;
mod history;
pub mod installations;
pub mod leader;
pub mod lease;
pub mod next;
pub mod open;
pub mod plan;
pub mod push;
mod queue_plan;
pub mod redeliver;
mod relabel;
mod rollover;
pub mod schedule;
pub mod scheduler;
mod steps;
pub mod team_docs;
pub mod timed;
mod unmarked;

pub use error::LifecycleError;
pub use open::open;
pub use rollover::{Done, Goal, Repo, Report};
