//! Identities files: reading one, as JSON and as TOML, never panics, and neither do the
//! lookups and the condition keys computed from what reads.

#![no_main]

use coffer_kms::condition_keys::principal_keys;
use coffer_kms::iam::Identities;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for toml in [false, true] {
        let Ok(ids) = Identities::parse(text, toml) else { continue };
        let _ = format!("{ids:?}");
        for account in ids.accounts.keys() {
            let _ = ids.scp_levels(account);
            let _ = ids.rcp_levels(account);
        }
        for principal in &ids.principals {
            let _ = principal_keys(&ids, principal);
            if let Some(arn) = &principal.role_arn {
                assert!(ids.role(arn).is_some(), "role `{arn}` is not found by its ARN");
            }
        }
    }
});
