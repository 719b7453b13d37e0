//! Key material at rest: sealed under the root key, bound to the key it belongs to.
//!
//! The store never sees key material in the clear, only what [`seal`] returns. The caller
//! names what the material belongs to (for example the key's ARN and version) as the
//! `identity`; it is authenticated but not stored, so sealed material copied onto another
//! key's record, or another version's, fails to unseal instead of quietly becoming that
//! key's material.
//!
//! # Sealed format, version 1
//!
//! ```text
//! offset  length  field
//!      0       1  format version, 0x01
//!      1      12  nonce, random per sealing
//!     13     n+16 AES-256-GCM ciphertext of the n-byte material, then the 16-byte tag
//! ```
//!
//! The associated data is the version byte followed by the identity bytes. The version byte
//! is bound too, so that a later format reusing this layout can never be read as this one.

use crate::aead::{Aes256Gcm, KEY_LEN, NONCE_LEN, TAG_LEN, random_nonce};
use crate::error::CryptoError;
use crate::random::{SecureRandom, random_secret};
use crate::secret::Secret;

/// The format version byte of version 1 sealed material.
pub const SEALED_V1: u8 = 0x01;

/// The shortest well-formed version 1 sealed value: version byte, nonce, tag.
pub const MIN_SEALED_LEN: usize = 1 + NONCE_LEN + TAG_LEN;

/// The key that seals all key material: 32 bytes for AES-256-GCM.
///
/// Comes from a [`RootKeyProvider`](crate::root::RootKeyProvider). Its `Debug` is redacted
/// like every [`Secret`].
#[derive(Debug)]
pub struct RootKey(Secret);

impl RootKey {
    /// Accepts `secret` as a root key if it is exactly 32 bytes.
    pub fn from_secret(secret: Secret) -> Result<RootKey, CryptoError> {
        if secret.len() != KEY_LEN {
            return Err(CryptoError::KeyMaterial("a root key must be 32 bytes"));
        }
        Ok(RootKey(secret))
    }

    /// A fresh random root key.
    pub fn generate(rng: &dyn SecureRandom) -> Result<RootKey, CryptoError> {
        RootKey::from_secret(random_secret(rng, KEY_LEN)?)
    }

    /// An independent copy, for providers that hand out the same key more than once.
    pub fn duplicate(&self) -> RootKey {
        RootKey(self.0.duplicate())
    }

    pub(crate) fn expose(&self) -> &[u8] {
        self.0.expose()
    }
}

fn associated_data(identity: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(1 + identity.len());
    aad.push(SEALED_V1);
    aad.extend_from_slice(identity);
    aad
}

/// Seals `material` under `root`, bound to `identity`.
pub fn seal(
    root: &RootKey,
    identity: &[u8],
    material: &Secret,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new(root.expose())?;
    let nonce = random_nonce(rng)?;
    let sealed = cipher.seal(nonce, &associated_data(identity), material.expose())?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Recovers material sealed by [`seal`] under `root` with the same `identity`.
///
/// Every failure is the same [`CryptoError::Decrypt`].
pub fn unseal(root: &RootKey, identity: &[u8], sealed: &[u8]) -> Result<Secret, CryptoError> {
    if sealed.first() != Some(&SEALED_V1) || sealed.len() < MIN_SEALED_LEN {
        return Err(CryptoError::Decrypt);
    }
    let (nonce, ciphertext_and_tag) = sealed[1..].split_at(NONCE_LEN);
    let nonce = nonce.try_into().map_err(|_| CryptoError::Decrypt)?;
    let cipher = Aes256Gcm::new(root.expose()).map_err(|_| CryptoError::Decrypt)?;
    cipher.open(nonce, &associated_data(identity), ciphertext_and_tag)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::random::SystemRandom;
    use crate::random::testing::{CounterRandom, FailingRandom};
    use crate::testing::unhex;

    // The golden fixture: made once, independently of this crate, from the format above.
    // The sealed material is the blob module's golden material. Never to be changed.
    const GOLDEN_ROOT: &str = "a0c8f60c0a024b212c7cfa51707916cd18cec9bbe6055a76a3611bfa61ca9899";
    const GOLDEN_IDENTITY: &[u8] =
        b"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab:258";
    const GOLDEN_MATERIAL: &str =
        "b673c94e9d20061b75661591e5e4f8876b5049016a626b89dbdb58e66f1f9a36";
    const GOLDEN_SEALED: &str = "01606162636465666768696a6b8720c1a46ed758c98356666a0f863c48e49dcb\
        385a4596b260aba5eb3b90c70c747941c3a50f5a2acdf3e4e364a1a166";

    fn golden_root() -> RootKey {
        RootKey::from_secret(Secret::new(unhex(GOLDEN_ROOT))).unwrap()
    }

    #[test]
    fn golden_fixture_unseals() {
        let material = unseal(&golden_root(), GOLDEN_IDENTITY, &unhex(GOLDEN_SEALED)).unwrap();
        assert_eq!(material.expose(), unhex(GOLDEN_MATERIAL));
    }

    #[test]
    fn golden_fixture_is_reproduced_by_seal() {
        let material = Secret::new(unhex(GOLDEN_MATERIAL));
        let sealed =
            seal(&golden_root(), GOLDEN_IDENTITY, &material, &CounterRandom::new(0x60)).unwrap();
        assert_eq!(sealed, unhex(GOLDEN_SEALED));
    }

    #[test]
    fn another_identity_is_rejected() {
        let root = golden_root();
        let sealed = unhex(GOLDEN_SEALED);
        let others: [&[u8]; 4] = [
            b"",
            b"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab:257",
            b"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab:2580",
            b"\x01arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab:258",
        ];
        for identity in others {
            assert_eq!(unseal(&root, identity, &sealed).unwrap_err(), CryptoError::Decrypt);
        }
    }

    #[test]
    fn another_root_key_is_rejected() {
        let other = RootKey::generate(&SystemRandom).unwrap();
        assert_eq!(
            unseal(&other, GOLDEN_IDENTITY, &unhex(GOLDEN_SEALED)).unwrap_err(),
            CryptoError::Decrypt
        );
    }

    #[test]
    fn every_single_byte_change_and_truncation_is_rejected() {
        let root = golden_root();
        let sealed = unhex(GOLDEN_SEALED);
        for index in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[index] ^= 0x01;
            assert_eq!(
                unseal(&root, GOLDEN_IDENTITY, &tampered).unwrap_err(),
                CryptoError::Decrypt
            );
        }
        for len in 0..sealed.len() {
            assert_eq!(
                unseal(&root, GOLDEN_IDENTITY, &sealed[..len]).unwrap_err(),
                CryptoError::Decrypt
            );
        }
    }

    #[test]
    fn root_key_must_be_32_bytes() {
        for len in [0, 16, 31, 33] {
            assert!(matches!(
                RootKey::from_secret(Secret::new(vec![0; len])),
                Err(CryptoError::KeyMaterial(_))
            ));
        }
    }

    #[test]
    fn root_key_debug_is_redacted() {
        let root = RootKey::from_secret(Secret::new(vec![0xAB; 32])).unwrap();
        assert_eq!(format!("{root:?}"), "RootKey(Secret([REDACTED; 32 bytes]))");
    }

    #[test]
    fn seal_reports_a_failed_random_source() {
        let material = Secret::new(vec![1; 32]);
        assert_eq!(
            seal(&golden_root(), b"id", &material, &FailingRandom).unwrap_err(),
            CryptoError::Random
        );
    }

    proptest! {
        #[test]
        fn unseal_inverts_seal(
            material in proptest::collection::vec(any::<u8>(), 0..256),
            identity in proptest::collection::vec(any::<u8>(), 0..128),
            seed in any::<u64>(),
        ) {
            let rng = CounterRandom::new(seed);
            let root = RootKey::generate(&rng).unwrap();
            let sealed = seal(&root, &identity, &Secret::new(material.clone()), &rng).unwrap();
            prop_assert_eq!(sealed.len(), MIN_SEALED_LEN + material.len());
            prop_assert_eq!(sealed[0], SEALED_V1);
            let unsealed = unseal(&root, &identity, &sealed).unwrap();
            prop_assert_eq!(unsealed.expose(), &material[..]);
        }

        #[test]
        fn a_different_identity_never_unseals(
            identity in proptest::collection::vec(any::<u8>(), 0..64),
            other in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            prop_assume!(identity != other);
            let root = RootKey::generate(&SystemRandom).unwrap();
            let sealed = seal(&root, &identity, &Secret::new(vec![7; 32]), &SystemRandom).unwrap();
            prop_assert_eq!(unseal(&root, &other, &sealed).unwrap_err(), CryptoError::Decrypt);
        }
    }
}
