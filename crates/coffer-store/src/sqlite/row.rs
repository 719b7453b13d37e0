//! Reading rows back into records. A value that does not fit its field is `Corrupt`,
//! naming the table and the column, never a panic and never a silent default.

use std::fmt::Display;

use rusqlite::types::ValueRef;

use super::db_error;
use crate::{AliasRecord, KeyRecord, KeyVersion, StoreError, Tag};

/// One row of a named table.
pub(super) struct Row<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    table: &'static str,
}

impl<'a, 'r> Row<'a, 'r> {
    pub(super) fn new(row: &'a rusqlite::Row<'r>, table: &'static str) -> Self {
        Row { row, table }
    }

    fn value(&self, column: &'static str) -> Result<ValueRef<'_>, StoreError> {
        self.row.get_ref(column).map_err(db_error)
    }

    fn corrupt(&self, column: &str, problem: impl Display) -> StoreError {
        StoreError::Corrupt(format!("{}.{column}: {problem}", self.table))
    }

    fn wrong_type(&self, column: &str, found: &ValueRef<'_>, wanted: &str) -> StoreError {
        self.corrupt(column, format!("holds {} where {wanted} belongs", found.data_type()))
    }

    pub(super) fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        match self.value(column)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
                .map(Some)
                .map_err(|_| self.corrupt(column, "text is not valid UTF-8")),
            other => Err(self.wrong_type(column, &other, "text")),
        }
    }

    pub(super) fn text(&self, column: &'static str) -> Result<String, StoreError> {
        self.opt_text(column)?.ok_or_else(|| self.corrupt(column, "is null"))
    }

    pub(super) fn opt_i64(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        match self.value(column)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(value) => Ok(Some(value)),
            other => Err(self.wrong_type(column, &other, "an integer")),
        }
    }

    pub(super) fn i64(&self, column: &'static str) -> Result<i64, StoreError> {
        self.opt_i64(column)?.ok_or_else(|| self.corrupt(column, "is null"))
    }

    pub(super) fn opt_u32(&self, column: &'static str) -> Result<Option<u32>, StoreError> {
        self.opt_i64(column)?
            .map(|value| {
                u32::try_from(value).map_err(|_| {
                    self.corrupt(column, format!("{value} is not an unsigned 32-bit number"))
                })
            })
            .transpose()
    }

    pub(super) fn u32(&self, column: &'static str) -> Result<u32, StoreError> {
        self.opt_u32(column)?.ok_or_else(|| self.corrupt(column, "is null"))
    }

    pub(super) fn u64(&self, column: &'static str) -> Result<u64, StoreError> {
        let value = self.i64(column)?;
        u64::try_from(value)
            .map_err(|_| self.corrupt(column, format!("{value} is not an unsigned number")))
    }

    pub(super) fn bool(&self, column: &'static str) -> Result<bool, StoreError> {
        match self.i64(column)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.corrupt(column, format!("{other} is not a boolean (0 or 1)"))),
        }
    }

    pub(super) fn blob(&self, column: &'static str) -> Result<Vec<u8>, StoreError> {
        match self.value(column)? {
            ValueRef::Blob(bytes) => Ok(bytes.to_vec()),
            ValueRef::Null => Err(self.corrupt(column, "is null")),
            other => Err(self.wrong_type(column, &other, "a blob")),
        }
    }
}

/// The columns of `keys`, in the order [`key_params`](super) binds them.
pub(super) const KEY_COLUMNS: &str = "account, region, key_id, arn, description, key_usage, \
     key_spec, origin, key_state, creation_date, deletion_date, pending_window_days, policy, \
     rotation_enabled, rotation_period_days, next_rotation_date, current_version, \
     on_demand_rotations, revision";

pub(super) fn key(row: &rusqlite::Row<'_>) -> Result<KeyRecord, StoreError> {
    let row = Row::new(row, "keys");
    Ok(KeyRecord {
        account: row.text("account")?,
        region: row.text("region")?,
        key_id: row.text("key_id")?,
        arn: row.text("arn")?,
        description: row.text("description")?,
        key_usage: row.text("key_usage")?,
        key_spec: row.text("key_spec")?,
        origin: row.text("origin")?,
        key_state: row.text("key_state")?,
        creation_date: row.i64("creation_date")?,
        deletion_date: row.opt_i64("deletion_date")?,
        pending_window_days: row.opt_u32("pending_window_days")?,
        policy: row.text("policy")?,
        rotation_enabled: row.bool("rotation_enabled")?,
        rotation_period_days: row.opt_u32("rotation_period_days")?,
        next_rotation_date: row.opt_i64("next_rotation_date")?,
        current_version: row.u32("current_version")?,
        on_demand_rotations: row.u32("on_demand_rotations")?,
        revision: row.u64("revision")?,
    })
}

pub(super) const VERSION_COLUMNS: &str = "key_id, version, sealed_material, created, rotation_type";

pub(super) fn version(row: &rusqlite::Row<'_>) -> Result<KeyVersion, StoreError> {
    let row = Row::new(row, "key_versions");
    Ok(KeyVersion {
        key_id: row.text("key_id")?,
        version: row.u32("version")?,
        sealed_material: row.blob("sealed_material")?,
        created: row.i64("created")?,
        rotation_type: row.opt_text("rotation_type")?,
    })
}

pub(super) fn tag(row: &rusqlite::Row<'_>) -> Result<Tag, StoreError> {
    let row = Row::new(row, "tags");
    Ok(Tag { key: row.text("tag_key")?, value: row.text("tag_value")? })
}

pub(super) const ALIAS_COLUMNS: &str =
    "account, region, name, target_key_id, creation_date, last_updated_date";

pub(super) fn alias(row: &rusqlite::Row<'_>) -> Result<AliasRecord, StoreError> {
    let row = Row::new(row, "aliases");
    Ok(AliasRecord {
        account: row.text("account")?,
        region: row.text("region")?,
        name: row.text("name")?,
        target_key_id: row.text("target_key_id")?,
        creation_date: row.i64("creation_date")?,
        last_updated_date: row.i64("last_updated_date")?,
    })
}
