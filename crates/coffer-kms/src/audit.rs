//! The audit trail: one CloudTrail-shaped event per call, appended to a log.
//!
//! Owns: the event shape (eventTime, eventName, userIdentity, sourceIPAddress,
//! requestParameters without plaintext, responseElements, errorCode, the decision's
//! reasons) and the sinks it is written to. Never: write a secret — callers pass request
//! parameters with plaintext fields already removed, and this module removes any that
//! remain.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::authz::iso8601;
use crate::caller::Caller;

/// Where events go.
pub trait AuditSink: Send + Sync {
    /// Appends one event.
    fn append(&self, event: &Value) -> std::io::Result<()>;
}

/// A JSON-lines file.
pub struct FileAudit(Mutex<File>);

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
        Ok(FileAudit(Mutex::new(opts.open(path)?)))
    }
}

impl AuditSink for FileAudit {
    fn append(&self, event: &Value) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(event).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut f = self.0.lock().map_err(|_| std::io::Error::other("audit log lock poisoned"))?;
        f.write_all(&line)
    }
}

/// Keeps events in memory (tests).
#[derive(Default)]
pub struct MemoryAudit(pub Mutex<Vec<Value>>);

impl AuditSink for MemoryAudit {
    fn append(&self, event: &Value) -> std::io::Result<()> {
        if let Ok(mut v) = self.0.lock() {
            v.push(event.clone());
        }
        Ok(())
    }
}

/// Request and response members that carry secrets and never enter the log.
const SECRET_FIELDS: &[&str] =
    &["Plaintext", "plaintext", "PrivateKeyPlaintext", "KeyMaterial", "plain_text", "data_key"];

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

/// One call, as recorded.
pub struct CallRecord<'a> {
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
    /// The key the call was about, if any.
    pub key_arn: Option<&'a str>,
}

/// Builds the CloudTrail-shaped event.
pub fn event(caller: Option<&Caller>, call: CallRecord<'_>) -> Value {
    let mut request = call.request;
    let mut response = call.response;
    scrub(&mut request);
    scrub(&mut response);
    let decisions: Vec<Value> = caller
        .map(|c| {
            c.take_decisions().into_iter().filter_map(|d| serde_json::to_value(d).ok()).collect()
        })
        .unwrap_or_default();
    let identity = match caller {
        Some(c) => json!({
            "type": identity_type(&c.arn), "principalId": c.access_key_id, "arn": c.arn,
            "accountId": c.account, "accessKeyId": c.access_key_id,
        }),
        None => Value::Null,
    };
    let mut ev = json!({
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": iso8601(call.time_millis),
        "eventSource": "kms.amazonaws.com",
        "eventName": call.event_name,
        "awsRegion": caller.map(|c| c.region.as_str()),
        "sourceIPAddress": caller.and_then(|c| c.source_ip.as_deref()),
        "userAgent": caller.and_then(|c| c.user_agent.as_deref()),
        "requestParameters": request,
        "responseElements": response,
        "requestID": call.request_id,
        "eventID": uuid::Uuid::new_v4().to_string(),
        "readOnly": call.read_only,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": caller.map(|c| c.account.as_str()),
        "additionalEventData": {"authorization": decisions},
    });
    if let (Some(code), Value::Object(m)) = (call.error_code, &mut ev) {
        m.insert("errorCode".into(), json!(code));
        m.insert("errorMessage".into(), json!(call.error_message.unwrap_or_default()));
    }
    if let (Some(arn), Value::Object(m)) = (call.key_arn, &mut ev) {
        let account = arn.split(':').nth(4).unwrap_or_default();
        m.insert(
            "resources".into(),
            json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": arn}]),
        );
    }
    ev
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
    use super::*;

    #[test]
    fn secrets_never_reach_the_event() {
        let ev = event(
            None,
            CallRecord {
                event_name: "GenerateDataKey",
                request_id: "r",
                time_millis: 0,
                request: json!({"KeyId": "k", "Plaintext": "c2VjcmV0"}),
                response: json!({"Plaintext": "c2VjcmV0", "CiphertextBlob": "x", "nested": [{"Plaintext": "y"}]}),
                error_code: None,
                error_message: None,
                read_only: false,
                key_arn: None,
            },
        );
        let text = ev.to_string();
        assert!(!text.contains("c2VjcmV0") && !text.contains("\"y\""), "{text}");
        assert_eq!(ev["eventTime"], "1970-01-01T00:00:00Z");
    }
}
