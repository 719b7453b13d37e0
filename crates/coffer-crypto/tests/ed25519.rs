//! Ed25519, checked by `ed25519-dalek` (independent of aws-lc-rs, which makes and checks
//! pure Ed25519 signatures here), and Ed25519ph on RFC 8032's vector (this crate computes
//! Ed25519ph with `ed25519-dalek` itself, so a known answer is the independent check).

use coffer_crypto::{
    KeySpec, MessageType, Secret, SigningAlgorithm, SystemRandom, generate_data_key_pair,
    public_key_spki, sign, verify,
};
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha512};

use crate::vectors::{self, field};

const SPEC: KeySpec = KeySpec::EccNistEdwards25519;

#[test]
fn keys_and_pure_signatures_cross_both_ways() {
    for _ in 0..4 {
        let (material, spki) = generate_data_key_pair(SPEC, &SystemRandom).unwrap();
        let signing_key = SigningKey::from_pkcs8_der(material.expose()).unwrap();
        let verifying_key = VerifyingKey::from_public_key_der(&spki).unwrap();
        assert_eq!(signing_key.verifying_key(), verifying_key);
        assert_eq!(&spki[..12], vectors::hex("302a300506032b6570032100"));
        assert_eq!(verifying_key.as_bytes(), &spki[12..]);

        let message = b"pure Ed25519 over the whole message";
        let ours =
            sign(SPEC, &material, SigningAlgorithm::Ed25519Sha512, MessageType::Raw, message)
                .unwrap();
        let ours = ed25519_dalek::Signature::from_slice(&ours).unwrap();
        verifying_key.verify_strict(message, &ours).unwrap();

        let theirs = signing_key.sign(message).to_bytes();
        assert!(
            verify(
                SPEC,
                &spki,
                SigningAlgorithm::Ed25519Sha512,
                MessageType::Raw,
                message,
                &theirs
            )
            .unwrap()
        );

        // Ed25519ph signatures made here verify elsewhere too.
        let digest = Sha512::digest(message);
        let prehashed =
            sign(SPEC, &material, SigningAlgorithm::Ed25519PhSha512, MessageType::Digest, &digest)
                .unwrap();
        let prehashed = ed25519_dalek::Signature::from_slice(&prehashed).unwrap();
        let mut hasher = Sha512::new();
        hasher.update(message);
        verifying_key.verify_prehashed_strict(hasher, None, &prehashed).unwrap();
    }
}

#[test]
fn rfc_8032_ed25519ph() {
    let records = vectors::load("ed25519ph.txt");
    let vector = &records[0];
    // PKCS#8 v1 (RFC 8410) around the seed.
    let mut pkcs8 = vectors::hex("302e020100300506032b657004220420");
    pkcs8.extend_from_slice(field(vector, "seed"));
    let material = Secret::new(pkcs8);
    let spki = public_key_spki(SPEC, &material).unwrap();
    assert_eq!(
        spki,
        [&vectors::hex("302a300506032b6570032100")[..], field(vector, "public")].concat()
    );

    let digest = Sha512::digest(field(vector, "message"));
    let algorithm = SigningAlgorithm::Ed25519PhSha512;
    // Ed25519ph is deterministic: the signature is reproduced exactly.
    let ours = sign(SPEC, &material, algorithm, MessageType::Digest, &digest).unwrap();
    assert_eq!(ours, field(vector, "signature"));
    assert!(
        verify(SPEC, &spki, algorithm, MessageType::Digest, &digest, field(vector, "signature"))
            .unwrap()
    );
    // It is not a pure Ed25519 signature of the message.
    assert!(
        !verify(
            SPEC,
            &spki,
            SigningAlgorithm::Ed25519Sha512,
            MessageType::Raw,
            field(vector, "message"),
            field(vector, "signature")
        )
        .unwrap()
    );
}
