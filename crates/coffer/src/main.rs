//! `coffer`, the one binary of Coffer, a self-hosted key management service.
//!
//! Owns: reading the command line and running the command it names. Today that is the
//! policy engine's commands, `coffer policy validate|simulate|explain`; the server comes
//! later. Never: logic a library crate should own — each command reads its input, calls
//! `coffer-policy`, and prints what it returns.
//!
//! Exit codes: 0 success; 1 the command ran and found a problem (an error finding, a case
//! that does not parse); 2 a usage error or an input file that cannot be read. Errors go to
//! standard error as `error: <message>`.

mod cmd;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    cmd::run(cmd::Cli::parse())
}
