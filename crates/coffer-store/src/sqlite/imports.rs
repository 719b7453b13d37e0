//! Imported key material in SQLite: import parameters and imported materials, beside
//! their key (see migration 0004).

use rusqlite::{Transaction, params};

use super::row::Row;
use super::{Db, collect, key_what, require_key, update_key_in, version_belongs};
use crate::{ImportParametersRecord, ImportedMaterialRecord, KeyRecord, KeyVersion, StoreError};

const PARAMETER_COLUMNS: &str = "account, region, key_id, token_id, wrapping_algorithm, \
     wrapping_key_spec, sealed_wrapping_key, created, valid_to";

const MATERIAL_COLUMNS: &str = "account, region, key_id, version, fingerprint, description, expiration_model, valid_to, \
     imported";

pub(super) fn put_parameters(
    tx: &Transaction<'_>,
    p: &ImportParametersRecord,
) -> Result<(), StoreError> {
    require_key(tx, &p.account, &p.region, &p.key_id)?;
    // Parameters that can no longer be used are of no use to keep.
    tx.prepare_cached(
        "DELETE FROM import_parameters \
         WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND valid_to < ?4",
    )
    .db()?
    .execute(params![p.account, p.region, p.key_id, p.created])
    .db()?;
    let inserted = tx
        .prepare_cached(&format!(
            "INSERT OR IGNORE INTO import_parameters ({PARAMETER_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))
        .db()?
        .execute(params![
            p.account,
            p.region,
            p.key_id,
            p.token_id,
            p.wrapping_algorithm,
            p.wrapping_key_spec,
            p.sealed_wrapping_key,
            p.created,
            p.valid_to,
        ])
        .db()?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            what: format!(
                "import token `{}` of {}",
                p.token_id,
                key_what(&p.account, &p.region, &p.key_id)
            ),
        });
    }
    Ok(())
}

pub(super) fn get_parameters(
    tx: &Transaction<'_>,
    scope: (&str, &str, &str),
    token_id: &str,
) -> Result<Option<ImportParametersRecord>, StoreError> {
    let (account, region, key_id) = scope;
    let sql = format!(
        "SELECT {PARAMETER_COLUMNS} FROM import_parameters \
         WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND token_id = ?4"
    );
    Ok(collect(tx, &sql, params![account, region, key_id, token_id], read_parameters)?.pop())
}

pub(super) fn materials(
    tx: &Transaction<'_>,
    scope: (&str, &str, &str),
) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
    let (account, region, key_id) = scope;
    let sql = format!(
        "SELECT {MATERIAL_COLUMNS} FROM imported_materials \
         WHERE account = ?1 AND region = ?2 AND key_id = ?3 ORDER BY version"
    );
    collect(tx, &sql, params![account, region, key_id], read_material)
}

pub(super) fn expiring(
    tx: &Transaction<'_>,
    before: i64,
) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
    let sql = format!(
        "SELECT {MATERIAL_COLUMNS} FROM imported_materials \
         WHERE expiration_model = 'KEY_MATERIAL_EXPIRES' AND valid_to <= ?1 \
         ORDER BY valid_to, account, region, key_id, version"
    );
    collect(tx, &sql, params![before], read_material)
}

/// Updates the key (revision-checked), writes the version's sealed bytes and the material's
/// record, creating either if it is new.
pub(super) fn put_material(
    tx: &Transaction<'_>,
    key: &KeyRecord,
    version: &KeyVersion,
    material: &ImportedMaterialRecord,
) -> Result<KeyRecord, StoreError> {
    version_belongs(key, version)?;
    let same_key = material.account == key.account
        && material.region == key.region
        && material.key_id == key.key_id
        && material.version == version.version;
    if !same_key {
        return Err(StoreError::Conflict {
            what: format!(
                "imported material of version {} of key `{}` is being written with version {} \
                 of {}",
                material.version,
                material.key_id,
                version.version,
                key_what(&key.account, &key.region, &key.key_id)
            ),
        });
    }
    let updated = update_key_in(tx, key)?;
    tx.prepare_cached(
        "INSERT INTO key_versions \
         (account, region, key_id, version, sealed_material, created, rotation_type) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (account, region, key_id, version) DO UPDATE SET \
         sealed_material = excluded.sealed_material, created = excluded.created, \
         rotation_type = excluded.rotation_type",
    )
    .db()?
    .execute(params![
        key.account,
        key.region,
        key.key_id,
        version.version,
        version.sealed_material,
        version.created,
        version.rotation_type,
    ])
    .db()?;
    tx.prepare_cached(&format!(
        "INSERT INTO imported_materials ({MATERIAL_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (account, region, key_id, version) DO UPDATE SET \
         fingerprint = excluded.fingerprint, description = excluded.description, \
         expiration_model = excluded.expiration_model, valid_to = excluded.valid_to, \
         imported = excluded.imported"
    ))
    .db()?
    .execute(params![
        material.account,
        material.region,
        material.key_id,
        material.version,
        material.fingerprint,
        material.description,
        material.expiration_model,
        material.valid_to,
        material.imported,
    ])
    .db()?;
    Ok(updated)
}

fn read_parameters(row: &rusqlite::Row<'_>) -> Result<ImportParametersRecord, StoreError> {
    let row = Row::new(row, "import_parameters");
    Ok(ImportParametersRecord {
        account: row.text("account")?,
        region: row.text("region")?,
        key_id: row.text("key_id")?,
        token_id: row.text("token_id")?,
        wrapping_algorithm: row.text("wrapping_algorithm")?,
        wrapping_key_spec: row.text("wrapping_key_spec")?,
        sealed_wrapping_key: row.blob("sealed_wrapping_key")?,
        created: row.i64("created")?,
        valid_to: row.i64("valid_to")?,
    })
}

fn read_material(row: &rusqlite::Row<'_>) -> Result<ImportedMaterialRecord, StoreError> {
    let row = Row::new(row, "imported_materials");
    Ok(ImportedMaterialRecord {
        account: row.text("account")?,
        region: row.text("region")?,
        key_id: row.text("key_id")?,
        version: row.u32("version")?,
        fingerprint: row.blob("fingerprint")?,
        description: row.opt_text("description")?,
        expiration_model: row.opt_text("expiration_model")?,
        valid_to: row.opt_i64("valid_to")?,
        imported: row.i64("imported")?,
    })
}
