//! EnableKeyRotation: automatic rotation of a symmetric key's material, every
//! `RotationPeriodInDays` (90..=2560, 365 by default), driven by `Kms::sweep`.

use crate::authz::Ask;
use crate::caller::Caller;
use crate::clock::DAY_MILLIS;
use crate::err::KmsError;
use crate::{Kms, ops};

/// The rotation period when the request names none.
pub const DEFAULT_ROTATION_PERIOD_DAYS: u32 = 365;

impl Kms {
    /// EnableKeyRotation. Needs kms:EnableKeyRotation (condition key
    /// `kms:RotationPeriodInDays`: the default period when the request sets none, as the
    /// KMS guide says a request parameter's key works with its default). The key must be
    /// Enabled, and a symmetric encryption key with key material from the service. The
    /// next rotation is one period from now; enabling again with the same period keeps the
    /// schedule.
    pub fn enable_key_rotation(
        &self,
        caller: &Caller,
        key_id: &str,
        rotation_period_days: Option<i64>,
    ) -> Result<(), KmsError> {
        if let Some(days) = rotation_period_days {
            if days < 90 {
                return Err(ops::constraint(
                    days,
                    "rotationPeriodInDays",
                    "Member must have value greater than or equal to 90",
                ));
            }
            if days > 2560 {
                return Err(ops::constraint(
                    days,
                    "rotationPeriodInDays",
                    "Member must have value less than or equal to 2560",
                ));
            }
        }
        let (_, key) = self.resolve_owned(caller, key_id)?;
        let days = rotation_period_days.unwrap_or(i64::from(DEFAULT_ROTATION_PERIOD_DAYS));
        let ask = Ask::on_key("kms:EnableKeyRotation", &key)
            .with("kms:RotationPeriodInDays", days.to_string());
        self.authorize(caller, ask)?;
        ops::state_of(&key).check_usable(&key.arn)?;
        ops::check_rotatable(&key)?;
        let period = rotation_period_days
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(DEFAULT_ROTATION_PERIOD_DAYS);
        let unchanged = key.rotation_enabled
            && key.rotation_period_days == Some(period)
            && key.next_rotation_date.is_some();
        if unchanged {
            return Ok(());
        }
        let mut updated = key;
        updated.rotation_enabled = true;
        updated.rotation_period_days = Some(period);
        updated.next_rotation_date = Some(self.now_millis() + i64::from(period) * DAY_MILLIS);
        self.store.update_key(&updated)?;
        Ok(())
    }
}
