//! The command line: the top-level parser, the outcome of a command and how it becomes an
//! exit code, and the input and output helpers every command shares.

pub mod bench;
pub mod policy;
pub mod serve;

use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Coffer, a self-hosted key management service.
#[derive(Debug, Parser)]
#[command(name = "coffer", version)]
#[command(after_help = "Exit status: 0 success, 1 a problem was found (an error finding, a case \
                        that does not parse), 2 usage error or unreadable input.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate, simulate and explain IAM policies of AWS, Huawei Cloud and Alibaba Cloud.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Serve the key management APIs on one port (the AWS KMS API today).
    Serve(serve::ServeArgs),
    Bench(bench::BenchArgs),
}

/// How a command that ran to its end went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing wrong: exit 0.
    Clean,
    /// The command ran and found a problem in its input: exit 1.
    Problems,
}

/// What stops a command before it can finish: printed as `error: <message>`, exit 2.
#[derive(Debug, PartialEq, Eq)]
pub struct Fatal(pub String);

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs the command and turns its outcome into the exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Policy(command) => policy::run(command),
        Command::Serve(args) => serve::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(Status::Clean) => ExitCode::SUCCESS,
        Ok(Status::Problems) => ExitCode::from(1),
        Err(Fatal(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// An input named on the command line: a file, or `-` for standard input.
#[derive(Clone, Debug)]
pub struct Input {
    path: PathBuf,
}

impl Input {
    /// The input at `path` (`-` is standard input).
    pub fn new(path: PathBuf) -> Input {
        Input { path }
    }

    fn is_stdin(&self) -> bool {
        self.path == Path::new("-")
    }

    /// The name shown at the start of output lines: the path as given, or `<stdin>`.
    pub fn label(&self) -> String {
        if self.is_stdin() { "<stdin>".to_owned() } else { self.path.display().to_string() }
    }

    /// Reads the whole input as UTF-8 text.
    pub fn read(&self) -> Result<String, Fatal> {
        let result = if self.is_stdin() {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map(|_| text)
        } else {
            std::fs::read_to_string(&self.path)
        };
        result.map_err(|e| Fatal(format!("cannot read {self}: {}", io_problem(&e))))
    }

    /// Reads the input as one JSON value.
    pub fn read_json(&self) -> Result<serde_json::Value, Fatal> {
        let text = self.read()?;
        serde_json::from_str(&text).map_err(|e| Fatal(format!("{self} is not valid JSON: {e}")))
    }
}

impl fmt::Display for Input {
    /// The input as named in messages: `` `path` `` or `standard input`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_stdin() {
            f.write_str("standard input")
        } else {
            write!(f, "`{}`", self.path.display())
        }
    }
}

/// An I/O error in message style: lowercase, without the OS error number.
fn io_problem(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            let mut chars = text.chars();
            chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// Standard output, locked once; a closed pipe ends the output quietly.
pub struct Output {
    out: io::StdoutLock<'static>,
    closed: bool,
}

impl Output {
    /// Locks standard output.
    pub fn new() -> Output {
        Output { out: io::stdout().lock(), closed: false }
    }

    /// Writes `text` as it is.
    pub fn write(&mut self, text: &str) -> Result<(), Fatal> {
        if self.closed {
            return Ok(());
        }
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Fatal(format!("cannot write to standard output: {}", io_problem(&e)))),
        }
    }

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) -> Result<(), Fatal> {
        self.write(text)?;
        self.write("\n")
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> Result<(), Fatal> {
        match self.out.flush() {
            Err(e) if !self.closed && e.kind() != io::ErrorKind::BrokenPipe => {
                Err(Fatal(format!("cannot write to standard output: {}", io_problem(&e))))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn io_problems_read_as_messages() {
        assert_eq!(io_problem(&io::Error::from(io::ErrorKind::NotFound)), "no such file");
        assert_eq!(io_problem(&io::Error::other("Disk on fire (os error 99)")), "disk on fire");
    }

    #[test]
    fn inputs_are_named() {
        assert_eq!(Input::new("-".into()).to_string(), "standard input");
        assert_eq!(Input::new("-".into()).label(), "<stdin>");
        assert_eq!(Input::new("a b.json".into()).to_string(), "`a b.json`");
    }
}
