//! What the audit event of an STS call records, as CloudTrail records it for AWS STS
//! (`eventSource` `sts.amazonaws.com`; both actions are read-only calls, as CloudTrail
//! marks them):
//!
//! - `AssumeRole`: `requestParameters` holds `roleArn`, `roleSessionName`,
//!   `durationSeconds`, `policy`, `policyArns`, `tags` (`key`, `value`),
//!   `transitiveTagKeys`, `externalId`, `sourceIdentity` and `serialNumber` — the MFA
//!   token code never; `responseElements` holds the credentials' `accessKeyId` and
//!   `expiration`, `assumedRoleUser`, `packedPolicySize` and `sourceIdentity`. The
//!   secret access key and the session token are never written: CloudTrail writes the
//!   session token too, this trail does not, so that reading the log never lets anyone
//!   act as the session. The event's resource is the role.
//! - `GetCallerIdentity`: no parameters, `null` response elements.
//!
//! Dates are written as CloudTrail writes them (`Dec 4, 2020, 7:28:44 PM`, UTC). Requests
//! for any other action are refused before they name an operation and are not recorded,
//! as the KMS front door does not record an unknown operation.

use coffer_kms::sts::assume_role::AssumeRoleResponse;
use serde_json::{Map, Value, json};

use super::form::Params;

/// The event name of an action the front door serves; none for any other.
pub fn event_name(action: &str) -> Option<&'static str> {
    match action {
        "AssumeRole" => Some("AssumeRole"),
        "GetCallerIdentity" => Some("GetCallerIdentity"),
        _ => None,
    }
}

/// `requestParameters` of a call, from its form parameters as given.
pub fn request_parameters(action: &str, p: &Params) -> Value {
    if action != "AssumeRole" {
        return Value::Null;
    }
    let mut m = Map::new();
    for (name, member) in [
        ("RoleArn", "roleArn"),
        ("RoleSessionName", "roleSessionName"),
        ("Policy", "policy"),
        ("ExternalId", "externalId"),
        ("SourceIdentity", "sourceIdentity"),
        ("SerialNumber", "serialNumber"),
    ] {
        if let Some(v) = p.get(name) {
            m.insert(member.into(), Value::from(v));
        }
    }
    if let Some(d) = p.get("DurationSeconds") {
        // A number as CloudTrail writes it; what does not parse is kept as given.
        m.insert("durationSeconds".into(), d.parse::<i64>().map_or_else(|_| d.into(), Value::from));
    }
    let tags: Vec<Value> = p
        .structs("Tags")
        .into_iter()
        .map(|t| json!({"key": t.get("Key"), "value": t.get("Value")}))
        .collect();
    if !tags.is_empty() {
        m.insert("tags".into(), Value::Array(tags));
    }
    let transitive = p.list("TransitiveTagKeys");
    if !transitive.is_empty() {
        m.insert("transitiveTagKeys".into(), Value::from(transitive));
    }
    let arns: Vec<Value> =
        p.structs("PolicyArns").into_iter().map(|a| json!({"arn": a.get("arn")})).collect();
    if !arns.is_empty() {
        m.insert("policyArns".into(), Value::Array(arns));
    }
    Value::Object(m)
}

/// `responseElements` of a successful `AssumeRole`: never the secret or the token.
pub fn assume_role_response(r: &AssumeRoleResponse) -> Value {
    let expiration = crate::aws::cloudtrail::date(r.expiration_millis.div_euclid(1000) as f64);
    let mut m = Map::new();
    m.insert(
        "credentials".into(),
        json!({"accessKeyId": r.access_key_id, "expiration": expiration}),
    );
    m.insert("assumedRoleUser".into(), json!({"assumedRoleId": r.assumed_role_id, "arn": r.arn}));
    if let Some(size) = r.packed_policy_size {
        m.insert("packedPolicySize".into(), Value::from(size));
    }
    if let Some(s) = &r.source_identity {
        m.insert("sourceIdentity".into(), Value::from(s.as_str()));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use coffer_kms::Secret;

    use super::*;

    #[test]
    fn assume_role_records_its_parameters_but_not_the_mfa_code() {
        let p = Params::parse(
            "",
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp\
              &RoleSessionName=s1&DurationSeconds=900&Tags.member.1.Key=project\
              &Tags.member.1.Value=apollo&TransitiveTagKeys.member.1=project&ExternalId=ext\
              &SourceIdentity=jane&SerialNumber=arn%3Amfa&TokenCode=123456",
        );
        assert_eq!(
            request_parameters("AssumeRole", &p),
            json!({"roleArn": "arn:aws:iam::111122223333:role/app", "roleSessionName": "s1",
                   "durationSeconds": 900, "tags": [{"key": "project", "value": "apollo"}],
                   "transitiveTagKeys": ["project"], "externalId": "ext",
                   "sourceIdentity": "jane", "serialNumber": "arn:mfa"})
        );
        assert!(!request_parameters("AssumeRole", &p).to_string().contains("123456"));
        let odd = Params::parse("", b"RoleArn=r&DurationSeconds=soon");
        assert_eq!(
            request_parameters("AssumeRole", &odd),
            json!({"roleArn": "r", "durationSeconds": "soon"})
        );
        assert_eq!(request_parameters("GetCallerIdentity", &p), Value::Null);
    }

    #[test]
    fn assume_role_responses_keep_no_secret_nor_token() {
        let r = AssumeRoleResponse {
            access_key_id: "ASIAEXAMPLEEXAMPLE01".into(),
            secret_access_key: Secret::new(b"the-secret-access-key".to_vec()),
            session_token: Secret::new(b"the-session-token".to_vec()),
            expiration_millis: 1_795_448_504_000,
            assumed_role_id: "AROAEXAMPLE:s1".into(),
            arn: "arn:aws:sts::111122223333:assumed-role/app/s1".into(),
            packed_policy_size: Some(7),
            source_identity: None,
        };
        let v = assume_role_response(&r);
        assert_eq!(
            v,
            json!({"credentials": {"accessKeyId": "ASIAEXAMPLEEXAMPLE01",
                                   "expiration": "Nov 23, 2026, 3:41:44 PM"},
                   "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLE:s1",
                                       "arn": "arn:aws:sts::111122223333:assumed-role/app/s1"},
                   "packedPolicySize": 7})
        );
        let text = v.to_string();
        assert!(!text.contains("the-secret") && !text.contains("the-session-token"));
    }

    #[test]
    fn only_the_served_actions_have_events() {
        assert_eq!(event_name("AssumeRole"), Some("AssumeRole"));
        assert_eq!(event_name("GetCallerIdentity"), Some("GetCallerIdentity"));
        assert_eq!(event_name("GetSessionToken"), None);
        assert_eq!(event_name(""), None);
    }
}
