//! One operation, end to end: decode the wire request, check the model's constraints,
//! call the service, encode the wire response.
//!
//! No rule of the service lives here: states, permissions, defaults and every check that
//! is not a constraint of the wire model belong to `coffer-kms`. The match over
//! [`Operation`] has no catch-all: an AWS operation is either wired to the service or
//! listed as unsupported.

use coffer_kms::ops::create_key::CreateKeyRequest;
use coffer_kms::ops::decrypt::DecryptRequest;
use coffer_kms::ops::encrypt::EncryptRequest;
use coffer_kms::ops::generate_data_key::GenerateDataKeyRequest;
use coffer_kms::ops::re_encrypt::ReEncryptRequest;
use coffer_kms::{Caller, Kms, KmsError};
use serde::Deserialize;
use serde_json::Value;

use crate::aws::asymmetric;
use crate::aws::error::{AwsError, from_kms};
use crate::aws::grants;
use crate::aws::shapes::{self, Constraints, epoch_seconds, present};
use crate::aws::target::Operation;

/// Runs one operation for a verified caller; `input` is the request body. The answer is
/// the response body, written straight from the operation's output shape.
pub fn call(
    op: Operation,
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    request_id: &str,
) -> Result<Vec<u8>, AwsError> {
    let k = |e: KmsError| from_kms(&e, request_id);
    let out =
        |v: Result<Vec<u8>, serde_json::Error>| v.map_err(|e| AwsError::internal(request_id, &e));
    match op {
        Operation::CreateKey => {
            let i: shapes::CreateKeyInput = decode(input)?;
            Constraints::default().tags(i.tags.as_deref()).check()?;
            if i.custom_key_store_id.is_some() || i.xks_key_id.is_some() {
                return Err(AwsError::new(
                    "UnsupportedOperationException",
                    "Custom key stores are not supported by this server.",
                ));
            }
            let key_spec = match (i.key_spec, i.customer_master_key_spec) {
                (Some(a), Some(b)) if a != b => {
                    return Err(AwsError::validation(
                        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.",
                    ));
                }
                (a, b) => a.or(b),
            };
            let req = CreateKeyRequest {
                policy: i.policy,
                description: i.description,
                key_usage: i.key_usage,
                key_spec,
                origin: i.origin,
                bypass_policy_lockout_safety_check: i
                    .bypass_policy_lockout_safety_check
                    .unwrap_or(false),
                tags: shapes::domain_tags(i.tags),
                multi_region: i.multi_region.unwrap_or(false),
            };
            let m = kms.create_key(caller, req).map_err(k)?;
            out(shapes::to_json(&shapes::KeyMetadataOutput { key_metadata: m.into() }))
        }
        Operation::DescribeKey => {
            let i: shapes::DescribeKeyInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .grant_tokens(i.grant_tokens.as_deref())
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let tokens = i.grant_tokens.unwrap_or_default();
            let m = kms.describe_key_with_grant_tokens(caller, &key_id, &tokens).map_err(k)?;
            out(shapes::to_json(&shapes::KeyMetadataOutput { key_metadata: m.into() }))
        }
        Operation::ListKeys => {
            let i: shapes::ListKeysInput = decode(input)?;
            Constraints::default().marker(i.marker.as_deref()).check()?;
            let page = kms.list_keys(caller, i.limit, i.marker.as_deref()).map_err(k)?;
            let keys = page
                .keys
                .into_iter()
                .map(|e| shapes::KeyListEntry { key_id: e.key_id, key_arn: e.key_arn })
                .collect();
            out(shapes::to_json(&shapes::Page::new(shapes::Keys { keys }, page.next_marker)))
        }
        Operation::EnableKey => {
            let key_id = key_id_only(input)?;
            kms.enable_key(caller, &key_id).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::DisableKey => {
            let key_id = key_id_only(input)?;
            kms.disable_key(caller, &key_id).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::UpdateKeyDescription => {
            let i: shapes::UpdateKeyDescriptionInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .required(&i.description, "description")
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let description = present(i.description, "description")?;
            kms.update_key_description(caller, &key_id, &description).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::ScheduleKeyDeletion => {
            let i: shapes::ScheduleKeyDeletionInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let s =
                kms.schedule_key_deletion(caller, &key_id, i.pending_window_in_days).map_err(k)?;
            out(shapes::to_json(&shapes::ScheduleKeyDeletionOutput {
                key_id: s.key_arn,
                deletion_date: epoch_seconds(s.deletion_date),
                key_state: s.key_state.as_str().to_owned(),
                pending_window_in_days: s.pending_window_days,
            }))
        }
        Operation::CancelKeyDeletion => {
            let key_id = key_id_only(input)?;
            let arn = kms.cancel_key_deletion(caller, &key_id).map_err(k)?;
            out(shapes::to_json(&shapes::KeyIdOutput { key_id: arn }))
        }
        Operation::Encrypt => {
            let i: shapes::EncryptInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .required(&i.plaintext, "plaintext")
                .grant_tokens(i.grant_tokens.as_deref())
                .check()?;
            let req = EncryptRequest {
                key_id: present(i.key_id, "keyId")?,
                plaintext: present(i.plaintext, "plaintext")?.0,
                encryption_context: i.encryption_context.unwrap_or_default(),
                grant_tokens: i.grant_tokens.unwrap_or_default(),
                encryption_algorithm: i.encryption_algorithm,
                dry_run: i.dry_run.unwrap_or(false),
            };
            let r = kms.encrypt(caller, req).map_err(k)?;
            out(shapes::to_json(&shapes::EncryptOutput {
                ciphertext_blob: shapes::Blob(r.ciphertext),
                key_id: r.key_arn,
                encryption_algorithm: r.encryption_algorithm,
            }))
        }
        Operation::Decrypt => {
            let i: shapes::DecryptInput = decode(input)?;
            Constraints::default()
                .key_id(i.key_id.as_deref(), "keyId")
                .grant_tokens(i.grant_tokens.as_deref())
                .check()?;
            no_recipient(i.recipient.as_ref())?;
            let req = DecryptRequest {
                ciphertext: i.ciphertext_blob.unwrap_or_default().0,
                encryption_context: i.encryption_context.unwrap_or_default(),
                grant_tokens: i.grant_tokens.unwrap_or_default(),
                key_id: i.key_id,
                encryption_algorithm: i.encryption_algorithm,
                dry_run: i.dry_run.unwrap_or(false),
                dry_run_modifiers: i.dry_run_modifiers.unwrap_or_default(),
            };
            let r = kms.decrypt(caller, req).map_err(k)?;
            out(shapes::to_json(&shapes::DecryptOutput {
                key_id: r.key_arn,
                plaintext: shapes::SecretBlob(r.plaintext),
                encryption_algorithm: r.encryption_algorithm,
                key_material_id: r.key_material_id,
            }))
        }
        Operation::ReEncrypt => {
            let i: shapes::ReEncryptInput = decode(input)?;
            Constraints::default()
                .key_id(i.source_key_id.as_deref(), "sourceKeyId")
                .required(&i.destination_key_id, "destinationKeyId")
                .key_id(i.destination_key_id.as_deref(), "destinationKeyId")
                .grant_tokens(i.grant_tokens.as_deref())
                .check()?;
            let req = ReEncryptRequest {
                ciphertext: i.ciphertext_blob.unwrap_or_default().0,
                source_encryption_context: i.source_encryption_context.unwrap_or_default(),
                source_key_id: i.source_key_id,
                destination_key_id: present(i.destination_key_id, "destinationKeyId")?,
                destination_encryption_context: i
                    .destination_encryption_context
                    .unwrap_or_default(),
                source_encryption_algorithm: i.source_encryption_algorithm,
                destination_encryption_algorithm: i.destination_encryption_algorithm,
                grant_tokens: i.grant_tokens.unwrap_or_default(),
                dry_run: i.dry_run.unwrap_or(false),
                dry_run_modifiers: i.dry_run_modifiers.unwrap_or_default(),
            };
            let r = kms.re_encrypt(caller, req).map_err(k)?;
            out(shapes::to_json(&shapes::ReEncryptOutput {
                ciphertext_blob: shapes::Blob(r.ciphertext),
                source_key_id: r.source_key_arn,
                key_id: r.key_arn,
                source_encryption_algorithm: r.source_encryption_algorithm,
                destination_encryption_algorithm: r.destination_encryption_algorithm,
                source_key_material_id: r.source_key_material_id,
                destination_key_material_id: r.destination_key_material_id,
            }))
        }
        Operation::GenerateDataKey => {
            let (req, recipient) = data_key_request(input)?;
            no_recipient(recipient.as_ref())?;
            let r = kms.generate_data_key(caller, req).map_err(k)?;
            out(shapes::to_json(&shapes::GenerateDataKeyOutput {
                ciphertext_blob: shapes::Blob(r.ciphertext),
                plaintext: shapes::SecretBlob(r.plaintext),
                key_id: r.key_arn,
                key_material_id: r.key_material_id,
            }))
        }
        Operation::GenerateDataKeyWithoutPlaintext => {
            let (req, recipient) = data_key_request(input)?;
            no_recipient(recipient.as_ref())?;
            let r = kms.generate_data_key_without_plaintext(caller, req).map_err(k)?;
            out(shapes::to_json(&shapes::GenerateDataKeyWithoutPlaintextOutput {
                ciphertext_blob: shapes::Blob(r.ciphertext),
                key_id: r.key_arn,
                key_material_id: r.key_material_id,
            }))
        }
        Operation::GenerateRandom => {
            let i: shapes::GenerateRandomInput = decode(input)?;
            if i.custom_key_store_id.is_some() {
                return Err(AwsError::new(
                    "UnsupportedOperationException",
                    "Custom key stores are not supported by this server.",
                ));
            }
            no_recipient(i.recipient.as_ref())?;
            let r = kms.generate_random(caller, i.number_of_bytes).map_err(k)?;
            out(shapes::to_json(&shapes::GenerateRandomOutput {
                plaintext: shapes::SecretBlob(r.plaintext),
            }))
        }
        Operation::CreateAlias => {
            let (alias, target) = alias_input(input)?;
            kms.create_alias(caller, &alias, &target).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::UpdateAlias => {
            let (alias, target) = alias_input(input)?;
            kms.update_alias(caller, &alias, &target).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::DeleteAlias => {
            let i: shapes::DeleteAliasInput = decode(input)?;
            let alias = present(i.alias_name, "aliasName")?;
            kms.delete_alias(caller, &alias).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::ListAliases => {
            let i: shapes::ListAliasesInput = decode(input)?;
            Constraints::default()
                .key_id(i.key_id.as_deref(), "keyId")
                .marker(i.marker.as_deref())
                .check()?;
            let page = kms
                .list_aliases(caller, i.key_id.as_deref(), i.limit, i.marker.as_deref())
                .map_err(k)?;
            let aliases = page
                .aliases
                .into_iter()
                .map(|a| shapes::AliasListEntry {
                    alias_name: a.alias_name,
                    alias_arn: a.alias_arn,
                    target_key_id: a.target_key_id,
                    creation_date: epoch_seconds(a.creation_date),
                    last_updated_date: epoch_seconds(a.last_updated_date),
                })
                .collect();
            out(shapes::to_json(&shapes::Page::new(shapes::Aliases { aliases }, page.next_marker)))
        }
        Operation::TagResource => {
            let i: shapes::TagResourceInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .required(&i.tags, "tags")
                .tags(i.tags.as_deref())
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            kms.tag_resource(caller, &key_id, &shapes::domain_tags(i.tags)).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::UntagResource => {
            let i: shapes::UntagResourceInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .required(&i.tag_keys, "tagKeys")
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let tag_keys = present(i.tag_keys, "tagKeys")?;
            kms.untag_resource(caller, &key_id, &tag_keys).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::ListResourceTags => {
            let (key_id, limit, marker) = key_page(input)?;
            let page =
                kms.list_resource_tags(caller, &key_id, limit, marker.as_deref()).map_err(k)?;
            let tags = page
                .tags
                .into_iter()
                .map(|t| shapes::Tag { tag_key: Some(t.key), tag_value: Some(t.value) })
                .collect();
            out(shapes::to_json(&shapes::Page::new(shapes::Tags { tags }, page.next_marker)))
        }
        Operation::GetKeyPolicy => {
            let i: shapes::GetKeyPolicyInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let p = kms.get_key_policy(caller, &key_id, i.policy_name.as_deref()).map_err(k)?;
            out(shapes::to_json(&shapes::GetKeyPolicyOutput {
                policy: p.policy,
                policy_name: p.policy_name,
            }))
        }
        Operation::PutKeyPolicy => {
            let i: shapes::PutKeyPolicyInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .required(&i.policy, "policy")
                .length(i.policy.as_deref(), "policy", 1, 131_072)
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let policy = present(i.policy, "policy")?;
            kms.put_key_policy(
                caller,
                &key_id,
                &policy,
                i.policy_name.as_deref(),
                i.bypass_policy_lockout_safety_check.unwrap_or(false),
            )
            .map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::ListKeyPolicies => {
            let (key_id, limit, marker) = key_page(input)?;
            let page =
                kms.list_key_policies(caller, &key_id, limit, marker.as_deref()).map_err(k)?;
            out(shapes::to_json(&shapes::Page::new(
                shapes::PolicyNames { policy_names: page.policy_names },
                page.next_marker,
            )))
        }
        Operation::EnableKeyRotation => {
            let i: shapes::EnableKeyRotationInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            kms.enable_key_rotation(caller, &key_id, i.rotation_period_in_days).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::DisableKeyRotation => {
            let key_id = key_id_only(input)?;
            kms.disable_key_rotation(caller, &key_id).map_err(k)?;
            out(shapes::to_json(&shapes::Empty {}))
        }
        Operation::GetKeyRotationStatus => {
            let key_id = key_id_only(input)?;
            let s = kms.get_key_rotation_status(caller, &key_id).map_err(k)?;
            out(shapes::to_json(&shapes::GetKeyRotationStatusOutput {
                key_rotation_enabled: s.key_rotation_enabled,
                key_id: s.key_arn,
                rotation_period_in_days: s.rotation_period_days,
                next_rotation_date: s.next_rotation_date.map(epoch_seconds),
                on_demand_rotation_start_date: s.on_demand_rotation_start_date.map(epoch_seconds),
            }))
        }
        Operation::RotateKeyOnDemand => {
            let key_id = key_id_only(input)?;
            let arn = kms.rotate_key_on_demand(caller, &key_id).map_err(k)?;
            out(shapes::to_json(&shapes::KeyIdOutput { key_id: arn }))
        }
        Operation::ListKeyRotations => {
            let i: shapes::ListKeyRotationsInput = decode(input)?;
            Constraints::default()
                .required(&i.key_id, "keyId")
                .key_id(i.key_id.as_deref(), "keyId")
                .marker(i.marker.as_deref())
                .check()?;
            let key_id = present(i.key_id, "keyId")?;
            let page = kms
                .list_key_rotations(
                    caller,
                    &key_id,
                    i.include_key_material.as_deref(),
                    i.limit,
                    i.marker.as_deref(),
                )
                .map_err(k)?;
            let rotations = page
                .rotations
                .into_iter()
                .map(|r| shapes::RotationEntry {
                    key_id: r.key_arn,
                    key_material_id: r.key_material_id,
                    key_material_state: r.key_material_state,
                    rotation_date: r.rotation_date.map(epoch_seconds),
                    rotation_type: r.rotation_type,
                    key_material_description: r.key_material_description,
                    import_state: r.import_state,
                    expiration_model: r.expiration_model,
                    valid_to: r.valid_to.map(epoch_seconds),
                })
                .collect();
            out(shapes::to_json(&shapes::Page::new(
                shapes::Rotations { rotations },
                page.next_marker,
            )))
        }
        Operation::Sign => asymmetric::sign(kms, caller, input, request_id),
        Operation::Verify => asymmetric::verify(kms, caller, input, request_id),
        Operation::GenerateMac => asymmetric::generate_mac(kms, caller, input, request_id),
        Operation::VerifyMac => asymmetric::verify_mac(kms, caller, input, request_id),
        Operation::GetPublicKey => asymmetric::get_public_key(kms, caller, input, request_id),
        Operation::DeriveSharedSecret => {
            asymmetric::derive_shared_secret(kms, caller, input, request_id)
        }
        Operation::GenerateDataKeyPair => {
            asymmetric::generate_data_key_pair(kms, caller, input, request_id)
        }
        Operation::GenerateDataKeyPairWithoutPlaintext => {
            asymmetric::generate_data_key_pair_without_plaintext(kms, caller, input, request_id)
        }
        Operation::CreateGrant => grants::create_grant(kms, caller, input, request_id),
        Operation::ListGrants => grants::list_grants(kms, caller, input, request_id),
        Operation::ListRetirableGrants => {
            grants::list_retirable_grants(kms, caller, input, request_id)
        }
        Operation::RetireGrant => grants::retire_grant(kms, caller, input, request_id),
        Operation::RevokeGrant => grants::revoke_grant(kms, caller, input, request_id),
        Operation::GetParametersForImport => {
            asymmetric::get_parameters_for_import(kms, caller, input, request_id)
        }
        Operation::ImportKeyMaterial => {
            asymmetric::import_key_material(kms, caller, input, request_id)
        }
        Operation::DeleteImportedKeyMaterial => {
            asymmetric::delete_imported_key_material(kms, caller, input, request_id)
        }
        Operation::ConnectCustomKeyStore
        | Operation::CreateCustomKeyStore
        | Operation::DeleteCustomKeyStore
        | Operation::DescribeCustomKeyStores
        | Operation::DisconnectCustomKeyStore
        | Operation::GetKeyLastUsage
        | Operation::ReplicateKey
        | Operation::UpdateCustomKeyStore
        | Operation::UpdatePrimaryRegion => Err(AwsError::unsupported_operation(op.name())),
    }
}

/// Decodes a request body straight into the operation's input shape (blobs are decoded
/// from the body's own text); a body that is not one JSON object, or a member of the
/// wrong type, is a SerializationException.
pub(crate) fn decode<'a, T: Deserialize<'a>>(input: &'a [u8]) -> Result<T, AwsError> {
    let input = shapes::json_body(input);
    // A derived input also reads a JSON array, by position: only an object is a request.
    if input.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(AwsError::serialization());
    }
    serde_json::from_slice(input).map_err(|_| AwsError::serialization())
}

/// The `KeyId` of a request that has nothing else.
fn key_id_only(input: &[u8]) -> Result<String, AwsError> {
    let i: shapes::KeyIdInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .check()?;
    present(i.key_id, "keyId")
}

/// A key and a page (ListResourceTags, ListKeyPolicies).
fn key_page(input: &[u8]) -> Result<(String, Option<i64>, Option<String>), AwsError> {
    let i: shapes::KeyPageInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .marker(i.marker.as_deref())
        .check()?;
    Ok((present(i.key_id, "keyId")?, i.limit, i.marker))
}

/// CreateAlias and UpdateAlias: the alias name and the target key.
fn alias_input(input: &[u8]) -> Result<(String, String), AwsError> {
    let i: shapes::AliasInput = decode(input)?;
    Constraints::default()
        .required(&i.alias_name, "aliasName")
        .required(&i.target_key_id, "targetKeyId")
        .key_id(i.target_key_id.as_deref(), "targetKeyId")
        .check()?;
    Ok((present(i.alias_name, "aliasName")?, present(i.target_key_id, "targetKeyId")?))
}

/// GenerateDataKey and GenerateDataKeyWithoutPlaintext, and the request's `Recipient`.
fn data_key_request(input: &[u8]) -> Result<(GenerateDataKeyRequest, Option<Value>), AwsError> {
    let i: shapes::GenerateDataKeyInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .grant_tokens(i.grant_tokens.as_deref())
        .check()?;
    let req = GenerateDataKeyRequest {
        key_id: present(i.key_id, "keyId")?,
        encryption_context: i.encryption_context.unwrap_or_default(),
        number_of_bytes: i.number_of_bytes,
        key_spec: i.key_spec,
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        dry_run: i.dry_run.unwrap_or(false),
    };
    Ok((req, i.recipient))
}

/// A `Recipient` (an attested enclave) is not supported: refusing it is the only safe
/// answer, as ignoring it would return in the clear what the caller wanted sealed.
pub(crate) fn no_recipient(recipient: Option<&Value>) -> Result<(), AwsError> {
    match recipient {
        None | Some(Value::Null) => Ok(()),
        Some(_) => Err(AwsError::new(
            "UnsupportedOperationException",
            "Recipient is not supported by this server.",
        )),
    }
}
