//! The one error type of this crate.
//!
//! Failures on untrusted input collapse into [`CryptoError::Decrypt`] on purpose: whether a
//! blob was truncated, carried an unknown version, named the wrong key or failed its tag,
//! the caller (and so a client probing the service) learns only that it did not decrypt.
//! A finer answer would be an oracle. The other variants describe the service's own state
//! (its random source, its key material, its root key) and are safe to log in full.

/// What went wrong in a cryptographic operation.
///
/// Deliberately not `#[non_exhaustive]`: each front door maps errors with one exhaustive
/// `match`, so a new variant must break the build until every mapping has chosen for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Any failure to decrypt, unseal or parse a ciphertext or sealed blob. Carries no detail
    /// by design.
    #[error("the ciphertext could not be decrypted")]
    Decrypt,
    /// The random source could not produce bytes.
    #[error("the random source failed")]
    Random,
    /// Key material handed in by the caller has the wrong shape (for example, the wrong
    /// length). Never carries the material itself.
    #[error("invalid key material: {0}")]
    KeyMaterial(&'static str),
    /// The root key could not be created, read or validated. The message names the
    /// provider's location and the problem, never the key.
    #[error("root key: {0}")]
    RootKey(String),
}
