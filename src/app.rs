//! Wiring: every job handler sprintbot runs, for one GitHub identity (an
//! App in `serve`, a token in `tick`). One place, so the server, the
//! one-shot mode and the tests run the same handlers.

use std::sync::Arc;

use crate::commands::Commands;
use crate::commands::answers::AnswerHandler;
use crate::commands::comment::CommentHandler;
use crate::commands::sync::{SYNC, SyncHandler};
use crate::lifecycle::discovery::{CatchUpHandler, DiscoverHandler, RevalidateHandler};
use crate::lifecycle::push::PushHandler;
use crate::lifecycle::schedule::RolloverHandler;
use crate::links::sub_issues::{SUB_ISSUES, SubIssuesHandler};
use crate::links::webhook::LinkHandler;
use crate::repos::pull_request::PullRequestHandler;
use crate::work;
use crate::worker::{Handlers, IssuesHandler};

/// The handlers of every job kind, over `commands`.
pub fn handlers(commands: &Arc<Commands>) -> Handlers {
    let mut h = Handlers::standard();
    h.insert("webhook:issue_comment", CommentHandler(commands.clone()));
    h.insert("webhook:issues", IssuesHandler(commands.store.clone()));
    h.insert("webhook:push", PushHandler(commands.clone()));
    h.insert("webhook:pull_request", PullRequestHandler(commands.clone()));
    h.insert(
        work::ANSWER,
        AnswerHandler {
            github: commands.github.clone(),
        },
    );
    h.insert(work::ROLLOVER, RolloverHandler(commands.clone()));
    h.insert(SYNC, SyncHandler(commands.clone()));
    h.insert(work::DISCOVER, DiscoverHandler(commands.clone()));
    h.insert(work::REVALIDATE, RevalidateHandler(commands.clone()));
    h.insert(work::CATCH_UP, CatchUpHandler(commands.clone()));
    h.insert(crate::links::LINK, LinkHandler(commands.clone()));
    h.insert(SUB_ISSUES, SubIssuesHandler(commands.clone()));
    h
}
