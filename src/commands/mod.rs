//! Slash commands in comments on the sprint issue: the command table
//! (`grammar`), the pure parser (`parse`), every message the bot writes
//! about commands (`messages`), deciding and re-applying changes (pure:
//! `decide`, `replay`), and the shell around them: looking up people
//! (`facts`), writing the body (`write`), answering (`answers`), the job of
//! one comment event (`comment`) and the catch-up of a whole issue (`sync`).
//! Two commands also work off the sprint issue (`selfservice`): taking
//! over a hand-written one (`adopt`) and checking a repository (`doctor`).

pub mod adopt;
mod adopt_text;
pub mod answers;
pub mod comment;
pub mod decide;
pub mod doctor;
pub mod facts;
pub mod grammar;
pub mod messages;
pub mod parse;
pub mod replay;
pub mod replies;
pub mod selfservice;
pub mod sync;
mod unreadable;
pub mod write;
