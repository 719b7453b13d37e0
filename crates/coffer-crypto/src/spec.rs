//! Key specs: what kind of key a KMS key is, and how its material is made.
//!
//! The names are the ones the clouds' APIs use (`SYMMETRIC_DEFAULT` is a 256-bit AES-GCM
//! key). Only the symmetric default spec exists so far; asymmetric, HMAC and SM specs join
//! this enum as their algorithms land.

use crate::error::CryptoError;
use crate::random::{SecureRandom, random_secret};
use crate::secret::Secret;

/// The kind of a key, which fixes its material and the algorithms it may be used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySpec {
    /// A 256-bit AES key used with AES-256-GCM through the ciphertext blob.
    SymmetricDefault,
}

impl KeySpec {
    /// Every spec this build supports, in a stable order.
    pub const ALL: &'static [KeySpec] = &[KeySpec::SymmetricDefault];

    /// The spec's API name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySpec::SymmetricDefault => "SYMMETRIC_DEFAULT",
        }
    }

    /// The spec with API name `name` (exact, case-sensitive, as the APIs are), if supported.
    pub fn parse(name: &str) -> Option<KeySpec> {
        KeySpec::ALL.iter().copied().find(|spec| spec.as_str() == name)
    }

    /// The length in bytes of freshly generated key material.
    pub fn material_len(self) -> usize {
        match self {
            KeySpec::SymmetricDefault => 32,
        }
    }

    /// The API names of the encryption algorithms keys of this spec accept.
    pub fn encryption_algorithms(self) -> &'static [&'static str] {
        match self {
            KeySpec::SymmetricDefault => &["SYMMETRIC_DEFAULT"],
        }
    }
}

/// New key material for `spec`, drawn from `rng`.
pub fn generate_material(spec: KeySpec, rng: &dyn SecureRandom) -> Result<Secret, CryptoError> {
    match spec {
        KeySpec::SymmetricDefault => random_secret(rng, spec.material_len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SystemRandom;
    use crate::random::testing::{CounterRandom, FailingRandom};

    #[test]
    fn names_round_trip() {
        for &spec in KeySpec::ALL {
            assert_eq!(KeySpec::parse(spec.as_str()), Some(spec));
        }
        assert_eq!(KeySpec::SymmetricDefault.as_str(), "SYMMETRIC_DEFAULT");
    }

    #[test]
    fn unknown_and_miscased_names_are_rejected() {
        for name in ["", "symmetric_default", "SYMMETRIC_DEFAULT ", "RSA_2048", "AES_256"] {
            assert_eq!(KeySpec::parse(name), None, "{name:?}");
        }
    }

    #[test]
    fn symmetric_default_facts() {
        let spec = KeySpec::SymmetricDefault;
        assert_eq!(spec.material_len(), 32);
        assert_eq!(spec.encryption_algorithms(), &["SYMMETRIC_DEFAULT"]);
    }

    #[test]
    fn generated_material_has_the_spec_length() {
        let material = generate_material(KeySpec::SymmetricDefault, &SystemRandom).unwrap();
        assert_eq!(material.len(), 32);
        let counted = generate_material(KeySpec::SymmetricDefault, &CounterRandom::new(0)).unwrap();
        assert_eq!(counted.expose(), (0u8..32).collect::<Vec<_>>());
    }

    #[test]
    fn generation_reports_a_failed_random_source() {
        assert_eq!(
            generate_material(KeySpec::SymmetricDefault, &FailingRandom).unwrap_err(),
            CryptoError::Random
        );
    }
}
