//! Shared test support: real GitHub payloads, signing, and a running bot.
#![allow(dead_code)]

pub mod bot;
pub mod fake_github;
pub mod links;
pub mod model;
pub mod org;
pub mod process;
pub mod pull_requests;
pub mod register;
pub mod retro;
pub mod scenario;
pub mod settle;
pub mod sprint;
pub mod webhooks;
