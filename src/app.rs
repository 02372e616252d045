//! Wiring: every job handler sprintbot runs, for one GitHub identity (an
//! App in `serve`, a token in `tick`), and the store as the GitHub layer's
//! shared limits. One place, so the server, the one-shot mode and the
//! tests run the same handlers.

use std::sync::Arc;

use crate::commands::answers::AnswerHandler;
use crate::commands::comment::CommentHandler;
use crate::commands::doctor::DoctorHandler;
use crate::commands::sync::SyncHandler;
use crate::context::Context;
use crate::github::budget::{Grant, WriteClass, WriteLimits};
use crate::github::pacing::SharedLimits;
use crate::lifecycle::discovery::{CatchUpHandler, DiscoverHandler, RevalidateHandler};
use crate::lifecycle::installations::ConfirmedInstallationHandler;
use crate::lifecycle::push::PushHandler;
use crate::lifecycle::schedule::RolloverHandler;
use crate::lifecycle::timed::job::TimedHandler;
use crate::links::sub_issues::SubIssuesHandler;
use crate::links::webhook::LinkHandler;
use crate::repos::pull_request::PullRequestHandler;
use crate::store::Store;
use crate::util::BoxFuture;
use crate::work::JobKind;
use crate::worker::{Handlers, IssuesHandler};

/// The handlers of every job kind, over `commands`.
pub fn handlers(commands: &Arc<Context>) -> Handlers {
    let mut h = Handlers::standard();
    h.insert(
        JobKind::Installation,
        ConfirmedInstallationHandler(commands.clone()),
    );
    h.insert(JobKind::IssueComment, CommentHandler(commands.clone()));
    h.insert(JobKind::Issues, IssuesHandler(commands.store.clone()));
    h.insert(JobKind::Push, PushHandler(commands.clone()));
    h.insert(JobKind::PullRequest, PullRequestHandler(commands.clone()));
    h.insert(
        JobKind::Answer,
        AnswerHandler {
            github: commands.github.clone(),
        },
    );
    h.insert(JobKind::Rollover, RolloverHandler(commands.clone()));
    h.insert(JobKind::Doctor, DoctorHandler(commands.clone()));
    h.insert(JobKind::Timed, TimedHandler(commands.clone()));
    h.insert(JobKind::Sync, SyncHandler(commands.clone()));
    h.insert(JobKind::Discover, DiscoverHandler(commands.clone()));
    h.insert(JobKind::Revalidate, RevalidateHandler(commands.clone()));
    h.insert(JobKind::CatchUp, CatchUpHandler(commands.clone()));
    h.insert(JobKind::Link, LinkHandler(commands.clone()));
    h.insert(JobKind::SubIssues, SubIssuesHandler(commands.clone()));
    h
}

/// The store keeps each installation's write budget and rate-limit resets
/// for every replica sharing it.
pub struct StoreLimits(pub Store);

impl SharedLimits for StoreLimits {
    fn take_write(
        &self,
        installation: u64,
        now_ms: i64,
        class: WriteClass,
        limits: WriteLimits,
        interval_ms: i64,
    ) -> BoxFuture<'_, Result<Grant, String>> {
        Box::pin(async move {
            self.0
                .take_write(installation, now_ms, class, limits, interval_ms)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn refund_write(&self, installation: u64, at_ms: i64) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.0
                .refund_write(installation, at_ms)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn note_limited(&self, installation: u64, until_ms: i64) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.0
                .note_rate_limited(installation, until_ms)
                .await
                .map_err(|e| e.to_string())
        })
    }
}
