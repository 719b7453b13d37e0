//! The one error type of this crate.
//!
//! Failures on untrusted input collapse into [`CryptoError::Decrypt`] on purpose: whether a
//! blob was truncated, carried an unknown version, named the wrong key, failed its tag or had
//! bad padding, the caller (and so a client probing the service) learns only that it did not
//! decrypt. A finer answer would be an oracle. A signature or MAC that does not verify is not
//! an error at all: verification answers `false`.
//!
//! The request-shaped variants ([`CryptoError::IncompatibleAlgorithm`],
//! [`CryptoError::MessageLength`], [`CryptoError::PlaintextTooLarge`], ...) carry typed
//! fields so that each front door can write its cloud's exact message. The rest describe the
//! service's own state (its random source, its key material, its root key) and are safe to
//! log in full.

use crate::algorithm::{Algorithm, EncryptionAlgorithm, MessageType, SigningAlgorithm};
use crate::spec::KeySpec;

/// What went wrong in a cryptographic operation.
///
/// Deliberately not `#[non_exhaustive]`: each front door maps errors with one exhaustive
/// `match`, so a new variant must break the build until every mapping has chosen for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Any failure to decrypt, unseal, unwrap or parse a ciphertext or sealed blob. Carries no
    /// detail by design.
    #[error("the ciphertext could not be decrypted")]
    Decrypt,
    /// The random source could not produce bytes.
    #[error("the random source failed")]
    Random,
    /// Key material has the wrong shape for its spec (for example, the wrong length, or a
    /// PKCS#8 document for another curve). Never carries the material itself.
    #[error("invalid key material: {0}")]
    KeyMaterial(&'static str),
    /// The root key could not be created, read or validated. The message names the
    /// provider's location and the problem, never the key.
    #[error("root key: {0}")]
    RootKey(String),
    /// The algorithm cannot be used with a key of this spec (AWS: "Algorithm HMAC_SHA_256 is
    /// incompatible with key spec HMAC_224.").
    #[error("algorithm `{algorithm}` is incompatible with key spec `{spec}`")]
    IncompatibleAlgorithm {
        /// The key's spec.
        spec: KeySpec,
        /// The algorithm asked for.
        algorithm: Algorithm,
    },
    /// The signing algorithm does not accept this message type (for example a digest for
    /// `ED25519_SHA_512`, or an external mu for anything but ML-DSA).
    #[error("signing algorithm `{algorithm}` does not accept message type `{message_type}`")]
    IncompatibleMessageType {
        /// The signing algorithm.
        algorithm: SigningAlgorithm,
        /// The message type asked for.
        message_type: MessageType,
    },
    /// A digest or external mu does not have the algorithm's length (AWS, for digests:
    /// "Digest is invalid length for algorithm RSASSA_PSS_SHA_256.").
    #[error("a `{message_type}` message for `{algorithm}` must be {expected} bytes")]
    MessageLength {
        /// The signing algorithm.
        algorithm: SigningAlgorithm,
        /// `DIGEST` or `EXTERNAL_MU`.
        message_type: MessageType,
        /// The length the algorithm needs.
        expected: usize,
    },
    /// The plaintext is longer than the algorithm can encrypt with this key spec (AWS:
    /// "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than
    /// 214 bytes.").
    #[error("algorithm `{algorithm}` and key spec `{spec}` cannot encrypt more than {limit} bytes")]
    PlaintextTooLarge {
        /// The key's spec.
        spec: KeySpec,
        /// The encryption algorithm.
        algorithm: EncryptionAlgorithm,
        /// The largest plaintext, in bytes.
        limit: usize,
    },
    /// A public key handed in (a peer's key for key agreement, or a key to verify or encrypt
    /// with) is not a DER SubjectPublicKeyInfo of the expected kind. AWS answers a malformed
    /// peer key with a ValidationException that has no message.
    #[error("the public key is not a valid DER SubjectPublicKeyInfo for key spec `{spec}`")]
    InvalidPublicKey {
        /// The spec the key was expected to have.
        spec: KeySpec,
    },
    /// The spec cannot serve this purpose: only [`KeySpec::DATA_KEY_PAIR`] specs make data key
    /// pairs and only [`KeySpec::WRAPPING`] specs make import wrapping keys.
    #[error("key spec `{spec}` cannot be used for {purpose}")]
    UnsupportedKeySpec {
        /// The spec asked for.
        spec: KeySpec,
        /// What it was asked for.
        purpose: Purpose,
    },
}

/// What a key spec was asked to serve, in [`CryptoError::UnsupportedKeySpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A data key pair (`GenerateDataKeyPair`'s `KeyPairSpec`).
    DataKeyPair,
    /// An import wrapping key (`GetParametersForImport`'s `WrappingKeySpec`).
    WrappingKey,
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Purpose::DataKeyPair => "a data key pair",
            Purpose::WrappingKey => "an import wrapping key",
        })
    }
}
