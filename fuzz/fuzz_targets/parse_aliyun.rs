//! Policy text of the Alibaba dialect: parsing, and validating what parses, never panics.

#![no_main]

use coffer_policy::validate::{Options, PolicyUse, validate_text};
use coffer_policy::{Dialect, Policy};
use libfuzzer_sys::fuzz_target;

/// Every use a policy can have; the input's length picks one, so each is explored.
const USES: [PolicyUse; 6] = [
    PolicyUse::Identity,
    PolicyUse::Resource,
    PolicyUse::Scp,
    PolicyUse::Rcp,
    PolicyUse::Boundary,
    PolicyUse::Session,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if Policy::parse(Dialect::Alibaba, text).is_ok() {
        let policy_use = USES[text.len() % USES.len()];
        let opts = Options { dialect: Some(Dialect::Alibaba), policy_use };
        let _ = validate_text(text, &opts);
    }
});
