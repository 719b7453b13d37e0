//! Schedules: keys whose deletion window has ended are deleted, imported key material
//! whose validity has ended is removed, and keys due for automatic rotation get new
//! material, whenever [`Kms::sweep`] runs (the server runs it
//! periodically; tests run it after moving a manual clock).

use crate::Kms;
use crate::clock::DAY_MILLIS;
use crate::err::KmsError;

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    /// ARNs of the keys deleted.
    pub deleted: Vec<String>,
    /// ARNs of the keys rotated.
    pub rotated: Vec<String>,
    /// ARNs of the keys whose imported key material expired.
    pub expired: Vec<String>,
}

impl Kms {
    /// Deletes keys whose waiting period has ended and rotates keys that are due.
    pub fn sweep(&self) -> Result<Sweep, KmsError> {
        let now = self.now_millis();
        let mut done = Sweep::default();
        // One key that fails does not stop the others; the next sweep retries it.
        for key in self.store.keys_pending_deletion(now)? {
            match self.store.delete_key(&key.account, &key.region, &key.key_id) {
                Ok(()) => {
                    self.forget(&key.arn);
                    tracing::info!(key = %key.arn, "deleted at the end of its waiting period");
                    done.deleted.push(key.arn);
                }
                Err(e) => {
                    tracing::error!(key = %key.arn, error = %e, "cannot delete a key due for deletion")
                }
            }
        }
        done.expired = self.expire_imported_materials(now)?;
        for key in self.store.keys_due_rotation(now)? {
            // A disabled key rotates when it is enabled again: it stays due until then.
            if key.key_state != "Enabled" {
                continue;
            }
            let period = i64::from(key.rotation_period_days.unwrap_or(365));
            match self.add_material(&key, "AUTOMATIC", Some(now + period * DAY_MILLIS), false) {
                Ok(rotated) => done.rotated.push(rotated.arn),
                Err(e) => {
                    tracing::error!(key = %key.arn, error = %e, "cannot rotate a key that is due")
                }
            }
        }
        Ok(done)
    }

    /// Adds a new version of key material and makes it current.
    pub(crate) fn add_material(
        &self,
        key: &coffer_store::KeyRecord,
        rotation_type: &str,
        next_rotation: Option<i64>,
        on_demand: bool,
    ) -> Result<coffer_store::KeyRecord, KmsError> {
        let spec = coffer_crypto::KeySpec::parse(&key.key_spec)
            .ok_or_else(|| KmsError::internal(format!("unknown key spec {}", key.key_spec)))?;
        let version = key.current_version + 1;
        let material = coffer_crypto::generate_material(spec, self.rng.as_ref())
            .map_err(KmsError::internal)?;
        let sealed = coffer_crypto::seal(
            &self.root,
            &Self::seal_identity(&key.arn, version),
            &material,
            self.rng.as_ref(),
        )
        .map_err(KmsError::internal)?;
        let now = self.now_millis();
        let mut updated = key.clone();
        updated.current_version = version;
        if next_rotation.is_some() {
            updated.next_rotation_date = next_rotation;
        }
        if on_demand {
            updated.on_demand_rotations += 1;
        }
        let v = coffer_store::KeyVersion {
            key_id: key.key_id.clone(),
            version,
            sealed_material: sealed,
            created: now,
            rotation_type: Some(rotation_type.to_owned()),
        };
        Ok(self.store.add_key_version(&updated, &v)?)
    }
}
