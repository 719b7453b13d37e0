//! CreateKey: a new key of any spec with its first key material (none yet when the
//! material is to be imported), key policy and tags.

use coffer_crypto::{KeySpec, KeyUsage, generate_material, seal};
use coffer_policy::{Dialect, Policy};
use coffer_store::{KeyRecord, KeyVersion, Tag};

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::key::{KeyMetadata, KeyState};
use crate::key_ref::key_arn;
use crate::{Kms, ops};

/// CreateKey's request.
#[derive(Clone, Debug, Default)]
pub struct CreateKeyRequest {
    /// The key policy; the default key policy when absent.
    pub policy: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// The key usage (ENCRYPT_DECRYPT by default).
    pub key_usage: Option<String>,
    /// The key spec (SYMMETRIC_DEFAULT by default).
    pub key_spec: Option<String>,
    /// The origin (AWS_KMS by default).
    pub origin: Option<String>,
    /// Skip the lockout safety check.
    pub bypass_policy_lockout_safety_check: bool,
    /// Tags.
    pub tags: Vec<Tag>,
    /// A multi-Region key.
    pub multi_region: bool,
}

/// The key specs AWS lists for CreateKey (the model's enum).
const KEY_SPECS: &str = "[RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519, SM2]";
const KEY_USAGES: &str = "[ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]";
const ORIGINS: &str = "[AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]";

/// The key policy of a key created without one, as GetKeyPolicy returns it.
pub fn default_key_policy(account: &str) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {{\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"arn:aws:iam::{account}:root\"\n    }},\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  }} ]\n}}"
    )
}

/// Checks a key policy's text as CreateKey and PutKeyPolicy do.
pub(crate) fn check_policy_text(text: &str) -> Result<Policy, KmsError> {
    if text.len() > 32_768 {
        return Err(KmsError::LimitExceeded {
            message: "The key policy exceeds the maximum allowed size of 32768 bytes.".into(),
        });
    }
    if text
        .chars()
        .any(|c| !(c == '\t' || c == '\n' || c == '\r' || ('\u{20}'..='\u{ff}').contains(&c)))
    {
        return Err(KmsError::MalformedPolicy {
            message: "The key policy contains characters that are not allowed.".into(),
        });
    }
    Policy::parse(Dialect::Aws, text).map_err(|e| KmsError::MalformedPolicy {
        message: format!("The key policy is malformed: {e}"),
    })
}

/// Checks tags as TagResource and CreateKey do.
pub(crate) fn check_tags(tags: &[Tag]) -> Result<(), KmsError> {
    if tags.len() > 50 {
        return Err(KmsError::Tag { message: "Too many tags".into() });
    }
    let mut seen = std::collections::HashSet::new();
    for (i, t) in tags.iter().enumerate() {
        let n = i + 1;
        if t.key.is_empty() || t.key.chars().count() > 128 {
            return Err(ops::constraint(
                &t.key,
                &format!("tags.{n}.member.tagKey"),
                "Member must have length less than or equal to 128",
            ));
        }
        if t.value.chars().count() > 256 {
            return Err(ops::constraint(
                &t.value,
                &format!("tags.{n}.member.tagValue"),
                "Member must have length less than or equal to 256",
            ));
        }
        if t.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(KmsError::Tag { message: "Tags beginning with aws: are reserved".into() });
        }
        if !seen.insert(t.key.as_str()) {
            return Err(KmsError::Tag { message: "Duplicate tag keys".into() });
        }
    }
    Ok(())
}

impl Kms {
    /// CreateKey.
    pub fn create_key(
        &self,
        caller: &Caller,
        req: CreateKeyRequest,
    ) -> Result<KeyMetadata, KmsError> {
        let spec_name = req.key_spec.clone().unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
        if !KEY_SPECS.trim_matches(['[', ']']).split(", ").any(|s| s == spec_name) {
            return Err(ops::constraint(
                &spec_name,
                "keySpec",
                &format!("Member must satisfy enum value set: {KEY_SPECS}"),
            ));
        }
        let usage = req.key_usage.clone().unwrap_or_else(|| "ENCRYPT_DECRYPT".into());
        if !KEY_USAGES.trim_matches(['[', ']']).split(", ").any(|s| s == usage) {
            return Err(ops::constraint(
                &usage,
                "keyUsage",
                &format!("Member must satisfy enum value set: {KEY_USAGES}"),
            ));
        }
        let origin = req.origin.clone().unwrap_or_else(|| "AWS_KMS".into());
        if !ORIGINS.trim_matches(['[', ']']).split(", ").any(|s| s == origin) {
            return Err(ops::constraint(
                &origin,
                "origin",
                &format!("Member must satisfy enum value set: {ORIGINS}"),
            ));
        }
        let Some(spec) = KeySpec::parse(&spec_name) else {
            return Err(KmsError::Unsupported {
                message: format!("KeySpec {spec_name} is not supported by this server yet."),
            });
        };
        // AWS: only symmetric encryption keys may leave KeyUsage out.
        if req.key_usage.is_none() && spec != KeySpec::SymmetricDefault {
            return Err(KmsError::validation(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
            ));
        }
        let fits = KeyUsage::parse(&usage).is_some_and(|u| spec.supports(u));
        if !fits {
            return Err(KmsError::validation(format!(
                "KeyUsage {usage} is not compatible with KeySpec {spec_name}"
            )));
        }
        if origin != "AWS_KMS" && origin != "EXTERNAL" {
            return Err(KmsError::Unsupported {
                message: format!("Origin {origin} is not supported by this server yet."),
            });
        }
        if req.multi_region {
            return Err(KmsError::Unsupported {
                message: "Multi-Region keys are not supported by this server yet.".into(),
            });
        }
        let description = req.description.clone().unwrap_or_default();
        if description.chars().count() > 8192 {
            return Err(ops::constraint(
                "...",
                "description",
                "Member must have length less than or equal to 8192",
            ));
        }
        check_tags(&req.tags)?;
        let candidate = req.policy.as_deref().map(check_policy_text).transpose()?;
        let policy_text = req.policy.clone().unwrap_or_else(|| default_key_policy(&caller.account));

        // Request parameters are keys even when they take their default; the key does
        // not exist yet, so no key-resource key (`aws:ResourceTag/<k>`, ...) is present.
        // `aws:TagKeys` is present, and empty without tags, as CreateKey accepts tags.
        let mut ask = Ask::on("kms:CreateKey", "*")
            .with("kms:KeySpec", spec_name.clone())
            .with("kms:KeyUsage", usage.clone())
            .with("kms:KeyOrigin", origin.clone())
            .with("kms:MultiRegion", if req.multi_region { "true" } else { "false" })
            .with(
                "kms:BypassPolicyLockoutSafetyCheck",
                if req.bypass_policy_lockout_safety_check { "true" } else { "false" },
            );
        for t in &req.tags {
            ask.context.set(&format!("aws:RequestTag/{}", t.key), t.value.clone());
        }
        ask = ask.with_multi("aws:TagKeys", req.tags.iter().map(|t| t.key.clone()).collect());
        self.authorize(caller, ask)?;

        // A key whose material is imported has none until the first import.
        let external = origin == "EXTERNAL";
        let key_id = uuid::Builder::from_random_bytes(self.random_array()?).into_uuid().to_string();
        let arn = key_arn(&caller.region, &caller.account, &key_id);
        let now = self.now_millis();
        let record = KeyRecord {
            account: caller.account.clone(),
            region: caller.region.clone(),
            key_id: key_id.clone(),
            arn: arn.clone(),
            description,
            key_usage: usage,
            key_spec: spec_name,
            origin,
            key_state: if external { KeyState::PendingImport } else { KeyState::Enabled }
                .as_str()
                .into(),
            creation_date: now,
            deletion_date: None,
            pending_window_days: None,
            policy: policy_text,
            rotation_enabled: false,
            rotation_period_days: None,
            next_rotation_date: None,
            current_version: 0,
            on_demand_rotations: 0,
            revision: 0,
        };
        if let (Some(policy), false) = (&candidate, req.bypass_policy_lockout_safety_check) {
            // The new policy must let the caller change it later; checked before anything
            // is stored, so a refused key never exists.
            self.check_lockout(caller, &record, policy)?;
        }
        let sealed = if external {
            ops::import_key_material::NO_MATERIAL.to_vec()
        } else {
            let material =
                generate_material(spec, self.rng.as_ref()).map_err(KmsError::internal)?;
            seal(&self.root, &Self::seal_identity(&arn, 0), &material, self.rng.as_ref())
                .map_err(KmsError::internal)?
        };
        let first = KeyVersion {
            key_id: key_id.clone(),
            version: 0,
            sealed_material: sealed,
            created: now,
            rotation_type: None,
        };
        let stored = self.store.create_key(&record, &first, &req.tags)?;
        caller.add_resource(&stored.arn);
        Ok(KeyMetadata::of(&stored))
    }

    /// The lockout safety check of CreateKey and PutKeyPolicy: `policy` must allow the
    /// caller a later PutKeyPolicy on `key`.
    pub(crate) fn check_lockout(
        &self,
        caller: &Caller,
        key: &KeyRecord,
        policy: &Policy,
    ) -> Result<(), KmsError> {
        match self
            .authorize(caller, Ask::on_key("kms:PutKeyPolicy", key).with_candidate_policy(policy))
        {
            Ok(_) => Ok(()),
            Err(KmsError::AccessDenied { .. }) => Err(KmsError::MalformedPolicy {
                message:
                    "The new key policy will not allow you to update the key policy in the future."
                        .into(),
            }),
            Err(other) => Err(other),
        }
    }

    /// 16 random bytes.
    pub(crate) fn random_array(&self) -> Result<[u8; 16], KmsError> {
        let mut b = [0u8; 16];
        self.rng.fill(&mut b).map_err(KmsError::internal)?;
        Ok(b)
    }
}
