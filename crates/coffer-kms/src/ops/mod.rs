//! One file per operation: its request, its response and `impl Kms { fn op }`.
//!
//! Every operation takes the same steps: resolve the key → authorize → check the key's
//! state → act. Validation of request members happens first, so a malformed request is
//! refused before anything is looked up.

pub(crate) mod asymmetric;
pub mod cancel_key_deletion;
pub mod create_alias;
pub mod create_grant;
pub mod create_key;
pub mod decrypt;
pub mod delete_alias;
pub mod delete_imported_key_material;
pub mod derive_shared_secret;
pub mod describe_key;
pub mod disable_key;
pub mod disable_key_rotation;
pub mod enable_key;
pub mod enable_key_rotation;
pub mod encrypt;
pub mod generate_data_key;
pub mod generate_data_key_pair;
pub mod generate_data_key_pair_without_plaintext;
pub mod generate_data_key_without_plaintext;
pub mod generate_mac;
pub mod generate_random;
pub mod get_key_policy;
pub mod get_key_rotation_status;
pub mod get_parameters_for_import;
pub mod get_public_key;
pub mod grant;
pub mod import_key_material;
pub mod list_aliases;
pub mod list_grants;
pub mod list_key_policies;
pub mod list_key_rotations;
pub mod list_keys;
pub mod list_resource_tags;
pub mod list_retirable_grants;
// Public only for the fuzz target of the marker decoder; see `marker::open`.
#[doc(hidden)]
pub mod marker;
pub mod put_key_policy;
pub mod re_encrypt;
pub mod retire_grant;
pub mod revoke_grant;
pub mod rotate_key_on_demand;
pub mod schedule_key_deletion;
pub mod sign;
pub mod tag_resource;
pub mod untag_resource;
pub mod update_alias;
pub mod update_key_description;
pub mod verify;
pub mod verify_mac;

use std::collections::BTreeMap;

use coffer_crypto::Secret;
use coffer_store::KeyRecord;

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::KeyState;
use crate::key_ref::alias_arn;
use crate::ops::generate_data_key::GenerateDataKeyRequest;

/// Checks an encryption context the way AWS limits it, and adds its condition keys; grant
/// constraints are checked against it.
pub(crate) fn with_encryption_context<'a>(
    mut ask: Ask<'a>,
    ec: &'a BTreeMap<String, String>,
) -> Ask<'a> {
    ask.encryption_context = Some(ec);
    if !ec.is_empty() {
        for (k, v) in ec {
            ask.context.set(&format!("kms:EncryptionContext:{k}"), v.clone());
        }
        ask = ask.with_multi("kms:EncryptionContextKeys", ec.keys().cloned().collect());
    }
    ask
}

/// `1 validation error detected: Value '<v>' at '<field>' failed to satisfy constraint: <c>`,
/// AWS's wording for a member outside its model constraints.
pub(crate) fn constraint(value: impl std::fmt::Display, field: &str, constraint: &str) -> KmsError {
    KmsError::validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// Checks `Limit` (1..=1000) and returns it, defaulting to 100.
pub(crate) fn page_limit(limit: Option<i64>) -> Result<usize, KmsError> {
    match limit {
        None => Ok(100),
        Some(l) if l < 1 => {
            Err(constraint(l, "limit", "Member must have value greater than or equal to 1"))
        }
        Some(l) if l > 1000 => {
            Err(constraint(l, "limit", "Member must have value less than or equal to 1000"))
        }
        Some(l) => Ok(usize::try_from(l).unwrap_or(100)),
    }
}

/// `1 validation error detected: Value at '<field>' failed to satisfy constraint: <c>`: for a
/// binary member AWS names no value.
pub(crate) fn blob_constraint(field: &str, constraint: &str) -> KmsError {
    KmsError::validation(format!(
        "1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// Whether a Decrypt or ReEncrypt leaves its ciphertext out: a dry run with the
/// `IGNORE_CIPHERTEXT` modifier, which checks permissions without a ciphertext to find the
/// key in, so the request must name the key (in `key_member`). Every modifier must be one
/// the model defines, with or without DryRun; without DryRun they change nothing.
pub(crate) fn ignores_ciphertext(
    dry_run: bool,
    modifiers: &[String],
    key: Option<&str>,
    key_member: &str,
) -> Result<bool, KmsError> {
    if modifiers.iter().any(|m| m != "IGNORE_CIPHERTEXT") {
        return Err(constraint(
            format!("[{}]", modifiers.join(", ")),
            "dryRunModifiers",
            "Member must satisfy constraint: [Member must satisfy enum value set: [IGNORE_CIPHERTEXT]]",
        ));
    }
    let ignored = dry_run && !modifiers.is_empty();
    if ignored && key.is_none() {
        return Err(KmsError::validation(format!(
            "{key_member} is required when DryRunModifiers contains IGNORE_CIPHERTEXT."
        )));
    }
    Ok(ignored)
}

/// `CiphertextBlob` within the model's length, 1 to 6144 bytes; an empty one (left out) is
/// accepted only when the ciphertext is `ignored`.
pub(crate) fn check_ciphertext_blob(blob: &[u8], ignored: bool) -> Result<(), KmsError> {
    if blob.is_empty() && !ignored {
        return Err(blob_constraint(
            "ciphertextBlob",
            "Member must have length greater than or equal to 1",
        ));
    }
    if blob.len() > 6144 {
        return Err(blob_constraint(
            "ciphertextBlob",
            "Member must have length less than or equal to 6144",
        ));
    }
    Ok(())
}

/// The page size of a listing: `limit` checked as [`page_limit`] checks it, `default` when
/// absent, and never more than the operation's `max`.
pub(crate) fn page_size(limit: Option<i64>, default: usize, max: usize) -> Result<usize, KmsError> {
    match limit {
        None => Ok(default),
        Some(_) => Ok(page_limit(limit)?.min(max)),
    }
}

/// The state of a stored key; a name the service does not know reads as Unavailable.
pub(crate) fn state_of(key: &KeyRecord) -> KeyState {
    KeyState::parse(&key.key_state).unwrap_or(KeyState::Unavailable)
}

/// The identifier of one version of a key's material, as `KeyMaterialId` reports it: 64
/// hexadecimal digits, the key id's 32 followed by the version's.
pub fn key_material_id(key_id: &str, version: u32) -> String {
    // Written digit by digit: every symmetric call's audit event carries one, and the
    // formatting machinery cost more than the rest of the event's notes.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = key_id.bytes().filter(u8::is_ascii_hexdigit).map(|b| b.to_ascii_lowercase());
    let mut out = String::with_capacity(64);
    out.extend(std::iter::repeat_n('0', 32usize.saturating_sub(digits.clone().count())));
    out.extend(digits.map(char::from));
    out.extend(std::iter::repeat_n('0', 24));
    out.extend((0..8).rev().map(|i| char::from(HEX[(version >> (4 * i)) as usize & 0xf])));
    out
}

/// `numberOfBytes` (1..=1024), as GenerateRandom and GenerateDataKey check it.
pub(crate) fn check_number_of_bytes(n: i64) -> Result<usize, KmsError> {
    if n < 1 {
        return Err(constraint(
            n,
            "numberOfBytes",
            "Member must have value greater than or equal to 1",
        ));
    }
    if n > 1024 {
        return Err(constraint(
            n,
            "numberOfBytes",
            "Member must have value less than or equal to 1024",
        ));
    }
    usize::try_from(n).map_err(KmsError::internal)
}

/// The alias name pattern of the model.
const ALIAS_PATTERN: &str = "^[a-zA-Z0-9:/_-]+$";

/// Checks an alias name as CreateAlias, UpdateAlias and DeleteAlias do: the model's length
/// and pattern, then the `alias/` prefix, the prefix reserved for AWS managed keys, and the
/// colon the pattern admits but an alias may not contain.
pub(crate) fn check_alias_name(name: &str) -> Result<(), KmsError> {
    if name.is_empty() {
        return Err(constraint(
            name,
            "aliasName",
            "Member must have length greater than or equal to 1",
        ));
    }
    if name.chars().count() > 256 {
        return Err(constraint(
            name,
            "aliasName",
            "Member must have length less than or equal to 256",
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-')) {
        return Err(constraint(
            name,
            "aliasName",
            &format!("Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
        ));
    }
    if name.len() <= "alias/".len() || !name.starts_with("alias/") {
        return Err(KmsError::validation(
            "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        ));
    }
    if name.starts_with("alias/aws/") {
        // AWS refuses this prefix with NotAuthorizedException and no message, an error kind
        // the service does not have yet.
        return Err(KmsError::validation("Alias names that begin with alias/aws/ are reserved."));
    }
    if name.contains(':') {
        return Err(KmsError::validation(format!(
            "{name} contains invalid characters for an alias"
        )));
    }
    Ok(())
}

/// `Alias <alias ARN> is not found.`
pub(crate) fn alias_not_found(region: &str, account: &str, name: &str) -> KmsError {
    KmsError::NotFound {
        message: format!("Alias {} is not found.", alias_arn(region, account, name)),
    }
}

/// A target key named by an alias, refused as CreateAlias and UpdateAlias refuse it.
pub(crate) fn check_alias_target(target: &str) -> Result<(), KmsError> {
    let by_alias =
        target.starts_with("alias/") || (target.starts_with("arn:") && target.contains(":alias/"));
    if by_alias {
        return Err(KmsError::validation("Aliases must refer to keys. Not aliases"));
    }
    Ok(())
}

/// UnsupportedOperationException for a key whose spec or origin does not allow rotation:
/// AWS sends no message for the spec, and names the origin.
pub(crate) fn check_rotatable(key: &KeyRecord) -> Result<(), KmsError> {
    if key.key_spec != "SYMMETRIC_DEFAULT" || key.key_usage != "ENCRYPT_DECRYPT" {
        return Err(KmsError::Unsupported { message: String::new() });
    }
    if key.origin != "AWS_KMS" {
        return Err(KmsError::Unsupported {
            message: format!(
                "{} origin is {} which is not valid for this operation.",
                key.arn, key.origin
            ),
        });
    }
    Ok(())
}

/// See [`Kms::is_quick_key`]: what one operation with a key of `spec` costs, from
/// `coffer bench` (tens of microseconds for these; RSA private operations, P-384, P-521,
/// secp256k1, SM2 and ML-DSA signatures take hundreds to thousands).
fn quick_spec(spec: &str, private_key: bool) -> bool {
    match spec {
        "SYMMETRIC_DEFAULT" | "ECC_NIST_P256" | "ECC_NIST_EDWARDS25519" => true,
        s if s.starts_with("HMAC_") => true,
        s if s.starts_with("RSA_") => !private_key,
        _ => false,
    }
}

impl Kms {
    /// Whether a cryptographic call with the key `key_id` names takes microseconds rather
    /// than milliseconds: symmetric and HMAC keys, P-256 and Ed25519 keys, and RSA keys
    /// for their public operations (Verify, Encrypt). A front door runs such calls where it
    /// received them instead of handing them to a blocking thread, which costs as much as
    /// the call. Only a scheduling hint: the call itself authorizes the key as usual, and
    /// an unknown key is not quick. The caller keeps the key found, and the call's first
    /// resolution of `key_id` takes it rather than look it up a second time.
    pub fn is_quick_key(&self, caller: &Caller, key_id: &str, private_key: bool) -> bool {
        let Ok((key_ref, key)) = self.resolve(caller, key_id) else {
            return false;
        };
        let quick = quick_spec(&key.key_spec, private_key);
        caller.keep_resolved(crate::caller::Resolved { input: key_id.to_owned(), key_ref, key });
        quick
    }

    /// `len` fresh random bytes, secret from the start.
    pub(crate) fn random_secret(&self, len: usize) -> Result<Secret, KmsError> {
        coffer_crypto::random_secret(self.rng.as_ref(), len).map_err(KmsError::internal)
    }

    /// The shared body of GenerateDataKey and GenerateDataKeyWithoutPlaintext: a fresh data
    /// key and its copy encrypted under the request's key.
    pub(crate) fn new_data_key(
        &self,
        caller: &Caller,
        action: &str,
        op: &str,
        req: &GenerateDataKeyRequest,
    ) -> Result<(Secret, Vec<u8>, std::sync::Arc<KeyRecord>), KmsError> {
        let bytes = req.number_of_bytes.map(check_number_of_bytes).transpose()?;
        let by_spec = req.key_spec.as_deref().map(data_key_len).transpose()?;
        let len = match (bytes, by_spec) {
            (Some(n), None) | (None, Some(n)) => n,
            _ => {
                return Err(KmsError::validation(
                    "Please specify either number of bytes or key spec.",
                ));
            }
        };
        let (r, key) = self.resolve(caller, &req.key_id)?;
        let ask = self
            .crypto_ask(action, &key, r.alias_name(), &req.encryption_context)
            .with_grant_tokens(&req.grant_tokens)
            .with("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        self.authorize(caller, ask)?;
        self.check_encrypt_key(&key, op, "SYMMETRIC_DEFAULT")?;
        if req.dry_run {
            return Err(KmsError::DryRunSucceeded);
        }
        let data_key = self.random_secret(len)?;
        let ciphertext = self.seal_under(&key, &req.encryption_context, data_key.expose())?;
        caller.note("keyMaterialId", key_material_id(&key.key_id, key.current_version));
        Ok((data_key, ciphertext, key))
    }
}

/// The length of a data key of spec `AES_256` or `AES_128`.
fn data_key_len(spec: &str) -> Result<usize, KmsError> {
    match spec {
        "AES_256" => Ok(32),
        "AES_128" => Ok(16),
        other => Err(constraint(
            other,
            "keySpec",
            "Member must satisfy enum value set: [AES_256, AES_128]",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_keys() {
        for spec in ["SYMMETRIC_DEFAULT", "HMAC_256", "ECC_NIST_P256", "ECC_NIST_EDWARDS25519"] {
            assert!(quick_spec(spec, true) && quick_spec(spec, false), "{spec}");
        }
        assert!(quick_spec("RSA_4096", false));
        assert!(!quick_spec("RSA_2048", true));
        for spec in ["ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2", "ML_DSA_65", ""] {
            assert!(!quick_spec(spec, true) && !quick_spec(spec, false), "{spec}");
        }
    }

    fn key(spec: &str, usage: &str, origin: &str) -> KeyRecord {
        KeyRecord {
            account: "111122223333".into(),
            region: "us-east-1".into(),
            key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            arn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .into(),
            description: String::new(),
            key_usage: usage.into(),
            key_spec: spec.into(),
            origin: origin.into(),
            key_state: "Enabled".into(),
            creation_date: 0,
            deletion_date: None,
            pending_window_days: None,
            policy: String::new(),
            rotation_enabled: false,
            rotation_period_days: None,
            next_rotation_date: None,
            current_version: 0,
            on_demand_rotations: 0,
            revision: 1,
        }
    }

    #[test]
    fn only_symmetric_keys_with_service_material_rotate() {
        assert!(check_rotatable(&key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS")).is_ok());
        for k in [
            key("RSA_2048", "ENCRYPT_DECRYPT", "AWS_KMS"),
            key("HMAC_256", "GENERATE_VERIFY_MAC", "AWS_KMS"),
        ] {
            assert!(
                matches!(check_rotatable(&k), Err(KmsError::Unsupported { message }) if message.is_empty())
            );
        }
        let external = key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL");
        assert_eq!(
            check_rotatable(&external).unwrap_err().to_string(),
            format!("{} origin is EXTERNAL which is not valid for this operation.", external.arn)
        );
    }

    #[test]
    fn key_material_ids_are_64_hex_digits_and_differ_by_version() {
        let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        let first = key_material_id(id, 0);
        assert_eq!(first.len(), 64);
        assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(&first[..32], "1234abcd12ab34cd56ef1234567890ab");
        assert_ne!(first, key_material_id(id, 1));
        // As `format!("{hex:0>32}{version:032x}")` writes it.
        for (key, version) in [(id, 0), (id, 7), (id, u32::MAX), ("AbC", 0x1234_abcd), ("", 1)] {
            let hex: String = key
                .chars()
                .filter(char::is_ascii_hexdigit)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            assert_eq!(key_material_id(key, version), format!("{hex:0>32}{version:032x}"));
        }
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None, 50, 100).unwrap(), 50);
        assert_eq!(page_size(Some(500), 50, 100).unwrap(), 100);
        assert_eq!(page_size(Some(7), 50, 100).unwrap(), 7);
        assert!(page_size(Some(0), 50, 100).is_err());
        assert!(page_size(Some(1001), 50, 1000).is_err());
    }

    #[test]
    fn alias_names() {
        for ok in ["alias/a", "alias/my-alias_/", "alias/A1/b-c_d"] {
            assert!(check_alias_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "alias/", "alias", "aliasx/a", "alias/a b", "alias/aws/x", "alias/a:b"] {
            assert!(check_alias_name(bad).is_err(), "{bad}");
        }
        assert!(check_alias_target("alias/a").is_err());
        assert!(check_alias_target("arn:aws:kms:us-east-1:111122223333:alias/a").is_err());
        assert!(check_alias_target("arn:aws:kms:us-east-1:111122223333:key/k").is_ok());
    }
}
