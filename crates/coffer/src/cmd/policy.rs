//! `coffer policy`: validate policy documents, and simulate or explain a decision for a case.
//!
//! A case is a JSON object with the request and every policy and grant that applies to it
//! (`id`, `dialect`, `policies`, `grants`, `request`), the format `coffer_policy::case`
//! reads. Each command reads its input, calls the policy engine and prints what it returns.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use coffer_policy::Dialect;
use coffer_policy::case::Case;
use coffer_policy::explain::explain;
use coffer_policy::validate::{Finding, Options, PolicyUse, Severity, validate_text};
use serde_json::{Map, Value};

use super::{Fatal, Input, Output, Status};

/// The policy commands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check policy documents against their dialect's grammar and catalogs.
    ///
    /// Text output is one line per finding, `FILE:POINTER: SEVERITY[CODE]: MESSAGE`, where
    /// POINTER is a JSON pointer into the document (`/Statement/0/Action`) and SEVERITY is
    /// `error`, `warning` or `suggestion`. A clean file prints nothing.
    ///
    /// JSON output (`--format json`) is one JSON array on one line holding every finding of
    /// every file, in order, each an object `{"file", "severity", "code", "pointer",
    /// "message"}`.
    ///
    /// Exit status: 0 when no finding is an error, 1 when one is, 2 for a usage error or a
    /// file that cannot be read.
    Validate(ValidateArgs),
    /// Decide a case and print the decision as JSON.
    ///
    /// With CASE, prints the decision as one JSON object on one line: `{"decision": ...,
    /// "reasons": [...], "phrase": ...}` (`phrase` only for a denial).
    ///
    /// With `--cases FILE`, FILE holds a JSON array of cases; prints one line per case, in
    /// order: the decision object with the case's `id` first (`null` when it has none), or
    /// `{"id": ..., "error": "..."}` for a case that does not parse.
    ///
    /// Exit status: 0 when every case was decided, 1 when a case does not parse, 2 for a
    /// usage error or a file that cannot be read or is not JSON.
    Simulate(SimulateArgs),
    /// Decide a case and explain the decision in words.
    ///
    /// Prints the request, the outcome, the access-denied message of a denial and one
    /// sentence per reason (the policy, the statement and its Sid, the grant, or what did
    /// not allow).
    ///
    /// Exit status: 0 when the case was decided, 1 when it does not parse, 2 for a usage
    /// error or a file that cannot be read or is not JSON.
    Explain(ExplainArgs),
}

/// `coffer policy validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Policy documents to check (`-` reads standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The policy language; by default each document's `Version` says.
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// What the documents are used as.
    #[arg(long = "use", value_enum, default_value_t = UseArg::Identity)]
    policy_use: UseArg,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `coffer policy simulate`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("input").required(true).args(["case", "cases"])))]
pub struct SimulateArgs {
    /// A case file (`-` reads standard input).
    #[arg(value_name = "CASE")]
    case: Option<PathBuf>,
    /// A file holding a JSON array of cases (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
}

/// `coffer policy explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A case file (`-` reads standard input).
    #[arg(value_name = "CASE")]
    case: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DialectArg {
    Aws,
    Huawei,
    #[value(alias = "aliyun")]
    Alibaba,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Aws => Dialect::Aws,
            DialectArg::Huawei => Dialect::Huawei,
            DialectArg::Alibaba => Dialect::Alibaba,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum UseArg {
    /// Attached to a user, group or role.
    Identity,
    /// Attached to a resource (a key policy).
    Resource,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A permissions boundary.
    Boundary,
    /// A session policy.
    Session,
}

impl From<UseArg> for PolicyUse {
    fn from(u: UseArg) -> PolicyUse {
        match u {
            UseArg::Identity => PolicyUse::Identity,
            UseArg::Resource => PolicyUse::Resource,
            UseArg::Scp => PolicyUse::Scp,
            UseArg::Rcp => PolicyUse::Rcp,
            UseArg::Boundary => PolicyUse::Boundary,
            UseArg::Session => PolicyUse::Session,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per finding.
    Text,
    /// One JSON array of every finding.
    Json,
}

/// Runs a policy command.
pub fn run(command: PolicyCommand) -> Result<Status, Fatal> {
    match command {
        PolicyCommand::Validate(args) => validate(&args),
        PolicyCommand::Simulate(args) => simulate(&args),
        PolicyCommand::Explain(args) => explain_case(&args),
    }
}

fn validate(args: &ValidateArgs) -> Result<Status, Fatal> {
    // Every file is read before any is checked: an unreadable file is a usage error.
    let inputs: Vec<Input> = args.files.iter().cloned().map(Input::new).collect();
    let texts = inputs.iter().map(Input::read).collect::<Result<Vec<_>, _>>()?;
    let opts =
        Options { dialect: args.dialect.map(Dialect::from), policy_use: args.policy_use.into() };
    let mut out = Output::new();
    let mut status = Status::Clean;
    let mut all = Vec::new();
    for (input, text) in inputs.iter().zip(&texts) {
        let label = input.label();
        for finding in validate_text(text, &opts) {
            if finding.severity == Severity::Error {
                status = Status::Problems;
            }
            match args.format {
                Format::Text => out.line(&text_line(&label, &finding))?,
                Format::Json => all.push(json_finding(&label, &finding)?),
            }
        }
    }
    if args.format == Format::Json {
        out.line(&Value::Array(all).to_string())?;
    }
    out.finish()?;
    Ok(status)
}

/// `FILE:POINTER: severity[code]: message`.
fn text_line(file: &str, f: &Finding) -> String {
    format!("{file}:{}: {}[{}]: {}", f.pointer, f.severity, f.code, f.message)
}

/// The finding as a JSON object with `file` first.
fn json_finding(file: &str, f: &Finding) -> Result<Value, Fatal> {
    let value = serde_json::to_value(f)
        .map_err(|e| Fatal(format!("cannot write a finding as JSON: {e}")))?;
    Ok(with_first("file", Value::String(file.to_owned()), value))
}

/// `value` (an object) with `key` inserted as its first member.
fn with_first(key: &str, first: Value, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), first);
    if let Value::Object(members) = value {
        map.extend(members.into_iter().filter(|(k, _)| k != key));
    }
    Value::Object(map)
}

fn simulate(args: &SimulateArgs) -> Result<Status, Fatal> {
    let mut out = Output::new();
    let status = match (&args.case, &args.cases) {
        (Some(path), _) => {
            let input = Input::new(path.clone());
            match Case::from_json(&input.read_json()?) {
                Ok(case) => {
                    // Exactly the decision as it serializes, on one line.
                    out.line(&serde_json::to_string(&case.evaluate()).map_err(cannot_write)?)?;
                    Status::Clean
                }
                Err(e) => {
                    eprintln!("error: {input}: {e}");
                    Status::Problems
                }
            }
        }
        (None, Some(path)) => {
            let input = Input::new(path.clone());
            let Value::Array(cases) = input.read_json()? else {
                return Err(Fatal(format!("{input} must hold a JSON array of cases")));
            };
            let mut status = Status::Clean;
            for value in &cases {
                let id = value.get("id").cloned().unwrap_or(Value::Null);
                let line = match Case::from_json(value) {
                    Ok(case) => {
                        let decision =
                            serde_json::to_value(case.evaluate()).map_err(cannot_write)?;
                        with_first("id", id, decision)
                    }
                    Err(e) => {
                        status = Status::Problems;
                        with_first("id", id, serde_json::json!({"error": e.to_string()}))
                    }
                };
                out.line(&line.to_string())?;
            }
            status
        }
        (None, None) => return Err(Fatal("give a case file or `--cases FILE`".to_owned())),
    };
    out.finish()?;
    Ok(status)
}

fn cannot_write(e: serde_json::Error) -> Fatal {
    Fatal(format!("cannot write the decision as JSON: {e}"))
}

fn explain_case(args: &ExplainArgs) -> Result<Status, Fatal> {
    let input = Input::new(args.case.clone());
    match Case::from_json(&input.read_json()?) {
        Ok(case) => {
            let mut out = Output::new();
            out.write(&explain(&case, &case.evaluate()))?;
            out.finish()?;
            Ok(Status::Clean)
        }
        Err(e) => {
            eprintln!("error: {input}: {e}");
            Ok(Status::Problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_member_goes_first() {
        let v =
            with_first("id", json!(3), json!({"decision": "Allow", "id": "old", "reasons": []}));
        assert_eq!(v.to_string(), r#"{"id":3,"decision":"Allow","reasons":[]}"#);
    }

    #[test]
    fn findings_read_as_lines() {
        let f = Finding {
            severity: Severity::Warning,
            code: "unknown-action",
            pointer: "/Statement/0/Action".to_owned(),
            message: "the action `kms:Decript` does not exist".to_owned(),
        };
        assert_eq!(
            text_line("p.json", &f),
            "p.json:/Statement/0/Action: warning[unknown-action]: the action `kms:Decript` does not exist"
        );
        let v = json_finding("p.json", &f).unwrap();
        assert_eq!(v.as_object().unwrap().keys().next().map(String::as_str), Some("file"));
        assert_eq!(v["code"], "unknown-action");
    }
}
