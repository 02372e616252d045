//! Slash commands in comments on the sprint issue: the command table
//! (`grammar`), the pure parser (`parse`), every message the bot writes
//! about commands (`messages`), and the use case that applies them (`apply`).

pub mod answer;
pub mod apply;
pub mod grammar;
pub mod messages;
pub mod parse;
pub mod permissions;
