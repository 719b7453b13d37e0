//! `coffer bench --spawn`: one short run against a server it starts itself, as a user runs it.

use std::process::Command;

use serde_json::Value;

#[test]
fn a_spawned_run_reports_every_operation_without_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["bench", "--spawn", "--duration", "1", "--connections", "1"])
        .args(["--max-requests", "20", "--format", "json", "--rounds", "2"])
        .args(["--ops", "encrypt,decrypt,generate-data-key,floor,health"])
        .args(["--ops", "sign:ECC_NIST_P256,verify:ECC_NIST_P256,verify:HMAC_256"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    let lines: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let results: Vec<&Value> = lines.iter().filter(|l| l.get("op").is_some()).collect();
    let ops: Vec<&str> = results.iter().map(|r| r["op"].as_str().unwrap()).collect();
    assert_eq!(
        ops,
        [
            "encrypt",
            "decrypt",
            "generate-data-key",
            "floor",
            "health",
            "sign:ECC_NIST_P256",
            "verify:ECC_NIST_P256",
            "verify:HMAC_256"
        ],
        "{stdout}"
    );
    for r in &results {
        assert_eq!(r["connections"], 1, "{r}");
        assert_eq!(r["errors"], 0, "{r}");
        let ok = r["ok"].as_u64().unwrap();
        assert!(ok > 0 && ok <= 20, "the cap bounds the run: {r}");
        assert!(r["ops_per_sec"].as_f64().unwrap() > 0.0, "{r}");
        assert!(r["p50_ms"].as_f64().unwrap() <= r["p99_ms"].as_f64().unwrap(), "{r}");
    }
    let health = results.iter().find(|r| r["op"] == "health").unwrap();
    assert_eq!(health["ops_vs_health"], 1.0);
    let summary = lines.last().unwrap();
    assert_eq!(summary["run"], "passed", "{stdout}");
    assert_eq!(summary["errors"], 0);
}

#[test]
fn a_remote_endpoint_must_be_on_this_machine() {
    let out = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .args(["bench", "--endpoint", "http://192.0.2.1:4600", "--duration", "1"])
        .args(["--access-key", "AKIAEXAMPLE", "--secret-key", "secret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not on a loopback address"), "{stderr}");
}
