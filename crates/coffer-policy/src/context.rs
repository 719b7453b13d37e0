//! The request context: the condition keys of one request and their values.
//!
//! Owns: the `Context` map (key names case-insensitive, values single or multi), its JSON
//! form, and variable lookup for policy variables. Never: decide which keys a request
//! carries; the caller (the service, or a simulation case) populates it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::{Arc, OnceLock};

use crate::condition::lowercase;
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
///
/// The keys are stored by their `key_hash`. A condition hashes its key once, when its
/// policy is parsed, so the lookups of a decision hash nothing: the table uses the stored
/// hash as it is, and one string comparison confirms the name.
///
/// A context may also read shared contexts beneath its own keys ([`Context::push_layer`]):
/// the keys of a principal or of a key, computed once, join every request's context without
/// being copied into it.
#[derive(Clone, Default)]
pub struct Context {
    /// By the hash of the name; names whose hashes are equal share a slot.
    map: HashMap<u64, Slot, BuildHasherDefault<Prehashed>>,
    /// Shared contexts read after this one's own keys, first pushed first; a key of this
    /// context, or of an earlier layer, hides the same key of a later one.
    layers: Vec<Arc<Context>>,
}

/// The keys of one hash: nearly always one.
#[derive(Clone, Debug)]
enum Slot {
    One((String, ContextValue)),
    Many(Vec<(String, ContextValue)>),
}

impl Slot {
    fn entries(&self) -> &[(String, ContextValue)] {
        match self {
            Slot::One(entry) => std::slice::from_ref(entry),
            Slot::Many(entries) => entries,
        }
    }

    fn get(&self, name: &str) -> Option<&ContextValue> {
        self.entries().iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets `name`, replacing its value only when `replace`.
    fn set(&mut self, name: String, value: impl FnOnce() -> ContextValue, replace: bool) {
        let entries = match self {
            Slot::One(entry) => std::slice::from_mut(entry),
            Slot::Many(entries) => entries.as_mut_slice(),
        };
        if let Some((_, v)) = entries.iter_mut().find(|(n, _)| *n == name) {
            if replace {
                *v = value();
            }
            return;
        }
        let added = (name, value());
        match self {
            Slot::One(entry) => {
                let first =
                    std::mem::replace(entry, (String::new(), ContextValue::Multi(Vec::new())));
                *self = Slot::Many(vec![first, added]);
            }
            Slot::Many(entries) => entries.push(added),
        }
    }
}

/// The hash a context is keyed by, of a lowercase key name: SipHash with keys drawn once
/// per process, so that a policy can compute it when it is parsed while request keys
/// cannot be chosen to collide.
pub(crate) fn key_hash(lowercase_name: &str) -> u64 {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    KEYS.get_or_init(RandomState::new).hash_one(lowercase_name)
}

/// A hasher for keys that are hashes already: it passes the `u64` through.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed; fold anything else in, FNV-1a style.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // By name, so that equal contexts print alike.
        let mut entries: Vec<_> = self.entries().collect();
        entries.sort_unstable_by_key(|(name, _)| *name);
        f.debug_map().entries(entries).finish()
    }
}

impl PartialEq for Context {
    fn eq(&self, other: &Context) -> bool {
        self.entries().count() == other.entries().count()
            && self.entries().all(|(name, value)| other.get(name) == Some(value))
    }
}

impl Eq for Context {}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Every key the context reads, each once, with the value a lookup finds.
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, &ContextValue)> + '_> {
        let own = self.map.values().flat_map(Slot::entries).map(|(n, v)| (n.as_str(), v));
        if self.layers.is_empty() {
            return Box::new(own);
        }
        let layered = self.layers.iter().enumerate().flat_map(move |(i, layer)| {
            layer.entries().filter(move |(name, _)| {
                let hash = key_hash(name);
                self.own(hash, name).is_none()
                    && !self.layers[..i].iter().any(|l| l.get_hashed(hash, name).is_some())
            })
        });
        Box::new(own.chain(layered))
    }

    /// The value of a key among this context's own keys, not its layers'.
    fn own(&self, hash: u64, key: &str) -> Option<&ContextValue> {
        self.map.get(&hash)?.get(key)
    }

    fn set_with(&mut self, key: &str, value: impl FnOnce() -> ContextValue, replace: bool) {
        let name = lowercase(key);
        let hash = key_hash(&name);
        if !replace && self.layers.iter().any(|l| l.get_hashed(hash, &name).is_some()) {
            return;
        }
        match self.map.entry(hash) {
            Entry::Vacant(e) => {
                e.insert(Slot::One((name, value())));
            }
            Entry::Occupied(mut e) => e.get_mut().set(name, value, replace),
        }
    }

    /// Sets a key (any case) to a value, replacing what was there.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.set_with(key, || value, true);
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// Sets a key only if it is not already present.
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) {
        self.set_with(key, || ContextValue::Single(value.into()), false);
    }

    /// Sets a multivalued key only if it is not already present.
    pub fn set_default_multi(&mut self, key: &str, values: Vec<String>) {
        self.set_with(key, || ContextValue::Multi(values), false);
    }

    /// The value of a key; `key` must already be lowercase.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.get_hashed(key_hash(key), key)
    }

    /// The value of a key whose [`key_hash`] is known; `key` must already be lowercase.
    pub(crate) fn get_hashed(&self, hash: u64, key: &str) -> Option<&ContextValue> {
        self.own(hash, key).or_else(|| self.layers.iter().find_map(|l| l.get_hashed(hash, key)))
    }

    /// True when the key (lowercase) is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys present, lowercased.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries().map(|(name, _)| name)
    }

    /// Reads `layer` beneath the keys this context holds and the layers pushed before: a
    /// context computed once (the keys of a principal, of a key) joins a request's context
    /// without a copy. Keys set later on this context hide the layer's.
    pub fn push_layer(&mut self, layer: Arc<Context>) {
        if !layer.map.is_empty() || !layer.layers.is_empty() {
            self.layers.push(layer);
        }
    }

    /// Adds every key of `other` that this context does not hold yet, as it is: its name is
    /// lowercase and hashed already, so nothing is lowercased or hashed again. A context
    /// computed once (the keys of a principal, of a key) joins a request's context so.
    pub fn extend_from(&mut self, other: &Context) {
        for (hash, slot) in &other.map {
            for (name, value) in slot.entries() {
                if self.layers.iter().any(|l| l.get_hashed(*hash, name).is_some()) {
                    continue;
                }
                match self.map.entry(*hash) {
                    Entry::Vacant(e) => {
                        e.insert(Slot::One((name.clone(), value.clone())));
                    }
                    Entry::Occupied(mut e) => {
                        e.get_mut().set(name.clone(), || value.clone(), false);
                    }
                }
            }
        }
        for layer in &other.layers {
            self.extend_from(layer);
        }
    }

    /// The JSON form [`Context::from_json`] reads: an object of the keys (lowercase) in
    /// name order, a single value as a string, a multivalued key as an array.
    pub fn to_json(&self) -> serde_json::Value {
        let mut entries: Vec<_> = self.entries().collect();
        entries.sort_unstable_by_key(|(name, _)| *name);
        let members = entries.into_iter().map(|(name, value)| {
            let v = match value {
                ContextValue::Single(s) => serde_json::Value::String(s.clone()),
                ContextValue::Multi(values) => serde_json::Value::Array(
                    values.iter().cloned().map(serde_json::Value::String).collect(),
                ),
            };
            (name.to_owned(), v)
        });
        serde_json::Value::Object(members.collect())
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
        match self.get(key)? {
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
    fn keys_are_set_once_and_found_by_their_hash() {
        let mut a = Context::new();
        a.set("AWS:SourceIp", "10.0.0.1");
        a.set("aws:sourceip", "10.0.0.2");
        a.set_default("Aws:SourceIP", "10.0.0.3");
        a.set_default_multi("aws:TagKeys", vec!["x".into()]);
        a.set_default_multi("aws:tagkeys", vec![]);
        a.set("kms:EncryptionContext:Dept", "it");
        assert_eq!(a.keys().count(), 3);
        assert_eq!(a.var("aws:sourceip"), Some("10.0.0.2"));
        assert_eq!(a.get("aws:tagkeys").unwrap().values(), ["x"]);
        let key = "kms:encryptioncontext:dept";
        assert_eq!(a.get_hashed(key_hash(key), key), a.get(key));
        assert!(a.get("kms:encryptioncontext:Dept").is_none(), "lookups take lowercase names");
        // The order of insertion does not matter.
        let mut b = Context::new();
        b.set("kms:encryptioncontext:dept", "it");
        b.insert("aws:tagkeys", ContextValue::Multi(vec!["x".into()]));
        b.set("aws:sourceip", "10.0.0.2");
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(format!("{a:?}").starts_with(r#"{"aws:sourceip": Single("10.0.0.2"), "#));
        b.set("aws:sourceip", "10.0.0.3");
        assert_ne!(a, b);
    }

    #[test]
    fn a_context_extends_another_without_replacing() {
        let mut base = Context::new();
        base.set("aws:PrincipalTag/Team", "blue");
        base.insert("aws:PrincipalOrgPaths", ContextValue::Multi(vec!["o-1/r-1/".into()]));
        base.set("aws:SourceIp", "10.0.0.9");
        let mut request = Context::new();
        request.set("aws:SourceIp", "10.0.0.1");
        request.extend_from(&base);
        assert_eq!(request.var("aws:principaltag/team"), Some("blue"));
        assert_eq!(request.var("aws:sourceip"), Some("10.0.0.1"), "present keys stay");
        assert_eq!(request.keys().count(), 3);
        assert_eq!(
            request.to_json(),
            json!({"aws:principalorgpaths": ["o-1/r-1/"], "aws:principaltag/team": "blue",
                   "aws:sourceip": "10.0.0.1"})
        );
        assert_eq!(Context::from_json(&request.to_json()).unwrap(), request);
    }

    #[test]
    fn layers_are_read_beneath_a_contexts_own_keys_and_equal_a_copy() {
        let mut session = Context::new();
        session.set("aws:PrincipalTag/Team", "red");
        let mut principal = Context::new();
        principal.set("aws:PrincipalTag/Team", "blue");
        principal.set("aws:PrincipalTag/Dept", "ops");
        principal.set("aws:SourceIp", "10.0.0.9");
        let (session, principal) = (Arc::new(session), Arc::new(principal));

        let mut layered = Context::new();
        layered.set("aws:SourceIp", "10.0.0.1");
        layered.push_layer(Arc::clone(&session));
        layered.push_layer(Arc::clone(&principal));
        layered.push_layer(Arc::new(Context::new()));
        layered.set_default("aws:PrincipalTag/Dept", "ignored");
        layered.set_default("aws:username", "alice");
        let mut copied = Context::new();
        copied.set("aws:SourceIp", "10.0.0.1");
        copied.extend_from(&session);
        copied.extend_from(&principal);
        copied.set_default("aws:PrincipalTag/Dept", "ignored");
        copied.set_default("aws:username", "alice");

        assert_eq!(layered.var("aws:sourceip"), Some("10.0.0.1"), "own keys hide layers");
        assert_eq!(layered.var("aws:principaltag/team"), Some("red"), "earlier layers win");
        assert_eq!(layered.var("aws:principaltag/dept"), Some("ops"), "no default over a layer");
        assert_eq!(layered.keys().count(), 4, "{:?}", layered.keys().collect::<Vec<_>>());
        assert_eq!(layered.to_json(), copied.to_json());
        assert_eq!(layered, copied);
        assert_eq!(copied, layered);
        assert_eq!(format!("{layered:?}"), format!("{copied:?}"));

        // A later value set on the request hides the layer's.
        layered.set("aws:PrincipalTag/Team", "green");
        assert_eq!(layered.var("aws:principaltag/team"), Some("green"));
        assert_ne!(layered, copied);
        // Extending from a layered context copies what it reads.
        let mut flat = Context::new();
        flat.extend_from(&layered);
        assert_eq!(flat, layered);
    }

    #[test]
    fn names_of_equal_hash_share_a_slot() {
        let mut slot = Slot::One(("a".into(), ContextValue::Single("1".into())));
        slot.set("b".into(), || ContextValue::Single("2".into()), false);
        slot.set("a".into(), || ContextValue::Single("3".into()), false);
        assert_eq!(slot.get("a"), Some(&ContextValue::Single("1".into())));
        slot.set("a".into(), || ContextValue::Single("3".into()), true);
        assert_eq!(slot.get("a"), Some(&ContextValue::Single("3".into())));
        assert_eq!(slot.get("b"), Some(&ContextValue::Single("2".into())));
        assert_eq!(slot.get("c"), None);
        assert_eq!(slot.entries().len(), 2);
    }

    #[test]
    fn bad_shapes_are_named() {
        let err = Context::from_json(&json!({"k": {"x": 1}})).unwrap_err();
        assert!(err.contains("`k`"), "{err}");
        assert!(Context::from_json(&json!([1])).is_err());
    }
}
