//! The request context: the condition keys of one request and their values.
//!
//! Owns: the `Context` map (key names case-insensitive, values single or multi), its JSON
//! form, and variable lookup for policy variables. Never: decide which keys a request
//! carries; the caller (the service, or a simulation case) populates it.

use std::collections::HashMap;

use crate::matching::VarSource;

/// The value of one condition key in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key (`aws:SourceIp`, `kms:EncryptionContext:dept`, ...).
    Single(String),
    /// A multivalued key (`aws:TagKeys`, `kms:EncryptionContextKeys`, ...); may be empty.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice: one for a single-valued key, any number for a multivalued one.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(v) => v,
        }
    }
}

/// The condition keys of a request. Key names are case-insensitive: they are stored
/// lowercased, and lookups take a lowercased name (policies are lowercased once, when
/// they are parsed, so a lookup allocates nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    map: HashMap<String, ContextValue>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key (any case) to a value, replacing what was there.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.map.insert(key.to_lowercase(), value);
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// Sets a key only if it is not already present.
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) {
        let key = key.to_lowercase();
        self.map.entry(key).or_insert_with(|| ContextValue::Single(value.into()));
    }

    /// Sets a multivalued key only if it is not already present.
    pub fn set_default_multi(&mut self, key: &str, values: Vec<String>) {
        let key = key.to_lowercase();
        self.map.entry(key).or_insert(ContextValue::Multi(values));
    }

    /// The value of a key; `key` must already be lowercase.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.map.get(key)
    }

    /// True when the key (lowercase) is present.
    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The keys present, lowercased.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// Reads the JSON form: an object whose members are strings, booleans, numbers or
    /// arrays of those (an array is a multivalued key; an empty array is present but
    /// empty). `null` members are absent keys.
    pub fn from_json(value: &serde_json::Value) -> Result<Context, String> {
        let serde_json::Value::Object(members) = value else {
            return Err(format!("the context must be a JSON object, not {}", json_type(value)));
        };
        let mut ctx = Context::new();
        for (key, v) in members {
            match v {
                serde_json::Value::Null => {}
                serde_json::Value::Array(items) => {
                    let values =
                        items.iter().map(scalar).collect::<Option<Vec<String>>>().ok_or_else(
                            || format!("context key `{key}` holds an array with a non-scalar item"),
                        )?;
                    ctx.insert(key, ContextValue::Multi(values));
                }
                other => {
                    let s = scalar(other)
                        .ok_or_else(|| format!("context key `{key}` holds {}", json_type(other)))?;
                    ctx.insert(key, ContextValue::Single(s));
                }
            }
        }
        Ok(ctx)
    }
}

impl VarSource for Context {
    fn var(&self, key: &str) -> Option<&str> {
        // Multivalued keys cannot be variables.
        match self.map.get(key)? {
            ContextValue::Single(v) => Some(v),
            ContextValue::Multi(_) => None,
        }
    }
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_case_insensitive_and_values_typed() {
        let ctx = Context::from_json(&json!({
            "AWS:SourceIp": "10.0.0.1", "aws:SecureTransport": true, "kms:ValidTo": 1700000000,
            "aws:TagKeys": ["a", "b"], "kms:EncryptionContextKeys": [], "aws:username": null
        }))
        .unwrap();
        assert_eq!(ctx.get("aws:sourceip"), Some(&ContextValue::Single("10.0.0.1".into())));
        assert_eq!(ctx.get("aws:securetransport").unwrap().values(), ["true"]);
        assert_eq!(ctx.get("kms:validto").unwrap().values(), ["1700000000"]);
        assert_eq!(ctx.get("aws:tagkeys").unwrap().values().len(), 2);
        assert_eq!(ctx.get("kms:encryptioncontextkeys"), Some(&ContextValue::Multi(vec![])));
        assert!(!ctx.contains("aws:username"));
        assert_eq!(ctx.var("aws:sourceip"), Some("10.0.0.1"));
        assert_eq!(ctx.var("aws:tagkeys"), None);
    }

    #[test]
    fn bad_shapes_are_named() {
        let err = Context::from_json(&json!({"k": {"x": 1}})).unwrap_err();
        assert!(err.contains("`k`"), "{err}");
        assert!(Context::from_json(&json!([1])).is_err());
    }
}
