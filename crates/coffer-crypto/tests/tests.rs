//! Integration tests: the crate seen from outside, through its public API only.

#![expect(clippy::unwrap_used, reason = "a helper that cannot build its fixture fails the test")]

mod interop;
