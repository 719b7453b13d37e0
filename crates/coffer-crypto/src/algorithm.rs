//! The names of what a key is for and what it can do: key usages, algorithms, message types.
//!
//! Each enum here is one of the APIs' enumerations. `as_str` gives the API name, `parse`
//! takes it back (exact and case-sensitive, as the APIs are), `ALL` lists every value in the
//! order the API model declares them. Which of them a given [`KeySpec`](crate::KeySpec)
//! allows is the spec's business: see [`KeySpec::algorithms`](crate::KeySpec::algorithms).

use std::fmt;

/// Declares a name enum: the variants with their API names, `ALL`, `as_str`, `parse` and
/// `Display` (which prints the API name).
macro_rules! api_names {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order the API model lists them.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The API name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The value with API name `name` (exact, case-sensitive), if there is one.
            pub fn parse(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.as_str() == name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_names! {
    /// What a key may be used for. A key has exactly one usage, chosen when it is created.
    pub enum KeyUsage {
        /// Encrypt and decrypt.
        EncryptDecrypt => "ENCRYPT_DECRYPT",
        /// Sign and verify.
        SignVerify => "SIGN_VERIFY",
        /// Generate and verify MACs.
        GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        /// Derive shared secrets.
        KeyAgreement => "KEY_AGREEMENT",
    }
}

api_names! {
    /// An encryption algorithm.
    pub enum EncryptionAlgorithm {
        /// AES-256-GCM through the ciphertext blob (symmetric keys).
        SymmetricDefault => "SYMMETRIC_DEFAULT",
        /// RSAES-OAEP with SHA-1 for both the hash and MGF1, empty label.
        RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        /// RSAES-OAEP with SHA-256 for both the hash and MGF1, empty label.
        RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
        /// SM2 public-key encryption (GM/T 0003.4), ciphertext as DER `C1 C3 C2`.
        Sm2Pke => "SM2PKE",
    }
}

api_names! {
    /// A signing algorithm.
    pub enum SigningAlgorithm {
        /// RSASSA-PSS, SHA-256 for the digest and MGF1, 32-byte salt.
        RsassaPssSha256 => "RSASSA_PSS_SHA_256",
        /// RSASSA-PSS, SHA-384 for the digest and MGF1, 48-byte salt.
        RsassaPssSha384 => "RSASSA_PSS_SHA_384",
        /// RSASSA-PSS, SHA-512 for the digest and MGF1, 64-byte salt.
        RsassaPssSha512 => "RSASSA_PSS_SHA_512",
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        RsassaPkcs1V15Sha256 => "RSASSA_PKCS1_V1_5_SHA_256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        RsassaPkcs1V15Sha384 => "RSASSA_PKCS1_V1_5_SHA_384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        RsassaPkcs1V15Sha512 => "RSASSA_PKCS1_V1_5_SHA_512",
        /// ECDSA with SHA-256, DER-encoded signature.
        EcdsaSha256 => "ECDSA_SHA_256",
        /// ECDSA with SHA-384, DER-encoded signature.
        EcdsaSha384 => "ECDSA_SHA_384",
        /// ECDSA with SHA-512, DER-encoded signature.
        EcdsaSha512 => "ECDSA_SHA_512",
        /// SM2 signatures (GM/T 0003.2) with SM3 and the default distinguishing identifier.
        Sm2Dsa => "SM2DSA",
        /// ML-DSA (FIPS 204), pure mode with an empty context.
        MlDsaShake256 => "ML_DSA_SHAKE_256",
        /// Ed25519 (RFC 8032) over the whole message.
        Ed25519Sha512 => "ED25519_SHA_512",
        /// Ed25519ph (RFC 8032) over a SHA-512 digest, empty context.
        Ed25519PhSha512 => "ED25519_PH_SHA_512",
    }
}

api_names! {
    /// A MAC algorithm (HMAC, RFC 2104).
    pub enum MacAlgorithm {
        /// HMAC with SHA-224.
        HmacSha224 => "HMAC_SHA_224",
        /// HMAC with SHA-256.
        HmacSha256 => "HMAC_SHA_256",
        /// HMAC with SHA-384.
        HmacSha384 => "HMAC_SHA_384",
        /// HMAC with SHA-512.
        HmacSha512 => "HMAC_SHA_512",
    }
}

api_names! {
    /// A key agreement algorithm.
    pub enum KeyAgreementAlgorithm {
        /// Elliptic-curve Diffie-Hellman; the raw shared secret is the x-coordinate.
        Ecdh => "ECDH",
    }
}

api_names! {
    /// How key material is wrapped for import.
    pub enum WrappingAlgorithm {
        /// RSAES-PKCS1-v1_5 (deprecated by the clouds; still read).
        RsaesPkcs1V15 => "RSAES_PKCS1_V1_5",
        /// RSAES-OAEP with SHA-1 for both the hash and MGF1.
        RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        /// RSAES-OAEP with SHA-256 for both the hash and MGF1.
        RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
        /// An ephemeral AES-256 key wrapped with RSAES-OAEP-SHA-1, followed by the material
        /// wrapped under it with AES key wrap with padding (RFC 5649).
        RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
        /// As [`WrappingAlgorithm::RsaAesKeyWrapSha1`], with RSAES-OAEP-SHA-256.
        RsaAesKeyWrapSha256 => "RSA_AES_KEY_WRAP_SHA_256",
        /// SM2 public-key encryption, as [`EncryptionAlgorithm::Sm2Pke`].
        Sm2Pke => "SM2PKE",
    }
}

api_names! {
    /// What the message handed to a signing operation is.
    pub enum MessageType {
        /// The message itself; it is hashed as the algorithm says.
        Raw => "RAW",
        /// A digest of the message, signed as given and never hashed again.
        Digest => "DIGEST",
        /// ML-DSA's message representative mu (64 bytes), signed as given.
        ExternalMu => "EXTERNAL_MU",
    }
}

/// Any algorithm, for errors that name the one that did not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// An encryption algorithm.
    Encryption(EncryptionAlgorithm),
    /// A signing algorithm.
    Signing(SigningAlgorithm),
    /// A MAC algorithm.
    Mac(MacAlgorithm),
    /// A key agreement algorithm.
    KeyAgreement(KeyAgreementAlgorithm),
    /// A wrapping algorithm for imported key material.
    Wrapping(WrappingAlgorithm),
}

impl Algorithm {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Encryption(algorithm) => algorithm.as_str(),
            Algorithm::Signing(algorithm) => algorithm.as_str(),
            Algorithm::Mac(algorithm) => algorithm.as_str(),
            Algorithm::KeyAgreement(algorithm) => algorithm.as_str(),
            Algorithm::Wrapping(algorithm) => algorithm.as_str(),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl SigningAlgorithm {
    /// The length in bytes of the digest that [`MessageType::Digest`] must hand in, or of the
    /// mu that [`MessageType::ExternalMu`] must hand in for ML-DSA.
    pub fn digest_len(self) -> usize {
        match self {
            SigningAlgorithm::RsassaPssSha256
            | SigningAlgorithm::RsassaPkcs1V15Sha256
            | SigningAlgorithm::EcdsaSha256
            | SigningAlgorithm::Sm2Dsa => 32,
            SigningAlgorithm::RsassaPssSha384
            | SigningAlgorithm::RsassaPkcs1V15Sha384
            | SigningAlgorithm::EcdsaSha384 => 48,
            SigningAlgorithm::RsassaPssSha512
            | SigningAlgorithm::RsassaPkcs1V15Sha512
            | SigningAlgorithm::EcdsaSha512
            | SigningAlgorithm::MlDsaShake256
            | SigningAlgorithm::Ed25519Sha512
            | SigningAlgorithm::Ed25519PhSha512 => 64,
        }
    }

    /// The message types the algorithm accepts.
    ///
    /// Ed25519 signs whole messages only and Ed25519ph digests only; ML-DSA signs a whole
    /// message or an external mu, never a digest; the rest sign a message or its digest.
    pub fn message_types(self) -> &'static [MessageType] {
        match self {
            SigningAlgorithm::Ed25519Sha512 => &[MessageType::Raw],
            SigningAlgorithm::Ed25519PhSha512 => &[MessageType::Digest],
            SigningAlgorithm::MlDsaShake256 => &[MessageType::Raw, MessageType::ExternalMu],
            _ => &[MessageType::Raw, MessageType::Digest],
        }
    }
}

impl MacAlgorithm {
    /// The length in bytes of the MAC.
    pub fn mac_len(self) -> usize {
        match self {
            MacAlgorithm::HmacSha224 => 28,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
            MacAlgorithm::HmacSha512 => 64,
        }
    }
}

impl WrappingAlgorithm {
    /// Whether the algorithm wraps with an SM2 key (otherwise with an RSA key).
    pub fn uses_sm2(self) -> bool {
        self == WrappingAlgorithm::Sm2Pke
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Copy + PartialEq + fmt::Debug>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        for &value in all {
            assert_eq!(parse(as_str(value)), Some(value), "{value:?}");
            assert_eq!(parse(&as_str(value).to_lowercase()), None, "{value:?}");
        }
        assert_eq!(parse(""), None);
        assert_eq!(parse("INVALID"), None);
    }

    #[test]
    fn names_round_trip() {
        round_trips(KeyUsage::ALL, KeyUsage::as_str, KeyUsage::parse);
        round_trips(
            EncryptionAlgorithm::ALL,
            EncryptionAlgorithm::as_str,
            EncryptionAlgorithm::parse,
        );
        round_trips(SigningAlgorithm::ALL, SigningAlgorithm::as_str, SigningAlgorithm::parse);
        round_trips(MacAlgorithm::ALL, MacAlgorithm::as_str, MacAlgorithm::parse);
        round_trips(
            KeyAgreementAlgorithm::ALL,
            KeyAgreementAlgorithm::as_str,
            KeyAgreementAlgorithm::parse,
        );
        round_trips(WrappingAlgorithm::ALL, WrappingAlgorithm::as_str, WrappingAlgorithm::parse);
        round_trips(MessageType::ALL, MessageType::as_str, MessageType::parse);
    }

    #[test]
    fn display_is_the_api_name() {
        assert_eq!(SigningAlgorithm::Ed25519PhSha512.to_string(), "ED25519_PH_SHA_512");
        assert_eq!(Algorithm::Mac(MacAlgorithm::HmacSha224).to_string(), "HMAC_SHA_224");
        assert_eq!(KeyUsage::GenerateVerifyMac.to_string(), "GENERATE_VERIFY_MAC");
    }

    #[test]
    fn the_mac_enum_lists_what_the_recorded_validation_message_lists() {
        // "Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224,
        // HMAC_SHA_512]" lists a set, not this order; only membership is checked.
        let mut names: Vec<_> = MacAlgorithm::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"]);
    }

    #[test]
    fn digest_lengths() {
        assert_eq!(SigningAlgorithm::RsassaPssSha384.digest_len(), 48);
        assert_eq!(SigningAlgorithm::Sm2Dsa.digest_len(), 32);
        assert_eq!(SigningAlgorithm::MlDsaShake256.digest_len(), 64);
        assert_eq!(MacAlgorithm::HmacSha224.mac_len(), 28);
    }
}
