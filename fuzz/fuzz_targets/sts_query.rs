//! STS Query requests: decoding the form, reading `AssumeRole`'s parameters from it and
//! checking them never panics.
//!
//! The input is the query string up to the first newline, then the form body.

#![no_main]

use std::collections::BTreeMap;

use coffer_kms::sts::assume_role::check_parameters;
use coffer_server::sts::assume_role_request;
use coffer_server::sts::form::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (query, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    // A request's query string is text; the body is bytes.
    let Ok(query) = std::str::from_utf8(query) else { return };
    let params = Params::parse(query, body);

    // The lists the actions read, and one the input names itself.
    let _ = params.get("Action");
    let _ = params.list("TransitiveTagKeys");
    let _ = params.structs("Tags");
    let _ = params.structs("PolicyArns");
    if let Some(name) = params.get("List") {
        let _ = params.list(name);
        let _ = params.structs(name);
    }

    let Ok(req) = assume_role_request(&params) else { return };
    // Once as a first session, once under a session that passes a tag on.
    let _ = check_parameters(&req, &BTreeMap::new());
    let inherited = BTreeMap::from([("Project".to_owned(), "apollo".to_owned())]);
    let _ = check_parameters(&req, &inherited);
});
