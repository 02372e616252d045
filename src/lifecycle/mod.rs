//! The sprint lifecycle: opening each sprint exactly once — on schedule
//! (`tick`), on demand (`rollover`, `/sprint rollover`) — as a recorded
//! sequence of steps that each look for their own earlier effect on GitHub
//! first, so a crash, a failed call or an empty store never duplicates
//! anything.

pub mod config;
pub mod dry_run;
pub mod open;
pub mod push;
pub mod schedule;

pub use open::{LifecycleError, Report, open_sprint, rollover_now, tick};
