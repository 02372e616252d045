//! Shared test support: real GitHub payloads, signing, and a running bot.
#![allow(dead_code)]

pub mod bot;
pub mod calendar;
pub mod cluster;
pub mod fake_github;
pub mod links;
pub mod model;
pub mod org;
pub mod pg;
pub mod process;
pub mod pull_requests;
pub mod register;
pub mod retro;
pub mod rng;
pub mod scenario;
pub mod settle;
pub mod sprint;
pub mod timed;
pub mod webhooks;
pub mod written;
