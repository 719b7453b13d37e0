//! Grants in SQLite: one row per grant, beside its key; operations and constraints as JSON.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::row::Row;
use super::{Db, collect, fetch_count, page, require_key};
use crate::{GrantRecord, Page, StoreError};

/// The columns of `grants`, in the order [`insert`] binds them.
const COLUMNS: &str = "grant_id, account, region, key_id, name, creation_date, \
     grantee_principal, retiring_principal, issuing_account, operations, ec_equals, ec_subset, \
     sealed_token_secret";

fn grant_what(grant_id: &str) -> String {
    format!("grant `{grant_id}`")
}

fn encode_error(e: &serde_json::Error) -> StoreError {
    StoreError::Backend(format!("cannot encode a grant: {e}"))
}

fn list_json(list: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(list).map_err(|e| encode_error(&e))
}

fn map_json(map: Option<&BTreeMap<String, String>>) -> Result<Option<String>, StoreError> {
    map.map(|m| serde_json::to_string(m).map_err(|e| encode_error(&e))).transpose()
}

pub(super) fn insert(tx: &Transaction<'_>, g: &GrantRecord) -> Result<(), StoreError> {
    let taken = tx
        .query_row("SELECT 1 FROM grants WHERE grant_id = ?1", params![g.grant_id], |_| Ok(()))
        .optional()
        .db()?
        .is_some();
    if taken {
        return Err(StoreError::AlreadyExists { what: grant_what(&g.grant_id) });
    }
    require_key(tx, &g.account, &g.region, &g.key_id)?;
    tx.prepare_cached(&format!(
        "INSERT INTO grants ({COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))
    .db()?
    .execute(params![
        g.grant_id,
        g.account,
        g.region,
        g.key_id,
        g.name,
        g.creation_date,
        g.grantee_principal,
        g.retiring_principal,
        g.issuing_account,
        list_json(&g.operations)?,
        map_json(g.encryption_context_equals.as_ref())?,
        map_json(g.encryption_context_subset.as_ref())?,
        g.sealed_token_secret,
    ])
    .db()?;
    Ok(())
}

pub(super) fn get(tx: &Transaction<'_>, grant_id: &str) -> Result<Option<GrantRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM grants WHERE grant_id = ?1");
    Ok(collect(tx, &sql, params![grant_id], read)?.pop())
}

pub(super) fn named(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    key_id: &str,
    name: &str,
) -> Result<Vec<GrantRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM grants \
         WHERE account = ?1 AND region = ?2 AND key_id = ?3 AND name = ?4 ORDER BY grant_id"
    );
    collect(tx, &sql, params![account, region, key_id, name], read)
}

pub(super) fn of_key(
    tx: &Transaction<'_>,
    scope: (&str, &str, &str),
    grantee: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<GrantRecord>, StoreError> {
    let (account, region, key_id) = scope;
    // An absent filter is NULL, which every row passes; the start is the empty string
    // before every id.
    let sql = format!(
        "SELECT {COLUMNS} FROM grants \
         WHERE account = ?1 AND region = ?2 AND key_id = ?3 \
         AND (?4 IS NULL OR grantee_principal = ?4) AND grant_id > ?5 \
         ORDER BY grant_id LIMIT ?6"
    );
    let items = collect(
        tx,
        &sql,
        params![account, region, key_id, grantee, after.unwrap_or(""), fetch_count(limit)],
        read,
    )?;
    Ok(page(items, limit, |g| &g.grant_id))
}

pub(super) fn retirable(
    tx: &Transaction<'_>,
    region: &str,
    retiring: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<GrantRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM grants \
         WHERE region = ?1 AND retiring_principal = ?2 AND grant_id > ?3 \
         ORDER BY grant_id LIMIT ?4"
    );
    let items = collect(
        tx,
        &sql,
        params![region, retiring, after.unwrap_or(""), fetch_count(limit)],
        read,
    )?;
    Ok(page(items, limit, |g| &g.grant_id))
}

pub(super) fn count(
    tx: &Transaction<'_>,
    scope: (&str, &str, &str),
    grantee: Option<&str>,
) -> Result<u64, StoreError> {
    let (account, region, key_id) = scope;
    let n: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM grants WHERE account = ?1 AND region = ?2 AND key_id = ?3 \
             AND (?4 IS NULL OR grantee_principal = ?4)",
        )
        .db()?
        .query_row(params![account, region, key_id, grantee], |row| row.get(0))
        .db()?;
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("grants: count {n} is negative")))
}

pub(super) fn delete(tx: &Transaction<'_>, grant_id: &str) -> Result<(), StoreError> {
    let deleted = tx
        .prepare_cached("DELETE FROM grants WHERE grant_id = ?1")
        .db()?
        .execute(params![grant_id])
        .db()?;
    if deleted == 0 {
        return Err(StoreError::NotFound { what: grant_what(grant_id) });
    }
    Ok(())
}

/// Deletes the grants of a key (with the key).
pub(super) fn delete_of_key(
    tx: &Transaction<'_>,
    account: &str,
    region: &str,
    key_id: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM grants WHERE account = ?1 AND region = ?2 AND key_id = ?3")
        .db()?
        .execute(params![account, region, key_id])
        .db()?;
    Ok(())
}

fn read(row: &rusqlite::Row<'_>) -> Result<GrantRecord, StoreError> {
    let row = Row::new(row, "grants");
    let json = |column: &'static str, text: String| {
        StoreError::Corrupt(format!("grants.{column}: `{text}` is not the JSON it should be"))
    };
    let operations = row.text("operations")?;
    let map = |column: &'static str| -> Result<Option<BTreeMap<String, String>>, StoreError> {
        row.opt_text(column)?
            .map(|text| serde_json::from_str(&text).map_err(|_| json(column, text)))
            .transpose()
    };
    Ok(GrantRecord {
        grant_id: row.text("grant_id")?,
        account: row.text("account")?,
        region: row.text("region")?,
        key_id: row.text("key_id")?,
        name: row.opt_text("name")?,
        creation_date: row.i64("creation_date")?,
        grantee_principal: row.text("grantee_principal")?,
        retiring_principal: row.opt_text("retiring_principal")?,
        issuing_account: row.text("issuing_account")?,
        operations: serde_json::from_str(&operations)
            .map_err(|_| json("operations", operations.clone()))?,
        encryption_context_equals: map("ec_equals")?,
        encryption_context_subset: map("ec_subset")?,
        sealed_token_secret: row.blob("sealed_token_secret")?,
    })
}
