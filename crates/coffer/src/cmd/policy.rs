//! `coffer policy`: validate policy documents, and simulate or explain a decision for a case.
//!
//! A case is a JSON object with the request and every policy and grant that applies to it
//! (`id`, `dialect`, `policies`, `grants`, `request`), the format `coffer_policy::case`
//! reads. Each command reads its input, calls the policy engine and prints what it returns.
//!
//! `simulate --server URL` asks a running server instead (`POST /coffer/simulate`, signed
//! with SigV4 by the server crate's signer with the credentials of the environment), which
//! decides against its live identities, keys, key policies and grants.

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
    /// With `--server URL`, asks a running server whether `--principal` would be allowed
    /// `--action` on `--key-id` now, with its live policies and grants, and prints its
    /// answer on one line: the decision object, then the `resource` and the `context` it
    /// was decided on. The request is signed with AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY for AWS_REGION; the signer must be the account's root user or
    /// be allowed `iam:SimulatePrincipalPolicy` on the principal.
    ///
    /// Exit status: 0 when every case was decided, 1 when a case does not parse or the
    /// server refuses the simulation, 2 for a usage error, a file that cannot be read or is
    /// not JSON, or a server that cannot be reached.
    Simulate(Box<SimulateArgs>),
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
#[command(group(ArgGroup::new("input").required(true).args(["case", "cases", "server"])))]
pub struct SimulateArgs {
    /// A case file (`-` reads standard input).
    #[arg(value_name = "CASE")]
    case: Option<PathBuf>,
    /// A file holding a JSON array of cases (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    cases: Option<PathBuf>,
    #[command(flatten)]
    remote: RemoteArgs,
}

/// `coffer policy simulate --server`: what to ask a running server.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// The server to ask, e.g. `http://127.0.0.1:4600`.
    #[arg(long, value_name = "URL", requires_all = ["principal", "action"])]
    server: Option<String>,
    /// The principal's ARN.
    #[arg(long, value_name = "ARN", requires = "server")]
    principal: Option<String>,
    /// The action, e.g. `kms:Decrypt`.
    #[arg(long, requires = "server")]
    action: Option<String>,
    /// The key (id, ARN, alias name or alias ARN); none for an action without a key.
    #[arg(long, value_name = "KEY", requires = "server")]
    key_id: Option<String>,
    /// The request's encryption context, a JSON object of strings.
    #[arg(long, value_name = "JSON", requires = "server")]
    encryption_context: Option<String>,
    /// Condition keys that replace or add to those the server computes, a JSON object.
    #[arg(long, value_name = "JSON", requires = "server")]
    context: Option<String>,
    // The credentials do not require `--server`: they come from the environment, which
    // holds them for every command.
    /// The access key id to sign with.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    access_key_id: Option<String>,
    /// The secret access key to sign with.
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_access_key: Option<String>,
    /// The region to sign for.
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
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
    if let Some(server) = &args.remote.server {
        return remote::simulate(server, &args.remote);
    }
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
        (None, None) => {
            return Err(Fatal("give a case file, `--cases FILE` or `--server URL`".to_owned()));
        }
    };
    out.finish()?;
    Ok(status)
}

/// Simulation by a running server.
mod remote {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use bytes::Bytes;
    use coffer_server::admin::SIMULATE_PATH;
    use coffer_server::aws::{SIGNING_SERVICE, sigv4};
    use http_body_util::{BodyExt as _, Full};
    use hyper::client::conn::http1;
    use hyper::{Method, Uri, header};
    use hyper_util::rt::TokioIo;
    use serde_json::{Map, Value};

    use super::{Fatal, Output, RemoteArgs, Status};

    /// How long the server may take to answer.
    const TIMEOUT: Duration = Duration::from_secs(30);

    /// The headers the request is signed over.
    const SIGNED_HEADERS: [&str; 3] = ["content-type", "host", "x-amz-date"];

    pub(super) fn simulate(server: &str, args: &RemoteArgs) -> Result<Status, Fatal> {
        let body = request_body(args)?;
        let (Some(access_key), Some(secret)) = (&args.access_key_id, &args.secret_access_key)
        else {
            return Err(Fatal(
                "`--server` needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    .to_owned(),
            ));
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Fatal(format!("cannot start the runtime: {e}")))?;
        let (status, answer) =
            runtime.block_on(send(server, &body, access_key, secret, &args.region))?;
        let value: Value = serde_json::from_slice(&answer).map_err(|_| {
            Fatal(format!("`{server}` answered {status} with a body that is not JSON"))
        })?;
        if status != hyper::StatusCode::OK {
            let code = value.get("__type").and_then(Value::as_str).unwrap_or("error");
            match value.get("message").and_then(Value::as_str) {
                Some(m) => eprintln!("error: {code}: {m}"),
                None => eprintln!("error: {code}"),
            }
            return Ok(Status::Problems);
        }
        let mut out = Output::new();
        out.line(&value.to_string())?;
        out.finish()?;
        Ok(Status::Clean)
    }

    /// The JSON body of the simulation request.
    fn request_body(args: &RemoteArgs) -> Result<Vec<u8>, Fatal> {
        let object = |flag: &str, text: &Option<String>| -> Result<Option<Value>, Fatal> {
            let Some(text) = text else { return Ok(None) };
            match serde_json::from_str::<Value>(text) {
                Ok(v @ Value::Object(_)) => Ok(Some(v)),
                _ => Err(Fatal(format!("`{flag}` must be a JSON object"))),
            }
        };
        let mut body = Map::new();
        body.insert("PrincipalArn".into(), args.principal.clone().unwrap_or_default().into());
        body.insert("Action".into(), args.action.clone().unwrap_or_default().into());
        if let Some(k) = &args.key_id {
            body.insert("KeyId".into(), k.clone().into());
        }
        if let Some(ec) = object("--encryption-context", &args.encryption_context)? {
            body.insert("EncryptionContext".into(), ec);
        }
        if let Some(ctx) = object("--context", &args.context)? {
            body.insert("Context".into(), ctx);
        }
        Ok(Value::Object(body).to_string().into_bytes())
    }

    /// Signs and sends the request; the status and body of the answer.
    async fn send(
        server: &str,
        body: &[u8],
        access_key: &str,
        secret: &str,
        region: &str,
    ) -> Result<(hyper::StatusCode, Bytes), Fatal> {
        let bad = |why: &str| Fatal(format!("`{server}` {why}"));
        let uri: Uri = server.parse().map_err(|_| bad("is not a URL"))?;
        if uri.scheme_str() != Some("http") {
            return Err(bad("is not an `http://` URL"));
        }
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?.clone();
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(80);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .ok_or_else(|| Fatal("the clock is out of range".to_owned()))?;
        let amz_date = sigv4::format_amz_date(now);
        let headers: Vec<(String, String)> = vec![
            ("content-type".into(), coffer_server::admin::CONTENT_TYPE.into()),
            ("host".into(), authority.as_str().to_owned()),
            ("x-amz-date".into(), amz_date.clone()),
        ];
        let req = sigv4::Request {
            method: "POST",
            path: SIMULATE_PATH,
            query: "",
            headers: &headers,
            body,
        };
        let authorization = sigv4::sign(
            &req,
            &SIGNED_HEADERS,
            access_key,
            secret.as_bytes(),
            region,
            SIGNING_SERVICE,
            &amz_date,
        );
        let request = hyper::Request::builder()
            .method(Method::POST)
            .uri(SIMULATE_PATH)
            .header(header::HOST, authority.as_str())
            .header(header::CONTENT_TYPE, coffer_server::admin::CONTENT_TYPE)
            .header(header::USER_AGENT, concat!("coffer/", env!("CARGO_PKG_VERSION")))
            .header("x-amz-date", amz_date)
            .header(header::AUTHORIZATION, authorization)
            .body(Full::new(Bytes::copy_from_slice(body)))
            .map_err(|e| Fatal(format!("cannot build the request: {e}")))?;
        let exchange = async {
            let stream = tokio::net::TcpStream::connect((host, port))
                .await
                .map_err(|e| bad(&format!("cannot be reached: {e}")))?;
            let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| bad(&format!("cannot be spoken to: {e}")))?;
            let driver = tokio::spawn(async move {
                let _ = conn.await;
            });
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| bad(&format!("did not answer: {e}")))?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| bad(&format!("broke off its answer: {e}")))?
                .to_bytes();
            driver.abort();
            Ok((status, bytes))
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| bad(&format!("did not answer within {} s", TIMEOUT.as_secs())))?
    }
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
