//! Asymmetric key material: generating key pairs, reading them back from PKCS#8, and the
//! public key as a DER SubjectPublicKeyInfo (what `GetPublicKey` returns).
//!
//! Every asymmetric key is stored as a DER PKCS#8 `PrivateKeyInfo`, the format
//! `GenerateDataKeyPair` hands out and `ImportKeyMaterial` takes in. RSA, ECDSA, Ed25519 and
//! ML-DSA keys are read and written by aws-lc-rs (Ed25519 and ML-DSA in the seed-only form
//! of RFC 8410 and RFC 9881); SM2 keys by RustCrypto's `sm2`, as an `id-ecPublicKey` key on
//! the curve `sm2p256v1`, the form OpenSSL uses.
//!
//! Reading checks the key against its spec: an RSA key must have the spec's modulus size,
//! an EC key the spec's curve, an ML-DSA key the spec's parameter set.

use aws_lc_rs::encoding::{AsBigEndian, AsDer};
use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
use aws_lc_rs::signature::{
    self as aws_signature, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm,
    Ed25519KeyPair, KeyPair, PqdsaKeyPair, PqdsaSigningAlgorithm, PqdsaVerificationAlgorithm,
    RsaKeyPair,
};
use aws_lc_rs::{agreement, digest};
use sm2::elliptic_curve::Generate;
use sm2::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use zeroize::Zeroizing;

use crate::error::{CryptoError, Purpose};
use crate::random::{RandCore, SecureRandom};
use crate::secret::Secret;
use crate::spec::KeySpec;

/// The elliptic curves of the ECDSA specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
    Secp256k1,
}

impl Curve {
    /// ECDSA with the curve's one hash, DER signatures, for signing.
    pub(crate) fn signing(self) -> &'static EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &aws_signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            Curve::P384 => &aws_signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            Curve::P521 => &aws_signature::ECDSA_P521_SHA512_ASN1_SIGNING,
            Curve::Secp256k1 => &aws_signature::ECDSA_P256K1_SHA256_ASN1_SIGNING,
        }
    }

    /// ECDSA with the curve's one hash, DER signatures, for verifying.
    pub(crate) fn verification(self) -> &'static EcdsaVerificationAlgorithm {
        match self {
            Curve::P256 => &aws_signature::ECDSA_P256_SHA256_ASN1,
            Curve::P384 => &aws_signature::ECDSA_P384_SHA384_ASN1,
            Curve::P521 => &aws_signature::ECDSA_P521_SHA512_ASN1,
            Curve::Secp256k1 => &aws_signature::ECDSA_P256K1_SHA256_ASN1,
        }
    }

    /// The hash the curve's one signing algorithm uses.
    pub(crate) fn digest(self) -> &'static digest::Algorithm {
        match self {
            Curve::P256 | Curve::Secp256k1 => &digest::SHA256,
            Curve::P384 => &digest::SHA384,
            Curve::P521 => &digest::SHA512,
        }
    }

    /// ECDH on the curve, where the specs allow key agreement (not on secp256k1).
    pub(crate) fn agreement(self) -> Option<&'static agreement::Algorithm> {
        match self {
            Curve::P256 => Some(&agreement::ECDH_P256),
            Curve::P384 => Some(&agreement::ECDH_P384),
            Curve::P521 => Some(&agreement::ECDH_P521),
            Curve::Secp256k1 => None,
        }
    }
}

/// The ML-DSA parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MlDsaLevel {
    L44,
    L65,
    L87,
}

impl MlDsaLevel {
    fn signing(self) -> &'static PqdsaSigningAlgorithm {
        match self {
            MlDsaLevel::L44 => &aws_signature::ML_DSA_44_SIGNING,
            MlDsaLevel::L65 => &aws_signature::ML_DSA_65_SIGNING,
            MlDsaLevel::L87 => &aws_signature::ML_DSA_87_SIGNING,
        }
    }

    pub(crate) fn verification(self) -> &'static PqdsaVerificationAlgorithm {
        match self {
            MlDsaLevel::L44 => &aws_signature::ML_DSA_44,
            MlDsaLevel::L65 => &aws_signature::ML_DSA_65,
            MlDsaLevel::L87 => &aws_signature::ML_DSA_87,
        }
    }
}

/// How an asymmetric spec's keys are made and used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Rsa(KeySize),
    Ecdsa(Curve),
    Ed25519,
    MlDsa(MlDsaLevel),
    Sm2,
}

/// The family of an asymmetric spec; `None` for symmetric and HMAC specs.
pub(crate) fn family(spec: KeySpec) -> Option<Family> {
    Some(match spec {
        KeySpec::Rsa2048 => Family::Rsa(KeySize::Rsa2048),
        KeySpec::Rsa3072 => Family::Rsa(KeySize::Rsa3072),
        KeySpec::Rsa4096 => Family::Rsa(KeySize::Rsa4096),
        KeySpec::EccNistP256 => Family::Ecdsa(Curve::P256),
        KeySpec::EccNistP384 => Family::Ecdsa(Curve::P384),
        KeySpec::EccNistP521 => Family::Ecdsa(Curve::P521),
        KeySpec::EccSecgP256k1 => Family::Ecdsa(Curve::Secp256k1),
        KeySpec::EccNistEdwards25519 => Family::Ed25519,
        KeySpec::MlDsa44 => Family::MlDsa(MlDsaLevel::L44),
        KeySpec::MlDsa65 => Family::MlDsa(MlDsaLevel::L65),
        KeySpec::MlDsa87 => Family::MlDsa(MlDsaLevel::L87),
        KeySpec::Sm2 => Family::Sm2,
        KeySpec::SymmetricDefault
        | KeySpec::Hmac224
        | KeySpec::Hmac256
        | KeySpec::Hmac384
        | KeySpec::Hmac512 => return None,
    })
}

/// The family of `spec`, which must be asymmetric.
pub(crate) fn asymmetric_family(spec: KeySpec) -> Result<Family, CryptoError> {
    family(spec).ok_or(CryptoError::KeyMaterial("the key spec has no key pair"))
}

/// The one message for material that does not parse as the spec's key. Which part was wrong
/// is not said: the material is secret, and the reasons are of no use to the caller.
const NOT_THE_SPECS_KEY: &str = "not a PKCS#8 private key of the key's spec";

/// A fresh key pair for `spec` as DER PKCS#8.
///
/// Ed25519 and ML-DSA seeds and SM2 scalars are drawn from `rng`; RSA and ECDSA keys come from
/// aws-lc-rs's own generator, as the library takes none.
pub(crate) fn generate_pkcs8(spec: KeySpec, rng: &dyn SecureRandom) -> Result<Secret, CryptoError> {
    const GENERATION: &str = "key pair generation failed";
    match asymmetric_family(spec)? {
        Family::Rsa(size) => {
            let pair =
                RsaKeyPair::generate(size).map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            let der = pair.as_der().map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            Ok(Secret::new(der.as_ref().to_vec()))
        }
        Family::Ecdsa(curve) => {
            let pair = EcdsaKeyPair::generate(curve.signing())
                .map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            let document = pair.to_pkcs8v1().map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            Ok(Secret::new(document.as_ref().to_vec()))
        }
        Family::Ed25519 => {
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill(&mut seed[..])?;
            let pair = Ed25519KeyPair::from_seed_unchecked(&seed[..])
                .map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            let document = pair.to_pkcs8v1().map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            Ok(Secret::new(document.as_ref().to_vec()))
        }
        Family::MlDsa(level) => {
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill(&mut seed[..])?;
            let pair = PqdsaKeyPair::from_seed(level.signing(), &seed[..])
                .map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            let document = pair.to_pkcs8v1().map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            Ok(Secret::new(document.as_ref().to_vec()))
        }
        Family::Sm2 => {
            let secret = sm2::SecretKey::try_generate_from_rng(&mut RandCore(rng))?;
            let document =
                secret.to_pkcs8_der().map_err(|_| CryptoError::KeyMaterial(GENERATION))?;
            Ok(Secret::new(document.as_bytes().to_vec()))
        }
    }
}

/// The public key of `material`, a PKCS#8 private key of `spec`, as a DER
/// SubjectPublicKeyInfo: what `GetPublicKey` returns and what [`crate::verify`],
/// [`crate::asymmetric_encrypt`] and a peer's [`crate::derive_shared_secret`] take.
pub fn public_key_spki(spec: KeySpec, material: &Secret) -> Result<Vec<u8>, CryptoError> {
    const ENCODING: &str = "the public key could not be encoded";
    let der = material.expose();
    match asymmetric_family(spec)? {
        Family::Rsa(size) => {
            let pair = rsa_key_pair(size, der)?;
            let spki =
                pair.public_key().as_der().map_err(|_| CryptoError::KeyMaterial(ENCODING))?;
            Ok(spki.as_ref().to_vec())
        }
        Family::Ecdsa(curve) => {
            let pair = ecdsa_key_pair(curve, der)?;
            let spki =
                pair.public_key().as_der().map_err(|_| CryptoError::KeyMaterial(ENCODING))?;
            Ok(spki.as_ref().to_vec())
        }
        Family::Ed25519 => {
            let pair = ed25519_key_pair(der)?;
            let spki =
                pair.public_key().as_der().map_err(|_| CryptoError::KeyMaterial(ENCODING))?;
            Ok(spki.as_ref().to_vec())
        }
        Family::MlDsa(level) => {
            let pair = ml_dsa_key_pair(level, der)?;
            let spki =
                pair.public_key().as_der().map_err(|_| CryptoError::KeyMaterial(ENCODING))?;
            Ok(spki.as_ref().to_vec())
        }
        Family::Sm2 => {
            let secret = sm2_secret_key(der)?;
            let spki = secret
                .public_key()
                .to_public_key_der()
                .map_err(|_| CryptoError::KeyMaterial(ENCODING))?;
            Ok(spki.as_bytes().to_vec())
        }
    }
}

/// A data key pair of `spec` for `GenerateDataKeyPair`: the private key as DER PKCS#8 and the
/// public key as DER SubjectPublicKeyInfo.
///
/// Only [`KeySpec::DATA_KEY_PAIR`] specs qualify; others are
/// [`CryptoError::UnsupportedKeySpec`].
pub fn generate_data_key_pair(
    spec: KeySpec,
    rng: &dyn SecureRandom,
) -> Result<(Secret, Vec<u8>), CryptoError> {
    if !spec.is_data_key_pair_spec() {
        return Err(CryptoError::UnsupportedKeySpec { spec, purpose: Purpose::DataKeyPair });
    }
    let private = generate_pkcs8(spec, rng)?;
    let public = public_key_spki(spec, &private)?;
    Ok((private, public))
}

/// Reads an RSA signing key, which must have exactly the modulus size of `size`.
pub(crate) fn rsa_key_pair(size: KeySize, der: &[u8]) -> Result<RsaKeyPair, CryptoError> {
    let pair =
        RsaKeyPair::from_pkcs8(der).map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))?;
    if pair.public_modulus_len() != size.len() {
        return Err(CryptoError::KeyMaterial(NOT_THE_SPECS_KEY));
    }
    Ok(pair)
}

/// Reads an RSA decryption key, which must have exactly the modulus size of `size`.
pub(crate) fn rsa_decrypting_key(
    size: KeySize,
    der: &[u8],
) -> Result<PrivateDecryptingKey, CryptoError> {
    let key = PrivateDecryptingKey::from_pkcs8(der)
        .map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))?;
    if key.key_size_bytes() != size.len() {
        return Err(CryptoError::KeyMaterial(NOT_THE_SPECS_KEY));
    }
    Ok(key)
}

/// Reads an ECDSA key, which must be on `curve`.
pub(crate) fn ecdsa_key_pair(curve: Curve, der: &[u8]) -> Result<EcdsaKeyPair, CryptoError> {
    EcdsaKeyPair::from_pkcs8(curve.signing(), der)
        .map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))
}

/// Reads an Ed25519 key from PKCS#8 v1 (seed only) or v2 (seed and public key).
pub(crate) fn ed25519_key_pair(der: &[u8]) -> Result<Ed25519KeyPair, CryptoError> {
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
        .map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))
}

/// The 32-byte seed of an Ed25519 key.
pub(crate) fn ed25519_seed(pair: &Ed25519KeyPair) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let seed = pair
        .seed()
        .and_then(|seed| seed.as_be_bytes())
        .map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))?;
    let mut out = Zeroizing::new([0u8; 32]);
    if seed.as_ref().len() != out.len() {
        return Err(CryptoError::KeyMaterial(NOT_THE_SPECS_KEY));
    }
    out.copy_from_slice(seed.as_ref());
    Ok(out)
}

/// Reads an ML-DSA key, which must have the parameter set `level`.
pub(crate) fn ml_dsa_key_pair(level: MlDsaLevel, der: &[u8]) -> Result<PqdsaKeyPair, CryptoError> {
    PqdsaKeyPair::from_pkcs8(level.signing(), der)
        .map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))
}

/// Reads an SM2 key: an `id-ecPublicKey` PKCS#8 key on `sm2p256v1`.
pub(crate) fn sm2_secret_key(der: &[u8]) -> Result<sm2::SecretKey, CryptoError> {
    sm2::SecretKey::from_pkcs8_der(der).map_err(|_| CryptoError::KeyMaterial(NOT_THE_SPECS_KEY))
}

/// Reads an SM2 public key from a DER SubjectPublicKeyInfo.
pub(crate) fn sm2_public_key(spki: &[u8]) -> Result<sm2::PublicKey, CryptoError> {
    sm2::PublicKey::from_public_key_der(spki)
        .map_err(|_| CryptoError::InvalidPublicKey { spec: KeySpec::Sm2 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SystemRandom;
    use crate::random::testing::CounterRandom;
    use crate::spec::generate_material;

    #[test]
    fn every_asymmetric_spec_generates_and_reads_back() {
        for &spec in KeySpec::ALL.iter().filter(|spec| spec.is_asymmetric()) {
            let material = generate_material(spec, &SystemRandom).unwrap();
            let spki = public_key_spki(spec, &material).unwrap();
            // DER SEQUENCE, and another key of the same spec has another public key.
            assert_eq!(spki[0], 0x30, "{spec}");
            let other = generate_material(spec, &SystemRandom).unwrap();
            assert_ne!(public_key_spki(spec, &other).unwrap(), spki, "{spec}");
        }
    }

    #[test]
    fn seeded_specs_are_reproducible_from_the_injected_source() {
        for spec in [KeySpec::EccNistEdwards25519, KeySpec::MlDsa44, KeySpec::Sm2] {
            let a = generate_material(spec, &CounterRandom::new(7)).unwrap();
            let b = generate_material(spec, &CounterRandom::new(7)).unwrap();
            assert_eq!(a.expose(), b.expose(), "{spec}");
        }
    }

    #[test]
    fn material_is_checked_against_the_spec() {
        let p256 = generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
        for spec in [KeySpec::EccNistP384, KeySpec::EccSecgP256k1, KeySpec::Rsa2048, KeySpec::Sm2] {
            assert_eq!(
                public_key_spki(spec, &p256).unwrap_err(),
                CryptoError::KeyMaterial(NOT_THE_SPECS_KEY),
                "{spec}"
            );
        }
        let rsa = generate_material(KeySpec::Rsa2048, &SystemRandom).unwrap();
        assert!(public_key_spki(KeySpec::Rsa3072, &rsa).is_err());
        let ml_dsa = generate_material(KeySpec::MlDsa44, &SystemRandom).unwrap();
        assert!(public_key_spki(KeySpec::MlDsa65, &ml_dsa).is_err());
        assert!(public_key_spki(KeySpec::SymmetricDefault, &rsa).is_err());
    }

    #[test]
    fn data_key_pairs_only_for_their_specs() {
        for &spec in KeySpec::DATA_KEY_PAIR {
            let (private, public) = generate_data_key_pair(spec, &SystemRandom).unwrap();
            assert_eq!(public_key_spki(spec, &private).unwrap(), public, "{spec}");
        }
        for spec in [KeySpec::MlDsa44, KeySpec::SymmetricDefault, KeySpec::Hmac256] {
            assert_eq!(
                generate_data_key_pair(spec, &SystemRandom).unwrap_err(),
                CryptoError::UnsupportedKeySpec { spec, purpose: Purpose::DataKeyPair }
            );
        }
    }
}
