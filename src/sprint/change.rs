//! One change to a sprint issue's body, as commands, linked issues and
//! rollovers ask for it; `body` applies it.

use super::Login;
use super::exceptions::Exception;
use super::ledger::Ledger;
use super::off::Off;

/// One change to the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    AddGoal {
        title: String,
        owner: Option<Login>,
        why: Option<String>,
    },
    Tick(usize),
    Untick(usize),
    Drop(usize),
    Edit(usize, String),
    SetOwner(usize, Login),
    SetStatus(usize, String),
    AddRisk {
        text: String,
        max: usize,
    },
    DropRisk(usize),
    AddRetro(String),
    SetHero {
        week: u8,
        login: Login,
    },
    /// Replace the ledger of handled comments in the metadata marker.
    SetLedger(Ledger),
    /// Tick goal N because its link (the number) was closed or merged, and
    /// record so in its tick marker.
    LinkTick(usize, u64),
    /// Untick goal N, which sprintbot ticked, because its link is open again.
    LinkUntick(usize),
    /// Record someone's time off in the "Off this sprint" section (added
    /// after the heroes when the body lacks it).
    AddOff(Off),
    /// Record a cadence exception in the calendar marker (see `exceptions`).
    Except(Exception),
}
