//! RSA, checked by RustCrypto's `rsa` on the public-key side only (verifying and
//! encrypting): it never performs a private-key operation, even here. So the one thing it
//! cannot check is this crate's own encryption; that is covered by the Wycheproof decryption
//! vectors and the round trips in the unit tests.

use coffer_crypto::{
    EncryptionAlgorithm, KeySpec, MessageType, Secret, SigningAlgorithm, SystemRandom,
    asymmetric_decrypt, generate_data_key_pair, generate_material, public_key_spki, sign,
};
use getrandom::SysRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::signature::Verifier;
use rsa::signature::hazmat::PrehashVerifier;
use rsa::traits::PublicKeyParts;
use rsa::{Oaep, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey, pkcs1v15, pss};
use sha2::{Digest, Sha256, Sha384, Sha512};

const SPECS: [(KeySpec, usize); 3] =
    [(KeySpec::Rsa2048, 2048), (KeySpec::Rsa3072, 3072), (KeySpec::Rsa4096, 4096)];

fn key_pair(spec: KeySpec) -> (Secret, RsaPublicKey) {
    let material = generate_material(spec, &SystemRandom).unwrap();
    let spki = public_key_spki(spec, &material).unwrap();
    (material, RsaPublicKey::from_public_key_der(&spki).unwrap())
}

#[test]
fn pkcs8_and_spki_read_elsewhere_and_agree() {
    for (spec, bits) in SPECS {
        let (private, spki) = generate_data_key_pair(spec, &SystemRandom).unwrap();
        // Parsing only: the document's structure, not a private-key operation.
        let theirs = RsaPrivateKey::from_pkcs8_der(private.expose()).unwrap();
        let public = RsaPublicKey::from_public_key_der(&spki).unwrap();
        assert_eq!(theirs.to_public_key(), public, "{spec}");
        assert_eq!(public.size() * 8, bits);
        assert_eq!(public.e(), &rsa::BoxedUint::from(65537u32));
        // The SubjectPublicKeyInfo is the canonical one.
        assert_eq!(public.to_public_key_der().unwrap().as_bytes(), &spki[..]);
    }
}

fn check_signatures<D>(
    public: &RsaPublicKey,
    material: &Secret,
    spec: KeySpec,
    pss_algorithm: SigningAlgorithm,
    pkcs1_algorithm: SigningAlgorithm,
) where
    D: Digest + rsa::signature::digest::FixedOutputReset + pkcs8::AssociatedOid,
{
    let message = b"signed by coffer, checked by the rsa crate";
    let digest = D::digest(message);
    let pss_key = pss::VerifyingKey::<D>::new(public.clone());
    let pkcs1_key = pkcs1v15::VerifyingKey::<D>::new(public.clone());
    for message_type in [MessageType::Raw, MessageType::Digest] {
        let input: &[u8] = if message_type == MessageType::Raw { message } else { &digest };

        let signature = sign(spec, material, pss_algorithm, message_type, input).unwrap();
        let signature = pss::Signature::try_from(&signature[..]).unwrap();
        // The salt is as long as the digest: the default verifier insists on that length.
        pss_key.verify(message, &signature).unwrap();
        pss_key.verify_prehash(&digest, &signature).unwrap();
        let fixed_salt = pss::VerifyingKey::<D>::new_with_salt_len(public.clone(), digest.len());
        fixed_salt.verify(message, &signature).unwrap();

        let signature = sign(spec, material, pkcs1_algorithm, message_type, input).unwrap();
        let signature = pkcs1v15::Signature::try_from(&signature[..]).unwrap();
        pkcs1_key.verify(message, &signature).unwrap();
        assert!(pkcs1_key.verify(b"another message", &signature).is_err());
    }
}

#[test]
fn signatures_verify_elsewhere() {
    for (spec, _) in SPECS {
        let (material, public) = key_pair(spec);
        check_signatures::<Sha256>(
            &public,
            &material,
            spec,
            SigningAlgorithm::RsassaPssSha256,
            SigningAlgorithm::RsassaPkcs1V15Sha256,
        );
        check_signatures::<Sha384>(
            &public,
            &material,
            spec,
            SigningAlgorithm::RsassaPssSha384,
            SigningAlgorithm::RsassaPkcs1V15Sha384,
        );
        check_signatures::<Sha512>(
            &public,
            &material,
            spec,
            SigningAlgorithm::RsassaPssSha512,
            SigningAlgorithm::RsassaPkcs1V15Sha512,
        );
    }
}

#[test]
fn ciphertexts_from_elsewhere_decrypt() {
    for (spec, _) in SPECS {
        let (material, public) = key_pair(spec);
        let plaintext = b"encrypted by the rsa crate";
        let sha1 = public.encrypt(&mut SysRng, Oaep::<sha1::Sha1>::new(), plaintext).unwrap();
        let sha256 = public.encrypt(&mut SysRng, Oaep::<Sha256>::new(), plaintext).unwrap();
        assert_eq!(sha1.len(), public.size());
        for (algorithm, ciphertext) in [
            (EncryptionAlgorithm::RsaesOaepSha1, sha1),
            (EncryptionAlgorithm::RsaesOaepSha256, sha256),
        ] {
            let decrypted = asymmetric_decrypt(spec, &material, algorithm, &ciphertext).unwrap();
            assert_eq!(decrypted.expose(), plaintext, "{spec} {algorithm}");
        }
    }
}

#[test]
fn ciphertexts_use_the_same_hash_for_oaep_and_mgf1() {
    // Encrypted elsewhere with SHA-256 for the label hash but SHA-1 for MGF1 (the combination
    // some libraries default to): not what RSAES_OAEP_SHA_256 means, so it must not decrypt.
    let (material, public) = key_pair(KeySpec::Rsa2048);
    let mixed = public
        .encrypt(&mut SysRng, Oaep::<Sha256, sha1::Sha1>::new_with_mgf_hash(), b"mixed")
        .unwrap();
    assert!(
        asymmetric_decrypt(
            KeySpec::Rsa2048,
            &material,
            EncryptionAlgorithm::RsaesOaepSha256,
            &mixed
        )
        .is_err()
    );
}
