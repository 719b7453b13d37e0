//! AWS KMS operations: any request body for any operation gets an answer in AWS's terms.
//! No panic; a refusal is a client error (4xx) with an exception name, never a server
//! error; an answer is a JSON object; every audit event the call appends is JSON.
//!
//! The input is the operation's name on the first line (`Encrypt`), then the body. The
//! service is built once per process over an in-memory store, with keys of every usage
//! behind fixed aliases (`alias/sym`, `alias/rsa`, `alias/p256`, `alias/hmac`,
//! `alias/external`), so seeds can name them; calls may change their state, and every
//! later input must still be answered properly.

#![no_main]

use std::sync::{Arc, OnceLock};

use coffer_crypto::{RootKey, Secret, SystemRandom};
use coffer_kms::Kms;
use coffer_kms::audit::AuditSink;
use coffer_kms::clock::SystemClock;
use coffer_kms::iam::Identities;
use coffer_server::aws::map;
use coffer_server::aws::target::Operation;
use coffer_store::SqliteStore;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const ACCOUNT: &str = "111122223333";
const ACCESS_KEY: &str = "AKIAFUZZ000000000001";
const REGION: &str = "us-east-1";

/// Checks that every event is a JSON object, and keeps none.
struct CheckedAudit;

impl AuditSink for CheckedAudit {
    fn append(&self, event: &[u8]) -> std::io::Result<()> {
        let parsed: Value = serde_json::from_slice(event).expect("an audit event is JSON");
        assert!(parsed.is_object(), "an audit event is a JSON object");
        Ok(())
    }
}

fn service() -> &'static Kms {
    static KMS: OnceLock<Kms> = OnceLock::new();
    KMS.get_or_init(|| {
        let ids = Identities::single_root(ACCOUNT, ACCESS_KEY, Secret::new(b"fuzz".to_vec()));
        let kms = Kms::new(
            Arc::new(SqliteStore::open_in_memory().expect("an in-memory store")),
            RootKey::from_secret(Secret::new(vec![7; 32])).expect("a root key"),
            Arc::new(SystemRandom),
            Arc::new(SystemClock),
            ids,
            Arc::new(CheckedAudit),
        );
        let keys = [
            ("sym", r#"{}"#),
            ("rsa", r#"{"KeySpec":"RSA_2048","KeyUsage":"ENCRYPT_DECRYPT"}"#),
            ("p256", r#"{"KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY"}"#),
            ("hmac", r#"{"KeySpec":"HMAC_256","KeyUsage":"GENERATE_VERIFY_MAC"}"#),
            ("external", r#"{"Origin":"EXTERNAL"}"#),
        ];
        for (alias, body) in keys {
            let created = call(&kms, Operation::CreateKey, body.as_bytes()).expect("CreateKey");
            let id = created["KeyMetadata"]["KeyId"].as_str().expect("a key id").to_owned();
            let body = serde_json::json!({"AliasName": format!("alias/{alias}"), "TargetKeyId": id});
            call(&kms, Operation::CreateAlias, body.to_string().as_bytes()).expect("CreateAlias");
        }
        kms
    })
}

/// One call by the account's root, as the front door makes it once the signature holds.
fn call(kms: &Kms, op: Operation, body: &[u8]) -> Result<Value, String> {
    let caller = kms.caller(ACCESS_KEY, REGION, None, false, None).expect("the caller");
    match map::call(op, kms, &caller, body, "fuzz-request") {
        Ok(answer) => {
            let value: Value = serde_json::from_slice(&answer)
                .unwrap_or_else(|e| panic!("{}: the answer is not JSON: {e}", op.name()));
            assert!(value.is_object(), "{}: the answer is not a JSON object", op.name());
            Ok(value)
        }
        Err(e) => {
            assert!(
                e.status.is_client_error(),
                "{}: a request got {} {}: {:?}",
                op.name(),
                e.status,
                e.code,
                e.message
            );
            assert!(!e.code.is_empty(), "{}: an error without a name", op.name());
            Err(format!("{}: {:?}", e.code, e.message))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Some(op) = std::str::from_utf8(name)
        .ok()
        .and_then(|n| Operation::from_target(&format!("TrentService.{n}")))
    else {
        return;
    };
    let _ = call(service(), op, body);
});
