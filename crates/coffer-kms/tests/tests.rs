//! The service's integration tests, one binary: every operation over an in-memory store,
//! a fixed root key and a manual clock, called by an administrator, a user with a narrow
//! policy, the account's root and a user of another account.

#[path = "kms/support.rs"]
mod support;

#[path = "kms/access.rs"]
mod access;
#[path = "kms/aliases.rs"]
mod aliases;
#[path = "kms/asymmetric.rs"]
mod asymmetric;
#[path = "kms/cross_account.rs"]
mod cross_account;
#[path = "kms/crypto.rs"]
mod crypto;
#[path = "kms/dry_run.rs"]
mod dry_run;
#[path = "kms/grants.rs"]
mod grants;
#[path = "kms/imports.rs"]
mod imports;
#[path = "kms/keys.rs"]
mod keys;
#[path = "kms/pagination.rs"]
mod pagination;
#[path = "kms/policies.rs"]
mod policies;
#[path = "kms/rotation.rs"]
mod rotation;
#[path = "kms/simulate.rs"]
mod simulate;
#[path = "kms/tags.rs"]
mod tags;
