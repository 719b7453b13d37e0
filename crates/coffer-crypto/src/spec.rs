//! Key specs: what kind of key a KMS key is, what it may be used for, which algorithms it
//! offers, and how its material is made.
//!
//! The names are the ones the clouds' APIs use. The tables follow the AWS KMS key spec
//! reference and, where they record it, the responses of the real service: the algorithm
//! lists are in the order `DescribeKey` returns them.
//!
//! Material is bytes for symmetric and HMAC specs and a DER PKCS#8 `PrivateKeyInfo` for
//! asymmetric specs, always held as a [`Secret`].

use std::fmt;

use crate::algorithm::{
    EncryptionAlgorithm, KeyAgreementAlgorithm, KeyUsage, MacAlgorithm, SigningAlgorithm,
};
use crate::error::CryptoError;
use crate::keys;
use crate::random::{SecureRandom, random_secret};
use crate::secret::Secret;

/// The kind of a key, which fixes its material and the algorithms it may be used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySpec {
    /// A 256-bit AES key used with AES-256-GCM through the ciphertext blob.
    SymmetricDefault,
    /// A 2048-bit RSA key pair (public exponent 65537).
    Rsa2048,
    /// A 3072-bit RSA key pair (public exponent 65537).
    Rsa3072,
    /// A 4096-bit RSA key pair (public exponent 65537).
    Rsa4096,
    /// An elliptic-curve key pair on NIST P-256 (secp256r1).
    EccNistP256,
    /// An elliptic-curve key pair on NIST P-384 (secp384r1).
    EccNistP384,
    /// An elliptic-curve key pair on NIST P-521 (secp521r1).
    EccNistP521,
    /// An elliptic-curve key pair on secp256k1.
    EccSecgP256k1,
    /// An Ed25519 key pair.
    EccNistEdwards25519,
    /// An ML-DSA-44 key pair (FIPS 204).
    MlDsa44,
    /// An ML-DSA-65 key pair (FIPS 204).
    MlDsa65,
    /// An ML-DSA-87 key pair (FIPS 204).
    MlDsa87,
    /// An SM2 key pair (GM/T 0003) on the recommended curve sm2p256v1.
    Sm2,
    /// A 224-bit HMAC key used with HMAC-SHA-224.
    Hmac224,
    /// A 256-bit HMAC key used with HMAC-SHA-256.
    Hmac256,
    /// A 384-bit HMAC key used with HMAC-SHA-384.
    Hmac384,
    /// A 512-bit HMAC key used with HMAC-SHA-512.
    Hmac512,
}

/// The algorithms a key of some spec and usage supports, one list per kind, as `DescribeKey`
/// reports them: only the list that matches the usage is non-empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithms {
    /// `EncryptionAlgorithms` (usage `ENCRYPT_DECRYPT`).
    pub encryption: &'static [EncryptionAlgorithm],
    /// `SigningAlgorithms` (usage `SIGN_VERIFY`).
    pub signing: &'static [SigningAlgorithm],
    /// `MacAlgorithms` (usage `GENERATE_VERIFY_MAC`).
    pub mac: &'static [MacAlgorithm],
    /// `KeyAgreementAlgorithms` (usage `KEY_AGREEMENT`).
    pub key_agreement: &'static [KeyAgreementAlgorithm],
}

impl Algorithms {
    const NONE: Algorithms =
        Algorithms { encryption: &[], signing: &[], mac: &[], key_agreement: &[] };
}

const RSA_ENCRYPTION: &[EncryptionAlgorithm] =
    &[EncryptionAlgorithm::RsaesOaepSha1, EncryptionAlgorithm::RsaesOaepSha256];
const RSA_SIGNING: &[SigningAlgorithm] = &[
    SigningAlgorithm::RsassaPkcs1V15Sha256,
    SigningAlgorithm::RsassaPkcs1V15Sha384,
    SigningAlgorithm::RsassaPkcs1V15Sha512,
    SigningAlgorithm::RsassaPssSha256,
    SigningAlgorithm::RsassaPssSha384,
    SigningAlgorithm::RsassaPssSha512,
];
const ECDH: &[KeyAgreementAlgorithm] = &[KeyAgreementAlgorithm::Ecdh];

impl KeySpec {
    /// Every spec this build supports, in the order the API model lists them.
    pub const ALL: &'static [KeySpec] = &[
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::Rsa4096,
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
        KeySpec::EccSecgP256k1,
        KeySpec::SymmetricDefault,
        KeySpec::Hmac224,
        KeySpec::Hmac256,
        KeySpec::Hmac384,
        KeySpec::Hmac512,
        KeySpec::Sm2,
        KeySpec::MlDsa44,
        KeySpec::MlDsa65,
        KeySpec::MlDsa87,
        KeySpec::EccNistEdwards25519,
    ];

    /// The specs `GenerateDataKeyPair` can make a pair of (its `KeyPairSpec`), in API order.
    /// ML-DSA key specs are not data key pair specs.
    pub const DATA_KEY_PAIR: &'static [KeySpec] = &[
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::Rsa4096,
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
        KeySpec::EccSecgP256k1,
        KeySpec::Sm2,
        KeySpec::EccNistEdwards25519,
    ];

    /// The specs an import wrapping key can have (`WrappingKeySpec`), in API order.
    pub const WRAPPING: &'static [KeySpec] =
        &[KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096, KeySpec::Sm2];

    /// The spec's API name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySpec::SymmetricDefault => "SYMMETRIC_DEFAULT",
            KeySpec::Rsa2048 => "RSA_2048",
            KeySpec::Rsa3072 => "RSA_3072",
            KeySpec::Rsa4096 => "RSA_4096",
            KeySpec::EccNistP256 => "ECC_NIST_P256",
            KeySpec::EccNistP384 => "ECC_NIST_P384",
            KeySpec::EccNistP521 => "ECC_NIST_P521",
            KeySpec::EccSecgP256k1 => "ECC_SECG_P256K1",
            KeySpec::EccNistEdwards25519 => "ECC_NIST_EDWARDS25519",
            KeySpec::MlDsa44 => "ML_DSA_44",
            KeySpec::MlDsa65 => "ML_DSA_65",
            KeySpec::MlDsa87 => "ML_DSA_87",
            KeySpec::Sm2 => "SM2",
            KeySpec::Hmac224 => "HMAC_224",
            KeySpec::Hmac256 => "HMAC_256",
            KeySpec::Hmac384 => "HMAC_384",
            KeySpec::Hmac512 => "HMAC_512",
        }
    }

    /// The spec with API name `name` (exact, case-sensitive, as the APIs are), if supported.
    pub fn parse(name: &str) -> Option<KeySpec> {
        KeySpec::ALL.iter().copied().find(|spec| spec.as_str() == name)
    }

    /// Whether the spec is a key pair, whose material is a PKCS#8 document.
    pub fn is_asymmetric(self) -> bool {
        !matches!(
            self,
            KeySpec::SymmetricDefault
                | KeySpec::Hmac224
                | KeySpec::Hmac256
                | KeySpec::Hmac384
                | KeySpec::Hmac512
        )
    }

    /// The size in bytes of the key's secret.
    ///
    /// For symmetric and HMAC specs this is exactly the length of freshly generated material.
    /// For asymmetric specs, whose material is a PKCS#8 document of varying length, it is the
    /// size of what the document carries: the RSA modulus, the curve's private scalar, or
    /// the 32-byte seed of Ed25519 and ML-DSA.
    pub fn material_len(self) -> usize {
        match self {
            KeySpec::SymmetricDefault => 32,
            KeySpec::Rsa2048 => 256,
            KeySpec::Rsa3072 => 384,
            KeySpec::Rsa4096 => 512,
            KeySpec::EccNistP256 | KeySpec::EccSecgP256k1 | KeySpec::Sm2 => 32,
            KeySpec::EccNistP384 => 48,
            KeySpec::EccNistP521 => 66,
            KeySpec::EccNistEdwards25519
            | KeySpec::MlDsa44
            | KeySpec::MlDsa65
            | KeySpec::MlDsa87 => 32,
            KeySpec::Hmac224 => 28,
            KeySpec::Hmac256 => 32,
            KeySpec::Hmac384 => 48,
            KeySpec::Hmac512 => 64,
        }
    }

    /// The usages a key of this spec may be created with, in API order.
    pub fn key_usages(self) -> &'static [KeyUsage] {
        use KeyUsage::{EncryptDecrypt, GenerateVerifyMac, KeyAgreement, SignVerify};
        match self {
            KeySpec::SymmetricDefault => &[EncryptDecrypt],
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => &[EncryptDecrypt, SignVerify],
            KeySpec::EccNistP256 | KeySpec::EccNistP384 | KeySpec::EccNistP521 => {
                &[SignVerify, KeyAgreement]
            }
            KeySpec::EccSecgP256k1
            | KeySpec::EccNistEdwards25519
            | KeySpec::MlDsa44
            | KeySpec::MlDsa65
            | KeySpec::MlDsa87 => &[SignVerify],
            KeySpec::Sm2 => &[EncryptDecrypt, SignVerify, KeyAgreement],
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512 => {
                &[GenerateVerifyMac]
            }
        }
    }

    /// Whether a key of this spec may have `usage`.
    pub fn supports(self, usage: KeyUsage) -> bool {
        self.key_usages().contains(&usage)
    }

    /// The algorithms a key of this spec and `usage` supports, as `DescribeKey` and
    /// `GetPublicKey` report them; `None` if the spec does not allow the usage.
    pub fn algorithms(self, usage: KeyUsage) -> Option<Algorithms> {
        if !self.supports(usage) {
            return None;
        }
        Some(match usage {
            KeyUsage::EncryptDecrypt => {
                Algorithms { encryption: self.encryption_algorithm_list(), ..Algorithms::NONE }
            }
            KeyUsage::SignVerify => {
                Algorithms { signing: self.signing_algorithms(), ..Algorithms::NONE }
            }
            KeyUsage::GenerateVerifyMac => {
                Algorithms { mac: self.mac_algorithms(), ..Algorithms::NONE }
            }
            KeyUsage::KeyAgreement => {
                Algorithms { key_agreement: self.key_agreement_algorithms(), ..Algorithms::NONE }
            }
        })
    }

    /// The API names of the encryption algorithms keys of this spec accept (empty for specs
    /// that cannot encrypt).
    pub fn encryption_algorithms(self) -> &'static [&'static str] {
        match self {
            KeySpec::SymmetricDefault => &["SYMMETRIC_DEFAULT"],
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => {
                &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
            }
            KeySpec::Sm2 => &["SM2PKE"],
            _ => &[],
        }
    }

    /// The encryption algorithms keys of this spec accept (empty for specs that cannot
    /// encrypt); the typed form of [`KeySpec::encryption_algorithms`].
    pub fn encryption_algorithm_list(self) -> &'static [EncryptionAlgorithm] {
        match self {
            KeySpec::SymmetricDefault => &[EncryptionAlgorithm::SymmetricDefault],
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => RSA_ENCRYPTION,
            KeySpec::Sm2 => &[EncryptionAlgorithm::Sm2Pke],
            _ => &[],
        }
    }

    /// The signing algorithms keys of this spec offer (empty for specs that cannot sign).
    pub fn signing_algorithms(self) -> &'static [SigningAlgorithm] {
        match self {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => RSA_SIGNING,
            KeySpec::EccNistP256 | KeySpec::EccSecgP256k1 => &[SigningAlgorithm::EcdsaSha256],
            KeySpec::EccNistP384 => &[SigningAlgorithm::EcdsaSha384],
            KeySpec::EccNistP521 => &[SigningAlgorithm::EcdsaSha512],
            KeySpec::EccNistEdwards25519 => {
                &[SigningAlgorithm::Ed25519Sha512, SigningAlgorithm::Ed25519PhSha512]
            }
            KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87 => {
                &[SigningAlgorithm::MlDsaShake256]
            }
            KeySpec::Sm2 => &[SigningAlgorithm::Sm2Dsa],
            _ => &[],
        }
    }

    /// The MAC algorithm keys of this spec offer (empty for non-HMAC specs).
    pub fn mac_algorithms(self) -> &'static [MacAlgorithm] {
        match self {
            KeySpec::Hmac224 => &[MacAlgorithm::HmacSha224],
            KeySpec::Hmac256 => &[MacAlgorithm::HmacSha256],
            KeySpec::Hmac384 => &[MacAlgorithm::HmacSha384],
            KeySpec::Hmac512 => &[MacAlgorithm::HmacSha512],
            _ => &[],
        }
    }

    /// The key agreement algorithms keys of this spec offer (empty for specs that cannot
    /// derive shared secrets).
    pub fn key_agreement_algorithms(self) -> &'static [KeyAgreementAlgorithm] {
        match self {
            KeySpec::EccNistP256 | KeySpec::EccNistP384 | KeySpec::EccNistP521 | KeySpec::Sm2 => {
                ECDH
            }
            _ => &[],
        }
    }

    /// Whether `GenerateDataKeyPair` can make a pair of this spec.
    pub fn is_data_key_pair_spec(self) -> bool {
        KeySpec::DATA_KEY_PAIR.contains(&self)
    }

    /// Whether an import wrapping key can have this spec.
    pub fn is_wrapping_spec(self) -> bool {
        KeySpec::WRAPPING.contains(&self)
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// New key material for `spec`: random bytes for symmetric and HMAC specs, a fresh key pair
/// as DER PKCS#8 for asymmetric specs.
///
/// Randomness comes from `rng`, except for RSA and ECDSA key pairs: aws-lc-rs generates
/// those from its own generator and takes none.
pub fn generate_material(spec: KeySpec, rng: &dyn SecureRandom) -> Result<Secret, CryptoError> {
    if spec.is_asymmetric() {
        keys::generate_pkcs8(spec, rng)
    } else {
        random_secret(rng, spec.material_len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SystemRandom;
    use crate::random::testing::{CounterRandom, FailingRandom};

    #[test]
    fn names_round_trip() {
        for &spec in KeySpec::ALL {
            assert_eq!(KeySpec::parse(spec.as_str()), Some(spec));
            assert_eq!(spec.to_string(), spec.as_str());
        }
        assert_eq!(KeySpec::SymmetricDefault.as_str(), "SYMMETRIC_DEFAULT");
        assert_eq!(KeySpec::parse("SYMMETRIC_DEFAULT"), Some(KeySpec::SymmetricDefault));
    }

    #[test]
    fn every_spec_of_the_recorded_create_key_enum_is_supported() {
        // The enum value set of CreateKey's keySpec, from the recorded validation message.
        let recorded = "RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, \
                        ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512, \
                        ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519, SM2";
        let names: Vec<&str> = recorded.split(", ").collect();
        for name in &names {
            assert!(KeySpec::parse(name).is_some(), "{name}");
        }
        assert_eq!(names.len(), KeySpec::ALL.len());
    }

    #[test]
    fn unknown_and_miscased_names_are_rejected() {
        for name in
            ["", "symmetric_default", "SYMMETRIC_DEFAULT ", "AES_256", "HMAC_random", "RSA_1024"]
        {
            assert_eq!(KeySpec::parse(name), None, "{name:?}");
        }
    }

    #[test]
    fn symmetric_default_facts() {
        let spec = KeySpec::SymmetricDefault;
        assert_eq!(spec.material_len(), 32);
        assert_eq!(spec.encryption_algorithms(), &["SYMMETRIC_DEFAULT"]);
        assert_eq!(spec.key_usages(), &[KeyUsage::EncryptDecrypt]);
        assert!(!spec.is_asymmetric());
    }

    #[test]
    fn usages_follow_the_key_spec_table() {
        use KeyUsage::*;
        let table: &[(KeySpec, &[KeyUsage])] = &[
            (KeySpec::SymmetricDefault, &[EncryptDecrypt]),
            (KeySpec::Rsa2048, &[EncryptDecrypt, SignVerify]),
            (KeySpec::Rsa4096, &[EncryptDecrypt, SignVerify]),
            (KeySpec::EccNistP256, &[SignVerify, KeyAgreement]),
            (KeySpec::EccNistP521, &[SignVerify, KeyAgreement]),
            (KeySpec::EccSecgP256k1, &[SignVerify]),
            (KeySpec::EccNistEdwards25519, &[SignVerify]),
            (KeySpec::MlDsa65, &[SignVerify]),
            (KeySpec::Sm2, &[EncryptDecrypt, SignVerify, KeyAgreement]),
            (KeySpec::Hmac384, &[GenerateVerifyMac]),
        ];
        for (spec, usages) in table {
            assert_eq!(spec.key_usages(), *usages, "{spec}");
            for usage in KeyUsage::ALL {
                assert_eq!(spec.algorithms(*usage).is_some(), usages.contains(usage));
            }
        }
        // "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048" (recorded).
        assert!(!KeySpec::Rsa2048.supports(KeyAgreement));
    }

    #[test]
    fn algorithm_lists_match_the_recorded_describe_key_responses() {
        let names = |list: &[SigningAlgorithm]| list.iter().map(|a| a.as_str()).collect::<Vec<_>>();
        let rsa = KeySpec::Rsa4096.algorithms(KeyUsage::EncryptDecrypt).unwrap();
        assert_eq!(rsa.encryption, RSA_ENCRYPTION);
        assert!(rsa.signing.is_empty() && rsa.mac.is_empty() && rsa.key_agreement.is_empty());
        assert_eq!(
            KeySpec::Rsa4096.encryption_algorithms(),
            &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
        );
        for (spec, expected) in [
            (KeySpec::EccNistP256, "ECDSA_SHA_256"),
            (KeySpec::EccNistP384, "ECDSA_SHA_384"),
            (KeySpec::EccNistP521, "ECDSA_SHA_512"),
            (KeySpec::EccSecgP256k1, "ECDSA_SHA_256"),
        ] {
            let algorithms = spec.algorithms(KeyUsage::SignVerify).unwrap();
            assert_eq!(names(algorithms.signing), [expected], "{spec}");
            assert!(algorithms.encryption.is_empty());
        }
        for (spec, expected) in [
            (KeySpec::Hmac224, MacAlgorithm::HmacSha224),
            (KeySpec::Hmac256, MacAlgorithm::HmacSha256),
            (KeySpec::Hmac384, MacAlgorithm::HmacSha384),
            (KeySpec::Hmac512, MacAlgorithm::HmacSha512),
        ] {
            assert_eq!(spec.algorithms(KeyUsage::GenerateVerifyMac).unwrap().mac, [expected]);
        }
        assert_eq!(
            names(KeySpec::Rsa2048.signing_algorithms()),
            [
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512",
            ]
        );
        assert_eq!(
            KeySpec::EccNistP384.algorithms(KeyUsage::KeyAgreement).unwrap().key_agreement,
            [KeyAgreementAlgorithm::Ecdh]
        );
        assert_eq!(
            KeySpec::Sm2.algorithms(KeyUsage::EncryptDecrypt).unwrap().encryption,
            [EncryptionAlgorithm::Sm2Pke]
        );
    }

    #[test]
    fn typed_and_named_encryption_lists_agree() {
        for &spec in KeySpec::ALL {
            let typed: Vec<_> =
                spec.encryption_algorithm_list().iter().map(|a| a.as_str()).collect();
            assert_eq!(typed, spec.encryption_algorithms(), "{spec}");
        }
    }

    #[test]
    fn generated_material_has_the_spec_length() {
        let material = generate_material(KeySpec::SymmetricDefault, &SystemRandom).unwrap();
        assert_eq!(material.len(), 32);
        let counted = generate_material(KeySpec::SymmetricDefault, &CounterRandom::new(0)).unwrap();
        assert_eq!(counted.expose(), (0u8..32).collect::<Vec<_>>());
        for (spec, len) in [
            (KeySpec::Hmac224, 28),
            (KeySpec::Hmac256, 32),
            (KeySpec::Hmac384, 48),
            (KeySpec::Hmac512, 64),
        ] {
            assert_eq!(generate_material(spec, &SystemRandom).unwrap().len(), len, "{spec}");
        }
    }

    #[test]
    fn generation_reports_a_failed_random_source() {
        for spec in [KeySpec::SymmetricDefault, KeySpec::Hmac256, KeySpec::Sm2, KeySpec::MlDsa44] {
            assert_eq!(
                generate_material(spec, &FailingRandom).unwrap_err(),
                CryptoError::Random,
                "{spec}"
            );
        }
    }
}
