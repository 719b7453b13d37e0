//! GetKeyRotationStatus: whether automatic rotation is on, its period and next date.

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;

/// GetKeyRotationStatus' response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRotationStatus {
    /// The key ARN.
    pub key_arn: String,
    /// Whether automatic rotation is on.
    pub key_rotation_enabled: bool,
    /// The period (only while rotation is on).
    pub rotation_period_days: Option<u32>,
    /// When the next automatic rotation is due, epoch milliseconds (only while rotation
    /// is on).
    pub next_rotation_date: Option<i64>,
    /// When an on-demand rotation in progress started, epoch milliseconds. On-demand
    /// rotations complete within the request, so this is never set.
    pub on_demand_rotation_start_date: Option<i64>,
}

impl Kms {
    /// GetKeyRotationStatus: a symmetric key in any state. Needs kms:GetKeyRotationStatus.
    pub fn get_key_rotation_status(
        &self,
        caller: &Caller,
        key_id: &str,
    ) -> Result<KeyRotationStatus, KmsError> {
        let (_, key) = self.resolve(caller, key_id)?;
        self.authorize(caller, Ask::on_key("kms:GetKeyRotationStatus", &key))?;
        if key.key_spec != "SYMMETRIC_DEFAULT" || key.key_usage != "ENCRYPT_DECRYPT" {
            return Err(KmsError::Unsupported { message: String::new() });
        }
        let on = key.rotation_enabled;
        Ok(KeyRotationStatus {
            key_arn: key.arn.clone(),
            key_rotation_enabled: on,
            rotation_period_days: key.rotation_period_days.filter(|_| on),
            next_rotation_date: key.next_rotation_date.filter(|_| on),
            on_demand_rotation_start_date: None,
        })
    }
}
