//! What the audit event of an AWS KMS call records, as CloudTrail records it for AWS KMS:
//! `requestParameters` holds the request's non-secret members, `responseElements` the
//! response's non-secret members for calls that change something and `null` for the rest
//! (reads, and cryptographic calls such as Encrypt and Decrypt).
//!
//! Each operation names the members it records, in one exhaustive match: what is not named
//! never enters the trail. No plaintext, ciphertext, message, signature, MAC, public key,
//! import token, grant token, password or credential is ever named. Member names are
//! written as CloudTrail writes them (`KeyId` becomes `keyId`, `AWSAccountId` becomes
//! `aWSAccountId`); encryption contexts are copied as they are; dates are written as
//! CloudTrail writes them (`Dec 4, 2020, 7:28:44 PM`, UTC).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::aws::shapes;
use crate::aws::target::Operation;

/// The members of one operation that the trail records, by their AWS names.
struct Recorded {
    /// Request members for `requestParameters`.
    request: &'static [&'static str],
    /// Response members for `responseElements`; none means `null`.
    response: &'static [&'static str],
}

const fn recorded(request: &'static [&'static str], response: &'static [&'static str]) -> Recorded {
    Recorded { request, response }
}

/// The members each operation records. Responses of calls that change nothing are `null`,
/// as CloudTrail writes them.
fn members(op: Operation) -> Recorded {
    use Operation as O;
    const KEY: &[&str] = &["KeyId"];
    const NONE: &[&str] = &[];
    const PAGE_OF_KEY: &[&str] = &["KeyId", "Limit", "Marker"];
    match op {
        O::CancelKeyDeletion => recorded(KEY, KEY),
        O::ConnectCustomKeyStore | O::DeleteCustomKeyStore | O::DisconnectCustomKeyStore => {
            recorded(&["CustomKeyStoreId"], NONE)
        }
        O::CreateAlias | O::UpdateAlias => recorded(&["AliasName", "TargetKeyId"], NONE),
        O::CreateCustomKeyStore => recorded(
            &[
                "CustomKeyStoreName",
                "CustomKeyStoreType",
                "CloudHsmClusterId",
                "XksProxyUriEndpoint",
                "XksProxyUriPath",
                "XksProxyVpcEndpointServiceName",
                "XksProxyVpcEndpointServiceOwner",
                "XksProxyConnectivity",
            ],
            &["CustomKeyStoreId"],
        ),
        O::CreateGrant => recorded(
            &[
                "KeyId",
                "GranteePrincipal",
                "RetiringPrincipal",
                "Operations",
                "Constraints",
                "Name",
                "DryRun",
            ],
            &["GrantId"],
        ),
        O::CreateKey => recorded(
            &[
                "Policy",
                "Description",
                "KeyUsage",
                "CustomerMasterKeySpec",
                "KeySpec",
                "Origin",
                "CustomKeyStoreId",
                "BypassPolicyLockoutSafetyCheck",
                "Tags",
                "MultiRegion",
                "XksKeyId",
            ],
            &["KeyMetadata"],
        ),
        O::Decrypt => recorded(
            &["KeyId", "EncryptionContext", "EncryptionAlgorithm", "DryRun", "DryRunModifiers"],
            NONE,
        ),
        O::DeleteAlias => recorded(&["AliasName"], NONE),
        O::DeleteImportedKeyMaterial => {
            recorded(&["KeyId", "KeyMaterialId"], &["KeyId", "KeyMaterialId"])
        }
        O::DeriveSharedSecret => recorded(&["KeyId", "KeyAgreementAlgorithm", "DryRun"], NONE),
        O::DescribeCustomKeyStores => {
            recorded(&["CustomKeyStoreId", "CustomKeyStoreName", "Limit", "Marker"], NONE)
        }
        O::DescribeKey
        | O::DisableKey
        | O::DisableKeyRotation
        | O::EnableKey
        | O::GetKeyLastUsage
        | O::GetKeyRotationStatus
        | O::GetPublicKey => recorded(KEY, NONE),
        O::EnableKeyRotation => recorded(&["KeyId", "RotationPeriodInDays"], NONE),
        O::Encrypt => {
            recorded(&["KeyId", "EncryptionContext", "EncryptionAlgorithm", "DryRun"], NONE)
        }
        O::GenerateDataKey | O::GenerateDataKeyWithoutPlaintext => {
            recorded(&["KeyId", "EncryptionContext", "NumberOfBytes", "KeySpec", "DryRun"], NONE)
        }
        O::GenerateDataKeyPair | O::GenerateDataKeyPairWithoutPlaintext => {
            recorded(&["KeyId", "EncryptionContext", "KeyPairSpec", "DryRun"], NONE)
        }
        O::GenerateMac | O::VerifyMac => recorded(&["KeyId", "MacAlgorithm", "DryRun"], NONE),
        O::GenerateRandom => recorded(&["NumberOfBytes", "CustomKeyStoreId"], NONE),
        O::GetKeyPolicy => recorded(&["KeyId", "PolicyName"], NONE),
        O::GetParametersForImport => {
            recorded(&["KeyId", "WrappingAlgorithm", "WrappingKeySpec"], NONE)
        }
        O::ImportKeyMaterial => recorded(
            &[
                "KeyId",
                "ValidTo",
                "ExpirationModel",
                "ImportType",
                "KeyMaterialDescription",
                "KeyMaterialId",
            ],
            &["KeyId", "KeyMaterialId"],
        ),
        O::ListAliases | O::ListKeyPolicies | O::ListResourceTags => recorded(PAGE_OF_KEY, NONE),
        O::ListGrants => {
            recorded(&["KeyId", "GrantId", "GranteePrincipal", "Limit", "Marker"], NONE)
        }
        O::ListKeyRotations => recorded(&["KeyId", "IncludeKeyMaterial", "Limit", "Marker"], NONE),
        O::ListKeys => recorded(&["Limit", "Marker"], NONE),
        O::ListRetirableGrants => recorded(&["RetiringPrincipal", "Limit", "Marker"], NONE),
        O::PutKeyPolicy => {
            recorded(&["KeyId", "PolicyName", "Policy", "BypassPolicyLockoutSafetyCheck"], NONE)
        }
        O::ReEncrypt => recorded(
            &[
                "SourceKeyId",
                "SourceEncryptionContext",
                "SourceEncryptionAlgorithm",
                "DestinationKeyId",
                "DestinationEncryptionContext",
                "DestinationEncryptionAlgorithm",
                "DryRun",
                "DryRunModifiers",
            ],
            NONE,
        ),
        O::ReplicateKey => recorded(
            &[
                "KeyId",
                "ReplicaRegion",
                "Policy",
                "BypassPolicyLockoutSafetyCheck",
                "Description",
                "Tags",
            ],
            &["ReplicaKeyMetadata", "ReplicaPolicy", "ReplicaTags"],
        ),
        O::RetireGrant | O::RevokeGrant => recorded(&["KeyId", "GrantId", "DryRun"], NONE),
        O::RotateKeyOnDemand => recorded(KEY, KEY),
        O::ScheduleKeyDeletion => recorded(
            &["KeyId", "PendingWindowInDays"],
            &["KeyId", "DeletionDate", "KeyState", "PendingWindowInDays"],
        ),
        O::Sign | O::Verify => {
            recorded(&["KeyId", "MessageType", "SigningAlgorithm", "DryRun"], NONE)
        }
        O::TagResource => recorded(&["KeyId", "Tags"], NONE),
        O::UntagResource => recorded(&["KeyId", "TagKeys"], NONE),
        O::UpdateCustomKeyStore => recorded(
            &[
                "CustomKeyStoreId",
                "NewCustomKeyStoreName",
                "CloudHsmClusterId",
                "XksProxyUriEndpoint",
                "XksProxyUriPath",
                "XksProxyVpcEndpointServiceName",
                "XksProxyVpcEndpointServiceOwner",
                "XksProxyConnectivity",
            ],
            NONE,
        ),
        O::UpdateKeyDescription => recorded(&["KeyId", "Description"], NONE),
        O::UpdatePrimaryRegion => recorded(&["KeyId", "PrimaryRegion"], NONE),
    }
}

/// The members of a request body that the trail records, under their AWS names, read
/// in one pass that skips every other member (a plaintext is never copied). The whole
/// body is read, so a body that is not one JSON object is refused here; a blank body is
/// `{}`.
pub fn recorded_members(op: Operation, body: &[u8]) -> serde_json::Result<Map<String, Value>> {
    let mut reader = serde_json::Deserializer::from_slice(shapes::json_body(body));
    let members = Pick(members(op).request).deserialize(&mut reader)?;
    reader.end()?;
    Ok(members)
}

/// The `requestParameters` of a call from its [`recorded_members`], or `null` when it holds
/// none.
pub fn request_parameters(op: Operation, request: &Map<String, Value>) -> Value {
    pick(request, members(op).request)
}

/// The `responseElements` of a successful call: the recorded members of the response, or
/// `null` for a call that changes nothing. `key_arn` is the key the call acted on: the
/// calls that change a key without answering anything record it as `keyId`, as CloudTrail
/// has since December 2022, and CreateGrant records it beside the grant's id.
pub fn response_elements(op: Operation, response: &[u8], key_arn: Option<&str>) -> Value {
    use Operation as O;
    let key_id = || key_arn.map(|arn| ("keyId".to_owned(), Value::String(arn.to_owned())));
    if matches!(
        op,
        O::EnableKey
            | O::DisableKey
            | O::EnableKeyRotation
            | O::CreateAlias
            | O::UpdateAlias
            | O::DeleteAlias
    ) {
        return key_id().map_or(Value::Null, |member| Value::Object(Map::from_iter([member])));
    }
    let names = members(op).response;
    if names.is_empty() {
        return Value::Null;
    }
    // Only calls that change something record their response: read it back from the
    // body rather than keep a JSON tree of every response.
    let mut picked = match serde_json::from_slice(response) {
        Ok(Value::Object(object)) => pick(&object, names),
        _ => Value::Null,
    };
    if let (O::CreateGrant, Value::Object(members), Some((name, arn))) = (op, &mut picked, key_id())
    {
        members.insert(name, arn);
    }
    picked
}

/// Members CloudTrail adds to `requestParameters` that the request may leave out: the
/// algorithm a successful Decrypt used is recorded even when the request did not name it,
/// and a Decrypt that names none used `SYMMETRIC_DEFAULT` (an asymmetric key's needs its
/// algorithm named). Nothing is read back from the response, which holds the plaintext.
pub fn complete_request_parameters(op: Operation, request: &mut Value) {
    if op != Operation::Decrypt || request.get("encryptionAlgorithm").is_some() {
        return;
    }
    if request.is_null() {
        *request = Value::Object(Map::new());
    }
    if let Value::Object(members) = request {
        members.insert("encryptionAlgorithm".to_owned(), "SYMMETRIC_DEFAULT".into());
    }
}

fn pick(object: &Map<String, Value>, names: &[&str]) -> Value {
    let picked: Map<String, Value> = names
        .iter()
        .filter_map(|name| object.get(*name).map(|v| (camel(name), view(name, v))))
        .collect();
    if picked.is_empty() { Value::Null } else { Value::Object(picked) }
}

/// Reads a JSON object keeping only the named members.
struct Pick(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Pick {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Pick {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kept = Map::new();
        while let Some(name) = map.next_key::<MemberName<'de>>()? {
            match self.0.iter().find(|n| **n == name.as_str()) {
                Some(n) => {
                    kept.insert((*n).to_owned(), map.next_value()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(kept)
    }
}

/// A member name, borrowed from the body unless it holds an escape.
enum MemberName<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl MemberName<'_> {
    fn as_str(&self) -> &str {
        match self {
            MemberName::Borrowed(s) => s,
            MemberName::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MemberName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName::Borrowed(s))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(MemberName::Owned(s.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

/// A member's value as the trail writes it: structure member names in camelCase, maps of
/// the caller's own keys (encryption contexts) as they are, dates as CloudTrail writes them.
fn view(name: &str, value: &Value) -> Value {
    if name.contains("EncryptionContext") {
        return value.clone();
    }
    match value {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (camel(k), view(k, v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(|v| view(name, v)).collect()),
        Value::Number(n) if name.ends_with("Date") || name == "ValidTo" => {
            n.as_f64().and_then(date).map_or_else(|| value.clone(), Value::String)
        }
        other => other.clone(),
    }
}

/// `KeyId` → `keyId`, `AWSAccountId` → `aWSAccountId`: the first letter lowered, as
/// CloudTrail writes member names.
fn camel(s: &str) -> String {
    let mut camel = String::with_capacity(s.len());
    let mut c = s.chars();
    if let Some(first) = c.next() {
        camel.push(first.to_ascii_lowercase());
        camel.push_str(c.as_str());
    }
    camel
}

/// Epoch seconds as CloudTrail writes a date: `Dec 4, 2020, 7:28:44 PM` (UTC).
pub(crate) fn date(epoch_seconds: f64) -> Option<String> {
    if !epoch_seconds.is_finite() {
        return None;
    }
    // Out-of-range values saturate, and are then refused as a date.
    let seconds = epoch_seconds.floor() as i64;
    let t = OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    let f = format_description!(
        "[month repr:short] [day padding:none], [year], [hour repr:12 padding:none]:[minute]:[second] [period]"
    );
    t.format(&f).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The `requestParameters` of a request body.
    fn params(op: Operation, request: &Value) -> Value {
        request_parameters(op, &recorded_members(op, &body(request.clone())).unwrap())
    }

    /// A request or response as the wire carries it.
    fn body(v: Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    /// Members that hold secrets, blobs or credentials: never recorded by any operation.
    const NEVER: &[&str] = &[
        "Plaintext",
        "CiphertextBlob",
        "PrivateKeyPlaintext",
        "PrivateKeyCiphertextBlob",
        "PublicKey",
        "Message",
        "Signature",
        "Mac",
        "SharedSecret",
        "CiphertextForRecipient",
        "Recipient",
        "GrantToken",
        "GrantTokens",
        "ImportToken",
        "EncryptedKeyMaterial",
        "KeyStorePassword",
        "XksProxyAuthenticationCredential",
        "TrustAnchorCertificate",
    ];

    #[test]
    fn no_operation_records_a_secret_or_a_blob() {
        for op in Operation::ALL {
            let m = members(*op);
            for name in m.request.iter().chain(m.response) {
                assert!(!NEVER.contains(name), "{} records `{name}`", op.name());
            }
        }
    }

    #[test]
    fn calls_that_change_nothing_have_null_response_elements() {
        for op in Operation::ALL {
            if op.read_only() {
                assert!(members(*op).response.is_empty(), "{} records a response", op.name());
            }
        }
        for op in [Operation::Encrypt, Operation::Decrypt, Operation::GenerateDataKey] {
            assert_eq!(
                response_elements(
                    op,
                    &body(json!({"KeyId": "arn:k", "Plaintext": "c2VjcmV0"})),
                    Some("arn:k")
                ),
                Value::Null
            );
        }
    }

    #[test]
    fn encrypt_records_its_key_context_and_algorithm_and_no_plaintext() {
        let request = json!({"KeyId": "alias/a", "Plaintext": "c2VjcmV0",
                             "EncryptionContext": {"Department": "10", "b": "x"},
                             "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                             "GrantTokens": ["t"], "Unmodelled": 1});
        assert_eq!(
            params(Operation::Encrypt, &request),
            json!({"keyId": "alias/a", "encryptionContext": {"Department": "10", "b": "x"},
                   "encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
        );
    }

    #[test]
    fn a_request_without_recorded_members_is_null() {
        assert_eq!(params(Operation::ListKeys, &json!({})), Value::Null);
        assert_eq!(params(Operation::Decrypt, &json!({"CiphertextBlob": "AQ=="})), Value::Null);
        assert_eq!(params(Operation::ListKeys, &json!({})), Value::Null);
    }

    #[test]
    fn only_one_json_object_is_a_request() {
        let read = |body: &[u8]| recorded_members(Operation::Encrypt, body);
        assert!(read(b"[1]").is_err());
        assert!(read(b"{nope").is_err());
        assert!(read(b"{\"KeyId\": \"a\"} {}").is_err(), "trailing data");
        assert!(read(b"{\"Plaintext\": [1, {\"x\": [}]}").is_err(), "a skipped member is read too");
        assert_eq!(read(b" \n").unwrap(), Map::new(), "a blank body is {{}}");
        let escaped = read(b"{\"Key\\u0049d\": \"k\", \"Plaintext\": \"AA==\"}").unwrap();
        assert_eq!(Value::Object(escaped), json!({"KeyId": "k"}), "an escaped member name");
    }

    #[test]
    fn create_key_records_its_parameters_and_key_metadata() {
        let request = json!({"Description": "d", "KeySpec": "SYMMETRIC_DEFAULT",
                             "Tags": [{"TagKey": "team", "TagValue": "Payments"}]});
        assert_eq!(
            params(Operation::CreateKey, &request),
            json!({"description": "d", "keySpec": "SYMMETRIC_DEFAULT",
                   "tags": [{"tagKey": "team", "tagValue": "Payments"}]})
        );
        let response = json!({"KeyMetadata": {"AWSAccountId": "111122223333", "KeyId": "k",
                                               "CreationDate": 1_607_110_124.351_f64,
                                               "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}});
        assert_eq!(
            response_elements(Operation::CreateKey, &body(response), None),
            json!({"keyMetadata": {"aWSAccountId": "111122223333", "keyId": "k",
                                   "creationDate": "Dec 4, 2020, 7:28:44 PM",
                                   "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}})
        );
    }

    #[test]
    fn schedule_key_deletion_records_its_outcome() {
        let response = json!({"KeyId": "arn:k", "DeletionDate": 1_606_953_600.0_f64,
                              "KeyState": "PendingDeletion", "PendingWindowInDays": 30});
        assert_eq!(
            response_elements(Operation::ScheduleKeyDeletion, &body(response), Some("arn:k")),
            json!({"keyId": "arn:k", "deletionDate": "Dec 3, 2020, 12:00:00 AM",
                   "keyState": "PendingDeletion", "pendingWindowInDays": 30})
        );
    }

    #[test]
    fn grant_constraints_keep_the_callers_context_keys() {
        let request = json!({"KeyId": "k", "GranteePrincipal": "arn:p",
                             "Operations": ["Decrypt"],
                             "Constraints": {"EncryptionContextSubset": {"Tenant": "A"}}});
        assert_eq!(
            params(Operation::CreateGrant, &request),
            json!({"keyId": "k", "granteePrincipal": "arn:p", "operations": ["Decrypt"],
                   "constraints": {"encryptionContextSubset": {"Tenant": "A"}}})
        );
        assert_eq!(
            response_elements(
                Operation::CreateGrant,
                &body(json!({"GrantId": "g", "GrantToken": "t"})),
                Some("arn:aws:kms:us-east-1:111122223333:key/k")
            ),
            json!({"grantId": "g", "keyId": "arn:aws:kms:us-east-1:111122223333:key/k"})
        );
    }

    #[test]
    fn calls_that_change_a_key_silently_record_which() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k";
        for op in [
            Operation::EnableKey,
            Operation::DisableKey,
            Operation::EnableKeyRotation,
            Operation::CreateAlias,
            Operation::UpdateAlias,
            Operation::DeleteAlias,
        ] {
            assert_eq!(
                response_elements(op, b"", Some(arn)),
                json!({"keyId": arn}),
                "{}",
                op.name()
            );
            assert_eq!(response_elements(op, b"", None), Value::Null, "{}", op.name());
        }
        assert_eq!(response_elements(Operation::TagResource, b"", Some(arn)), Value::Null);
    }

    #[test]
    fn decrypt_records_the_algorithm_it_used() {
        let mut request = Value::Null;
        complete_request_parameters(Operation::Decrypt, &mut request);
        assert_eq!(request, json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}));
        let mut named = json!({"keyId": "arn:k", "encryptionAlgorithm": "RSAES_OAEP_SHA_256"});
        complete_request_parameters(Operation::Decrypt, &mut named);
        assert_eq!(named["encryptionAlgorithm"], "RSAES_OAEP_SHA_256", "the request's own stays");
        let mut encrypt = Value::Null;
        complete_request_parameters(Operation::Encrypt, &mut encrypt);
        assert_eq!(encrypt, Value::Null, "only Decrypt is completed");
    }

    #[test]
    fn dates() {
        assert_eq!(date(0.0).as_deref(), Some("Jan 1, 1970, 12:00:00 AM"));
        assert_eq!(date(1_795_447_604.9).as_deref(), Some("Nov 23, 2026, 3:26:44 PM"));
        assert_eq!(date(f64::NAN), None);
        assert_eq!(date(1e30), None);
    }
}
