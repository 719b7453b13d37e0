//! Coffer's cryptography.
//!
//! # What this crate owns
//!
//! Key specs, the algorithms each offers and key generation ([`spec`], [`algorithm`],
//! [`keys`]); the symmetric ciphertext blob that `Encrypt` returns and `Decrypt` accepts
//! ([`blob`]); the asymmetric operations of every AWS key spec, as pure functions:
//! signatures ([`mod@sign`]), RSA and SM2 encryption ([`asymmetric`]), HMAC ([`mod@mac`]),
//! ECDH ([`agreement`]) and key material import ([`import`]); SM4-GCM, the authenticated cipher
//! for SM4 keys ([`Sm4Gcm`]); sealing key material under the root key for storage
//! ([`mod@seal`]); and the providers the root key comes from ([`root`]).
//! Secret bytes travel as [`Secret`], which is wiped on drop and never printed.
//!
//! The primitives are aws-lc-rs's (AES, RSA with constant-time private operations, ECDSA,
//! Ed25519, ML-DSA, HMAC, AES key wrap), and RustCrypto's for what aws-lc-rs does not offer:
//! SM2 (`sm2`), SM4-GCM (the `sm4` block cipher under the generic GCM of `aes-gcm`), Ed25519ph
//! (`ed25519-dalek`) and ML-DSA over an external mu (`ml-dsa`).
//! Asymmetric key material is a DER PKCS#8 document; public keys are DER
//! SubjectPublicKeyInfo, as `GetPublicKey` returns them.
//!
//! # What it never does
//!
//! It never stores anything, decides policy or speaks HTTP. It does no I/O except in the
//! file root-key provider. Every function that needs random bytes takes a [`SecureRandom`],
//! so tests can be deterministic; the exceptions are the ones the libraries do not allow:
//! RSA and ECDSA key generation, RSA-OAEP padding, PSS salts, ECDSA nonces and ML-DSA
//! hedging come from aws-lc-rs's own generator. It never tells callers *why* a ciphertext
//! did not decrypt: every such failure is [`CryptoError::Decrypt`], so that the answer cannot
//! be used as an oracle. A signature or MAC that does not verify is `false`, not an error.
//! SM4 is offered only authenticated, as SM4-GCM: never in ECB, CBC or as a raw block.
//!
//! # Flow
//!
//! 1. Creating a key: [`generate_material`] for the key's [`KeySpec`] (or, for imported keys,
//!    [`unwrap_key_material`] then [`check_imported_material`]), then [`seal()`] it under the
//!    [`RootKey`] from a [`RootKeyProvider`], bound to the key's identity; the store keeps only
//!    the sealed bytes. [`KeySpec::algorithms`] says what to report for the key.
//! 2. Encrypting: [`unseal`] the key version's material, then [`encrypt`] with a
//!    [`BlobHeader`] naming that key and version and the request's encryption context.
//! 3. Decrypting: [`read_header`] says which key and version made the blob (not yet
//!    trusted); unseal that material, then [`decrypt`] authenticates the whole blob,
//!    header included, against the request's encryption context.
//! 4. Asymmetric keys: [`sign()`] and [`verify`], [`asymmetric_encrypt`] and
//!    [`asymmetric_decrypt`], [`derive_shared_secret`], with [`public_key_spki`] for the
//!    public half; HMAC keys: [`mac()`] and [`verify_mac`].
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
//!
//! Signing with an asymmetric key, and verifying with its public key only:
//!
//! ```
//! use coffer_crypto::{
//!     CryptoError, KeySpec, KeyUsage, MessageType, SigningAlgorithm, SystemRandom,
//!     generate_material, public_key_spki, sign, verify,
//! };
//!
//! let spec = KeySpec::EccNistP256;
//! let algorithms = spec.algorithms(KeyUsage::SignVerify).expect("P-256 keys can sign");
//! assert_eq!(algorithms.signing, [SigningAlgorithm::EcdsaSha256]);
//!
//! let material = generate_material(spec, &SystemRandom)?; // PKCS#8
//! let public_key = public_key_spki(spec, &material)?; // SubjectPublicKeyInfo
//! let algorithm = SigningAlgorithm::EcdsaSha256;
//! let signature = sign(spec, &material, algorithm, MessageType::Raw, b"hello")?;
//! assert!(verify(spec, &public_key, algorithm, MessageType::Raw, b"hello", &signature)?);
//! assert!(!verify(spec, &public_key, algorithm, MessageType::Raw, b"hullo", &signature)?);
//!
//! // A digest must have the algorithm's length.
//! assert_eq!(
//!     sign(spec, &material, algorithm, MessageType::Digest, b"short").unwrap_err(),
//!     CryptoError::MessageLength { algorithm, message_type: MessageType::Digest, expected: 32 },
//! );
//! # Ok::<(), CryptoError>(())
//! ```

mod aead;
pub mod agreement;
pub mod algorithm;
pub mod asymmetric;
pub mod blob;
pub mod error;
pub mod import;
pub mod keys;
pub mod mac;
pub mod random;
pub mod root;
pub mod seal;
pub mod secret;
pub mod sign;
mod sm4_gcm;
pub mod spec;

pub use agreement::derive_shared_secret;
pub use algorithm::{
    Algorithm, EncryptionAlgorithm, KeyAgreementAlgorithm, KeyUsage, MacAlgorithm, MessageType,
    SigningAlgorithm, WrappingAlgorithm,
};
pub use asymmetric::{DecryptingKey, asymmetric_decrypt, asymmetric_encrypt, max_plaintext_len};
pub use blob::{BlobHeader, decrypt, encode_encryption_context, encrypt, read_header};
pub use error::{CryptoError, Purpose};
pub use import::{
    check_imported_material, imported_material_lengths, unwrap_key_material,
    wrapping_algorithm_fits, wrapping_key_pair,
};
pub use keys::{generate_data_key_pair, public_key_spki};
pub use mac::{mac, verify_mac};
pub use random::{SecureRandom, SystemRandom, random_secret, random_uuid};
pub use root::{EphemeralRootKey, FileRootKey, RootKeyProvider};
pub use seal::{RootKey, seal, unseal};
pub use secret::Secret;
pub use sign::{SM2_DEFAULT_DISTINGUISHING_ID, SigningKey, sign, verify};
pub use sm4_gcm::Sm4Gcm;
pub use spec::{Algorithms, KeySpec, generate_material};

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
