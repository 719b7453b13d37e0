//! Where the root key comes from.
//!
//! The service asks a [`RootKeyProvider`] for the root key and seals or unseals key
//! material with it; which provider is used is decided at run time. [`FileRootKey`] keeps
//! the key in a file in the data directory and is the embedded default. This is the only
//! part of the crate that does I/O.

mod file;

pub use file::FileRootKey;

use crate::error::CryptoError;
use crate::seal::RootKey;

/// A source of the root key.
pub trait RootKeyProvider: Send + Sync {
    /// The root key. Providers backed by storage re-read and re-check it on each call.
    fn root_key(&self) -> Result<RootKey, CryptoError>;

    /// Where the key lives, for logs and diagnostics. Never includes key bytes.
    fn describe(&self) -> String;
}

/// A root key held in memory only: for tests and throwaway instances, whose sealed
/// material is unreadable once the process ends.
#[derive(Debug)]
pub struct EphemeralRootKey(RootKey);

impl EphemeralRootKey {
    /// Serves `key`.
    pub fn new(key: RootKey) -> EphemeralRootKey {
        EphemeralRootKey(key)
    }
}

impl RootKeyProvider for EphemeralRootKey {
    fn root_key(&self) -> Result<RootKey, CryptoError> {
        Ok(self.0.duplicate())
    }

    fn describe(&self) -> String {
        "an in-memory root key".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SystemRandom;
    use crate::seal::{seal, unseal};
    use crate::secret::Secret;

    #[test]
    fn ephemeral_provider_serves_the_same_key() {
        let provider = EphemeralRootKey::new(RootKey::generate(&SystemRandom).unwrap());
        let material = Secret::new(vec![3; 32]);
        let sealed = seal(&provider.root_key().unwrap(), b"id", &material, &SystemRandom).unwrap();
        let unsealed = unseal(&provider.root_key().unwrap(), b"id", &sealed).unwrap();
        assert!(unsealed.ct_eq(material.expose()));
        assert!(!provider.describe().is_empty());
        assert!(format!("{provider:?}").contains("REDACTED"));
    }
}
