//! Integration tests of the policy engine.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "corpus_runner.rs"]
mod corpus_runner;
