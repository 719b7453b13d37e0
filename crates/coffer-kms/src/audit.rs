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
//! tree of its own, and its fixed members are written by hand ([`Json`]).
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
            // One pass over the members rather than a hashed lookup per secret name.
            m.retain(|name, _| !SECRET_FIELDS.contains(&name.as_str()));
            m.values_mut().for_each(scrub);
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// The API a call came through, written as the event's `eventSource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The AWS KMS API.
    Kms,
    /// The AWS STS API.
    Sts,
    /// Coffer's own administrative endpoints.
    Coffer,
}

impl Source {
    /// The `eventSource` CloudTrail gives the API.
    pub fn name(self) -> &'static str {
        match self {
            Source::Kms => "kms.amazonaws.com",
            Source::Sts => "sts.amazonaws.com",
            Source::Coffer => "coffer",
        }
    }
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

/// The CloudTrail-shaped event of one call; [`Event::to_json`] writes it as CloudTrail
/// does.
pub struct Event<'a> {
    user_identity: Option<UserIdentity<'a>>,
    time_millis: i64,
    source: Source,
    event_name: &'a str,
    aws_region: Option<&'a str>,
    source_ip_address: Option<&'a str>,
    user_agent: Option<&'a str>,
    request_parameters: Value,
    response_elements: Value,
    request_id: &'a str,
    event_id: uuid::Uuid,
    read_only: bool,
    recipient_account_id: Option<&'a str>,
    /// The error code and message of a call that failed.
    error: Option<(&'a str, &'a str)>,
    resources: Vec<Resource<'a>>,
    additional_event_data: AdditionalData,
}

struct UserIdentity<'a> {
    kind: &'static str,
    principal_id: &'a str,
    arn: &'a str,
    account_id: &'a str,
    access_key_id: &'a str,
    /// An IAM user's name; CloudTrail gives no other identity one.
    user_name: Option<&'a str>,
    /// A role session's issuer and attributes.
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

struct Resource<'a> {
    account_id: &'a str,
    kind: &'static str,
    arn: &'a str,
}

struct AdditionalData {
    /// The decisions the call's authorization made, with the statements that decided.
    authorization: Vec<Decision>,
    /// What CloudTrail adds for the operation (`keyMaterialId`, ...), beside
    /// `authorization`.
    notes: BTreeMap<&'static str, String>,
}

impl Event<'_> {
    /// Whether the call only read (CloudTrail's `readOnly`).
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// The event as one line of JSON (without the line's end), members in CloudTrail's
    /// order.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing JSON values and derived structs into memory cannot fail.
        self.write().unwrap_or_else(|_| b"{}".to_vec())
    }

    fn write(&self) -> serde_json::Result<Vec<u8>> {
        // An event is one to two kilobytes: start there rather than grow from 128 bytes.
        let mut j = Json(Vec::with_capacity(2048));
        j.raw(r#"{"eventVersion":"1.08","userIdentity":"#);
        match &self.user_identity {
            Some(identity) => identity.write(&mut j)?,
            None => j.raw("null"),
        }
        j.member(r#","eventTime":"#, &iso8601(self.time_millis));
        j.member(r#","eventSource":"#, self.source.name());
        j.member(r#","eventName":"#, self.event_name);
        j.opt_member(r#","awsRegion":"#, self.aws_region);
        j.opt_member(r#","sourceIPAddress":"#, self.source_ip_address);
        j.opt_member(r#","userAgent":"#, self.user_agent);
        j.raw(r#","requestParameters":"#);
        j.serde(&self.request_parameters)?;
        j.raw(r#","responseElements":"#);
        j.serde(&self.response_elements)?;
        j.member(r#","requestID":"#, self.request_id);
        j.raw(r#","eventID":""#);
        j.raw(self.event_id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
        j.raw(if self.read_only { r#"","readOnly":true"# } else { r#"","readOnly":false"# });
        j.opt_member(
            concat!(
                r#","eventType":"AwsApiCall","managementEvent":true,"#,
                r#""eventCategory":"Management","recipientAccountId":"#
            ),
            self.recipient_account_id,
        );
        if let Some((code, message)) = self.error {
            j.member(r#","errorCode":"#, code);
            j.member(r#","errorMessage":"#, message);
        }
        for (i, r) in self.resources.iter().enumerate() {
            let start = if i == 0 { r#","resources":[{"accountId":"# } else { r#",{"accountId":"# };
            j.member(start, r.account_id);
            j.member(r#","type":"#, r.kind);
            j.member(r#","ARN":"#, r.arn);
            j.raw(if i + 1 == self.resources.len() { "}]" } else { "}" });
        }
        j.raw(r#","additionalEventData":"#);
        self.additional_event_data.write(&mut j)?;
        j.raw("}");
        Ok(j.0)
    }
}

impl UserIdentity<'_> {
    fn write(&self, j: &mut Json) -> serde_json::Result<()> {
        j.member(r#"{"type":"#, self.kind);
        j.member(r#","principalId":"#, self.principal_id);
        j.member(r#","arn":"#, self.arn);
        j.member(r#","accountId":"#, self.account_id);
        j.member(r#","accessKeyId":"#, self.access_key_id);
        if let Some(name) = self.user_name {
            j.member(r#","userName":"#, name);
        }
        if let Some(context) = &self.session_context {
            j.raw(r#","sessionContext":"#);
            j.serde(context)?;
        }
        j.raw("}");
        Ok(())
    }
}

impl AdditionalData {
    /// `authorization` first, then the notes by name.
    fn write(&self, j: &mut Json) -> serde_json::Result<()> {
        j.raw(r#"{"authorization":"#);
        j.serde(&self.authorization)?;
        for (name, value) in &self.notes {
            j.raw(",");
            j.str(name);
            j.raw(":");
            j.str(value);
        }
        j.raw("}");
        Ok(())
    }
}

/// JSON text written piece by piece. By hand because a serializer escapes every member
/// name and value one formatter call at a time, which cost more than the rest of the
/// event together; the parts that vary in shape (request parameters, decisions) still go
/// through `serde_json`, and so does any string that needs escaping.
struct Json(Vec<u8>);

impl Json {
    /// Text that is JSON already.
    fn raw(&mut self, json: &str) {
        self.0.extend_from_slice(json.as_bytes());
    }

    /// A string, quoted and escaped as `serde_json` escapes it.
    fn str(&mut self, s: &str) {
        // No short circuit: the whole test compiles to a few vector instructions.
        let plain =
            !s.bytes().fold(false, |special, b| special | (b < 0x20) | (b == b'"') | (b == b'\\'));
        if plain {
            self.0.reserve(s.len() + 2);
            self.0.push(b'"');
            self.0.extend_from_slice(s.as_bytes());
            self.0.push(b'"');
        } else {
            // Writing a string into memory cannot fail.
            let _ = serde_json::to_writer(&mut self.0, s);
        }
    }

    /// A member: `name` is the JSON text before its value (`,"arn":`).
    fn member(&mut self, name: &str, value: &str) {
        self.raw(name);
        self.str(value);
    }

    /// A member whose value is a string or `null`.
    fn opt_member(&mut self, name: &str, value: Option<&str>) {
        self.raw(name);
        match value {
            Some(s) => self.str(s),
            None => self.raw("null"),
        }
    }

    fn serde(&mut self, v: &impl Serialize) -> serde_json::Result<()> {
        serde_json::to_writer(&mut self.0, v)
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
        time_millis: call.time_millis,
        source: call.source,
        event_name: call.event_name,
        aws_region: caller.map(|c| c.region.as_str()),
        source_ip_address: caller.and_then(|c| c.source_ip.as_deref()),
        user_agent: caller.and_then(|c| c.user_agent.as_deref()),
        request_parameters: request,
        response_elements: response,
        request_id: call.request_id,
        event_id: coffer_crypto::random_uuid(),
        read_only: call.read_only,
        recipient_account_id: caller.map(|c| c.account.as_str()),
        error: call.error_code.map(|code| (code, call.error_message.unwrap_or_default())),
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
        let mut j = Json(Vec::new());
        data.write(&mut j).unwrap();
        assert_eq!(j.0, br#"{"authorization":[],"grantId":"g","keyMaterialId":"m"}"#);
    }

    #[test]
    fn the_event_is_written_in_cloudtrails_order_with_every_string_escaped() {
        let caller = Caller {
            principal: 0,
            account: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:user/ops/alice".into(),
            principal_id: "AIDAEXAMPLE".into(),
            session: None,
            access_key_id: "AKIAEXAMPLE".into(),
            region: "us-east-1".into(),
            source_ip: Some("127.0.0.1".into()),
            secure_transport: false,
            user_agent: Some(
                "agent \"quoted\" \\ tab\t nul\u{0} line\n \u{1f} é \u{7f} </x>".into(),
            ),
            decisions: Mutex::new(Vec::new()),
            resources: Mutex::new(Vec::new()),
            notes: Mutex::new(vec![("keyMaterialId", "m\"1".into())]),
            resolved: Mutex::new(None),
        };
        let ev = event(
            Some(&caller),
            CallRecord {
                source: Source::Kms,
                event_name: "Sign",
                request_id: "r",
                time_millis: 1_795_447_604_900,
                request: json!({"keyId": "k"}),
                response: Value::Null,
                error_code: Some("KMSInvalidStateException"),
                error_message: Some("key \"k\" is\r\ndisabled"),
                read_only: true,
                resources: vec![
                    "arn:aws:kms:us-east-1:111122223333:key/k",
                    "arn:aws:kms:us-east-1:111122223333:alias/a",
                ],
            },
        );
        let line = ev.to_json();
        let parsed: Value = serde_json::from_slice(&line).unwrap();
        let event_id = parsed["eventID"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(event_id).is_ok());
        let expected = json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDAEXAMPLE",
                "arn": "arn:aws:iam::111122223333:user/ops/alice",
                "accountId": "111122223333",
                "accessKeyId": "AKIAEXAMPLE",
                "userName": "alice",
            },
            "eventTime": "2026-11-23T15:26:44Z",
            "eventSource": "kms.amazonaws.com",
            "eventName": "Sign",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "127.0.0.1",
            "userAgent": caller.user_agent.as_deref().unwrap(),
            "requestParameters": {"keyId": "k"},
            "responseElements": null,
            "requestID": "r",
            "eventID": event_id,
            "readOnly": true,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "eventCategory": "Management",
            "recipientAccountId": "111122223333",
            "errorCode": "KMSInvalidStateException",
            "errorMessage": "key \"k\" is\r\ndisabled",
            "resources": [
                {"accountId": "111122223333", "type": "AWS::KMS::Key",
                 "ARN": "arn:aws:kms:us-east-1:111122223333:key/k"},
                {"accountId": "111122223333", "type": "AWS::KMS::Alias",
                 "ARN": "arn:aws:kms:us-east-1:111122223333:alias/a"},
            ],
            "additionalEventData": {"authorization": [], "keyMaterialId": "m\"1"},
        });
        assert_eq!(parsed, expected);
        // Byte for byte what serde_json writes for the same members in the same order.
        assert_eq!(String::from_utf8(line).unwrap(), serde_json::to_string(&expected).unwrap());
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
        let names = [Source::Kms, Source::Sts, Source::Coffer].map(Source::name);
        assert_eq!(names, ["kms.amazonaws.com", "sts.amazonaws.com", "coffer"]);
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
