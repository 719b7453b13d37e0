//! Integration tests: the crate seen from outside, through its public API only.
//!
//! Besides the persisted formats ([`interop`]), every key, signature, ciphertext and shared
//! secret this crate produces is checked by a second, independent implementation, and what
//! that implementation produces is read by this crate: RustCrypto's `rsa` (public-key side
//! only), `p256`/`p384`/`p521`/`k256`, `ed25519-dalek`, `ml-dsa`, `hmac`, `aes-kw`, and
//! `libsm` for SM2 and SM4. Standards' known-answer vectors live in `tests/vectors/`.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a helper that cannot build its fixture fails the test"
)]

mod ecc;
mod ed25519;
mod hmac;
mod import;
mod interop;
mod ml_dsa;
mod rsa;
mod sm2;
mod sm4;
mod vectors;
