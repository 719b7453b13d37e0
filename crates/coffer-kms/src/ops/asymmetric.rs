//! What the operations on asymmetric and HMAC keys share: the key's spec and usage, AWS's
//! refusals for a key of the wrong usage, the enumerations of the request members, the
//! asymmetric paths of Encrypt, Decrypt and ReEncrypt, and the one mapping from the
//! cryptography's errors to the service's.

use std::collections::BTreeMap;

use coffer_crypto::{
    Algorithm, CryptoError, EncryptionAlgorithm, KeySpec, KeyUsage, MessageType, Purpose, Secret,
    SigningAlgorithm,
};
use coffer_store::KeyRecord;

use crate::err::KmsError;
use crate::{Kms, ops};

/// The key's spec; a stored spec the service does not know is an internal error.
pub(crate) fn spec_of(key: &KeyRecord) -> Result<KeySpec, KmsError> {
    KeySpec::parse(&key.key_spec).ok_or_else(|| {
        KmsError::internal(format!("{} has unknown key spec {}", key.arn, key.key_spec))
    })
}

/// `<arn> key usage is <usage> which is not valid for <op>.` (InvalidKeyUsageException).
pub(crate) fn wrong_usage(key: &KeyRecord, op: &str) -> KmsError {
    KmsError::InvalidKeyUsage {
        message: format!("{} key usage is {} which is not valid for {op}.", key.arn, key.key_usage),
    }
}

/// Checks, in AWS's order, that the key has `usage` and can be used now; returns its spec.
pub(crate) fn check_key(key: &KeyRecord, usage: KeyUsage, op: &str) -> Result<KeySpec, KmsError> {
    if key.key_usage != usage.as_str() {
        return Err(wrong_usage(key, op));
    }
    ops::state_of(key).check_usable(&key.arn)?;
    spec_of(key)
}

/// `Algorithm <algorithm> is incompatible with key spec <spec>.` (InvalidKeyUsageException).
pub(crate) fn incompatible(
    spec: impl std::fmt::Display,
    algorithm: impl std::fmt::Display,
) -> KmsError {
    KmsError::InvalidKeyUsage {
        message: format!("Algorithm {algorithm} is incompatible with key spec {spec}."),
    }
}

/// An enumerated request member: its value, or AWS's ValidationException naming the set.
pub(crate) fn parse_enum<T>(
    value: &str,
    member: &str,
    set: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, KmsError> {
    parse(value).ok_or_else(|| not_in_set(value, member, set))
}

/// An enumeration member parsed, refused with AWS's wording listing every value of `all`;
/// the list is written only for a refusal, not on every call.
pub(crate) fn parse_listed<T: Copy, U>(
    value: &str,
    member: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    parse: fn(&str) -> Option<U>,
) -> Result<U, KmsError> {
    parse(value).ok_or_else(|| not_in_set(value, member, &enum_set(all, name)))
}

/// AWS's ValidationException for a value outside an enumeration.
fn not_in_set(value: &str, member: &str, set: &str) -> KmsError {
    ops::constraint(value, member, &format!("Member must satisfy enum value set: {set}"))
}

/// `[A, B, C]`: an enumeration's values as AWS lists them in a validation message.
pub(crate) fn enum_set<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
    format!("[{}]", names.join(", "))
}

/// The MAC algorithms in the order AWS's validation message lists them (recorded).
pub(crate) const MAC_ALGORITHMS: &str = "[HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]";

/// The key agreement algorithms as AWS's validation message lists them (recorded).
pub(crate) const KEY_AGREEMENT_ALGORITHMS: &str = "[ECDH]";

/// A binary member's length: `1..=max` bytes, refused with AWS's wording.
pub(crate) fn check_blob(bytes: &[u8], member: &str, max: usize) -> Result<(), KmsError> {
    if bytes.is_empty() {
        return Err(ops::blob_constraint(
            member,
            "Member must have length greater than or equal to 1",
        ));
    }
    if bytes.len() > max {
        return Err(ops::blob_constraint(
            member,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// Checks a Sign or Verify request against the key's spec before anything is signed: the
/// algorithm must be the spec's, the message type one the algorithm accepts, and a digest
/// or external mu of the algorithm's length.
pub(crate) fn check_signing(
    spec: KeySpec,
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    message: &[u8],
) -> Result<(), KmsError> {
    if !spec.signing_algorithms().contains(&algorithm) {
        return Err(from_crypto(CryptoError::IncompatibleAlgorithm {
            spec,
            algorithm: Algorithm::Signing(algorithm),
        }));
    }
    if !algorithm.message_types().contains(&message_type) {
        return Err(from_crypto(CryptoError::IncompatibleMessageType { algorithm, message_type }));
    }
    let expected = algorithm.digest_len();
    if message_type != MessageType::Raw && message.len() != expected {
        return Err(from_crypto(CryptoError::MessageLength { algorithm, message_type, expected }));
    }
    Ok(())
}

/// The service's error for a cryptographic one: one arm per variant, no catch-all.
pub(crate) fn from_crypto(e: CryptoError) -> KmsError {
    match e {
        CryptoError::Decrypt => KmsError::InvalidCiphertext,
        CryptoError::Random | CryptoError::KeyMaterial(_) | CryptoError::RootKey(_) => {
            KmsError::internal(e)
        }
        CryptoError::IncompatibleAlgorithm { spec, algorithm } => incompatible(spec, algorithm),
        CryptoError::IncompatibleMessageType { algorithm, message_type } => {
            KmsError::validation(format!(
                "MessageType {message_type} is not supported for signing algorithm {algorithm}."
            ))
        }
        CryptoError::MessageLength { algorithm, message_type, .. } => match message_type {
            MessageType::ExternalMu => KmsError::validation(format!(
                "External mu is invalid length for algorithm {algorithm}."
            )),
            MessageType::Digest | MessageType::Raw => {
                KmsError::validation(format!("Digest is invalid length for algorithm {algorithm}."))
            }
        },
        CryptoError::PlaintextTooLarge { spec, algorithm, limit } => KmsError::validation(format!(
            "Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes."
        )),
        // AWS answers a malformed public key with a ValidationException without a message.
        CryptoError::InvalidPublicKey { .. } => KmsError::validation(""),
        CryptoError::UnsupportedKeySpec { spec, purpose } => match purpose {
            Purpose::DataKeyPair => KmsError::validation(format!(
                "KeyPairSpec {spec} is not supported for data key pairs."
            )),
            Purpose::WrappingKey => KmsError::validation(format!(
                "WrappingKeySpec {spec} is not supported for importing key material."
            )),
        },
    }
}

/// Checks the encryption algorithm a request names against the key's spec (Encrypt,
/// Decrypt, ReEncrypt, and SYMMETRIC_DEFAULT for the data key operations).
pub(crate) fn check_encryption_algorithm(key: &KeyRecord, algorithm: &str) -> Result<(), KmsError> {
    let parsed = parse_listed(
        algorithm,
        "encryptionAlgorithm",
        EncryptionAlgorithm::ALL,
        EncryptionAlgorithm::as_str,
        EncryptionAlgorithm::parse,
    )?;
    let spec = spec_of(key)?;
    if !spec.encryption_algorithm_list().contains(&parsed) {
        return Err(incompatible(&key.key_spec, algorithm));
    }
    Ok(())
}

/// Whether a key encrypts with a public key (RSA or SM2) rather than through the
/// symmetric ciphertext blob.
pub(crate) fn is_asymmetric(key: &KeyRecord) -> bool {
    KeySpec::parse(&key.key_spec).is_some_and(KeySpec::is_asymmetric)
}

/// An asymmetric key takes no encryption context: it could not be bound to the ciphertext.
fn no_context(context: &BTreeMap<String, String>) -> Result<(), KmsError> {
    if context.is_empty() {
        Ok(())
    } else {
        Err(KmsError::validation("EncryptionContext is not supported with asymmetric keys."))
    }
}

impl Kms {
    /// The current key material of a key.
    pub(crate) fn current_material(
        &self,
        key: &KeyRecord,
    ) -> Result<std::sync::Arc<Secret>, KmsError> {
        self.material(key, key.current_version)
    }

    /// The public key of an asymmetric key, as a DER SubjectPublicKeyInfo.
    pub(crate) fn public_key_of(&self, key: &KeyRecord) -> Result<Vec<u8>, KmsError> {
        let spec = spec_of(key)?;
        Ok(self.public_key(key, key.current_version, spec)?.to_vec())
    }

    /// Encrypts with an asymmetric key's public key (the key and algorithm already checked).
    pub(crate) fn encrypt_asymmetric(
        &self,
        key: &KeyRecord,
        algorithm: &str,
        context: &BTreeMap<String, String>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        no_context(context)?;
        let spec = spec_of(key)?;
        let algorithm = EncryptionAlgorithm::parse(algorithm)
            .ok_or_else(|| incompatible(&key.key_spec, algorithm))?;
        let public_key = self.public_key_of(key)?;
        coffer_crypto::asymmetric_encrypt(
            spec,
            &public_key,
            algorithm,
            plaintext,
            self.rng.as_ref(),
        )
        .map_err(from_crypto)
    }

    /// Decrypts with an asymmetric key's private key (the key and algorithm already checked).
    pub(crate) fn decrypt_asymmetric(
        &self,
        key: &KeyRecord,
        algorithm: &str,
        context: &BTreeMap<String, String>,
        ciphertext: &[u8],
    ) -> Result<Secret, KmsError> {
        no_context(context)?;
        let spec = spec_of(key)?;
        let algorithm = EncryptionAlgorithm::parse(algorithm)
            .ok_or_else(|| incompatible(&key.key_spec, algorithm))?;
        self.decrypter(key, key.current_version, spec)?
            .decrypt(algorithm, ciphertext)
            .map_err(from_crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cryptographic_errors_become_aws_refusals() {
        let m = |e: CryptoError| from_crypto(e).to_string();
        assert_eq!(
            m(CryptoError::IncompatibleAlgorithm {
                spec: KeySpec::Hmac224,
                algorithm: Algorithm::Mac(coffer_crypto::MacAlgorithm::HmacSha256),
            }),
            "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
        );
        assert_eq!(
            m(CryptoError::MessageLength {
                algorithm: SigningAlgorithm::RsassaPssSha256,
                message_type: MessageType::Digest,
                expected: 32,
            }),
            "Digest is invalid length for algorithm RSASSA_PSS_SHA_256."
        );
        assert_eq!(
            m(CryptoError::PlaintextTooLarge {
                spec: KeySpec::Rsa2048,
                algorithm: EncryptionAlgorithm::RsaesOaepSha1,
                limit: 214,
            }),
            "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes."
        );
        assert!(matches!(from_crypto(CryptoError::Decrypt), KmsError::InvalidCiphertext));
        assert!(matches!(
            from_crypto(CryptoError::InvalidPublicKey { spec: KeySpec::EccNistP256 }),
            KmsError::Validation { message } if message.is_empty()
        ));
        assert!(matches!(from_crypto(CryptoError::Random), KmsError::Internal { .. }));
    }

    #[test]
    fn signing_requests_are_checked_before_signing() {
        let digest = [0u8; 32];
        assert!(
            check_signing(
                KeySpec::EccNistP256,
                SigningAlgorithm::EcdsaSha256,
                MessageType::Digest,
                &digest
            )
            .is_ok()
        );
        assert_eq!(
            check_signing(
                KeySpec::EccNistP256,
                SigningAlgorithm::EcdsaSha256,
                MessageType::Digest,
                &digest[..31]
            )
            .unwrap_err()
            .to_string(),
            "Digest is invalid length for algorithm ECDSA_SHA_256."
        );
        assert_eq!(
            check_signing(
                KeySpec::EccNistP256,
                SigningAlgorithm::EcdsaSha384,
                MessageType::Raw,
                b"m"
            )
            .unwrap_err()
            .to_string(),
            "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."
        );
        assert!(matches!(
            check_signing(
                KeySpec::EccNistEdwards25519,
                SigningAlgorithm::Ed25519Sha512,
                MessageType::Digest,
                &[0; 64]
            ),
            Err(KmsError::Validation { .. })
        ));
    }

    #[test]
    fn enumerations_are_listed_in_model_order() {
        assert_eq!(
            enum_set(EncryptionAlgorithm::ALL, EncryptionAlgorithm::as_str),
            "[SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"
        );
        assert_eq!(
            parse_enum("NOPE", "macAlgorithm", MAC_ALGORITHMS, coffer_crypto::MacAlgorithm::parse)
                .unwrap_err()
                .to_string(),
            "1 validation error detected: Value 'NOPE' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]"
        );
    }
}
