//! The audit trail: one CloudTrail-shaped event per call, appended to a log.
//!
//! Owns: the event shape (eventTime, eventName, userIdentity, sourceIPAddress,
//! requestParameters without plaintext, responseElements, errorCode, the decision's
//! reasons) and the sinks it is written to. Never: write a secret — callers pass request
//! parameters with plaintext fields already removed, and this module removes any that
//! remain.
//!
//! An event is serialized straight from [`Event`], which borrows what the call already
//! holds: it is written on every call before the response leaves, so it builds no JSON
//! tree of its own.
//!
//! Which API a call came through is the event's [`Source`] (`eventSource`): AWS KMS
//! operations are `kms.amazonaws.com`, the STS front door's `AssumeRole` and
//! `GetCallerIdentity` are `sts.amazonaws.com`, as CloudTrail names them; Coffer's own
//! administrative endpoints, which no cloud has, are `coffer`. The `resources` element
//! names the resources a call was about (a KMS call: every key its authorization decided
//! on, so both keys of a ReEncrypt, and the key of a refused call), each type read from the
//! ARN (`AWS::KMS::Key`, `AWS::IAM::Role`, ...).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use coffer_policy::decision::Decision;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::authz::iso8601;
use crate::caller::Caller;
use crate::sts::Session;

/// Where events go.
pub trait AuditSink: Send + Sync {
    /// Appends one event: a JSON object on one line, without the line's end.
    fn append(&self, event: &[u8]) -> std::io::Result<()>;
}

/// A JSON-lines file, opened for appending.
///
/// Each event is one `writev(2)` of the event and its line end on a file opened with
/// `O_APPEND`, which POSIX makes atomic against every other appender: concurrent calls
/// need no lock (a lock here made the two workers of a busy server wait for each other's
/// system call), and a line is never interleaved with another.
pub struct FileAudit(File);

impl FileAudit {
    /// Opens (creating, mode 0600) the log file for appending.
    pub fn open(path: &Path) -> std::io::Result<FileAudit> {
        let mut opts = OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        Ok(FileAudit(opts.open(path)?))
    }
}

impl AuditSink for FileAudit {
    fn append(&self, event: &[u8]) -> std::io::Result<()> {
        let line = [std::io::IoSlice::new(event), std::io::IoSlice::new(b"\n")];
        let written = (&self.0).write_vectored(&line)?;
        // A regular file takes a write whole unless it cannot (a full disk): finishing the
        // line with a second write could put it inside another event, so say so instead.
        if written == event.len() + 1 {
            Ok(())
        } else {
            Err(std::io::Error::other(format!(
                "the audit log took {written} of {} bytes of an event",
                event.len() + 1
            )))
        }
    }
}

/// Keeps events in memory, parsed back into JSON (tests).
#[derive(Default)]
pub struct MemoryAudit(pub Mutex<Vec<Value>>);

impl AuditSink for MemoryAudit {
    fn append(&self, event: &[u8]) -> std::io::Result<()> {
        let event = serde_json::from_slice(event).map_err(std::io::Error::other)?;
        if let Ok(mut v) = self.0.lock() {
            v.push(event);
        }
        Ok(())
    }
}

/// Request and response members that carry secrets and never enter the log: plaintexts
/// and key material, and the secret and session token of temporary credentials.
const SECRET_FIELDS: &[&str] = &[
    "Plaintext",
    "plaintext",
    "PrivateKeyPlaintext",
    "KeyMaterial",
    "plain_text",
    "data_key",
    "SecretAccessKey",
    "secretAccessKey",
    "SessionToken",
    "sessionToken",
];

fn scrub(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for f in SECRET_FIELDS {
                m.remove(*f);
            }
            m.values_mut().for_each(scrub);
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// The API a call came through, written as the event's `eventSource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Source {
    /// The AWS KMS API.
    #[serde(rename = "kms.amazonaws.com")]
    Kms,
    /// The AWS STS API.
    #[serde(rename = "sts.amazonaws.com")]
    Sts,
    /// Coffer's own administrative endpoints.
    #[serde(rename = "coffer")]
    Coffer,
}

/// One call, as recorded.
pub struct CallRecord<'a> {
    /// The API it came through.
    pub source: Source,
    /// The operation's name (`Encrypt`).
    pub event_name: &'a str,
    /// The request id.
    pub request_id: &'a str,
    /// When, epoch milliseconds.
    pub time_millis: i64,
    /// The request's parameters (secrets are removed).
    pub request: Value,
    /// The response's elements (secrets are removed); `null` on error.
    pub response: Value,
    /// The error code, if the call failed.
    pub error_code: Option<&'a str>,
    /// The error message, if the call failed.
    pub error_message: Option<&'a str>,
    /// Whether the operation only reads.
    pub read_only: bool,
    /// The ARNs of the resources the call was about (keys, a role), in order.
    pub resources: Vec<&'a str>,
}

/// The CloudTrail-shaped event of one call, serialized as CloudTrail writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    event_version: &'static str,
    user_identity: Option<UserIdentity<'a>>,
    event_time: String,
    event_source: Source,
    event_name: &'a str,
    aws_region: Option<&'a str>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<&'a str>,
    user_agent: Option<&'a str>,
    request_parameters: Value,
    response_elements: Value,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID", serialize_with = "as_text")]
    event_id: uuid::fmt::Hyphenated,
    read_only: bool,
    event_type: &'static str,
    management_event: bool,
    event_category: &'static str,
    recipient_account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<Resource<'a>>,
    additional_event_data: AdditionalData,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentity<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    principal_id: &'a str,
    arn: &'a str,
    account_id: &'a str,
    access_key_id: &'a str,
    /// An IAM user's name; CloudTrail gives no other identity one.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    /// A role session's issuer and attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    session_context: Option<SessionContext<'a>>,
}

/// The `sessionContext` of a role session, as CloudTrail writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext<'a> {
    session_issuer: SessionIssuer<'a>,
    /// Always empty: no session here comes from web identity federation.
    web_id_federation_data: Map<String, Value>,
    attributes: SessionAttributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_identity: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionIssuer<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    principal_id: &'a str,
    arn: &'a str,
    account_id: &'a str,
    user_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionAttributes {
    creation_date: String,
    /// CloudTrail writes the flag as text; no session here is made with MFA.
    mfa_authenticated: &'static str,
}

impl<'a> SessionContext<'a> {
    fn of(session: &'a Session) -> SessionContext<'a> {
        SessionContext {
            session_issuer: SessionIssuer {
                kind: "Role",
                // `AROA…:<session name>`: the role's own id is the part before the colon.
                principal_id: session.user_id.split(':').next().unwrap_or_default(),
                arn: &session.role_arn,
                account_id: &session.account,
                user_name: session.role_arn.rsplit('/').next().unwrap_or_default(),
            },
            web_id_federation_data: Map::new(),
            attributes: SessionAttributes {
                creation_date: iso8601(session.issued_millis),
                mfa_authenticated: "false",
            },
            source_identity: session.source_identity.as_deref(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resource<'a> {
    account_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "ARN")]
    arn: &'a str,
}

struct AdditionalData {
    /// The decisions the call's authorization made, with the statements that decided.
    authorization: Vec<Decision>,
    /// What CloudTrail adds for the operation (`keyMaterialId`, ...), beside
    /// `authorization`.
    notes: BTreeMap<&'static str, String>,
}

/// Written by hand rather than with `#[serde(flatten)]`, which buffers the whole object
/// in an intermediate form on every call.
impl Serialize for AdditionalData {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(1 + self.notes.len()))?;
        map.serialize_entry("authorization", &self.authorization)?;
        for (name, value) in &self.notes {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Event<'_> {
    /// The event as one line of JSON (without the line's end).
    pub fn to_json(&self) -> Vec<u8> {
        // An event is one to two kilobytes: start there rather than grow from 128 bytes.
        let mut out = Vec::with_capacity(2048);
        // Serializing borrowed strings, a bool and derived structs cannot fail.
        match serde_json::to_writer(&mut out, self) {
            Ok(()) => out,
            Err(_) => b"{}".to_vec(),
        }
    }
}

/// Builds the CloudTrail-shaped event; takes the decisions the caller recorded.
pub fn event<'a>(caller: Option<&'a Caller>, call: CallRecord<'a>) -> Event<'a> {
    let mut request = call.request;
    let mut response = call.response;
    scrub(&mut request);
    scrub(&mut response);
    let resources = call
        .resources
        .into_iter()
        .filter_map(|arn| {
            let kind = resource_type(arn)?;
            let account = arn.split(':').nth(4).unwrap_or_default();
            Some(Resource { account_id: account, kind, arn })
        })
        .collect();
    Event {
        event_version: "1.08",
        user_identity: caller.map(|c| {
            let kind = identity_type(&c.arn);
            UserIdentity {
                kind,
                principal_id: &c.principal_id,
                arn: &c.arn,
                account_id: &c.account,
                access_key_id: &c.access_key_id,
                // `arn:aws:iam::A:user/path/name`: the name is the last segment.
                user_name: (kind == "IAMUser").then(|| c.arn.rsplit('/').next()).flatten(),
                session_context: c.session().map(SessionContext::of),
            }
        }),
        event_time: iso8601(call.time_millis),
        event_source: call.source,
        event_name: call.event_name,
        aws_region: caller.map(|c| c.region.as_str()),
        source_ip_address: caller.and_then(|c| c.source_ip.as_deref()),
        user_agent: caller.and_then(|c| c.user_agent.as_deref()),
        request_parameters: request,
        response_elements: response,
        request_id: call.request_id,
        event_id: coffer_crypto::random_uuid().hyphenated(),
        read_only: call.read_only,
        event_type: "AwsApiCall",
        management_event: true,
        event_category: "Management",
        recipient_account_id: caller.map(|c| c.account.as_str()),
        error_message: call.error_code.map(|_| call.error_message.unwrap_or_default()),
        error_code: call.error_code,
        resources,
        additional_event_data: AdditionalData {
            authorization: caller.map(Caller::take_decisions).unwrap_or_default(),
            notes: caller.map(Caller::take_notes).unwrap_or_default().into_iter().collect(),
        },
    }
}

/// A fresh request id (a random UUID), for the `x-amzn-RequestId` of a response and the
/// `requestID` of its event.
pub fn new_request_id() -> String {
    coffer_crypto::random_uuid().to_string()
}

fn as_text<S: serde::Serializer>(v: &impl std::fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// CloudTrail's type of the resource an ARN names; none for what is not a resource of the
/// APIs served (`*`, a malformed ARN).
fn resource_type(arn: &str) -> Option<&'static str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(service), Some(_region), Some(_account), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let kind = rest.split_once('/').map_or(rest, |(kind, _)| kind);
    match (service, kind) {
        ("kms", "key") => Some("AWS::KMS::Key"),
        ("kms", "alias") => Some("AWS::KMS::Alias"),
        ("iam", "role") => Some("AWS::IAM::Role"),
        ("iam", "user") => Some("AWS::IAM::User"),
        ("sts", "assumed-role") => Some("AWS::STS::AssumedRole"),
        _ => None,
    }
}

fn identity_type(arn: &str) -> &'static str {
    if arn.ends_with(":root") {
        "Root"
    } else if arn.contains(":assumed-role/") {
        "AssumedRole"
    } else {
        "IAMUser"
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(request: Value, response: Value, error_code: Option<&str>) -> Value {
        let ev = event(
            None,
            CallRecord {
                source: Source::Kms,
                event_name: "GenerateDataKey",
                request_id: "r",
                time_millis: 0,
                request,
                response,
                error_code,
                error_message: None,
                read_only: false,
                resources: vec!["arn:aws:kms:us-east-1:111122223333:key/k"],
            },
        );
        let line = ev.to_json();
        assert!(!line.contains(&b'\n'));
        serde_json::from_slice(&line).unwrap()
    }

    #[test]
    fn concurrent_appends_keep_every_line_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let audit = FileAudit::open(&path).unwrap();
        // Lines of different lengths, some larger than a page, from four threads at once.
        std::thread::scope(|s| {
            for t in 0..4 {
                let audit = &audit;
                s.spawn(move || {
                    for i in 0..500 {
                        let pad = "x".repeat((i * 37 + t * 1000) % 9000);
                        let event = json!({"thread": t, "i": i, "pad": pad}).to_string();
                        audit.append(event.as_bytes()).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        let mut seen = std::collections::HashSet::new();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert!(seen.insert((v["thread"].as_u64().unwrap(), v["i"].as_u64().unwrap())));
        }
        assert_eq!(seen.len(), 2000);
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn secrets_never_reach_the_event() {
        let ev = record(
            json!({"KeyId": "k", "Plaintext": "c2VjcmV0"}),
            json!({"Plaintext": "c2VjcmV0", "CiphertextBlob": "x", "nested": [{"Plaintext": "y"}]}),
            None,
        );
        let text = ev.to_string();
        assert!(!text.contains("c2VjcmV0") && !text.contains("\"y\""), "{text}");
        assert_eq!(ev["eventTime"], "1970-01-01T00:00:00Z");
        assert_eq!(ev["requestParameters"], json!({"KeyId": "k"}));
    }

    #[test]
    fn the_event_has_cloudtrails_members() {
        let ev = record(json!(null), json!(null), Some("AccessDeniedException"));
        assert_eq!(ev["eventVersion"], "1.08");
        assert_eq!(ev["eventSource"], "kms.amazonaws.com");
        assert_eq!(ev["eventType"], "AwsApiCall");
        assert_eq!(ev["eventCategory"], "Management");
        assert_eq!(ev["requestID"], "r");
        assert_eq!(ev["errorCode"], "AccessDeniedException");
        assert_eq!(ev["errorMessage"], "");
        assert_eq!(
            ev["resources"],
            json!([{"accountId": "111122223333", "type": "AWS::KMS::Key",
                    "ARN": "arn:aws:kms:us-east-1:111122223333:key/k"}])
        );
        assert_eq!(ev["additionalEventData"], json!({"authorization": []}));
        assert!(uuid::Uuid::parse_str(ev["eventID"].as_str().unwrap()).is_ok());
        let ok = record(json!(null), json!(null), None);
        assert!(ok.get("errorCode").is_none() && ok.get("errorMessage").is_none());
    }

    #[test]
    fn notes_sit_beside_the_decisions() {
        let data = AdditionalData {
            authorization: vec![],
            notes: BTreeMap::from([("keyMaterialId", "m".to_owned()), ("grantId", "g".to_owned())]),
        };
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"authorization":[],"grantId":"g","keyMaterialId":"m"}"#
        );
    }

    #[test]
    fn an_sts_event_names_its_source_and_role_and_no_credential() {
        let ev = event(
            None,
            CallRecord {
                source: Source::Sts,
                event_name: "AssumeRole",
                request_id: "r",
                time_millis: 0,
                request: json!({"roleArn": "arn:aws:iam::111122223333:role/app"}),
                response: json!({"credentials": {"accessKeyId": "ASIAEXAMPLE",
                                                 "secretAccessKey": "the-secret",
                                                 "sessionToken": "the-token",
                                                 "expiration": "Jan 1, 1970, 1:00:00 AM"}}),
                error_code: None,
                error_message: None,
                read_only: true,
                resources: vec!["arn:aws:iam::111122223333:role/app"],
            },
        );
        let line = String::from_utf8(ev.to_json()).unwrap();
        assert!(!line.contains("the-secret") && !line.contains("the-token"), "{line}");
        let ev: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(ev["eventSource"], "sts.amazonaws.com");
        assert_eq!(
            ev["responseElements"],
            json!({"credentials": {"accessKeyId": "ASIAEXAMPLE",
                                   "expiration": "Jan 1, 1970, 1:00:00 AM"}})
        );
        assert_eq!(
            ev["resources"],
            json!([{"accountId": "111122223333", "type": "AWS::IAM::Role",
                    "ARN": "arn:aws:iam::111122223333:role/app"}])
        );
    }

    #[test]
    fn sources_and_resource_types() {
        let names: Vec<Value> = [Source::Kms, Source::Sts, Source::Coffer]
            .iter()
            .map(|s| serde_json::to_value(s).unwrap())
            .collect();
        assert_eq!(
            names,
            [json!("kms.amazonaws.com"), json!("sts.amazonaws.com"), json!("coffer")]
        );
        assert_eq!(
            resource_type("arn:aws:kms:us-east-1:111122223333:key/k"),
            Some("AWS::KMS::Key")
        );
        assert_eq!(
            resource_type("arn:aws:kms:us-east-1:111122223333:alias/a/b"),
            Some("AWS::KMS::Alias")
        );
        assert_eq!(resource_type("arn:aws:iam::111122223333:role/path/r"), Some("AWS::IAM::Role"));
        assert_eq!(resource_type("arn:aws:iam::111122223333:user/u"), Some("AWS::IAM::User"));
        assert_eq!(resource_type("*"), None);
        assert_eq!(resource_type("arn:aws:s3:::bucket"), None);
        assert_eq!(resource_type("arn:aws:kms:us-east-1"), None);
    }

    #[test]
    fn memory_sink_keeps_what_the_file_gets() {
        let sink = MemoryAudit::default();
        sink.append(br#"{"a":1}"#).unwrap();
        assert_eq!(sink.0.lock().unwrap().clone(), vec![json!({"a": 1})]);
        assert!(sink.append(b"not json").is_err());
    }
}
