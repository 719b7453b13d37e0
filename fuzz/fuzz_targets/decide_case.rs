//! Simulation cases: reading a case, deciding it and explaining the decision never panics.

#![no_main]

use coffer_policy::case::Case;
use coffer_policy::explain::explain;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(case) = Case::from_json(&value) {
        let decision = case.evaluate();
        let _ = explain(&case, &decision);
    }
});
