//! `coffer policy validate|simulate|explain`, `coffer --version`, run as a user runs them.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use coffer_policy::case::Case;
use serde_json::Value;

/// The files under `tests/data/`.
fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name).display().to_string()
}

/// The repository's `examples/` folder, which the README's commands use.
fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).display().to_string()
}

fn coffer(args: &[&str]) -> Output {
    coffer_with_stdin(args, "")
}

fn coffer_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> &str {
    std::str::from_utf8(&out.stdout).unwrap()
}

fn stderr(out: &Output) -> &str {
    std::str::from_utf8(&out.stderr).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

/// A directory of its own under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("coffer-cli-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the engine decides for a case file, serialized as `simulate` must print it.
fn expected_decision(path: &str) -> String {
    let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_string(&Case::from_json(&value).unwrap().evaluate()).unwrap()
}

// ---- validate ----

#[test]
fn validate_a_clean_file_prints_nothing_and_exits_0() {
    let out = coffer(&["policy", "validate", &data("clean-identity-policy.json")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
}

#[test]
fn validate_prints_one_line_per_finding_and_exits_1_on_an_error() {
    let file = data("typo-key-policy.json");
    let out = coffer(&["policy", "validate", "--use", "resource", &file]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let lines: Vec<&str> = stdout(&out).lines().collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    assert_eq!(
        lines[0],
        format!(
            "{file}:/Statement/0/Action/1: error[unknown-action]: unknown action `kms:Decrpyt`: the AWS `kms` \
             service has no such action; did you mean `kms:Decrypt`?"
        )
    );
}

#[test]
fn validate_exits_0_when_findings_are_only_warnings() {
    let file = data("warning-key-policy.json");
    let out = coffer(&["policy", "validate", "--use", "resource", &file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let line = stdout(&out).lines().next().unwrap();
    assert!(
        line.starts_with(&format!(
            "{file}:/Statement/0/Resource: warning[resource-not-wildcard]: "
        )),
        "{line}"
    );
}

#[test]
fn validate_checks_against_the_use_and_the_dialect() {
    // A Principal has no place in an identity policy, which is the default use.
    let file = data("typo-key-policy.json");
    let out = coffer(&["policy", "validate", &file]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out)
            .contains(&format!("{file}:/Statement/0/Principal: error[principal-not-allowed]: "))
    );

    let huawei = data("huawei-identity-policy.json");
    let out = coffer(&["policy", "validate", "--dialect", "huawei", &huawei]);
    assert_eq!((code(&out), stdout(&out)), (0, ""), "{}", stderr(&out));
    // Read as AWS, the Huawei `Version` is refused.
    let out = coffer(&["policy", "validate", "--dialect", "aws", &huawei]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with(&format!("{huawei}:")), "{}", stdout(&out));
}

#[test]
fn validate_json_is_one_array_with_the_file_first() {
    let clean = data("clean-identity-policy.json");
    let typo = data("typo-key-policy.json");
    let warning = data("warning-key-policy.json");
    let out =
        coffer(&["policy", "validate", "--use", "resource", "--format", "json", &typo, &warning]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    let findings: Vec<Value> = serde_json::from_str(stdout(&out)).unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    let first = findings[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys, ["file", "severity", "code", "pointer", "message"]);
    assert_eq!(first["file"], typo.as_str());
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "unknown-action");
    assert_eq!(first["pointer"], "/Statement/0/Action/1");
    assert_eq!(findings[1]["file"], warning.as_str());
    assert_eq!(findings[1]["severity"], "warning");

    let out = coffer(&["policy", "validate", "--format", "json", &clean]);
    assert_eq!((code(&out), stdout(&out)), (0, "[]\n"));
}

#[test]
fn validate_reads_standard_input() {
    let text = std::fs::read_to_string(data("typo-key-policy.json")).unwrap();
    let out = coffer_with_stdin(&["policy", "validate", "--use", "resource", "-"], &text);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("<stdin>:/Statement/0/Action/1: error[unknown-action]: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn validate_refuses_an_unreadable_file_with_exit_2() {
    let tmp = TempDir::new();
    let missing = tmp.0.join("missing.json").display().to_string();
    let out = coffer(&["policy", "validate", &data("clean-identity-policy.json"), &missing]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "", "nothing is checked when an input cannot be read");
    assert_eq!(stderr(&out), format!("error: cannot read `{missing}`: no such file\n"));

    let out = coffer(&["policy", "validate", &tmp.0.display().to_string()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with(&format!("error: cannot read `{}`: ", tmp.0.display())),
        "{}",
        stderr(&out)
    );

    let binary = tmp.0.join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let out = coffer(&["policy", "validate", &binary.display().to_string()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("is not UTF-8 text"), "{}", stderr(&out));
}

#[test]
fn validate_usage_errors_exit_2() {
    for args in [
        &["policy", "validate"][..],
        &["policy", "validate", "--dialect", "gcp", "x.json"],
        &["policy", "validate", "--use", "trust", "x.json"],
        &["policy", "validate", "--format", "yaml", "x.json"],
    ] {
        let out = coffer(args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).starts_with("error: "), "{args:?}: {}", stderr(&out));
    }
}

// ---- simulate ----

#[test]
fn simulate_prints_exactly_the_decision() {
    for file in [data("case-no-iam-allow.json"), data("case-scp-deny.json")] {
        let out = coffer(&["policy", "simulate", &file]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("{}\n", expected_decision(&file)));
    }
    let out = coffer(&["policy", "simulate", &data("case-no-iam-allow.json")]);
    assert_eq!(
        stdout(&out),
        "{\"decision\":\"ImplicitDeny\",\"reasons\":[{\"kind\":\"no_allow\",\"policy_kind\":\"identity\"}],\
         \"phrase\":\"because no identity-based policy allows the kms:Decrypt action\"}\n"
    );
}

#[test]
fn simulate_reads_standard_input() {
    let file = data("case-scp-deny.json");
    let out =
        coffer_with_stdin(&["policy", "simulate", "-"], &std::fs::read_to_string(&file).unwrap());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", expected_decision(&file)));
}

#[test]
fn simulate_cases_prints_one_line_per_case_in_order_with_its_id() {
    let out = coffer(&["policy", "simulate", "--cases", &data("cases.json")]);
    assert_eq!(code(&out), 1, "a case that does not parse makes the exit status 1");
    let lines: Vec<Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    let ids: Vec<&Value> = lines.iter().map(|l| &l["id"]).collect();
    assert_eq!(
        ids,
        [
            &Value::from("iam-allows"),
            &Value::from(2),
            &Value::from("huawei-no-allow"),
            &Value::Null
        ]
    );
    for line in &lines {
        assert_eq!(line.as_object().unwrap().keys().next().map(String::as_str), Some("id"));
    }
    assert_eq!(lines[0]["decision"], "Allow");
    assert_eq!(lines[0]["reasons"][1]["sid"], "Decrypt");
    assert_eq!(lines[1].as_object().unwrap().len(), 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("unknown dialect `gcp`"), "{}", lines[1]);
    assert_eq!(lines[2]["decision"], "ImplicitDeny");
    assert_eq!(
        lines[2]["phrase"],
        "because no identity-based policy allows the kms:cmk:decryptDataKey action"
    );
    assert_eq!(lines[3]["decision"], "Allow");

    // Each decision line is the single-case output with the id put first.
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data("cases.json")).unwrap()).unwrap();
    let first = serde_json::to_string(&Case::from_json(&cases[0]).unwrap().evaluate()).unwrap();
    assert_eq!(
        stdout(&out).lines().next().unwrap(),
        format!("{{\"id\":\"iam-allows\",{}", &first[1..])
    );
}

#[test]
fn simulate_cases_of_good_cases_exits_0() {
    let tmp = TempDir::new();
    let case = std::fs::read_to_string(data("case-no-iam-allow.json")).unwrap();
    let file = tmp.file("cases.json", &format!("[{case}, {case}]"));
    let out = coffer(&["policy", "simulate", "--cases", &file]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    let out = coffer(&["policy", "simulate", "--cases", &tmp.file("none.json", "[]")]);
    assert_eq!((code(&out), stdout(&out)), (0, ""));
}

#[test]
fn simulate_refuses_files_that_are_not_json_with_exit_2() {
    let tmp = TempDir::new();
    let broken = tmp.file("broken.json", "{\"dialect\": ");
    for args in [
        vec!["policy", "simulate", broken.as_str()],
        vec!["policy", "simulate", "--cases", broken.as_str()],
    ] {
        let out = coffer(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert_eq!(stdout(&out), "");
        assert!(
            stderr(&out).starts_with(&format!("error: `{broken}` is not valid JSON: ")),
            "{}",
            stderr(&out)
        );
    }
    let missing = tmp.0.join("missing.json").display().to_string();
    let out = coffer(&["policy", "simulate", &missing]);
    assert_eq!(code(&out), 2);
    assert_eq!(stderr(&out), format!("error: cannot read `{missing}`: no such file\n"));

    let object =
        tmp.file("object.json", &std::fs::read_to_string(data("case-no-iam-allow.json")).unwrap());
    let out = coffer(&["policy", "simulate", "--cases", &object]);
    assert_eq!(code(&out), 2);
    assert_eq!(stderr(&out), format!("error: `{object}` must hold a JSON array of cases\n"));
}

#[test]
fn simulate_of_a_case_that_does_not_parse_exits_1() {
    let tmp = TempDir::new();
    let file = tmp.file("case.json", r#"{"dialect": "aws", "request": {"action": "kms:Decrypt"}}"#);
    let out = coffer(&["policy", "simulate", &file]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).starts_with(&format!("error: `{file}`: the case is malformed: ")),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("`principal`"), "{}", stderr(&out));
}

#[test]
fn simulate_usage_errors_exit_2() {
    let case = data("case-no-iam-allow.json");
    for args in [&["policy", "simulate"][..], &["policy", "simulate", &case, "--cases", &case]] {
        let out = coffer(args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    }
}

// ---- explain ----

#[test]
fn explain_names_the_request_the_phrase_and_the_sid() {
    let out = coffer(&["policy", "explain", &data("case-no-iam-allow.json")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("principal: arn:aws:iam::111122223333:user/alice\n"), "{text}");
    assert!(text.contains("outcome:   ImplicitDeny"), "{text}");
    assert!(
        text.contains("because no identity-based policy allows the kms:Decrypt action"),
        "{text}"
    );

    let out = coffer(&["policy", "explain", &data("case-scp-deny.json")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("with an explicit deny in a service control policy"), "{text}");
    assert!(text.contains("\"ProtectKeys\""), "{text}");
    assert!(
        text.contains(
            "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:ScheduleKeyDeletion on \
             resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab with an \
             explicit deny in a service control policy\n"
        ),
        "{text}"
    );
}

#[test]
fn explain_prints_what_the_library_explains() {
    let file = data("case-scp-deny.json");
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let case = Case::from_json(&value).unwrap();
    let expected = coffer_policy::explain::explain(&case, &case.evaluate());
    let out = coffer(&["policy", "explain", &file]);
    assert_eq!(stdout(&out), expected);
}

#[test]
fn explain_errors() {
    let tmp = TempDir::new();
    let missing = tmp.0.join("missing.json").display().to_string();
    let out = coffer(&["policy", "explain", &missing]);
    assert_eq!(code(&out), 2);
    assert_eq!(stderr(&out), format!("error: cannot read `{missing}`: no such file\n"));
    let policy = data("clean-identity-policy.json");
    let out = coffer(&["policy", "explain", &policy]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with(&format!("error: `{policy}`: the case is malformed: ")),
        "{}",
        stderr(&out)
    );
}

// ---- the binary ----

#[test]
fn version_and_commands() {
    let out = coffer(&["--version"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), format!("coffer {}\n", env!("CARGO_PKG_VERSION")));
    // A bad option of `serve` is a usage error, named.
    let out = coffer(&["serve", "--listen", "not-an-address"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not-an-address"), "{}", stderr(&out));
    let out = coffer(&[]);
    assert_eq!(code(&out), 2);
}

/// Every `$ coffer ...` line in the README's `console` blocks prints what the README shows
/// (run from the repository root); `$ echo $?` shows the exit status of the line before.
#[test]
fn the_readme_shows_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut blocks = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        blocks += 1;
        let mut last: Option<Output> = None;
        for step in block.split("$ ").filter(|s| !s.is_empty()) {
            let (command, shown) = step.split_once('\n').unwrap();
            if command == "echo $?" {
                let out = last.as_ref().unwrap();
                assert_eq!(format!("{}\n", code(out)), shown, "exit status in the README");
                continue;
            }
            let args: Vec<&str> =
                command.strip_prefix("coffer ").unwrap().split_whitespace().collect();
            let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
                .args(&args)
                .current_dir(&root)
                .output()
                .unwrap();
            assert_eq!(stdout(&out), shown, "the README shows other output for `{command}`");
            last = Some(out);
        }
    }
    assert!(blocks >= 4, "the README's tour has {blocks} console blocks");

    // The first command's output, shown in a `json` block.
    let out = coffer(&["policy", "simulate", &example("deny-decrypt.json")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        readme.contains(&format!("```json\n{}```", stdout(&out))),
        "the README's first output is stale"
    );
}

// ---- serve ----

/// A bad identities file stops the server before it listens, naming the field.
#[test]
fn serve_refuses_a_bad_identities_file_naming_the_field() {
    let dir = TempDir::new();
    let ids = dir.0.join("identities.json");
    std::fs::write(
        &ids,
        r#"{"accounts": [{"id": "111122223333"}],
            "principals": [{"account": "111122223333", "type": "user", "name": "a",
                            "access_keys": [{"id": "AKIASHORT", "secret": "0123456789abcdef0123"}]}]}"#,
    )
    .unwrap();
    let data = dir.0.join("data");
    let out = coffer(&[
        "serve",
        "--data-dir",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--identities",
        ids.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert!(stderr(&out).contains("principals[0].access_keys[0].id"), "{}", stderr(&out));
    // Nothing secret is echoed back.
    assert!(!stderr(&out).contains("0123456789abcdef0123"), "{}", stderr(&out));
}

/// A TOML identities file is read by its extension; a syntax error names the file.
#[test]
fn serve_names_an_unreadable_identities_file() {
    let dir = TempDir::new();
    let ids = dir.0.join("identities.toml");
    std::fs::write(&ids, "accounts = [ { id = ").unwrap();
    let data = dir.0.join("data");
    let out = coffer(&[
        "serve",
        "--data-dir",
        data.to_str().unwrap(),
        "--identities",
        ids.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("identities.toml"), "{}", stderr(&out));
}

/// Groups, roles with their trust policies and RCPs are checked as the rest: each mistake
/// stops the server naming its field.
#[test]
fn serve_refuses_bad_groups_roles_and_rcps_naming_the_field() {
    let account = r#"{"accounts": [{"id": "111122223333", "org_path": ["r-root"]}], "#;
    let cases = [
        (
            r#""principals": [{"account": "111122223333", "type": "user", "name": "u", "groups": ["missing"]}]"#,
            "principals[0].groups[0]",
        ),
        (
            r#""groups": [{"account": "111122223333", "name": "g", "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "Encrypt", "Resource": "*"}]}]}]"#,
            "groups[0].policies[0]",
        ),
        (
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Principal": "*"}]}}]"#,
            "principals[0].trust_policy",
        ),
        (
            r#""principals": [{"account": "111122223333", "type": "role", "name": "r", "max_session_duration": 100000}]"#,
            "principals[0].max_session_duration",
        ),
        (r#""rcps": [{"target": "ou-nowhere", "document": {}}]"#, "rcps[0].target"),
    ];
    for (body, field) in cases {
        let dir = TempDir::new();
        let ids = dir.0.join("identities.json");
        std::fs::write(&ids, format!("{account}{body}}}")).unwrap();
        let data = dir.0.join("data");
        let out = coffer(&[
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--identities",
            ids.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).contains(&format!("`{field}`")), "{field}: {}", stderr(&out));
    }
}

// ---- simulate --server ----

const SIM_ACCOUNT: &str = "111122223333";
const SIM_ROOT: (&str, &str) = ("AKIASIMROOT000000001", "sim-root-secret-0000000000000000000001");
const SIM_ALICE: (&str, &str) = ("AKIASIMALICE00000001", "sim-alice-secret-000000000000000000001");
const SIM_ALICE_ARN: &str = "arn:aws:iam::111122223333:user/alice";

/// A running `coffer serve` with the account's root and `alice`, who may only encrypt and
/// describe keys; killed when dropped.
struct SimServer {
    child: std::process::Child,
    endpoint: String,
    _dir: TempDir,
}

impl SimServer {
    fn start() -> SimServer {
        let dir = TempDir::new();
        let ids = dir.file(
            "identities.json",
            &serde_json::json!({
                "accounts": [{"id": SIM_ACCOUNT}],
                "principals": [
                    {"account": SIM_ACCOUNT, "type": "root",
                     "access_keys": [{"id": SIM_ROOT.0, "secret": SIM_ROOT.1}]},
                    {"account": SIM_ACCOUNT, "type": "user", "name": "alice",
                     "access_keys": [{"id": SIM_ALICE.0, "secret": SIM_ALICE.1}],
                     "policies": [{"Version": "2012-10-17", "Statement": [
                         {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey"],
                          "Resource": "*"}]}]}
                ]
            })
            .to_string(),
        );
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let data = dir.0.join("data");
        let child = Command::new(env!("CARGO_BIN_EXE_coffer"))
            .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", &addr.to_string()])
            .args(["--identities", &ids])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = SimServer { child, endpoint: format!("http://{addr}"), _dir: dir };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(server.child.try_wait().unwrap().is_none(), "coffer serve exited");
            assert!(std::time::Instant::now() < deadline, "coffer serve did not listen");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        server
    }

    /// A symmetric key with the default key policy, made by the root user with the SDK.
    fn create_key(&self) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(&self.endpoint)
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(aws_credential_types::Credentials::new(
                    SIM_ROOT.0,
                    SIM_ROOT.1,
                    None,
                    None,
                    "coffer-tests",
                ))
                .load()
                .await;
            let kms = aws_sdk_kms::Client::new(&config);
            let key = kms.create_key().send().await.unwrap();
            let id = key.key_metadata().unwrap().key_id().to_owned();
            kms.create_alias().alias_name("alias/sim").target_key_id(&id).send().await.unwrap();
            id
        })
    }

    /// `coffer policy simulate --server` signed with `(access key, secret)`.
    fn simulate(&self, (access_key, secret): (&str, &str), args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_coffer"))
            .args(["policy", "simulate", "--server", &self.endpoint])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", access_key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap()
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The live server decides, with its identities, the key's policy and the given context.
#[test]
fn simulate_against_a_running_server_allows_and_denies_with_reasons() {
    let server = SimServer::start();
    let key = server.create_key();
    let principal = ["--principal", SIM_ALICE_ARN];

    let out = server.simulate(
        SIM_ROOT,
        &[&principal[..], &["--action", "kms:Encrypt", "--key-id", "alias/sim"]].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer: Value = serde_json::from_str(stdout(&out)).unwrap();
    assert_eq!(stdout(&out).lines().count(), 1);
    assert_eq!(answer["decision"], "Allow");
    assert_eq!(answer["reasons"][0]["kind"], "statement");
    assert_eq!(answer["reasons"][0]["policy_kind"], "resource");
    assert_eq!(answer["reasons"][0]["sid"], "Enable IAM User Permissions");
    assert_eq!(answer["resource"], format!("arn:aws:kms:us-east-1:{SIM_ACCOUNT}:key/{key}"));
    assert_eq!(answer["context"]["kms:requestalias"], "alias/sim");
    assert_eq!(answer["context"]["aws:username"], "alice");
    // The decision comes first, as the offline `simulate` prints it.
    assert!(stdout(&out).starts_with(r#"{"decision":"Allow","reasons":["#), "{}", stdout(&out));

    let out = server.simulate(
        SIM_ROOT,
        &[
            &principal[..],
            &["--action", "kms:Decrypt", "--key-id", &key],
            &["--encryption-context", r#"{"dept": "it"}"#],
            &["--context", r#"{"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}"#],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let answer: Value = serde_json::from_str(stdout(&out)).unwrap();
    assert_eq!(answer["decision"], "ImplicitDeny");
    assert_eq!(answer["phrase"], "because no identity-based policy allows the kms:Decrypt action");
    assert_eq!(answer["context"]["kms:encryptioncontext:dept"], "it");
    assert_eq!(answer["context"]["kms:encryptionalgorithm"], "SYMMETRIC_DEFAULT");

    // Alice may not ask: she is not allowed iam:SimulatePrincipalPolicy.
    let out = server.simulate(
        SIM_ALICE,
        &[&principal[..], &["--action", "kms:Encrypt", "--key-id", &key]].concat(),
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        stderr(&out).trim_end(),
        "error: AccessDeniedException: User: arn:aws:iam::111122223333:user/alice is not \
         authorized to perform: iam:SimulatePrincipalPolicy on resource: \
         arn:aws:iam::111122223333:user/alice because no identity-based policy allows the \
         iam:SimulatePrincipalPolicy action"
    );
    // A wrong secret is refused by the signature check.
    let out = server.simulate(
        (SIM_ROOT.0, "not-the-secret-000000000000000000000000"),
        &[&principal[..], &["--action", "kms:Encrypt", "--key-id", &key]].concat(),
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).starts_with("error: InvalidSignatureException"), "{}", stderr(&out));
}

/// Credentials in the environment do not get in the way of a simulation without a server.
#[test]
fn simulate_of_a_case_ignores_credentials_in_the_environment() {
    let case = data("case-scp-deny.json");
    let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["policy", "simulate", &case])
        .env("AWS_ACCESS_KEY_ID", SIM_ROOT.0)
        .env("AWS_SECRET_ACCESS_KEY", SIM_ROOT.1)
        .env("AWS_REGION", "eu-west-1")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim_end(), expected_decision(&case));
}

#[test]
fn simulate_server_usage_errors_exit_2() {
    // The principal and the action are required with --server.
    let out = coffer(&["policy", "simulate", "--server", "http://127.0.0.1:9"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // Nothing listens there.
    let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["policy", "simulate", "--server", "http://127.0.0.1:9"])
        .args(["--principal", SIM_ALICE_ARN, "--action", "kms:ListKeys"])
        .env("AWS_ACCESS_KEY_ID", SIM_ROOT.0)
        .env("AWS_SECRET_ACCESS_KEY", SIM_ROOT.1)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: `http://127.0.0.1:9` cannot be reached"),
        "{}",
        stderr(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["policy", "simulate", "--server", "http://127.0.0.1:9"])
        .args(["--principal", SIM_ALICE_ARN, "--action", "kms:ListKeys"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("AWS_ACCESS_KEY_ID"), "{}", stderr(&out));
}
