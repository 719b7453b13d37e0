//! The persisted formats are plain AES-256-GCM: another implementation (RustCrypto's
//! `aes-gcm`), given only the documented layouts, reads what this crate writes and writes
//! what this crate reads.

use std::collections::BTreeMap;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Nonce, Payload};
use coffer_crypto::blob::{self, BlobHeader, encode_encryption_context};
use coffer_crypto::{
    CryptoError, KeySpec, RootKey, Secret, SystemRandom, generate_material, seal, unseal,
};
use uuid::Uuid;

fn context() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("aws:ebs:id".to_owned(), "vol-0123".to_owned()),
        ("Department".to_owned(), "10".to_owned()),
    ])
}

fn other_cipher(key: &[u8]) -> Aes256Gcm {
    Aes256Gcm::new_from_slice(key).unwrap()
}

fn nonce_of(bytes: &[u8]) -> &Nonce<Aes256Gcm> {
    bytes.try_into().unwrap()
}

#[test]
fn a_blob_is_aes_gcm_under_the_documented_layout() {
    let material = generate_material(KeySpec::SymmetricDefault, &SystemRandom).unwrap();
    let header = BlobHeader { key_id: Uuid::new_v4(), version: 7 };
    let blob = blob::encrypt(&material, &header, &context(), b"interop", &SystemRandom).unwrap();

    // Built by hand from the layout, not with the crate's encoder for the header.
    let mut header_bytes = vec![0x01];
    header_bytes.extend_from_slice(header.key_id.as_bytes());
    header_bytes.extend_from_slice(&7u32.to_be_bytes());
    assert_eq!(&blob[..21], &header_bytes[..]);
    let mut aad = header_bytes.clone();
    aad.extend_from_slice(&encode_encryption_context(&context()));

    let plaintext = other_cipher(material.expose())
        .decrypt(nonce_of(&blob[21..33]), Payload { msg: &blob[33..], aad: &aad })
        .unwrap();
    assert_eq!(plaintext, b"interop");
}

#[test]
fn a_blob_written_elsewhere_decrypts() {
    let material = generate_material(KeySpec::SymmetricDefault, &SystemRandom).unwrap();
    let key_id = Uuid::new_v4();
    let mut blob = vec![0x01];
    blob.extend_from_slice(key_id.as_bytes());
    blob.extend_from_slice(&3u32.to_be_bytes());
    let mut aad = blob.clone();
    aad.extend_from_slice(&encode_encryption_context(&context()));
    let nonce = [0x5A; 12];
    let body = other_cipher(material.expose())
        .encrypt(nonce_of(&nonce), Payload { msg: b"from elsewhere", aad: &aad })
        .unwrap();
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&body);

    assert_eq!(blob::read_header(&blob).unwrap(), BlobHeader { key_id, version: 3 });
    let plaintext = blob::decrypt(&material, &blob, &context()).unwrap();
    assert_eq!(plaintext.expose(), b"from elsewhere");
    assert_eq!(
        blob::decrypt(&material, &blob, &BTreeMap::new()).unwrap_err(),
        CryptoError::Decrypt
    );
}

#[test]
fn sealed_material_is_aes_gcm_under_the_documented_layout() {
    let root_bytes = [0x11; 32];
    let root = RootKey::from_secret(Secret::new(root_bytes.to_vec())).unwrap();
    let identity = b"arn:aws:kms:eu-west-1:111122223333:key/k:1";
    let material = Secret::new(vec![0x22; 32]);
    let sealed = seal(&root, identity, &material, &SystemRandom).unwrap();

    assert_eq!(sealed[0], 0x01);
    let mut aad = vec![0x01];
    aad.extend_from_slice(identity);
    let opened = other_cipher(&root_bytes)
        .decrypt(nonce_of(&sealed[1..13]), Payload { msg: &sealed[13..], aad: &aad })
        .unwrap();
    assert_eq!(opened, material.expose());

    // And the other direction.
    let nonce = [0x33; 12];
    let mut elsewhere = vec![0x01];
    elsewhere.extend_from_slice(&nonce);
    elsewhere.extend_from_slice(
        &other_cipher(&root_bytes)
            .encrypt(nonce_of(&nonce), Payload { msg: &[0x44; 32], aad: &aad })
            .unwrap(),
    );
    assert_eq!(unseal(&root, identity, &elsewhere).unwrap().expose(), &[0x44; 32]);
}
