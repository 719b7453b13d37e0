//! The symmetric ciphertext blob: what `Encrypt` returns and `Decrypt` accepts.
//!
//! A blob names the key that made it, so `Decrypt` needs no key id; its bytes are
//! persisted by clients for as long as they keep data, so every version of the format is
//! decodable forever. New formats get a new version byte; version 1 never changes.
//!
//! # Format, version 1
//!
//! ```text
//! offset  length  field
//!      0       1  format version, 0x01
//!      1      16  key id (UUID, RFC 9562 byte order)
//!     17       4  key version, big-endian
//!     21      12  nonce, random per blob
//!     33     n+16 AES-256-GCM ciphertext of the n-byte plaintext, then the 16-byte tag
//! ```
//!
//! The associated data is the 21 header bytes followed by
//! [`encode_encryption_context`] of the encryption context. Binding the header means a
//! blob cannot be re-labelled to another key or key version; binding the context means a
//! blob decrypts only with exactly the context it was made with.
//!
//! [`read_header`] parses without authenticating: it only tells the caller which key
//! material to fetch. Nothing it returns is trustworthy until [`decrypt`] succeeds, and
//! that check covers the header too.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::aead::{Aes256Gcm, NONCE_LEN, TAG_LEN, random_nonce};
use crate::error::CryptoError;
use crate::random::SecureRandom;
use crate::secret::Secret;

/// The format version byte of version 1 blobs.
pub const FORMAT_V1: u8 = 0x01;

/// Length of the version 1 header: version byte, key id, key version.
const HEADER_LEN: usize = 1 + 16 + 4;
/// The shortest well-formed version 1 blob: header, nonce and tag around an empty plaintext.
pub const MIN_BLOB_LEN: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// The key a blob was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobHeader {
    /// The KMS key's id.
    pub key_id: Uuid,
    /// The version of that key's material.
    pub version: u32,
}

impl BlobHeader {
    fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut bytes = [0; HEADER_LEN];
        bytes[0] = FORMAT_V1;
        bytes[1..17].copy_from_slice(self.key_id.as_bytes());
        bytes[17..21].copy_from_slice(&self.version.to_be_bytes());
        bytes
    }
}

/// A blob split into its fields, not yet authenticated.
struct Parsed<'a> {
    header: BlobHeader,
    header_bytes: &'a [u8],
    nonce: [u8; NONCE_LEN],
    ciphertext_and_tag: &'a [u8],
}

fn parse(blob: &[u8]) -> Result<Parsed<'_>, CryptoError> {
    // Checked before the length so that a future version with a shorter layout is not
    // rejected for the wrong reason; today both lead to the same opaque error.
    if blob.first() != Some(&FORMAT_V1) || blob.len() < MIN_BLOB_LEN {
        return Err(CryptoError::Decrypt);
    }
    let (header_bytes, rest) = blob.split_at(HEADER_LEN);
    let (nonce, ciphertext_and_tag) = rest.split_at(NONCE_LEN);
    let key_id = <[u8; 16]>::try_from(&header_bytes[1..17]).map_err(|_| CryptoError::Decrypt)?;
    let version = <[u8; 4]>::try_from(&header_bytes[17..21]).map_err(|_| CryptoError::Decrypt)?;
    Ok(Parsed {
        header: BlobHeader {
            key_id: Uuid::from_bytes(key_id),
            version: u32::from_be_bytes(version),
        },
        header_bytes,
        nonce: nonce.try_into().map_err(|_| CryptoError::Decrypt)?,
        ciphertext_and_tag,
    })
}

fn associated_data(header_bytes: &[u8], encryption_context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut aad = header_bytes.to_vec();
    aad.extend_from_slice(&encode_encryption_context(encryption_context));
    aad
}

/// Encrypts `plaintext` under `material` into a version 1 blob labelled with `header`.
///
/// `material` must be 32 bytes ([`CryptoError::KeyMaterial`] otherwise). The only random
/// draw is the 12-byte nonce.
pub fn encrypt(
    material: &Secret,
    header: &BlobHeader,
    encryption_context: &BTreeMap<String, String>,
    plaintext: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new(material.expose())?;
    let header_bytes = header.to_bytes();
    let nonce = random_nonce(rng)?;
    let sealed =
        cipher.seal(nonce, &associated_data(&header_bytes, encryption_context), plaintext)?;
    let mut blob = Vec::with_capacity(HEADER_LEN + NONCE_LEN + sealed.len());
    blob.extend_from_slice(&header_bytes);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&sealed);
    Ok(blob)
}

/// The key named by `blob`, unauthenticated; [`CryptoError::Decrypt`] if it is malformed.
pub fn read_header(blob: &[u8]) -> Result<BlobHeader, CryptoError> {
    parse(blob).map(|parsed| parsed.header)
}

/// Authenticates and decrypts `blob` with `material` and `encryption_context`.
///
/// Every failure (malformed blob, unknown version, wrong key, wrong context, tampering,
/// even material of the wrong length) is the same [`CryptoError::Decrypt`].
pub fn decrypt(
    material: &Secret,
    blob: &[u8],
    encryption_context: &BTreeMap<String, String>,
) -> Result<Secret, CryptoError> {
    let parsed = parse(blob)?;
    let cipher = Aes256Gcm::new(material.expose()).map_err(|_| CryptoError::Decrypt)?;
    cipher.open(
        parsed.nonce,
        &associated_data(parsed.header_bytes, encryption_context),
        parsed.ciphertext_and_tag,
    )
}

/// The canonical bytes of an encryption context, as bound into a blob.
///
/// Pairs in key order (the map's order: by UTF-8 bytes), each key then its value, each
/// string as its length in bytes (big-endian `u16`) then its UTF-8 bytes. Lengths make the
/// encoding injective: `{"a": "bc"}` and `{"ab": "c"}` encode differently. The empty
/// context encodes to no bytes.
///
/// A string of 65,535 bytes or more (far beyond what the APIs accept) is written as the
/// marker `0xFFFF` followed by its length as a big-endian `u64`, so that the function stays
/// total and injective instead of truncating.
pub fn encode_encryption_context(ec: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in ec {
        put_string(&mut out, key);
        put_string(&mut out, value);
    }
    out
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    const LONG: u16 = u16::MAX;
    let bytes = s.as_bytes();
    match u16::try_from(bytes.len()) {
        Ok(len) if len < LONG => out.extend_from_slice(&len.to_be_bytes()),
        _ => {
            out.extend_from_slice(&LONG.to_be_bytes());
            // usize is at most 64 bits on every target Rust supports.
            out.extend_from_slice(&u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
        }
    }
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::random::testing::{CounterRandom, FailingRandom};
    use crate::random::{SystemRandom, random_secret};
    use crate::testing::unhex;

    fn ec(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn header() -> BlobHeader {
        BlobHeader { key_id: Uuid::from_u128(0x1234abcd_12ab_34cd_56ef_1234567890ab), version: 258 }
    }

    // The golden fixture. Made once, independently of this crate (with another AES-GCM
    // implementation, from the format description above), and never to be changed: it must
    // keep decrypting for as long as version 1 blobs exist.
    const GOLDEN_MATERIAL: &str =
        "b673c94e9d20061b75661591e5e4f8876b5049016a626b89dbdb58e66f1f9a36";
    const GOLDEN_PLAINTEXT: &[u8] = b"coffer blob format v1 golden fixture";
    const GOLDEN_BLOB: &str = "011234abcd12ab34cd56ef1234567890ab00000102404142434445464748494a4b\
        d0d71505c3d4b774bb94df9e6f12bd5f0143b8d3db6c1ba9e591484432916e86cfda592a13504ccba758\
        2f2fc893a740e9b8648e";
    const GOLDEN_EC_ENCODING: &str = "000a4465706172746d656e74000231300007707572706f7365000e676f\
        6c64656e20666978747572650009c3bc6ec3af636f64650003e29c93";

    fn golden_ec() -> BTreeMap<String, String> {
        ec(&[("purpose", "golden fixture"), ("Department", "10"), ("ünïcode", "✓")])
    }

    #[test]
    fn golden_fixture_decrypts() {
        let material = Secret::new(unhex(GOLDEN_MATERIAL));
        let blob = unhex(GOLDEN_BLOB);
        assert_eq!(read_header(&blob).unwrap(), header());
        let plaintext = decrypt(&material, &blob, &golden_ec()).unwrap();
        assert_eq!(plaintext.expose(), GOLDEN_PLAINTEXT);
    }

    #[test]
    fn golden_fixture_is_reproduced_by_encrypt() {
        // The fixture's nonce is 0x40..=0x4b, what the counter source yields from 0x40.
        let material = Secret::new(unhex(GOLDEN_MATERIAL));
        let blob = encrypt(
            &material,
            &header(),
            &golden_ec(),
            GOLDEN_PLAINTEXT,
            &CounterRandom::new(0x40),
        )
        .unwrap();
        assert_eq!(blob, unhex(GOLDEN_BLOB));
    }

    #[test]
    fn golden_encryption_context_encoding() {
        assert_eq!(encode_encryption_context(&golden_ec()), unhex(GOLDEN_EC_ENCODING));
    }

    #[test]
    fn layout_is_as_documented() {
        let material = random_secret(&SystemRandom, 32).unwrap();
        let blob =
            encrypt(&material, &header(), &ec(&[]), b"hello", &CounterRandom::new(0)).unwrap();
        assert_eq!(blob.len(), MIN_BLOB_LEN + 5);
        assert_eq!(blob[0], FORMAT_V1);
        assert_eq!(&blob[1..17], header().key_id.as_bytes());
        assert_eq!(&blob[17..21], &[0, 0, 1, 2]);
        assert_eq!(&blob[21..33], &(0u8..12).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn round_trip_including_empty_plaintext() {
        let material = random_secret(&SystemRandom, 32).unwrap();
        let context = ec(&[("tenant", "alpha"), ("purpose", "test")]);
        for plaintext in [&b""[..], b"x", &[0xA5; 4096][..]] {
            let blob = encrypt(&material, &header(), &context, plaintext, &SystemRandom).unwrap();
            assert_eq!(read_header(&blob).unwrap(), header());
            assert_eq!(decrypt(&material, &blob, &context).unwrap().expose(), plaintext);
        }
    }

    #[test]
    fn fresh_nonce_per_blob() {
        let material = random_secret(&SystemRandom, 32).unwrap();
        let a = encrypt(&material, &header(), &ec(&[]), b"same", &SystemRandom).unwrap();
        let b = encrypt(&material, &header(), &ec(&[]), b"same", &SystemRandom).unwrap();
        assert_ne!(a[21..33], b[21..33]);
        assert_ne!(a, b);
    }

    #[test]
    fn every_single_byte_change_is_rejected() {
        let material = Secret::new(unhex(GOLDEN_MATERIAL));
        let blob = unhex(GOLDEN_BLOB);
        for index in 0..blob.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut tampered = blob.clone();
                tampered[index] ^= flip;
                assert_eq!(
                    decrypt(&material, &tampered, &golden_ec()).unwrap_err(),
                    CryptoError::Decrypt,
                    "byte {index} ^ {flip:#04x}"
                );
            }
        }
    }

    #[test]
    fn truncation_and_extension_are_rejected() {
        let material = Secret::new(unhex(GOLDEN_MATERIAL));
        let blob = unhex(GOLDEN_BLOB);
        for len in 0..blob.len() {
            assert_eq!(
                decrypt(&material, &blob[..len], &golden_ec()).unwrap_err(),
                CryptoError::Decrypt,
                "truncated to {len}"
            );
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(decrypt(&material, &longer, &golden_ec()).unwrap_err(), CryptoError::Decrypt);
    }

    #[test]
    fn wrong_encryption_context_is_rejected() {
        let material = random_secret(&SystemRandom, 32).unwrap();
        let context = ec(&[("tenant", "alpha"), ("purpose", "test")]);
        let blob = encrypt(&material, &header(), &context, b"secret", &SystemRandom).unwrap();
        let wrong = [
            ec(&[]),
            ec(&[("tenant", "alpha")]),
            ec(&[("tenant", "alpha"), ("purpose", "test"), ("extra", "pair")]),
            ec(&[("tenant", "beta"), ("purpose", "test")]),
            ec(&[("Tenant", "alpha"), ("purpose", "test")]),
            ec(&[("tenant", "alpha"), ("purpose", "test ")]),
            ec(&[("tenan", "talpha"), ("purpose", "test")]),
        ];
        for context in &wrong {
            assert_eq!(
                decrypt(&material, &blob, context).unwrap_err(),
                CryptoError::Decrypt,
                "{context:?}"
            );
        }
        // And a blob made without a context needs exactly the empty one.
        let bare = encrypt(&material, &header(), &ec(&[]), b"secret", &SystemRandom).unwrap();
        assert!(decrypt(&material, &bare, &ec(&[])).is_ok());
        assert!(decrypt(&material, &bare, &ec(&[("", "")])).is_err());
    }

    #[test]
    fn wrong_material_is_rejected() {
        let material = random_secret(&SystemRandom, 32).unwrap();
        let other = random_secret(&SystemRandom, 32).unwrap();
        let blob = encrypt(&material, &header(), &ec(&[]), b"secret", &SystemRandom).unwrap();
        assert_eq!(decrypt(&other, &blob, &ec(&[])).unwrap_err(), CryptoError::Decrypt);
        let short = Secret::new(vec![0; 16]);
        assert_eq!(decrypt(&short, &blob, &ec(&[])).unwrap_err(), CryptoError::Decrypt);
    }

    #[test]
    fn relabelled_header_is_rejected() {
        let material = random_secret(&SystemRandom, 32).unwrap();
        let blob = encrypt(&material, &header(), &ec(&[]), b"secret", &SystemRandom).unwrap();
        let mut relabelled = blob.clone();
        relabelled[17..21].copy_from_slice(&259u32.to_be_bytes());
        assert_eq!(read_header(&relabelled).unwrap().version, 259);
        assert_eq!(decrypt(&material, &relabelled, &ec(&[])).unwrap_err(), CryptoError::Decrypt);
    }

    #[test]
    fn read_header_rejects_malformed_blobs() {
        let blob = unhex(GOLDEN_BLOB);
        assert_eq!(read_header(&[]).unwrap_err(), CryptoError::Decrypt);
        assert_eq!(read_header(&blob[..MIN_BLOB_LEN - 1]).unwrap_err(), CryptoError::Decrypt);
        assert!(read_header(&blob[..MIN_BLOB_LEN]).is_ok());
        for version in [0x00, 0x02, 0xFF] {
            let mut other = blob.clone();
            other[0] = version;
            assert_eq!(read_header(&other).unwrap_err(), CryptoError::Decrypt);
        }
    }

    #[test]
    fn encrypt_checks_material_and_random_source() {
        let short = Secret::new(vec![0; 31]);
        assert!(matches!(
            encrypt(&short, &header(), &ec(&[]), b"x", &SystemRandom),
            Err(CryptoError::KeyMaterial(_))
        ));
        let material = random_secret(&SystemRandom, 32).unwrap();
        assert_eq!(
            encrypt(&material, &header(), &ec(&[]), b"x", &FailingRandom).unwrap_err(),
            CryptoError::Random
        );
    }

    #[test]
    fn encoding_separates_keys_from_values() {
        let a = encode_encryption_context(&ec(&[("a", "bc")]));
        let b = encode_encryption_context(&ec(&[("ab", "c")]));
        assert_ne!(a, b);
        assert_eq!(a, b"\x00\x01a\x00\x02bc");
        assert_eq!(b, b"\x00\x02ab\x00\x01c");
        assert!(encode_encryption_context(&ec(&[])).is_empty());
        assert_eq!(encode_encryption_context(&ec(&[("", "")])), b"\x00\x00\x00\x00");
    }

    #[test]
    fn encoding_is_sorted_by_key_bytes() {
        let context = ec(&[("b", "1"), ("a", "2"), ("B", "3")]);
        assert_eq!(
            encode_encryption_context(&context),
            b"\x00\x01B\x00\x013\x00\x01a\x00\x012\x00\x01b\x00\x011"
        );
    }

    #[test]
    fn long_strings_use_the_escape() {
        let just_short = "x".repeat(0xFFFE);
        let long = "y".repeat(0xFFFF);
        let encoded = encode_encryption_context(&ec(&[(&just_short, &long)]));
        assert_eq!(&encoded[..2], &[0xFF, 0xFE]);
        let value_at = 2 + 0xFFFE;
        assert_eq!(&encoded[value_at..value_at + 2], &[0xFF, 0xFF]);
        assert_eq!(&encoded[value_at + 2..value_at + 10], &0xFFFFu64.to_be_bytes());
        assert_eq!(encoded.len(), 2 + 0xFFFE + 2 + 8 + 0xFFFF);
    }

    /// Reads an encoding back; used to show the encoding loses nothing.
    fn decode(mut bytes: &[u8]) -> Option<BTreeMap<String, String>> {
        fn take_string(bytes: &mut &[u8]) -> Option<String> {
            let (len, rest) = bytes.split_at_checked(2)?;
            let mut len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            *bytes = rest;
            if len == 0xFFFF {
                let (long, rest) = bytes.split_at_checked(8)?;
                len = usize::try_from(u64::from_be_bytes(long.try_into().ok()?)).ok()?;
                *bytes = rest;
            }
            let (s, rest) = bytes.split_at_checked(len)?;
            *bytes = rest;
            String::from_utf8(s.to_vec()).ok()
        }
        let mut map = BTreeMap::new();
        while !bytes.is_empty() {
            let key = take_string(&mut bytes)?;
            let value = take_string(&mut bytes)?;
            // Canonical means strictly increasing keys.
            if map.last_key_value().is_some_and(|(last, _)| *last >= key) {
                return None;
            }
            map.insert(key, value);
        }
        Some(map)
    }

    proptest! {
        #[test]
        fn encoding_is_injective(
            a in proptest::collection::btree_map(".{0,6}", ".{0,6}", 0..4),
            b in proptest::collection::btree_map(".{0,6}", ".{0,6}", 0..4),
        ) {
            prop_assert_eq!(decode(&encode_encryption_context(&a)), Some(a.clone()));
            if a != b {
                prop_assert_ne!(encode_encryption_context(&a), encode_encryption_context(&b));
            }
        }

        #[test]
        fn blob_round_trip(
            plaintext in proptest::collection::vec(any::<u8>(), 0..512),
            context in proptest::collection::btree_map("[a-z]{0,4}", ".{0,4}", 0..3),
            key_id in any::<u128>(),
            version in any::<u32>(),
        ) {
            let material = random_secret(&SystemRandom, 32).unwrap();
            let header = BlobHeader { key_id: Uuid::from_u128(key_id), version };
            let blob = encrypt(&material, &header, &context, &plaintext, &SystemRandom).unwrap();
            prop_assert_eq!(blob.len(), MIN_BLOB_LEN + plaintext.len());
            prop_assert_eq!(read_header(&blob).unwrap(), header);
            let decrypted = decrypt(&material, &blob, &context).unwrap();
            prop_assert_eq!(decrypted.expose(), &plaintext[..]);
        }

        #[test]
        fn arbitrary_bytes_never_decrypt(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let material = Secret::new(unhex(GOLDEN_MATERIAL));
            prop_assert_eq!(decrypt(&material, &bytes, &golden_ec()).unwrap_err(), CryptoError::Decrypt);
        }
    }
}
