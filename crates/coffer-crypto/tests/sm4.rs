//! SM4 and SM4-GCM: the GB/T 32907-2016 block examples through the SM4 under [`Sm4Gcm`] and
//! through a second implementation (`libsm`); RFC 8998's SM4-GCM example; every kind of
//! tampering refused; and agreement with a second SM4-GCM, written here from NIST SP 800-38D
//! over `libsm`'s SM4.

use ::sm4::Sm4;
use ::sm4::cipher::{Block, BlockCipherEncrypt, KeyInit};
use coffer_crypto::{CryptoError, Sm4Gcm};
use libsm::sm4::cipher::Sm4Cipher;
use proptest::prelude::*;

use crate::vectors::{self, Record, field};

const NONCE_LEN: usize = Sm4Gcm::NONCE_LEN;

fn nonce_of(bytes: &[u8]) -> [u8; NONCE_LEN] {
    bytes.try_into().unwrap()
}

/// The RFC 8998 example.
struct Example {
    key: Vec<u8>,
    nonce: [u8; NONCE_LEN],
    aad: Vec<u8>,
    plaintext: Vec<u8>,
    /// The ciphertext followed by the tag.
    sealed: Vec<u8>,
}

fn rfc_8998_example() -> Example {
    let records = vectors::load("sm4_gcm.txt");
    assert_eq!(records.len(), 1);
    let record: &Record = &records[0];
    Example {
        key: field(record, "key").to_vec(),
        nonce: nonce_of(field(record, "nonce")),
        aad: field(record, "aad").to_vec(),
        plaintext: field(record, "plaintext").to_vec(),
        sealed: [field(record, "ciphertext"), field(record, "tag")].concat(),
    }
}

// --- a second SM4-GCM: `libsm`'s SM4 block cipher, and GCM as NIST SP 800-38D defines it ---

/// Multiplication in GF(2^128), bit by bit as SP 800-38D, section 6.3, algorithm 1 gives it:
/// no tables, nothing shared with the implementation under test.
fn gf_mul(x: u128, y: u128) -> u128 {
    const R: u128 = 0xE1 << 120;
    let (mut z, mut v) = (0, y);
    for i in 0..128 {
        if (x >> (127 - i)) & 1 == 1 {
            z ^= v;
        }
        v = if v & 1 == 1 { (v >> 1) ^ R } else { v >> 1 };
    }
    z
}

/// The 16-byte blocks of `bytes`, the last one padded with zeros.
fn padded_blocks(bytes: &[u8]) -> impl Iterator<Item = u128> + '_ {
    bytes.chunks(16).map(|chunk| {
        let mut block = [0; 16];
        block[..chunk.len()].copy_from_slice(chunk);
        u128::from_be_bytes(block)
    })
}

/// GCM-AE (SP 800-38D, section 7.1) over `libsm`'s SM4, for a 96-bit IV and a 128-bit tag:
/// `ciphertext || tag`.
fn reference_seal(key: &[u8], nonce: [u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let sm4 = Sm4Cipher::new(key).unwrap();
    let encrypt = |block: u128| u128::from_be_bytes(sm4.encrypt(&block.to_be_bytes()).unwrap());
    let h = encrypt(0);
    // J0 = IV || 0^31 || 1; the counter blocks are inc32(J0), inc32(inc32(J0)), ...
    let mut j0 = [0; 16];
    j0[..NONCE_LEN].copy_from_slice(&nonce);
    j0[15] = 1;
    let j0 = u128::from_be_bytes(j0);
    let inc32 = |block: u128, by: u32| {
        (block & !u128::from(u32::MAX)) | u128::from((block as u32).wrapping_add(by))
    };

    let mut out = Vec::with_capacity(plaintext.len() + 16);
    for (i, chunk) in plaintext.chunks(16).enumerate() {
        let keystream = encrypt(inc32(j0, i as u32 + 1)).to_be_bytes();
        out.extend(chunk.iter().zip(keystream).map(|(p, k)| p ^ k));
    }

    let lengths = (u128::from(aad.len() as u64 * 8) << 64) | u128::from(out.len() as u64 * 8);
    let s = padded_blocks(aad)
        .chain(padded_blocks(&out))
        .chain([lengths])
        .fold(0, |y, block| gf_mul(y ^ block, h));
    out.extend_from_slice(&(encrypt(j0) ^ s).to_be_bytes());
    out
}

// --- the block cipher ---

#[test]
fn sm4_gbt_32907_examples() {
    let records = vectors::load("sm4.txt");
    assert_eq!(records.len(), 2);
    for record in &records {
        let key = field(record, "key");
        let iterations: u32 =
            std::str::from_utf8(field(record, "iterations")).unwrap().parse().unwrap();
        let expected = field(record, "ciphertext");

        // The SM4 that `Sm4Gcm` runs.
        let ours = Sm4::new_from_slice(key).unwrap();
        let mut block = Block::<Sm4>::try_from(field(record, "plaintext")).unwrap();
        for _ in 0..iterations {
            ours.encrypt_block(&mut block);
        }
        assert_eq!(block.as_slice(), expected, "{iterations} iterations");

        // An independent one.
        let theirs = Sm4Cipher::new(key).unwrap();
        let mut block: [u8; 16] = field(record, "plaintext").try_into().unwrap();
        for _ in 0..iterations {
            block = theirs.encrypt(&block).unwrap();
        }
        assert_eq!(block, expected, "{iterations} iterations, libsm");
    }
}

// --- the AEAD ---

#[test]
fn sm4_gcm_rfc_8998_example() {
    let Example { key, nonce, aad, plaintext, sealed } = rfc_8998_example();
    let cipher = Sm4Gcm::new(&key).unwrap();
    assert_eq!(cipher.seal(nonce, &aad, &plaintext).unwrap(), sealed);
    assert_eq!(cipher.open(nonce, &aad, &sealed).unwrap().expose(), plaintext);
}

#[test]
fn the_reference_reproduces_rfc_8998() {
    // The second implementation is itself checked on the published example before it is
    // trusted to judge random inputs.
    let Example { key, nonce, aad, plaintext, sealed } = rfc_8998_example();
    assert_eq!(reference_seal(&key, nonce, &aad, &plaintext), sealed);
}

#[test]
fn tampering_with_any_input_fails_to_open() {
    let Example { key, nonce, aad, plaintext, sealed } = rfc_8998_example();
    let cipher = Sm4Gcm::new(&key).unwrap();
    let refused = |key: &[u8], nonce: [u8; NONCE_LEN], aad: &[u8], sealed: &[u8]| {
        Sm4Gcm::new(key).unwrap().open(nonce, aad, sealed).unwrap_err() == CryptoError::Decrypt
    };
    assert_eq!(cipher.open(nonce, &aad, &sealed).unwrap().expose(), plaintext);

    // Every single-bit change to the ciphertext, to the tag, to the associated data, to the
    // nonce and to the key.
    let body_len = plaintext.len();
    for bit in 0..sealed.len() * 8 {
        let mut changed = sealed.clone();
        changed[bit / 8] ^= 1 << (bit % 8);
        let part = if bit / 8 < body_len { "ciphertext" } else { "tag" };
        assert!(refused(&key, nonce, &aad, &changed), "{part}, bit {bit}");
    }
    for bit in 0..aad.len() * 8 {
        let mut changed = aad.clone();
        changed[bit / 8] ^= 1 << (bit % 8);
        assert!(refused(&key, nonce, &changed, &sealed), "aad, bit {bit}");
    }
    for bit in 0..NONCE_LEN * 8 {
        let mut changed = nonce;
        changed[bit / 8] ^= 1 << (bit % 8);
        assert!(refused(&key, changed, &aad, &sealed), "nonce, bit {bit}");
    }
    for bit in 0..key.len() * 8 {
        let mut changed = key.clone();
        changed[bit / 8] ^= 1 << (bit % 8);
        assert!(refused(&changed, nonce, &aad, &sealed), "key, bit {bit}");
    }

    // Lengths: associated data shortened, lengthened or left out; the input cut or extended;
    // the tag alone, or cut short.
    assert!(refused(&key, nonce, &aad[..aad.len() - 1], &sealed));
    assert!(refused(&key, nonce, &[aad.as_slice(), &[0]].concat(), &sealed));
    assert!(refused(&key, nonce, b"", &sealed));
    assert!(refused(&key, nonce, &aad, &sealed[..sealed.len() - 1]));
    assert!(refused(&key, nonce, &aad, &[sealed.as_slice(), &[0]].concat()));
    assert!(refused(&key, nonce, &aad, &sealed[body_len..]));
    assert!(refused(&key, nonce, &aad, &sealed[1..]));
    // The ciphertext with its tag moved to the front.
    let swapped = [&sealed[body_len..], &sealed[..body_len]].concat();
    assert!(refused(&key, nonce, &aad, &swapped));
}

proptest! {
    /// Seal then open is the identity, and the output is the plaintext plus one tag.
    #[test]
    fn open_of_seal_is_the_identity(
        key in any::<[u8; 16]>(),
        nonce in any::<[u8; NONCE_LEN]>(),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
        plaintext in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let cipher = Sm4Gcm::new(&key).unwrap();
        let sealed = cipher.seal(nonce, &aad, &plaintext).unwrap();
        prop_assert_eq!(sealed.len(), plaintext.len() + Sm4Gcm::TAG_LEN);
        let opened = cipher.open(nonce, &aad, &sealed).unwrap();
        prop_assert_eq!(opened.expose(), &plaintext[..]);
    }

    /// `Sm4Gcm` and the second implementation produce the same ciphertext and tag, for lengths
    /// of plaintext and associated data on and off block boundaries, and `Sm4Gcm` opens what
    /// the other sealed.
    #[test]
    fn agrees_with_an_independent_sm4_gcm(
        key in any::<[u8; 16]>(),
        nonce in any::<[u8; NONCE_LEN]>(),
        aad in proptest::collection::vec(any::<u8>(), 0..40),
        plaintext in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let cipher = Sm4Gcm::new(&key).unwrap();
        let theirs = reference_seal(&key, nonce, &aad, &plaintext);
        prop_assert_eq!(&cipher.seal(nonce, &aad, &plaintext).unwrap(), &theirs);
        let opened = cipher.open(nonce, &aad, &theirs).unwrap();
        prop_assert_eq!(opened.expose(), &plaintext[..]);
    }
}
