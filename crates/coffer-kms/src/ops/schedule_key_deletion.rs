//! ScheduleKeyDeletion: the key becomes PendingDeletion and is deleted when the waiting
//! period ends (see `schedule`).

use crate::authz::Ask;
use crate::caller::Caller;
use crate::clock::DAY_MILLIS;
use crate::err::KmsError;
use crate::key::KeyState;
use crate::{Kms, ops};

/// ScheduleKeyDeletion's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledDeletion {
    /// The key ARN.
    pub key_arn: String,
    /// When it will be deleted, epoch milliseconds.
    pub deletion_date: i64,
    /// Always PendingDeletion.
    pub key_state: KeyState,
    /// The waiting period.
    pub pending_window_days: u32,
}

impl Kms {
    /// ScheduleKeyDeletion.
    pub fn schedule_key_deletion(
        &self,
        caller: &Caller,
        key_id: &str,
        days: Option<i64>,
    ) -> Result<ScheduledDeletion, KmsError> {
        let days = days.unwrap_or(30);
        if days < 7 {
            return Err(ops::constraint(
                days,
                "pendingWindowInDays",
                "Member must have value greater than or equal to 7",
            ));
        }
        if days > 30 {
            return Err(ops::constraint(
                days,
                "pendingWindowInDays",
                "Member must have value less than or equal to 30",
            ));
        }
        let (_, key) = self.resolve_owned(caller, key_id)?;
        self.authorize(
            caller,
            Ask::on_key("kms:ScheduleKeyDeletion", &key)
                .with("kms:ScheduleKeyDeletionPendingWindowInDays", days.to_string()),
        )?;
        let state = KeyState::parse(&key.key_state).unwrap_or(KeyState::Unavailable);
        if !matches!(state, KeyState::Enabled | KeyState::Disabled | KeyState::PendingImport) {
            return Err(state.invalid(&key.arn));
        }
        let days = u32::try_from(days).unwrap_or(30);
        let deletion_date = self.now_millis() + i64::from(days) * DAY_MILLIS;
        let mut updated = key;
        updated.key_state = KeyState::PendingDeletion.as_str().into();
        updated.deletion_date = Some(deletion_date);
        updated.pending_window_days = Some(days);
        let stored = self.store.update_key(&updated)?;
        Ok(ScheduledDeletion {
            key_arn: stored.arn,
            deletion_date,
            key_state: KeyState::PendingDeletion,
            pending_window_days: days,
        })
    }
}
