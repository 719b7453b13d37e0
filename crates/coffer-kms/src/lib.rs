//! Coffer's key management service: dialect-neutral operations on keys.
//!
//! Owns: one method per operation (`Kms::encrypt`, `Kms::create_key`, ...), each taking
//! the same steps — resolve the key, authorize with `coffer-policy`, check the key's
//! state, act, and leave the decision on the caller for the audit event; key states and
//! transitions; deletion and rotation schedules driven by an injected clock; identities;
//! STS role sessions and their temporary credentials ([`sts`]); the audit trail. Never: HTTP, JSON wire shapes or signature schemes — the front doors
//! in `coffer-server` translate and delegate.
//!
//! Flow of one request: the front door verifies the signature with the secret of the
//! [`Kms::credential`] the request names, asks [`Kms::authenticate`] (which checks an STS
//! session's token) for the verified [`Caller`], maps the
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
pub mod condition_keys;
pub mod err;
pub mod iam;
pub mod key;
pub mod key_ref;
pub mod ops;
pub mod schedule;
pub mod simulate;
pub mod sts;

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
    /// The same store as `store`, for the reads that share cached records.
    cached: Arc<cache::CachedStore>,
    pub(crate) root: RootKey,
    pub(crate) rng: Arc<dyn SecureRandom>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) identities: Identities,
    audit: Arc<dyn AuditSink>,
    pub(crate) policy_cache: Mutex<HashMap<(String, u64), Arc<Policy>>>,
    /// Policy sets by principal, (key ARN, key revision) and, for an STS session with its
    /// own session policy, the session's access key id.
    pub(crate) policy_sets: Mutex<HashMap<authz::PolicySetKey, Arc<PolicySet>>>,
    /// The global condition keys of each principal, by its index.
    pub(crate) principal_keys: Vec<Arc<coffer_policy::Context>>,
    /// The condition keys of each key, and which keys each policy set in use can read.
    pub(crate) key_keys: condition_keys::KeyKeysCache,
    /// Unsealed key material, by key ARN and version.
    materials: VersionCache<Secret>,
    /// Parsed private keys of asymmetric signing keys, by key ARN and version.
    signers: VersionCache<coffer_crypto::SigningKey>,
    /// Parsed private keys of asymmetric encryption keys, by key ARN and version.
    decrypters: VersionCache<coffer_crypto::DecryptingKey>,
    /// Public keys (DER SubjectPublicKeyInfo) of asymmetric keys, by key ARN and version.
    public_keys: VersionCache<[u8]>,
    /// The live STS sessions.
    pub(crate) sessions: sts::Sessions,
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
        let cached = Arc::new(cache::CachedStore::new(store, Arc::clone(&clock)));
        let store: Arc<dyn Store> = Arc::clone(&cached) as Arc<dyn Store>;
        // Identities do not change while the service runs: each principal's keys are
        // computed once.
        let principal_keys = identities
            .principals
            .iter()
            .map(|p| Arc::new(condition_keys::principal_keys(&identities, p)))
            .collect();
        Kms {
            store,
            cached,
            root,
            rng,
            clock,
            identities,
            audit,
            policy_cache: Mutex::new(HashMap::new()),
            policy_sets: Mutex::new(HashMap::new()),
            principal_keys,
            key_keys: condition_keys::KeyKeysCache::default(),
            materials: Mutex::new(HashMap::new()),
            signers: Mutex::new(HashMap::new()),
            decrypters: Mutex::new(HashMap::new()),
            public_keys: Mutex::new(HashMap::new()),
            sessions: sts::Sessions::default(),
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
        let (id, key) = self.identities.access_key_entry(access_key_id)?;
        let credential = sts::Credential::LongTerm { id, key };
        self.authenticate(&credential, None, region, source_ip, secure_transport, user_agent).ok()
    }

    /// Appends a call's audit event before its answer leaves.
    ///
    /// A failure to write fails a call that changed nothing (a read, a cryptographic
    /// operation): its answer — a plaintext, a signature, a data key — must not leave
    /// without its event; the front door logs the internal error with its request id. A
    /// call that changed something has happened, and its answer must say so: refusing it
    /// would invite a retry of a change already made (a second key, a second grant), so it
    /// answers as done and the failure is logged here.
    pub fn record(&self, event: &audit::Event<'_>) -> Result<(), KmsError> {
        match self.audit.append(&event.to_json()) {
            Ok(()) => Ok(()),
            Err(e) if event.read_only() => {
                Err(KmsError::internal(format!("the audit log refused an event: {e}")))
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot append a change's event to the audit log");
                Ok(())
            }
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
    ) -> Result<(KeyRef, Arc<KeyRecord>), KmsError> {
        if let Some(kept) = caller.take_resolved(input) {
            return Ok(kept);
        }
        let r = KeyRef::parse(input, &caller.account, &caller.region)?;
        let key = match &r {
            KeyRef::Key { account, region, key_id } => self
                .cached
                .get_key_shared(account, region, key_id)?
                .ok_or_else(|| KmsError::NotFound {
                    message: format!("Key '{}' does not exist", key_arn(region, account, key_id)),
                })?,
            KeyRef::Alias { account, region, name } => {
                let missing = || KmsError::NotFound {
                    message: format!("Alias {} is not found.", alias_arn(region, account, name)),
                };
                let alias = self.store.get_alias(account, region, name)?.ok_or_else(missing)?;
                self.cached
                    .get_key_shared(account, region, &alias.target_key_id)?
                    .ok_or_else(missing)?
            }
        };
        Ok((r, key))
    }

    /// [`Self::resolve`] for a call that changes the key: its own copy of the record.
    pub(crate) fn resolve_owned(
        &self,
        caller: &Caller,
        input: &str,
    ) -> Result<(KeyRef, KeyRecord), KmsError> {
        let (r, key) = self.resolve(caller, input)?;
        Ok((r, Arc::unwrap_or_clone(key)))
    }

    /// The identity key material is sealed under: the key's ARN and version.
    pub(crate) fn seal_identity(arn: &str, version: u32) -> Vec<u8> {
        format!("coffer:key-material:v1:{arn}:{version}").into_bytes()
    }

    /// The plaintext material of one version of a key, unsealed once and cached.
    pub(crate) fn material(&self, key: &KeyRecord, version: u32) -> Result<Arc<Secret>, KmsError> {
        derived(&self.materials, key, version, || {
            let versions = self.store.key_versions(&key.account, &key.region, &key.key_id)?;
            let v = versions
                .iter()
                .find(|v| v.version == version)
                .ok_or(KmsError::InvalidCiphertext)?;
            if v.sealed_material.is_empty() {
                // Imported material that expired or was deleted.
                return Err(key::KeyState::PendingImport.invalid(&key.arn));
            }
            let material = coffer_crypto::unseal(
                &self.root,
                &Self::seal_identity(&key.arn, version),
                &v.sealed_material,
            )
            .map_err(|_| {
                KmsError::internal(format!(
                    "key material of {} version {version} does not unseal",
                    key.arn
                ))
            })?;
            Ok(Arc::new(material))
        })
    }

    /// The parsed private key of one version of an asymmetric signing key, read once from
    /// its material: reading a PKCS#8 key costs more than a signature with it.
    pub(crate) fn signer(
        &self,
        key: &KeyRecord,
        version: u32,
        spec: coffer_crypto::KeySpec,
    ) -> Result<Arc<coffer_crypto::SigningKey>, KmsError> {
        derived(&self.signers, key, version, || {
            let material = self.material(key, version)?;
            coffer_crypto::SigningKey::from_pkcs8(spec, &material)
                .map(Arc::new)
                .map_err(crate::ops::asymmetric::from_crypto)
        })
    }

    /// The parsed private key of one version of an asymmetric encryption key, read once
    /// from its material, as [`Kms::signer`] reads a signing key.
    pub(crate) fn decrypter(
        &self,
        key: &KeyRecord,
        version: u32,
        spec: coffer_crypto::KeySpec,
    ) -> Result<Arc<coffer_crypto::DecryptingKey>, KmsError> {
        derived(&self.decrypters, key, version, || {
            let material = self.material(key, version)?;
            coffer_crypto::DecryptingKey::from_pkcs8(spec, &material)
                .map(Arc::new)
                .map_err(crate::ops::asymmetric::from_crypto)
        })
    }

    /// The public key of one version of an asymmetric key, derived once from its material.
    pub(crate) fn public_key(
        &self,
        key: &KeyRecord,
        version: u32,
        spec: coffer_crypto::KeySpec,
    ) -> Result<Arc<[u8]>, KmsError> {
        derived(&self.public_keys, key, version, || {
            let material = self.material(key, version)?;
            coffer_crypto::public_key_spki(spec, &material)
                .map(Arc::from)
                .map_err(crate::ops::asymmetric::from_crypto)
        })
    }

    /// Forgets cached material of a key, and all made from it (after deletion).
    pub(crate) fn forget(&self, arn: &str) {
        forget(&self.materials, arn);
        forget(&self.signers, arn);
        forget(&self.decrypters, arn);
        forget(&self.public_keys, arn);
    }
}

/// What is made from one version of a key, by key ARN, then version (looked up by the
/// borrowed ARN: no copy of it per call).
type VersionCache<T> = Mutex<HashMap<Box<str>, Vec<(u32, Arc<T>)>>>;

/// What a key version's material gives, made once by `make` and kept in `cache`. Material
/// of a version never changes; [`Kms::forget`] drops it all when the key goes.
fn derived<T: ?Sized>(
    cache: &VersionCache<T>,
    key: &KeyRecord,
    version: u32,
    make: impl FnOnce() -> Result<Arc<T>, KmsError>,
) -> Result<Arc<T>, KmsError> {
    let cached = cache.lock().ok().and_then(|c| {
        let versions = c.get(key.arn.as_str())?;
        versions.iter().find(|(v, _)| *v == version).map(|(_, made)| Arc::clone(made))
    });
    if let Some(made) = cached {
        return Ok(made);
    }
    let made = make()?;
    if let Ok(mut c) = cache.lock() {
        let versions = c.entry(key.arn.as_str().into()).or_default();
        if !versions.iter().any(|(v, _)| *v == version) {
            versions.push((version, Arc::clone(&made)));
        }
    }
    Ok(made)
}

/// Drops what a cache holds for a key.
fn forget<T: ?Sized>(cache: &VersionCache<T>, arn: &str) {
    if let Ok(mut c) = cache.lock() {
        c.remove(arn);
    }
}
