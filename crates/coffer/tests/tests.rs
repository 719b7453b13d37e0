//! Integration tests of the `coffer` binary: each test runs the built binary on files and
//! checks its output and exit status.

#![expect(clippy::unwrap_used, reason = "a test that cannot set itself up should fail loudly")]

mod cli;
