//! Coffer's cryptography.
//!
//! # What this crate owns
//!
//! Key specs and key generation ([`spec`]); the symmetric ciphertext blob that `Encrypt`
//! returns and `Decrypt` accepts ([`blob`]); sealing key material under the root key for
//! storage ([`mod@seal`]); and the providers the root key comes from ([`root`]). Secret bytes
//! travel as [`Secret`], which is wiped on drop and never printed.
//!
//! # What it never does
//!
//! It never stores anything, decides policy or speaks HTTP. It does no I/O except in the
//! file root-key provider, and never draws randomness on its own: every function that needs
//! random bytes takes a [`SecureRandom`], so tests can be deterministic. It never tells
//! callers *why* a ciphertext did not decrypt: every such failure is
//! [`CryptoError::Decrypt`], so that the answer cannot be used as an oracle.
//!
//! # Flow
//!
//! 1. Creating a key: [`generate_material`] for the key's [`KeySpec`], then [`seal()`] it
//!    under the [`RootKey`] from a [`RootKeyProvider`], bound to the key's identity; the
//!    store keeps only the sealed bytes.
//! 2. Encrypting: [`unseal`] the key version's material, then [`encrypt`] with a
//!    [`BlobHeader`] naming that key and version and the request's encryption context.
//! 3. Decrypting: [`read_header`] says which key and version made the blob (not yet
//!    trusted); unseal that material, then [`decrypt`] authenticates the whole blob,
//!    header included, against the request's encryption context.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use coffer_crypto::{
//!     BlobHeader, CryptoError, KeySpec, SystemRandom, decrypt, encrypt, generate_material,
//!     read_header,
//! };
//!
//! let rng = SystemRandom;
//! let material = generate_material(KeySpec::SymmetricDefault, &rng)?;
//! let header = BlobHeader { key_id: uuid::Uuid::new_v4(), version: 1 };
//! let context = BTreeMap::from([("purpose".to_owned(), "example".to_owned())]);
//!
//! let ciphertext = encrypt(&material, &header, &context, b"hello", &rng)?;
//! assert_eq!(read_header(&ciphertext)?, header);
//!
//! let plaintext = decrypt(&material, &ciphertext, &context)?;
//! assert_eq!(plaintext.expose(), b"hello");
//!
//! // Any other context, like any tampering, is one opaque error.
//! let wrong = BTreeMap::from([("purpose".to_owned(), "other".to_owned())]);
//! assert_eq!(decrypt(&material, &ciphertext, &wrong).unwrap_err(), CryptoError::Decrypt);
//! # Ok::<(), CryptoError>(())
//! ```

mod aead;
pub mod blob;
pub mod error;
pub mod random;
pub mod root;
pub mod seal;
pub mod secret;
pub mod spec;

pub use blob::{BlobHeader, decrypt, encode_encryption_context, encrypt, read_header};
pub use error::CryptoError;
pub use random::{SecureRandom, SystemRandom, random_secret};
pub use root::{EphemeralRootKey, FileRootKey, RootKeyProvider};
pub use seal::{RootKey, seal, unseal};
pub use secret::Secret;
pub use spec::{KeySpec, generate_material};

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers shared by the unit tests.

    /// Bytes from hex, ignoring whitespace (so long fixtures can be wrapped).
    pub(crate) fn unhex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
        assert!(digits.len() % 2 == 0, "odd number of hex digits");
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }
}
