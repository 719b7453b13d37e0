//! The AWS KMS operations, named as AWS names them, and the `X-Amz-Target` header that
//! selects one (`TrentService.Encrypt`).
//!
//! The enum lists every operation of the AWS KMS API, implemented here or not: a real
//! operation this server does not implement is refused as unsupported, while a name that
//! is no AWS KMS operation at all is an unknown operation.

/// The prefix of every AWS KMS target.
pub const TARGET_PREFIX: &str = "TrentService.";

macro_rules! operations {
    ($($op:ident),* $(,)?) => {
        /// An AWS KMS operation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($op), "`.")]
                $op,
            )*
        }

        impl Operation {
            /// Every operation, in alphabetical order.
            pub const ALL: &'static [Operation] = &[$(Operation::$op),*];

            /// AWS's name of the operation.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$op => stringify!($op),)*
                }
            }

            /// The operation AWS names `name`.
            pub fn from_name(name: &str) -> Option<Operation> {
                match name {
                    $(stringify!($op) => Some(Operation::$op),)*
                    _ => None,
                }
            }
        }
    };
}

operations! {
    CancelKeyDeletion,
    ConnectCustomKeyStore,
    CreateAlias,
    CreateCustomKeyStore,
    CreateGrant,
    CreateKey,
    Decrypt,
    DeleteAlias,
    DeleteCustomKeyStore,
    DeleteImportedKeyMaterial,
    DeriveSharedSecret,
    DescribeCustomKeyStores,
    DescribeKey,
    DisableKey,
    DisableKeyRotation,
    DisconnectCustomKeyStore,
    EnableKey,
    EnableKeyRotation,
    Encrypt,
    GenerateDataKey,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    GenerateDataKeyWithoutPlaintext,
    GenerateMac,
    GenerateRandom,
    GetKeyLastUsage,
    GetKeyPolicy,
    GetKeyRotationStatus,
    GetParametersForImport,
    GetPublicKey,
    ImportKeyMaterial,
    ListAliases,
    ListGrants,
    ListKeyPolicies,
    ListKeyRotations,
    ListKeys,
    ListResourceTags,
    ListRetirableGrants,
    PutKeyPolicy,
    ReEncrypt,
    ReplicateKey,
    RetireGrant,
    RevokeGrant,
    RotateKeyOnDemand,
    ScheduleKeyDeletion,
    Sign,
    TagResource,
    UntagResource,
    UpdateAlias,
    UpdateCustomKeyStore,
    UpdateKeyDescription,
    UpdatePrimaryRegion,
    Verify,
    VerifyMac,
}

impl Operation {
    /// The operation an `X-Amz-Target` header names.
    pub fn from_target(target: &str) -> Option<Operation> {
        target.trim().strip_prefix(TARGET_PREFIX).and_then(Operation::from_name)
    }

    /// Whether CloudTrail marks the operation's events read-only: the describing and
    /// listing calls, and every cryptographic operation (AWS's example entries for each
    /// say `"readOnly": true`; DeriveSharedSecret has none and is taken as its kin).
    pub fn read_only(self) -> bool {
        use Operation as O;
        let name = self.name();
        name.starts_with("Describe")
            || name.starts_with("Get")
            || name.starts_with("List")
            || matches!(
                self,
                O::Encrypt
                    | O::Decrypt
                    | O::ReEncrypt
                    | O::GenerateDataKey
                    | O::GenerateDataKeyWithoutPlaintext
                    | O::GenerateDataKeyPair
                    | O::GenerateDataKeyPairWithoutPlaintext
                    | O::GenerateRandom
                    | O::GenerateMac
                    | O::VerifyMac
                    | O::Sign
                    | O::Verify
                    | O::DeriveSharedSecret
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(Operation::from_target("TrentService.Encrypt"), Some(Operation::Encrypt));
        assert_eq!(Operation::from_target("TrentService.ReEncrypt"), Some(Operation::ReEncrypt));
        assert_eq!(Operation::from_target("TrentService.Frobnicate"), None);
        assert_eq!(Operation::from_target("DynamoDB_20120810.ListTables"), None);
        assert_eq!(Operation::from_target("Encrypt"), None);
        assert_eq!(Operation::ALL.len(), 54);
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(*op));
        }
        assert!(Operation::ListKeys.read_only() && Operation::Encrypt.read_only());
        assert!(Operation::GetParametersForImport.read_only() && Operation::Sign.read_only());
        for op in [Operation::CreateKey, Operation::ImportKeyMaterial, Operation::RotateKeyOnDemand]
        {
            assert!(!op.read_only(), "{}", op.name());
        }
    }
}
