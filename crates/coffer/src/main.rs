//! `coffer`, the one binary of Coffer, a self-hosted key management service.
//!
//! Owns: reading the command line and configuration and running the command it names:
//! `coffer serve` runs the service, `coffer policy validate|simulate|explain` run the policy
//! engine. Never: logic a library crate should own — each command reads its input, calls a
//! library, and prints what it returns.
//!
//! Exit codes: 0 success; 1 the command ran and found a problem (an error finding, a case
//! that does not parse); 2 a usage error or an input file that cannot be read. Errors go to
//! standard error as `error: <message>`.

mod cmd;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    // Logs go to standard error; `RUST_LOG` tunes them. Nothing secret is ever logged.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    cmd::run(cmd::Cli::parse())
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
