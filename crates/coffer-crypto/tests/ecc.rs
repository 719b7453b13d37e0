//! ECDSA on P-256, P-384, P-521 and secp256k1 and ECDH on the NIST curves, checked by
//! RustCrypto's `p256`, `p384`, `p521` and `k256`: keys, DER signatures (over messages and
//! over digests) and shared secrets, both ways.

use coffer_crypto::{
    KeySpec, MessageType, SigningAlgorithm, SystemRandom, derive_shared_secret,
    generate_data_key_pair, public_key_spki, sign, verify,
};

/// One curve's checks, written once for the four RustCrypto curve crates.
macro_rules! ecdsa_checks {
    ($name:ident, $curve:ident, $spec:expr, $algorithm:expr, $hash:ty, $normalize:expr) => {
        #[test]
        fn $name() {
            use sha2::Digest;
            use $curve::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
            use $curve::ecdsa::signature::{Signer, Verifier};
            use $curve::ecdsa::{Signature, SigningKey, VerifyingKey};
            use $curve::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};

            let (spec, algorithm) = ($spec, $algorithm);
            for _ in 0..4 {
                let (material, spki) = generate_data_key_pair(spec, &SystemRandom).unwrap();
                // The PKCS#8 and SubjectPublicKeyInfo documents, read elsewhere, agree.
                let secret = $curve::SecretKey::from_pkcs8_der(material.expose()).unwrap();
                assert_eq!(secret.public_key().to_public_key_der().unwrap().as_bytes(), &spki[..]);
                let verifying_key = VerifyingKey::from_public_key_der(&spki).unwrap();
                let signing_key = SigningKey::from(&secret);

                let message = b"an ECDSA message";
                let digest = <$hash>::digest(message);
                let normalize: fn(Signature) -> Signature = $normalize;

                // Ours, verified elsewhere, over the message and over its digest.
                for (message_type, input) in
                    [(MessageType::Raw, &message[..]), (MessageType::Digest, &digest[..])]
                {
                    let ours = sign(spec, &material, algorithm, message_type, input).unwrap();
                    let parsed = normalize(Signature::from_der(&ours).unwrap());
                    verifying_key.verify(message, &parsed).unwrap();
                    verifying_key.verify_prehash(&digest, &parsed).unwrap();
                }

                // Theirs, verified here.
                let theirs: Signature = signing_key.sign(message);
                let theirs = theirs.to_der();
                assert!(
                    verify(spec, &spki, algorithm, MessageType::Raw, message, theirs.as_bytes())
                        .unwrap()
                );
                let over_digest: Signature = signing_key.sign_prehash(&digest).unwrap();
                assert!(
                    verify(
                        spec,
                        &spki,
                        algorithm,
                        MessageType::Digest,
                        &digest,
                        over_digest.to_der().as_bytes()
                    )
                    .unwrap()
                );
                assert!(
                    !verify(spec, &spki, algorithm, MessageType::Raw, b"other", theirs.as_bytes())
                        .unwrap()
                );
            }
        }
    };
}

ecdsa_checks!(
    p256_ecdsa,
    p256,
    KeySpec::EccNistP256,
    SigningAlgorithm::EcdsaSha256,
    sha2::Sha256,
    |s| s
);
ecdsa_checks!(
    p384_ecdsa,
    p384,
    KeySpec::EccNistP384,
    SigningAlgorithm::EcdsaSha384,
    sha2::Sha384,
    |s| s
);
ecdsa_checks!(
    p521_ecdsa,
    p521,
    KeySpec::EccNistP521,
    SigningAlgorithm::EcdsaSha512,
    sha2::Sha512,
    |s| s
);
// `k256` verifies only low-S signatures (the Bitcoin rule); ECDSA itself accepts either
// `s` or `n - s`, and aws-lc-rs produces both, so ours are normalized before checking.
ecdsa_checks!(
    secp256k1_ecdsa,
    k256,
    KeySpec::EccSecgP256k1,
    SigningAlgorithm::EcdsaSha256,
    sha2::Sha256,
    |s| s.normalize_s()
);

/// ECDH checks, both ways, for one NIST curve.
macro_rules! ecdh_checks {
    ($name:ident, $curve:ident, $spec:expr, $len:expr) => {
        #[test]
        fn $name() {
            use $curve::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};

            let spec = $spec;
            let (ours, our_spki) = generate_data_key_pair(spec, &SystemRandom).unwrap();
            assert_eq!(public_key_spki(spec, &ours).unwrap(), our_spki);

            // A peer whose key pair was made elsewhere.
            let peer_secret = $curve::SecretKey::from_pkcs8_der(
                coffer_crypto::generate_material(spec, &SystemRandom).unwrap().expose(),
            )
            .unwrap();
            let peer_spki = peer_secret.public_key().to_public_key_der().unwrap();
            let shared = derive_shared_secret(spec, &ours, peer_spki.as_bytes()).unwrap();
            assert_eq!(shared.len(), $len);

            let our_public = $curve::PublicKey::from_public_key_der(&our_spki).unwrap();
            let theirs = $curve::ecdh::diffie_hellman(
                peer_secret.to_nonzero_scalar(),
                our_public.as_affine(),
            );
            assert_eq!(shared.expose(), theirs.raw_secret_bytes().as_slice());

            // And from our side with their private key, as DER read by them.
            let our_secret = $curve::SecretKey::from_pkcs8_der(ours.expose()).unwrap();
            let peer_public = $curve::PublicKey::from_public_key_der(peer_spki.as_bytes()).unwrap();
            let again = $curve::ecdh::diffie_hellman(
                our_secret.to_nonzero_scalar(),
                peer_public.as_affine(),
            );
            assert_eq!(again.raw_secret_bytes().as_slice(), shared.expose());
        }
    };
}

ecdh_checks!(p256_ecdh, p256, KeySpec::EccNistP256, 32);
ecdh_checks!(p384_ecdh, p384, KeySpec::EccNistP384, 48);
ecdh_checks!(p521_ecdh, p521, KeySpec::EccNistP521, 66);
