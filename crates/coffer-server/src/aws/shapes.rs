//! The wire shapes of AWS KMS: request and response members under AWS's names
//! (`KeyId`, `CiphertextBlob`, ...), blobs as standard base64, timestamps as epoch seconds.
//!
//! Requests are read leniently (every member optional, unknown members ignored), then
//! the model's own constraints are checked here, before the service sees the request —
//! required members and lengths — with AWS's wording:
//! `1 validation error detected: Value null at 'keyId' failed to satisfy constraint:
//! Member must not be null`. A member of the wrong JSON type or a blob that is not base64
//! fails to decode, which the front door answers with SerializationException.
//!
//! Responses carry exactly the members AWS returns; every `KeyId` of a response is the
//! key ARN, except inside `KeyMetadata` and `ListKeys` entries, where AWS returns the key id
//! next to the ARN.

use std::collections::BTreeMap;
use std::fmt;

use coffer_kms::Secret;
use coffer_kms::key::KeyMetadata as DomainKeyMetadata;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::aws::error::AwsError;

// ---------------------------------------------------------------------------------------
// Member types

/// A binary member: standard base64 on the wire. Written only by [`to_json`], which
/// writes its bytes as base64 (with `serde_json::to_vec` a blob would become an array of
/// numbers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Blob, E> {
                base64_simd::STANDARD
                    .decode_to_vec(s)
                    .map(Blob)
                    .map_err(|_| E::custom("not base64"))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

/// A binary member that carries a secret (`Plaintext`): decoded straight into a
/// [`Secret`]; written, like [`Blob`], only by [`to_json`].
#[derive(Debug)]
pub struct SecretBlob(pub Secret);

impl<'de> Deserialize<'de> for SecretBlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SecretBlob, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = SecretBlob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SecretBlob, E> {
                base64_simd::STANDARD
                    .decode_to_vec(s)
                    .map(|b| SecretBlob(Secret::new(b)))
                    .map_err(|_| E::custom("not base64"))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for SecretBlob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0.expose())
    }
}

/// A request body as JSON: a blank body is the empty object, as AWS reads it.
pub fn json_body(body: &[u8]) -> &[u8] {
    if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body }
}

/// A response body: the shape as JSON, its blobs in standard base64.
///
/// Blobs go through the formatter's byte-array hook rather than as strings: base64 never
/// needs escaping, and a 4 KiB ciphertext read again for escapes cost more than encoding it.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    // Most answers fit; a 4 KiB blob grows it three times.
    let mut out = Vec::with_capacity(1024);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, WireFormatter))?;
    Ok(out)
}

/// serde_json's compact output, with byte arrays written as base64 strings.
struct WireFormatter;

impl serde_json::ser::Formatter for WireFormatter {
    fn write_byte_array<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> std::io::Result<()> {
        // In pieces through a buffer on the stack, wiped after: a plaintext passes here.
        // (Wiped as a slice: zeroize's array impl would write it byte by byte.)
        const PIECE: usize = 3 * 1024;
        let mut buf = [0u8; PIECE / 3 * 4];
        let mut written = writer.write_all(b"\"");
        for piece in value.chunks(PIECE) {
            if written.is_err() {
                break;
            }
            let text = base64_simd::STANDARD.encode(piece, base64_simd::Out::from_slice(&mut buf));
            written = writer.write_all(text);
        }
        let used = value.len().min(PIECE).div_ceil(3) * 4;
        zeroize::Zeroize::zeroize(&mut buf[..used]);
        written?;
        writer.write_all(b"\"")
    }
}

/// Epoch milliseconds to the epoch seconds AWS puts on the wire.
pub fn epoch_seconds(millis: i64) -> f64 {
    // Exact for every date a key can have (well inside 2^53 milliseconds).
    #[expect(clippy::cast_precision_loss, reason = "timestamps are far below 2^53")]
    let ms = millis as f64;
    ms / 1000.0
}

/// A tag on the wire.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_key: Option<String>,
    /// The tag value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_value: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Model constraints

/// The model constraints a request breaks, collected in member order and reported as one
/// ValidationException, as AWS does.
#[derive(Default)]
pub struct Constraints(Vec<String>);

impl Constraints {
    /// A required member.
    pub fn required<T>(&mut self, value: &Option<T>, member: &str) -> &mut Self {
        if value.is_none() {
            self.0.push(null(member));
        }
        self
    }

    /// A string member's length, in characters, when present.
    pub fn length(
        &mut self,
        value: Option<&str>,
        member: &str,
        min: usize,
        max: usize,
    ) -> &mut Self {
        if let Some(v) = value {
            let n = v.chars().count();
            if n < min {
                self.0.push(format!(
                    "Value '{v}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
                ));
            } else if n > max {
                self.0.push(format!(
                    "Value '{v}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
                ));
            }
        }
        self
    }

    /// A key identifier (KeyId, TargetKeyId, ...): 1 to 2048 characters.
    pub fn key_id(&mut self, value: Option<&str>, member: &str) -> &mut Self {
        self.length(value, member, 1, 2048)
    }

    /// A pagination marker: 1 to 1024 characters from U+0020 to U+00FF.
    pub fn marker(&mut self, value: Option<&str>) -> &mut Self {
        self.length(value, "marker", 1, 1024).pattern(
            value,
            "marker",
            |c| ('\u{20}'..='\u{ff}').contains(&c),
            r"[\u0020-\u00FF]*",
        )
    }

    /// A string member whose every character `allowed` accepts, when present and not empty;
    /// `pattern` is the model's regular expression, for the message.
    pub fn pattern(
        &mut self,
        value: Option<&str>,
        member: &str,
        allowed: fn(char) -> bool,
        pattern: &str,
    ) -> &mut Self {
        if let Some(v) = value.filter(|v| !v.is_empty() && !v.chars().all(allowed)) {
            self.0.push(format!(
                "Value '{v}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
            ));
        }
        self
    }

    /// Grant tokens: at most 10, each 1 to 8192 characters.
    pub fn grant_tokens(&mut self, value: Option<&[String]>) -> &mut Self {
        if let Some(tokens) = value {
            if tokens.len() > 10 {
                self.0.push(format!(
                    "Value '[{}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10",
                    tokens.join(", ")
                ));
            }
            for (i, t) in tokens.iter().enumerate() {
                self.length(Some(t), &format!("grantTokens.{}.member", i + 1), 1, 8192);
            }
        }
        self
    }

    /// Tags: each with its key and value.
    pub fn tags(&mut self, value: Option<&[Tag]>) -> &mut Self {
        for (i, t) in value.unwrap_or_default().iter().enumerate() {
            self.required(&t.tag_key, &format!("tags.{}.member.tagKey", i + 1));
            self.required(&t.tag_value, &format!("tags.{}.member.tagValue", i + 1));
        }
        self
    }

    /// Ok, or the ValidationException naming every broken constraint.
    pub fn check(&mut self) -> Result<(), AwsError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(AwsError::validation(format!("1 validation error detected: {}", self.0[0]))),
            n => Err(AwsError::validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// A required member's value (after [`Constraints::check`] has passed, always there).
pub fn present<T>(value: Option<T>, member: &str) -> Result<T, AwsError> {
    value.ok_or_else(|| {
        AwsError::validation(format!("1 validation error detected: {}", null(member)))
    })
}

/// AWS's words for a required member that is absent.
fn null(member: &str) -> String {
    format!("Value null at '{member}' failed to satisfy constraint: Member must not be null")
}

/// A wire tag as the service's tag (after [`Constraints::tags`] has passed).
pub fn domain_tags(tags: Option<Vec<Tag>>) -> Vec<coffer_kms::Tag> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| coffer_kms::Tag {
            key: t.tag_key.unwrap_or_default(),
            value: t.tag_value.unwrap_or_default(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Requests

macro_rules! request {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default)] pub $field: Option<$ty>,)*
        }
    };
}

request!(
    /// Requests that name one key and nothing else (EnableKey, DisableKey,
    /// CancelKeyDeletion, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand).
    KeyIdInput {
        /// The key.
        key_id: String,
    }
);

request!(
    /// DescribeKey.
    DescribeKeyInput {
        /// The key.
        key_id: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
    }
);

request!(
    /// CreateKey.
    CreateKeyInput {
        /// The key policy.
        policy: String,
        /// The description.
        description: String,
        /// The key usage.
        key_usage: String,
        /// The deprecated name of KeySpec.
        customer_master_key_spec: String,
        /// The key spec.
        key_spec: String,
        /// The origin of the key material.
        origin: String,
        /// A custom key store.
        custom_key_store_id: String,
        /// Skip the policy lockout check.
        bypass_policy_lockout_safety_check: bool,
        /// Tags.
        tags: Vec<Tag>,
        /// A multi-Region key.
        multi_region: bool,
        /// The key in an external key store.
        xks_key_id: String,
    }
);

request!(
    /// ListKeys.
    ListKeysInput {
        /// Page size.
        limit: i64,
        /// Where the page starts.
        marker: String,
    }
);

request!(
    /// UpdateKeyDescription.
    UpdateKeyDescriptionInput {
        /// The key.
        key_id: String,
        /// The new description.
        description: String,
    }
);

request!(
    /// ScheduleKeyDeletion.
    ScheduleKeyDeletionInput {
        /// The key.
        key_id: String,
        /// The waiting period.
        pending_window_in_days: i64,
    }
);

request!(
    /// Encrypt.
    EncryptInput {
        /// The key.
        key_id: String,
        /// The plaintext.
        plaintext: SecretBlob,
        /// The encryption context.
        encryption_context: BTreeMap<String, String>,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// The algorithm.
        encryption_algorithm: String,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// Decrypt.
    DecryptInput {
        /// The ciphertext.
        ciphertext_blob: Blob,
        /// The encryption context.
        encryption_context: BTreeMap<String, String>,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// The key the caller expects.
        key_id: String,
        /// The algorithm.
        encryption_algorithm: String,
        /// An attested enclave to encrypt the plaintext for.
        recipient: serde_json::Value,
        /// Check only.
        dry_run: bool,
        /// Dry-run modifiers.
        dry_run_modifiers: Vec<String>,
    }
);

request!(
    /// ReEncrypt.
    ReEncryptInput {
        /// The ciphertext.
        ciphertext_blob: Blob,
        /// Its encryption context.
        source_encryption_context: BTreeMap<String, String>,
        /// The key it was made under.
        source_key_id: String,
        /// The key to encrypt under.
        destination_key_id: String,
        /// The new encryption context.
        destination_encryption_context: BTreeMap<String, String>,
        /// The algorithm it was made with.
        source_encryption_algorithm: String,
        /// The algorithm to use.
        destination_encryption_algorithm: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// Check only.
        dry_run: bool,
        /// Dry-run modifiers.
        dry_run_modifiers: Vec<String>,
    }
);

request!(
    /// GenerateDataKey and GenerateDataKeyWithoutPlaintext.
    GenerateDataKeyInput {
        /// The key.
        key_id: String,
        /// The encryption context.
        encryption_context: BTreeMap<String, String>,
        /// The data key's length.
        number_of_bytes: i64,
        /// The data key's spec.
        key_spec: String,
        /// Grant tokens.
        grant_tokens: Vec<String>,
        /// An attested enclave to encrypt the plaintext for.
        recipient: serde_json::Value,
        /// Check only.
        dry_run: bool,
    }
);

request!(
    /// GenerateRandom.
    GenerateRandomInput {
        /// How many bytes.
        number_of_bytes: i64,
        /// A custom key store.
        custom_key_store_id: String,
        /// An attested enclave to encrypt the bytes for.
        recipient: serde_json::Value,
    }
);

request!(
    /// CreateAlias and UpdateAlias.
    AliasInput {
        /// `alias/...`.
        alias_name: String,
        /// The key.
        target_key_id: String,
    }
);

request!(
    /// DeleteAlias.
    DeleteAliasInput {
        /// `alias/...`.
        alias_name: String,
    }
);

request!(
    /// ListAliases.
    ListAliasesInput {
        /// Only the aliases of this key.
        key_id: String,
        /// Page size.
        limit: i64,
        /// Where the page starts.
        marker: String,
    }
);

request!(
    /// TagResource.
    TagResourceInput {
        /// The key.
        key_id: String,
        /// The tags.
        tags: Vec<Tag>,
    }
);

request!(
    /// UntagResource.
    UntagResourceInput {
        /// The key.
        key_id: String,
        /// The tag keys.
        tag_keys: Vec<String>,
    }
);

request!(
    /// ListResourceTags, ListKeyPolicies: a key and a page.
    KeyPageInput {
        /// The key.
        key_id: String,
        /// Page size.
        limit: i64,
        /// Where the page starts.
        marker: String,
    }
);

request!(
    /// GetKeyPolicy.
    GetKeyPolicyInput {
        /// The key.
        key_id: String,
        /// `default`.
        policy_name: String,
    }
);

request!(
    /// PutKeyPolicy.
    PutKeyPolicyInput {
        /// The key.
        key_id: String,
        /// `default`.
        policy_name: String,
        /// The policy document.
        policy: String,
        /// Skip the policy lockout check.
        bypass_policy_lockout_safety_check: bool,
    }
);

request!(
    /// EnableKeyRotation.
    EnableKeyRotationInput {
        /// The key.
        key_id: String,
        /// The rotation period.
        rotation_period_in_days: i64,
    }
);

request!(
    /// ListKeyRotations.
    ListKeyRotationsInput {
        /// The key.
        key_id: String,
        /// ROTATIONS_ONLY or ALL_KEY_MATERIAL.
        include_key_material: String,
        /// Page size.
        limit: i64,
        /// Where the page starts.
        marker: String,
    }
);

// ---------------------------------------------------------------------------------------
// Responses

/// `KeyMetadata`, with exactly the members AWS returns for a single-Region key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    /// The owning account.
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    /// The key id (not the ARN, as AWS returns it here).
    pub key_id: String,
    /// The key ARN.
    pub arn: String,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Whether the key is Enabled.
    pub enabled: bool,
    /// The description (`""` by default).
    pub description: String,
    /// ENCRYPT_DECRYPT, ...
    pub key_usage: String,
    /// Enabled, Disabled, PendingDeletion, ...
    pub key_state: String,
    /// Only while PendingDeletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<f64>,
    /// Only while PendingDeletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
    /// AWS_KMS, EXTERNAL, ...
    pub origin: String,
    /// Always CUSTOMER.
    pub key_manager: &'static str,
    /// The deprecated copy of KeySpec.
    pub customer_master_key_spec: String,
    /// SYMMETRIC_DEFAULT, ...
    pub key_spec: String,
    /// Only for ENCRYPT_DECRYPT keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encryption_algorithms: Vec<String>,
    /// Only for SIGN_VERIFY keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signing_algorithms: Vec<String>,
    /// Only for GENERATE_VERIFY_MAC keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mac_algorithms: Vec<String>,
    /// Only for KEY_AGREEMENT keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_agreement_algorithms: Vec<String>,
    /// Only for keys with imported key material.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<String>,
    /// Epoch seconds, only for imported key material that expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<f64>,
    /// False for a single-Region key.
    pub multi_region: bool,
    /// The material new ciphertexts are made with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_key_material_id: Option<String>,
}

impl From<DomainKeyMetadata> for KeyMetadata {
    fn from(m: DomainKeyMetadata) -> KeyMetadata {
        KeyMetadata {
            aws_account_id: m.account,
            key_id: m.key_id,
            arn: m.arn,
            creation_date: epoch_seconds(m.creation_date),
            enabled: m.enabled,
            description: m.description,
            key_usage: m.key_usage,
            key_state: m.key_state.as_str().to_owned(),
            deletion_date: m.deletion_date.map(epoch_seconds),
            pending_deletion_window_in_days: m.pending_window_days,
            origin: m.origin,
            key_manager: "CUSTOMER",
            customer_master_key_spec: m.key_spec.clone(),
            key_spec: m.key_spec,
            encryption_algorithms: m.encryption_algorithms,
            signing_algorithms: m.signing_algorithms,
            mac_algorithms: m.mac_algorithms,
            key_agreement_algorithms: m.key_agreement_algorithms,
            expiration_model: m.expiration_model,
            valid_to: m.valid_to.map(epoch_seconds),
            multi_region: m.multi_region,
            current_key_material_id: m.current_key_material_id,
        }
    }
}

/// CreateKey and DescribeKey.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadataOutput {
    /// The key.
    pub key_metadata: KeyMetadata,
}

/// A response of only the key ARN (CancelKeyDeletion, RotateKeyOnDemand).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdOutput {
    /// The key ARN.
    pub key_id: String,
}

/// An operation without output: `{}`.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// An entry of ListKeys.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub key_arn: String,
}

/// A page of a listing: the entries under AWS's member name, `Truncated`, and
/// `NextMarker` when truncated.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page<T> {
    /// The entries.
    #[serde(flatten)]
    pub items: T,
    /// The marker of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether there is a next page.
    pub truncated: bool,
}

impl<T> Page<T> {
    /// A page with its marker.
    pub fn new(items: T, next_marker: Option<String>) -> Page<T> {
        Page { truncated: next_marker.is_some(), items, next_marker }
    }
}

/// ListKeys' entries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Keys {
    /// The keys.
    pub keys: Vec<KeyListEntry>,
}

/// An entry of ListAliases.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    /// `alias/...`.
    pub alias_name: String,
    /// The alias ARN.
    pub alias_arn: String,
    /// The id of the key it names.
    pub target_key_id: String,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Epoch seconds.
    pub last_updated_date: f64,
}

/// ListAliases' entries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Aliases {
    /// The aliases.
    pub aliases: Vec<AliasListEntry>,
}

/// ListResourceTags' entries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tags {
    /// The tags.
    pub tags: Vec<Tag>,
}

/// ListKeyPolicies' entries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyNames {
    /// Always `["default"]`.
    pub policy_names: Vec<String>,
}

/// An entry of ListKeyRotations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationEntry {
    /// The key ARN.
    pub key_id: String,
    /// The key material.
    pub key_material_id: String,
    /// CURRENT, NON_CURRENT or PENDING_ROTATION.
    pub key_material_state: String,
    /// Epoch seconds (rotations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_date: Option<f64>,
    /// AUTOMATIC or ON_DEMAND (rotations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_type: Option<String>,
    /// The description given at import (imported material only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_description: Option<String>,
    /// IMPORTED or PENDING_IMPORT (imported material only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_state: Option<String>,
    /// KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE (imported material only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<String>,
    /// Epoch seconds (imported material that expires only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<f64>,
}

/// ListKeyRotations' entries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rotations {
    /// The rotations.
    pub rotations: Vec<RotationEntry>,
}

/// ScheduleKeyDeletion.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionOutput {
    /// The key ARN.
    pub key_id: String,
    /// Epoch seconds.
    pub deletion_date: f64,
    /// PendingDeletion.
    pub key_state: String,
    /// The waiting period.
    pub pending_window_in_days: u32,
}

/// Encrypt.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptOutput {
    /// The ciphertext.
    pub ciphertext_blob: Blob,
    /// The key ARN.
    pub key_id: String,
    /// The algorithm used.
    pub encryption_algorithm: String,
}

/// Decrypt.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptOutput {
    /// The key ARN.
    pub key_id: String,
    /// The plaintext.
    pub plaintext: SecretBlob,
    /// The algorithm used.
    pub encryption_algorithm: String,
    /// The material version that decrypted (symmetric keys only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_material_id: Option<String>,
}

/// ReEncrypt.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptOutput {
    /// The new ciphertext.
    pub ciphertext_blob: Blob,
    /// The source key ARN.
    pub source_key_id: String,
    /// The destination key ARN.
    pub key_id: String,
    /// The source algorithm.
    pub source_encryption_algorithm: String,
    /// The destination algorithm.
    pub destination_encryption_algorithm: String,
    /// The source key material (symmetric keys only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_key_material_id: Option<String>,
    /// The destination key material (symmetric keys only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_key_material_id: Option<String>,
}

/// GenerateDataKey.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyOutput {
    /// The encrypted data key.
    pub ciphertext_blob: Blob,
    /// The data key.
    pub plaintext: SecretBlob,
    /// The key ARN.
    pub key_id: String,
    /// The key material that encrypted it.
    pub key_material_id: String,
}

/// GenerateDataKeyWithoutPlaintext.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextOutput {
    /// The encrypted data key.
    pub ciphertext_blob: Blob,
    /// The key ARN.
    pub key_id: String,
    /// The key material that encrypted it.
    pub key_material_id: String,
}

/// GenerateRandom.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomOutput {
    /// The random bytes.
    pub plaintext: SecretBlob,
}

/// GetKeyPolicy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicyOutput {
    /// The policy document.
    pub policy: String,
    /// `default`.
    pub policy_name: String,
}

/// GetKeyRotationStatus.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyRotationStatusOutput {
    /// Whether automatic rotation is on.
    pub key_rotation_enabled: bool,
    /// The key ARN.
    pub key_id: String,
    /// The period, while rotation is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u32>,
    /// Epoch seconds, while rotation is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_rotation_date: Option<f64>,
    /// Epoch seconds, while an on-demand rotation runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_demand_rotation_start_date: Option<f64>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn blobs_are_written_as_standard_base64_in_every_length() {
        use base64::Engine as _;
        // Lengths around the formatter's 3 KiB pieces and every padding case; the
        // reference is the `base64` crate, not the encoder under test.
        let data: Vec<u8> =
            (0..7000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for n in (0..70).chain([3071, 3072, 3073, 4096, 6143, 6144, 6145, 7000]) {
            let reference = base64::engine::general_purpose::STANDARD.encode(&data[..n]);
            let blob = to_json(&Blob(data[..n].to_vec())).unwrap();
            assert_eq!(blob, format!("\"{reference}\"").into_bytes(), "{n} bytes");
            let secret = to_json(&SecretBlob(Secret::new(data[..n].to_vec()))).unwrap();
            assert_eq!(secret, blob, "{n} bytes");
            let back: Blob = serde_json::from_slice(&blob).unwrap();
            assert_eq!(back.0, &data[..n]);
        }
    }

    #[test]
    fn blobs_are_standard_base64() {
        let e: EncryptInput =
            serde_json::from_value(json!({"KeyId": "k", "Plaintext": "aGVsbG8="})).unwrap();
        assert_eq!(e.plaintext.unwrap().0.expose(), b"hello");
        assert!(
            serde_json::from_value::<EncryptInput>(json!({"Plaintext": "not base64!"})).is_err()
        );
        assert!(serde_json::from_value::<EncryptInput>(json!({"Plaintext": 5})).is_err());
        assert!(serde_json::from_value::<EncryptInput>(json!({"KeyId": 5})).is_err());
        assert!(serde_json::from_value::<ListKeysInput>(json!({"Limit": "5"})).is_err());
        let d: DecryptInput =
            serde_json::from_value(json!({"CiphertextBlob": "AAEC", "Unknown": 1})).unwrap();
        assert_eq!(d.ciphertext_blob.unwrap().0, vec![0, 1, 2]);
        assert_eq!(to_json(&Blob(vec![0xff, 0xfe])).unwrap(), b"\"//4=\"");
        // null is absent
        let n: KeyIdInput = serde_json::from_value(json!({"KeyId": null})).unwrap();
        assert!(n.key_id.is_none());
    }

    #[test]
    fn model_constraints_use_aws_wording() {
        let ok = Constraints::default().required(&Some(1), "keyId").check();
        assert_eq!(ok, Ok(()));
        assert_eq!(
            Constraints::default().required(&None::<String>, "keyId").check().unwrap_err().body(),
            json!({"__type": "ValidationException",
                   "message": "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"})
        );
        assert_eq!(
            Constraints::default().key_id(Some(""), "keyId").check().unwrap_err().message.unwrap(),
            "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert_eq!(
            Constraints::default()
                .required(&None::<String>, "keyId")
                .required(&None::<String>, "plaintext")
                .check()
                .unwrap_err()
                .message
                .unwrap(),
            "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; \
Value null at 'plaintext' failed to satisfy constraint: Member must not be null"
        );
        let tags = vec![Tag { tag_key: Some("a".into()), tag_value: None }];
        assert_eq!(
            Constraints::default().tags(Some(&tags)).check().unwrap_err().message.unwrap(),
            "1 validation error detected: Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null"
        );
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert!(Constraints::default().grant_tokens(Some(&many)).check().is_err());
    }

    #[test]
    fn key_metadata_has_exactly_the_members_aws_returns() {
        let m = DomainKeyMetadata {
            account: "111122223333".into(),
            key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            arn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .into(),
            creation_date: 1_700_000_000_123,
            enabled: true,
            description: String::new(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            key_state: coffer_kms::key::KeyState::Enabled,
            deletion_date: None,
            pending_window_days: None,
            key_spec: "SYMMETRIC_DEFAULT".into(),
            origin: "AWS_KMS".into(),
            encryption_algorithms: vec!["SYMMETRIC_DEFAULT".into()],
            signing_algorithms: vec![],
            mac_algorithms: vec![],
            key_agreement_algorithms: vec![],
            expiration_model: None,
            valid_to: None,
            multi_region: false,
            current_key_material_id: Some("ab".repeat(32)),
        };
        let v = serde_json::to_value(KeyMetadataOutput { key_metadata: m.into() }).unwrap();
        assert_eq!(
            v,
            json!({"KeyMetadata": {
                "AWSAccountId": "111122223333",
                "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                "Arn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "CreationDate": 1_700_000_000.123,
                "Enabled": true,
                "Description": "",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled",
                "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": false,
                "CurrentKeyMaterialId": "ab".repeat(32),
            }})
        );
    }

    #[test]
    fn pages_say_whether_they_are_truncated() {
        let p = Page::new(Keys { keys: vec![] }, None);
        assert_eq!(serde_json::to_value(p).unwrap(), json!({"Keys": [], "Truncated": false}));
        let p = Page::new(PolicyNames { policy_names: vec!["default".into()] }, Some("m".into()));
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"PolicyNames": ["default"], "NextMarker": "m", "Truncated": true})
        );
    }
}
