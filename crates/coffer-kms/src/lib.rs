//! Coffer's key management service: dialect-neutral operations on keys.
//!
//! Owns: one method per operation (`Kms::encrypt`, `Kms::create_key`, ...), each taking
//! the same steps — resolve the key, authorize with `coffer-policy`, check the key's
//! state, act, and leave the decision on the caller for the audit event; key states and
//! transitions; deletion and rotation schedules driven by an injected clock; identities;
//! the audit trail. Never: HTTP, JSON wire shapes or signature schemes — the front doors
//! in `coffer-server` translate and delegate.
//!
//! Flow of one request: the front door verifies the signature with
//! [`Kms::access_key_secret`], asks [`Kms::caller`] for the verified [`Caller`], maps the
//! wire request to an operation request, calls the operation and renders its result.
//!
//! ```
//! use std::sync::Arc;
//! use coffer_kms::{Kms, clock::ManualClock, iam::Identities, audit::MemoryAudit};
//! use coffer_crypto::{Secret, SystemRandom, RootKey};
//! use coffer_store::SqliteStore;
//!
//! let ids = Identities::single_root("111122223333", "AKIAEXAMPLEEXAMPLE01", Secret::new(b"example-secret-0123456789".to_vec()));
//! let root = RootKey::from_secret(Secret::new(vec![7; 32])).unwrap();
//! let kms = Kms::new(Arc::new(SqliteStore::open_in_memory().unwrap()), root, Arc::new(SystemRandom),
//!                    Arc::new(ManualClock::new(1_700_000_000_000)), ids, Arc::new(MemoryAudit::default()));
//! let caller = kms.caller("AKIAEXAMPLEEXAMPLE01", "us-east-1", None, false, None).unwrap();
//! let key = kms.create_key(&caller, coffer_kms::ops::create_key::CreateKeyRequest::default()).unwrap();
//! let ct = kms.encrypt(&caller, coffer_kms::ops::encrypt::EncryptRequest {
//!     key_id: key.arn.clone(), plaintext: Secret::new(b"hello".to_vec()), ..Default::default() }).unwrap();
//! let pt = kms.decrypt(&caller, coffer_kms::ops::decrypt::DecryptRequest {
//!     ciphertext: ct.ciphertext, ..Default::default() }).unwrap();
//! assert_eq!(pt.plaintext.expose(), b"hello");
//! ```

pub mod audit;
pub mod authz;
mod cache;
pub mod caller;
pub mod clock;
pub mod err;
pub mod iam;
pub mod key;
pub mod key_ref;
pub mod ops;
pub mod schedule;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use coffer_crypto::{RootKey, SecureRandom};
use coffer_policy::Policy;
use coffer_policy::decide::PolicySet;
use coffer_store::{KeyRecord, Store};

pub use caller::Caller;
pub use coffer_crypto::Secret;
pub use coffer_store::Tag;
pub use err::KmsError;

use crate::audit::AuditSink;
use crate::clock::Clock;
use crate::iam::Identities;
use crate::key_ref::{KeyRef, alias_arn, key_arn};

/// The service.
pub struct Kms {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) root: RootKey,
    pub(crate) rng: Arc<dyn SecureRandom>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) identities: Identities,
    audit: Arc<dyn AuditSink>,
    pub(crate) policy_cache: Mutex<HashMap<(String, u64), Arc<Policy>>>,
    /// Policy sets by principal and (key ARN, key revision).
    pub(crate) policy_sets: Mutex<HashMap<authz::PolicySetKey, Arc<PolicySet>>>,
    materials: Mutex<HashMap<(String, u32), Arc<Secret>>>,
}

impl Kms {
    /// A service over a store, with the root key that seals key material.
    pub fn new(
        store: Arc<dyn Store>,
        root: RootKey,
        rng: Arc<dyn SecureRandom>,
        clock: Arc<dyn Clock>,
        identities: Identities,
        audit: Arc<dyn AuditSink>,
    ) -> Kms {
        // Every call reads the key, its tags and its aliases: keep them in memory.
        let store = Arc::new(cache::CachedStore::new(store, Arc::clone(&clock)));
        Kms {
            store,
            root,
            rng,
            clock,
            identities,
            audit,
            policy_cache: Mutex::new(HashMap::new()),
            policy_sets: Mutex::new(HashMap::new()),
            materials: Mutex::new(HashMap::new()),
        }
    }

    /// The secret of an access key, for the front door's signature check.
    pub fn access_key_secret(&self, access_key_id: &str) -> Option<&Secret> {
        self.identities.access_key(access_key_id).map(|k| &k.secret)
    }

    /// The verified caller of a request signed with `access_key_id` (call only after the
    /// signature has been verified with [`Kms::access_key_secret`]).
    pub fn caller(
        &self,
        access_key_id: &str,
        region: &str,
        source_ip: Option<String>,
        secure_transport: bool,
        user_agent: Option<String>,
    ) -> Option<Caller> {
        let key = self.identities.access_key(access_key_id)?;
        let p = &self.identities.principals[key.principal];
        Some(Caller {
            principal: key.principal,
            account: p.account.clone(),
            arn: p.arn.clone(),
            access_key_id: access_key_id.to_owned(),
            region: region.to_owned(),
            source_ip,
            secure_transport,
            user_agent,
            decisions: Mutex::new(Vec::new()),
        })
    }

    /// Appends an audit event; a failure to write is logged, never hidden.
    pub fn record(&self, event: &serde_json::Value) {
        if let Err(e) = self.audit.append(event) {
            tracing::error!(error = %e, "cannot append to the audit log");
        }
    }

    /// Now, epoch milliseconds.
    pub fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Resolves a key reference to the stored key.
    pub(crate) fn resolve(
        &self,
        caller: &Caller,
        input: &str,
    ) -> Result<(KeyRef, KeyRecord), KmsError> {
        let r = KeyRef::parse(input, &caller.account, &caller.region)?;
        let key = match &r {
            KeyRef::Key { account, region, key_id } => {
                self.store.get_key(account, region, key_id)?.ok_or_else(|| KmsError::NotFound {
                    message: format!("Key '{}' does not exist", key_arn(region, account, key_id)),
                })?
            }
            KeyRef::Alias { account, region, name } => {
                let missing = || KmsError::NotFound {
                    message: format!("Alias {} is not found.", alias_arn(region, account, name)),
                };
                let alias = self.store.get_alias(account, region, name)?.ok_or_else(missing)?;
                self.store.get_key(account, region, &alias.target_key_id)?.ok_or_else(missing)?
            }
        };
        Ok((r, key))
    }

    /// The identity key material is sealed under: the key's ARN and version.
    pub(crate) fn seal_identity(arn: &str, version: u32) -> Vec<u8> {
        format!("coffer:key-material:v1:{arn}:{version}").into_bytes()
    }

    /// The plaintext material of one version of a key, unsealed once and cached.
    pub(crate) fn material(&self, key: &KeyRecord, version: u32) -> Result<Arc<Secret>, KmsError> {
        let cache_key = (key.arn.clone(), version);
        if let Ok(cache) = self.materials.lock() {
            if let Some(m) = cache.get(&cache_key) {
                return Ok(Arc::clone(m));
            }
        }
        let versions = self.store.key_versions(&key.account, &key.region, &key.key_id)?;
        let v =
            versions.iter().find(|v| v.version == version).ok_or(KmsError::InvalidCiphertext)?;
        if v.sealed_material.is_empty() {
            // Imported material that expired or was deleted.
            return Err(key::KeyState::PendingImport.invalid(&key.arn));
        }
        let m = Arc::new(
            coffer_crypto::unseal(
                &self.root,
                &Self::seal_identity(&key.arn, version),
                &v.sealed_material,
            )
            .map_err(|_| {
                KmsError::internal(format!(
                    "key material of {} version {version} does not unseal",
                    key.arn
                ))
            })?,
        );
        if let Ok(mut cache) = self.materials.lock() {
            cache.insert(cache_key, Arc::clone(&m));
        }
        Ok(m)
    }

    /// Forgets cached material of a key (after deletion).
    pub(crate) fn forget(&self, arn: &str) {
        if let Ok(mut cache) = self.materials.lock() {
            cache.retain(|(a, _), _| a != arn);
        }
    }
}
