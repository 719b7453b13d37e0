//! Key states and what each allows, with AWS's messages for the refusals.

use crate::err::KmsError;

/// The state of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Usable.
    Enabled,
    /// Not usable for cryptography until enabled.
    Disabled,
    /// Scheduled for deletion; usable for nothing but CancelKeyDeletion and reads.
    PendingDeletion,
    /// Waiting for imported key material.
    PendingImport,
    /// Being created.
    Creating,
    /// Its key store is unavailable.
    Unavailable,
}

impl KeyState {
    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::Creating => "Creating",
            KeyState::Unavailable => "Unavailable",
        }
    }

    /// Reads a stored state name.
    pub fn parse(s: &str) -> Option<KeyState> {
        Some(match s {
            "Enabled" => KeyState::Enabled,
            "Disabled" => KeyState::Disabled,
            "PendingDeletion" => KeyState::PendingDeletion,
            "PendingImport" => KeyState::PendingImport,
            "Creating" => KeyState::Creating,
            "Unavailable" => KeyState::Unavailable,
            _ => return None,
        })
    }

    /// Cryptographic operations need an Enabled key.
    pub fn check_usable(self, arn: &str) -> Result<(), KmsError> {
        match self {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled { key_arn: arn.to_owned() }),
            other => Err(other.invalid(arn)),
        }
    }

    /// Management operations (enable, disable, tag, alias, policy, rotation settings)
    /// refuse a key pending deletion (and the transient states).
    pub fn check_manageable(self, arn: &str) -> Result<(), KmsError> {
        match self {
            KeyState::Enabled | KeyState::Disabled | KeyState::PendingImport => Ok(()),
            other => Err(other.invalid(arn)),
        }
    }

    /// KMSInvalidStateException with AWS's wording for this state.
    pub fn invalid(self, arn: &str) -> KmsError {
        let what = match self {
            KeyState::Enabled => "enabled",
            KeyState::Disabled => "disabled",
            KeyState::PendingDeletion => "pending deletion",
            KeyState::PendingImport => "pending import",
            KeyState::Creating => "being created",
            KeyState::Unavailable => "unavailable",
        };
        KmsError::InvalidState { message: format!("{arn} is {what}.") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_refusals_use_aws_wording() {
        for s in [
            KeyState::Enabled,
            KeyState::Disabled,
            KeyState::PendingDeletion,
            KeyState::PendingImport,
            KeyState::Creating,
            KeyState::Unavailable,
        ] {
            assert_eq!(KeyState::parse(s.as_str()), Some(s));
        }
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k";
        assert!(KeyState::Enabled.check_usable(arn).is_ok());
        assert_eq!(
            KeyState::Disabled.check_usable(arn).unwrap_err().to_string(),
            format!("{arn} is disabled.")
        );
        assert_eq!(
            KeyState::PendingDeletion.check_usable(arn).unwrap_err().to_string(),
            format!("{arn} is pending deletion.")
        );
        assert_eq!(
            KeyState::PendingImport.check_usable(arn).unwrap_err().to_string(),
            format!("{arn} is pending import.")
        );
        assert!(KeyState::PendingDeletion.check_manageable(arn).is_err());
    }
}
