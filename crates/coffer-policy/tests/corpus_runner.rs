//! The decision corpus: every `*.json` case under `tests/corpus/` is decided by the engine
//! and compared with its expected decision, denial phrase and reasons.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The smallest number of cases the corpus must hold.
const MIN_CASES: usize = 150;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus")
}

/// Every `*.json` file under `dir`, recursively, in a stable order.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

/// True when every member of `expected` is present in `actual` with an equal value
/// (objects are compared member by member, recursively; anything else by equality).
fn subset_match(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            e.iter().all(|(k, ev)| a.get(k).is_some_and(|av| subset_match(ev, av)))
        }
        _ => expected == actual,
    }
}

fn is_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && s.len() > "https://".len() + 3
}

/// Checks one case; returns the problems found (empty when it passes).
fn check_case(value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for field in ["id", "source", "description"] {
        match value.get(field).and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => {}
            _ => problems.push(format!("missing or empty `{field}`")),
        }
    }
    if let Some(source) = value.get("source").and_then(Value::as_str) {
        if !is_url(source) {
            problems.push(format!("`source` is not a URL: {source}"));
        }
    }
    let Some(expect) = value.get("expect") else {
        problems.push("missing `expect`".to_owned());
        return problems;
    };
    let case = match coffer_policy::case::Case::from_json(value) {
        Ok(c) => c,
        Err(e) => {
            problems.push(format!("the case does not load: {e}"));
            return problems;
        }
    };
    let decision = case.evaluate();
    let got = match serde_json::to_value(&decision) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("the decision does not serialize: {e}"));
            return problems;
        }
    };
    let got_text = got.to_string();
    match expect.get("decision").and_then(Value::as_str) {
        Some(want) => {
            if got.get("decision").and_then(Value::as_str) != Some(want) {
                problems.push(format!("expected decision {want}, got {got_text}"));
            }
        }
        None => problems.push("`expect.decision` is missing".to_owned()),
    }
    if let Some(want) = expect.get("phrase").and_then(Value::as_str) {
        if got.get("phrase").and_then(Value::as_str) != Some(want) {
            problems.push(format!("expected phrase \"{want}\", got {got_text}"));
        }
    }
    if let Some(reasons) = expect.get("reasons").and_then(Value::as_array) {
        let produced = got.get("reasons").and_then(Value::as_array).cloned().unwrap_or_default();
        for want in reasons {
            if !produced.iter().any(|r| subset_match(want, r)) {
                problems.push(format!("expected a reason matching {want}, got {got_text}"));
            }
        }
    }
    problems
}

#[test]
fn decision_corpus() {
    let mut files = Vec::new();
    json_files(&corpus_dir(), &mut files);
    let mut failures = Vec::new();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut count = 0usize;
    for path in &files {
        let shown = path.strip_prefix(corpus_dir()).unwrap_or(path).display().to_string();
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{shown}: not JSON: {e}"));
                continue;
            }
        };
        count += 1;
        let id = value.get("id").and_then(Value::as_str).unwrap_or("<no id>").to_owned();
        if let Some(first) = ids.insert(id.clone(), path.clone()) {
            failures.push(format!("{shown} [{id}]: duplicate id (also in {})", first.display()));
        }
        for problem in check_case(&value) {
            failures.push(format!("{shown} [{id}]: {problem}"));
        }
    }
    if count < MIN_CASES {
        failures.push(format!("the corpus holds {count} cases; at least {MIN_CASES} are required"));
    }
    if !failures.is_empty() {
        panic!("{} corpus failure(s) in {count} cases:\n{}", failures.len(), failures.join("\n"));
    }
}

#[test]
fn subset_matching_is_member_wise() {
    let got = serde_json::json!({"kind": "statement", "policy_kind": "identity", "policy_index": 0, "statement_index": 1, "effect": "Allow"});
    assert!(subset_match(&serde_json::json!({"kind": "statement", "effect": "Allow"}), &got));
    assert!(!subset_match(&serde_json::json!({"kind": "statement", "effect": "Deny"}), &got));
    assert!(!subset_match(&serde_json::json!({"kind": "grant"}), &got));
}
