//! The conformance suite against SQLite, on files and in memory; and proof that the suite
//! catches a back end that breaks its contract.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use coffer_store::conformance;
use coffer_store::{
    AliasRecord, GrantRecord, ImportParametersRecord, ImportedMaterialRecord, KeyRecord,
    KeyVersion, Page, SqliteStore, Store, StoreError, Tag,
};

#[test]
fn sqlite_in_memory_passes_the_conformance_suite() {
    conformance::run_all(&|| Box::new(SqliteStore::open_in_memory().unwrap()));
}

#[test]
fn sqlite_on_a_file_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let made = Cell::new(0u32);
    conformance::run_all(&|| {
        made.set(made.get() + 1);
        let path = dir.path().join(format!("store-{}.db", made.get()));
        Box::new(SqliteStore::open(&path).unwrap())
    });
    assert_eq!(made.get() as usize, conformance::CHECKS.len());
}

/// A back end whose tag listing comes back unordered.
struct UnorderedTags(SqliteStore);

impl Store for UnorderedTags {
    fn create_key(
        &self,
        k: &KeyRecord,
        v: &KeyVersion,
        t: &[Tag],
    ) -> Result<KeyRecord, StoreError> {
        self.0.create_key(k, v, t)
    }
    fn get_key(&self, a: &str, r: &str, k: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.0.get_key(a, r, k)
    }
    fn find_key(&self, r: &str, k: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.0.find_key(r, k)
    }
    fn list_keys(
        &self,
        a: &str,
        r: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<KeyRecord>, StoreError> {
        self.0.list_keys(a, r, after, limit)
    }
    fn update_key(&self, k: &KeyRecord) -> Result<KeyRecord, StoreError> {
        self.0.update_key(k)
    }
    fn add_key_version(&self, k: &KeyRecord, v: &KeyVersion) -> Result<KeyRecord, StoreError> {
        self.0.add_key_version(k, v)
    }
    fn key_versions(&self, a: &str, r: &str, k: &str) -> Result<Vec<KeyVersion>, StoreError> {
        self.0.key_versions(a, r, k)
    }
    fn delete_key(&self, a: &str, r: &str, k: &str) -> Result<(), StoreError> {
        self.0.delete_key(a, r, k)
    }
    fn keys_pending_deletion(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError> {
        self.0.keys_pending_deletion(before)
    }
    fn keys_due_rotation(&self, before: i64) -> Result<Vec<KeyRecord>, StoreError> {
        self.0.keys_due_rotation(before)
    }
    fn tags(&self, a: &str, r: &str, k: &str) -> Result<Vec<Tag>, StoreError> {
        let mut tags = self.0.tags(a, r, k)?;
        tags.reverse();
        Ok(tags)
    }
    fn put_tags(&self, a: &str, r: &str, k: &str, t: &[Tag]) -> Result<(), StoreError> {
        self.0.put_tags(a, r, k, t)
    }
    fn remove_tags(&self, a: &str, r: &str, k: &str, t: &[String]) -> Result<(), StoreError> {
        self.0.remove_tags(a, r, k, t)
    }
    fn create_alias(&self, alias: &AliasRecord) -> Result<(), StoreError> {
        self.0.create_alias(alias)
    }
    fn get_alias(&self, a: &str, r: &str, n: &str) -> Result<Option<AliasRecord>, StoreError> {
        self.0.get_alias(a, r, n)
    }
    fn update_alias(&self, alias: &AliasRecord) -> Result<(), StoreError> {
        self.0.update_alias(alias)
    }
    fn delete_alias(&self, a: &str, r: &str, n: &str) -> Result<(), StoreError> {
        self.0.delete_alias(a, r, n)
    }
    fn list_aliases(
        &self,
        a: &str,
        r: &str,
        key_id: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<AliasRecord>, StoreError> {
        self.0.list_aliases(a, r, key_id, after, limit)
    }
    fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.0.get_setting(name)
    }
    fn put_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.0.put_setting(name, value)
    }
    fn create_grant(&self, g: &GrantRecord) -> Result<(), StoreError> {
        self.0.create_grant(g)
    }
    fn get_grant(&self, id: &str) -> Result<Option<GrantRecord>, StoreError> {
        self.0.get_grant(id)
    }
    fn grants_named(
        &self,
        a: &str,
        r: &str,
        k: &str,
        name: &str,
    ) -> Result<Vec<GrantRecord>, StoreError> {
        self.0.grants_named(a, r, k, name)
    }
    fn list_grants(
        &self,
        a: &str,
        r: &str,
        k: &str,
        grantee: Option<&str>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError> {
        self.0.list_grants(a, r, k, grantee, after, limit)
    }
    fn list_retirable_grants(
        &self,
        r: &str,
        retiring: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GrantRecord>, StoreError> {
        self.0.list_retirable_grants(r, retiring, after, limit)
    }
    fn count_grants(
        &self,
        a: &str,
        r: &str,
        k: &str,
        grantee: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.0.count_grants(a, r, k, grantee)
    }
    fn delete_grant(&self, id: &str) -> Result<(), StoreError> {
        self.0.delete_grant(id)
    }
    fn put_import_parameters(&self, p: &ImportParametersRecord) -> Result<(), StoreError> {
        self.0.put_import_parameters(p)
    }
    fn get_import_parameters(
        &self,
        a: &str,
        r: &str,
        k: &str,
        t: &str,
    ) -> Result<Option<ImportParametersRecord>, StoreError> {
        self.0.get_import_parameters(a, r, k, t)
    }
    fn imported_materials(
        &self,
        a: &str,
        r: &str,
        k: &str,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
        self.0.imported_materials(a, r, k)
    }
    fn put_imported_material(
        &self,
        k: &KeyRecord,
        v: &KeyVersion,
        m: &ImportedMaterialRecord,
    ) -> Result<KeyRecord, StoreError> {
        self.0.put_imported_material(k, v, m)
    }
    fn imported_materials_expiring(
        &self,
        before: i64,
    ) -> Result<Vec<ImportedMaterialRecord>, StoreError> {
        self.0.imported_materials_expiring(before)
    }
}

#[test]
fn the_suite_names_the_check_a_broken_back_end_fails() {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        conformance::run_all(&|| Box::new(UnorderedTags(SqliteStore::open_in_memory().unwrap())));
    }));
    let payload = outcome.expect_err("a back end with unordered tags must fail the suite");
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.starts_with("conformance check `created_key_reads_back` failed:")
            && message.contains("ordered by tag key"),
        "{message}"
    );
}
