//! Integration tests of the `coffer` binary: each test runs the built binary on files and
//! checks its output and exit status, or serves with it and drives it with the AWS SDK.

#![expect(clippy::unwrap_used, reason = "a test that cannot set itself up should fail loudly")]

mod bench;
mod cli;
mod sdk;
