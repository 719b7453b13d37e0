//! The grammar walker shared by the three dialects.
//!
//! Owns: turning a lossless JSON tree into a `Policy`, checking every element against the
//! dialect's `Grammar` and reporting the first problem with a JSON pointer. Never: decide
//! or lint (catalog knowledge lives in `validate`).

use std::borrow::Cow;
use std::collections::HashSet;

use super::json::{Doc, Path, Raw, Source};
use crate::Dialect;
use crate::condition::{Condition, Operator, OperatorError, lowercase};
use crate::matching::Pattern;
use crate::model::{
    ActionSpec, Effect, Policy, PolicyError, PrincipalKind, PrincipalSpec, ResourceSpec, Statement,
};

/// What differs between the dialects' grammars.
pub(crate) struct Grammar {
    pub dialect: Dialect,
    /// Accepted `Version` values.
    pub versions: &'static [&'static str],
    /// Whether a document without `Version` is refused.
    pub version_required: bool,
    /// Top-level members besides `Version` and `Statement`.
    pub top_level_extra: &'static [&'static str],
    /// Members a statement may have.
    pub statement_keys: &'static [&'static str],
    /// Whether `Statement` may be a single object instead of an array.
    pub statement_may_be_object: bool,
    /// Whether a statement without `Resource`/`NotResource` is refused (Alibaba); when
    /// not, it parses with no resource (AWS: no effect; Huawei: every resource).
    pub resource_required: bool,
    /// Whether a statement without `Action`/`NotAction` is refused; when not, it parses
    /// and never applies (AWS key policies accept such statements).
    pub action_required: bool,
    /// Whether `Sid`s must be unique.
    pub unique_sids: bool,
    /// The principal kinds and their JSON names.
    pub principal_kinds: &'static [(&'static str, PrincipalKind)],
    /// Checks one action string; the error says what is wrong.
    pub check_action: fn(&str) -> Result<(), String>,
    /// Checks one resource string.
    pub check_resource: fn(&str) -> Result<(), String>,
    /// Checks one principal value of a kind.
    pub check_principal: fn(PrincipalKind, &str) -> Result<(), String>,
    /// Checks one condition key name.
    pub check_condition_key: fn(&str) -> Result<(), String>,
}

/// A principal value is any non-empty string (Huawei, Alibaba: the cloud resolves it).
pub(crate) fn non_empty_principal(_kind: PrincipalKind, p: &str) -> Result<(), String> {
    if p.is_empty() {
        return Err("a principal must not be empty".to_owned());
    }
    Ok(())
}

/// A condition key is `prefix:name`; `global` names the dialect's global prefix for the message.
pub(crate) fn prefixed_condition_key(k: &str, global: &str) -> Result<(), String> {
    match k.split_once(':') {
        Some((prefix, rest)) if !prefix.is_empty() && !rest.is_empty() => Ok(()),
        _ => Err(format!(
            "condition key `{k}` must have a prefix: `{global}` for global keys or the service's (`kms:`)"
        )),
    }
}

fn err(at: &Path<'_>, message: impl Into<String>) -> PolicyError {
    PolicyError { pointer: at.pointer().to_string(), message: message.into() }
}

/// A parsed policy, before it is given its source.
pub(crate) struct Body {
    dialect: Dialect,
    version: Option<String>,
    id: Option<String>,
    statements: Vec<Statement>,
}

impl Body {
    pub(crate) fn with_source(self, source: Source) -> Policy {
        let Body { dialect, version, id, statements } = self;
        Policy { dialect, version, id, statements, source, name: None }
    }
}

/// Parses a document against a grammar.
pub(crate) fn parse(g: &Grammar, doc: &Doc<'_>) -> Result<Body, PolicyError> {
    let root = Path::root();
    let node = doc.root();
    let Raw::Object(members) = node else {
        return Err(err(
            &root,
            format!("a policy must be a JSON object, not {}", node.type_name()),
        ));
    };
    let members = doc.members(*members);
    check_duplicates(members, &root)?;
    let mut version = None;
    let mut id = None;
    let mut statement = None;
    for (name, value) in members {
        let at = root.key(name);
        match &**name {
            "Version" => version = Some(string(value, &at)?),
            "Statement" => statement = Some((name, value)),
            "Id" if g.top_level_extra.contains(&"Id") => id = Some(string(value, &at)?.to_owned()),
            other => {
                return Err(err(&at, format!("unknown top-level element `{other}`")));
            }
        }
    }
    match version {
        Some(v) if !g.versions.contains(&v) => {
            return Err(err(
                &root.key("Version"),
                format!(
                    "unsupported `Version` `{v}`: the {} policy language accepts {}",
                    g.dialect,
                    quote_list(g.versions)
                ),
            ));
        }
        None if g.version_required => {
            return Err(err(
                &root,
                format!(
                    "missing `Version`: the {} policy language requires {}",
                    g.dialect,
                    quote_list(g.versions)
                ),
            ));
        }
        _ => {}
    }
    let variables = g.dialect == Dialect::Aws && version == Some("2012-10-17");
    let Some((name, statement)) = statement else {
        return Err(err(&root, "missing `Statement`"));
    };
    let at = root.key(name);
    let items = match statement {
        Raw::Array(items) => doc.items(*items),
        Raw::Object(_) if g.statement_may_be_object => std::slice::from_ref(statement),
        other => {
            return Err(err(
                &at,
                format!("`Statement` must be an array of objects, not {}", other.type_name()),
            ));
        }
    };
    if items.is_empty() {
        return Err(err(&at, "`Statement` must hold at least one statement"));
    }
    let mut statements = Vec::with_capacity(items.len());
    let mut sids = Seen::default();
    for (index, item) in items.iter().enumerate() {
        let item_at = at.index(index);
        // A single statement object is pointed at as `/Statement` itself.
        let at = if matches!(statement, Raw::Array(_)) { &item_at } else { &at };
        let s = parse_statement(g, doc, item, at, index, variables)?;
        if g.unique_sids {
            if let Some(sid) = sid_of(doc, item) {
                if !sids.insert(sid) {
                    return Err(err(
                        &at.key("Sid"),
                        format!(
                            "duplicate `Sid` `{sid}`: statement IDs in a single policy must be unique"
                        ),
                    ));
                }
            }
        }
        statements.push(s);
    }
    Ok(Body { dialect: g.dialect, version: version.map(str::to_owned), id, statements })
}

/// The `Sid` of a statement that parsed (so it is a string).
fn sid_of<'a>(doc: &'a Doc<'_>, statement: &Raw<'_>) -> Option<&'a str> {
    let Raw::Object(members) = statement else { return None };
    doc.members(*members).iter().find(|(k, _)| k == "Sid").and_then(|(_, v)| match v {
        Raw::String(s) => Some(&**s),
        _ => None,
    })
}

fn parse_statement(
    g: &Grammar,
    doc: &Doc<'_>,
    node: &Raw<'_>,
    at: &Path<'_>,
    index: usize,
    variables: bool,
) -> Result<Statement, PolicyError> {
    let Raw::Object(members) = node else {
        return Err(err(
            at,
            format!("a statement must be a JSON object, not {}", node.type_name()),
        ));
    };
    let members = doc.members(*members);
    check_duplicates(members, at)?;
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    for (name, value) in members {
        let name: &str = name;
        let here = at.key(name);
        if !g.statement_keys.contains(&name) {
            return Err(err(&here, format!("unknown statement element `{name}`")));
        }
        match name {
            "Sid" => sid = Some(string(value, &here)?.to_owned()),
            "Effect" => {
                effect = Some(match string(value, &here)? {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    other => {
                        return Err(err(
                            &here,
                            format!("`Effect` must be `Allow` or `Deny`, not `{other}`"),
                        ));
                    }
                })
            }
            "Principal" | "NotPrincipal" => {
                exclusive(&principal, &here, "Principal", "NotPrincipal")?;
                principal = Some(parse_principal(g, doc, value, &here, name == "NotPrincipal")?);
            }
            "Action" | "NotAction" => {
                exclusive(&action, &here, "Action", "NotAction")?;
                let list = string_list(doc, value, &here, "actions")?;
                let mut patterns = Vec::with_capacity(list.len());
                for (i, s) in list.iter() {
                    (g.check_action)(s).map_err(|m| err(&list.at(&here, i), m))?;
                    patterns.push(Pattern::compile(s, true, false));
                }
                action = Some(ActionSpec { negated: name == "NotAction", patterns });
            }
            "Resource" | "NotResource" => {
                exclusive(&resource, &here, "Resource", "NotResource")?;
                let list = string_list(doc, value, &here, "resources")?;
                let mut patterns = Vec::with_capacity(list.len());
                for (i, s) in list.iter() {
                    (g.check_resource)(s).map_err(|m| err(&list.at(&here, i), m))?;
                    patterns.push(Pattern::compile(s, true, variables));
                }
                resource = Some(ResourceSpec { negated: name == "NotResource", patterns });
            }
            "Condition" => conditions = parse_conditions(g, doc, value, &here, variables)?,
            // Grammar-only members (Huawei 1.1 `Depends`): accepted, not evaluated.
            _ => {}
        }
    }
    let Some(effect) = effect else {
        return Err(err(at, "missing `Effect`"));
    };
    if action.is_none() && g.action_required {
        return Err(err(
            at,
            "missing `Action` or `NotAction`: a policy statement must contain actions",
        ));
    }
    if resource.is_none() && g.resource_required {
        return Err(err(at, "missing `Resource`: a policy statement must contain resources"));
    }
    Ok(Statement { index, sid, effect, principal, action, resource, conditions })
}

fn parse_principal(
    g: &Grammar,
    doc: &Doc<'_>,
    value: &Raw<'_>,
    at: &Path<'_>,
    negated: bool,
) -> Result<PrincipalSpec, PolicyError> {
    let default_kind = g.principal_kinds.first().map(|(_, k)| *k).unwrap_or(PrincipalKind::Aws);
    let mut entries = Vec::new();
    match value {
        Raw::String(s) if s == "*" => entries.push((default_kind, "*".to_owned())),
        Raw::String(s) => {
            return Err(err(
                at,
                format!(
                    "a principal must be `\"*\"` or an object such as {{\"{}\": ...}}, not `{s}`",
                    g.principal_kinds.first().map(|(n, _)| *n).unwrap_or("AWS")
                ),
            ));
        }
        Raw::Object(members) => {
            let members = doc.members(*members);
            check_duplicates(members, at)?;
            if members.is_empty() {
                return Err(err(at, "a principal must name at least one entity"));
            }
            for (name, v) in members {
                let here = at.key(name);
                let Some((_, kind)) = g.principal_kinds.iter().find(|(n, _)| n == name) else {
                    let known: Vec<&str> = g.principal_kinds.iter().map(|(n, _)| *n).collect();
                    return Err(err(
                        &here,
                        format!(
                            "unknown principal type `{name}`: expected one of {}",
                            quote_list(&known)
                        ),
                    ));
                };
                let list = string_list(doc, v, &here, "principals")?;
                entries.reserve(list.len());
                for (i, s) in list.iter() {
                    (g.check_principal)(*kind, s).map_err(|m| err(&list.at(&here, i), m))?;
                    entries.push((*kind, s.to_owned()));
                }
            }
        }
        other => {
            return Err(err(
                at,
                format!("a principal must be `\"*\"` or an object, not {}", other.type_name()),
            ));
        }
    }
    Ok(PrincipalSpec { negated, entries })
}

fn parse_conditions(
    g: &Grammar,
    doc: &Doc<'_>,
    value: &Raw<'_>,
    at: &Path<'_>,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Raw::Object(ops) = value else {
        return Err(err(at, format!("`Condition` must be an object, not {}", value.type_name())));
    };
    let ops = doc.members(*ops);
    check_duplicates(ops, at)?;
    // One condition per key of every operator.
    let count = ops
        .iter()
        .map(|(_, keys)| match keys {
            Raw::Object(keys) => doc.members(*keys).len(),
            _ => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(count);
    for (op_name, keys) in ops {
        let here = at.key(op_name);
        let Raw::Object(keys) = keys else {
            return Err(err(
                &here,
                format!(
                    "condition operator `{op_name}` must map to an object of keys, not {}",
                    keys.type_name()
                ),
            ));
        };
        let operator = Operator::parse(g.dialect, op_name).map_err(|e| {
            err(
                &here,
                match e {
                    OperatorError::Unknown => format!("unknown condition operator `{op_name}`"),
                    OperatorError::NotInDialect => {
                        format!(
                            "condition operator `{op_name}` is not part of the {} policy language",
                            g.dialect
                        )
                    }
                    OperatorError::BadQualifier(why) => {
                        format!("condition operator `{op_name}`: {why}")
                    }
                },
            )
        })?;
        let keys = doc.members(*keys);
        check_duplicates(keys, &here)?;
        // Key names are case-insensitive: a few are compared with the earlier ones of this
        // operator, many are lowered into a set.
        let mut lowered = (keys.len() > FEW_MEMBERS).then(HashSet::new);
        // Cloned for every key but the last, which takes it.
        let mut operator = Some(operator);
        for (n, (key, values)) in keys.iter().enumerate() {
            let kat = here.key(key);
            let twice = match &mut lowered {
                None => keys[..n].iter().any(|(earlier, _)| same_key(earlier, key)),
                Some(seen) => !seen.insert(lowercase(key)),
            };
            if twice {
                return Err(err(
                    &kat,
                    format!(
                        "condition key `{key}` appears twice under `{op_name}` (key names are case-insensitive)"
                    ),
                ));
            }
            (g.check_condition_key)(key).map_err(|m| err(&kat, m))?;
            let raw = condition_values(doc, values, &kat)?;
            let operator = if n + 1 < keys.len() { operator.clone() } else { operator.take() };
            if let Some(operator) = operator {
                out.push(Condition::new(operator, key, raw, variables));
            }
        }
    }
    Ok(out)
}

/// Whether two condition key names are the same name (they are compared lowercased).
fn same_key(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

fn condition_values(
    doc: &Doc<'_>,
    node: &Raw<'_>,
    at: &Path<'_>,
) -> Result<Vec<String>, PolicyError> {
    let one = |n: &Raw<'_>, p: &Path<'_>| -> Result<String, PolicyError> {
        match n {
            Raw::String(s) => Ok(s.to_string()),
            Raw::Bool(b) => Ok(b.to_string()),
            Raw::Number(x) => Ok(x.to_string()),
            other => Err(err(
                p,
                format!(
                    "a condition value must be a string, boolean or number, not {}",
                    other.type_name()
                ),
            )),
        }
    };
    match node {
        Raw::Array(items) => {
            doc.items(*items).iter().enumerate().map(|(i, n)| one(n, &at.index(i))).collect()
        }
        other => Ok(vec![one(other, at)?]),
    }
}

fn exclusive<T>(seen: &Option<T>, at: &Path<'_>, a: &str, b: &str) -> Result<(), PolicyError> {
    if seen.is_some() {
        return Err(err(at, format!("a statement may have `{a}` or `{b}`, not both")));
    }
    Ok(())
}

/// Objects with more members than this are checked for duplicates with a set; fewer are
/// compared one by one, which costs less than hashing.
const FEW_MEMBERS: usize = 16;

/// Names seen so far: a list compared one by one while there are few, a set beyond.
#[derive(Default)]
struct Seen<'a> {
    few: Vec<&'a str>,
    many: HashSet<&'a str>,
}

impl<'a> Seen<'a> {
    /// Records `name`; false when it was seen before.
    fn insert(&mut self, name: &'a str) -> bool {
        if self.many.is_empty() && self.few.len() < FEW_MEMBERS {
            if self.few.contains(&name) {
                return false;
            }
            self.few.push(name);
            return true;
        }
        if self.many.is_empty() {
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(name)
    }
}

fn check_duplicates(members: &[(Cow<'_, str>, Raw<'_>)], at: &Path<'_>) -> Result<(), PolicyError> {
    let duplicate = |name: &str| err(&at.key(name), format!("duplicate member `{name}`"));
    if members.len() <= FEW_MEMBERS {
        for (n, (name, _)) in members.iter().enumerate() {
            if members[..n].iter().any(|(earlier, _)| earlier == name) {
                return Err(duplicate(name));
            }
        }
    } else {
        let mut seen = HashSet::with_capacity(members.len());
        for (name, _) in members {
            if !seen.insert(&**name) {
                return Err(duplicate(name));
            }
        }
    }
    Ok(())
}

fn string<'a>(node: &'a Raw<'_>, at: &Path<'_>) -> Result<&'a str, PolicyError> {
    match node {
        Raw::String(s) => Ok(s),
        other => Err(err(at, format!("expected a string, not {}", other.type_name()))),
    }
}

/// A string or a non-empty array of strings, checked to be so.
enum StringList<'a, 'b> {
    One(&'a str),
    Many(&'a [Raw<'b>]),
}

impl<'a> StringList<'a, '_> {
    fn len(&self) -> usize {
        match self {
            StringList::One(_) => 1,
            StringList::Many(items) => items.len(),
        }
    }

    /// The strings, with their positions.
    fn iter(&self) -> impl Iterator<Item = (usize, &'a str)> + use<'a, '_> {
        let items: &[Raw<'_>] = match self {
            StringList::One(_) => &[],
            StringList::Many(items) => items,
        };
        let one = match self {
            StringList::One(s) => Some((0, *s)),
            StringList::Many(_) => None,
        };
        one.into_iter().chain(items.iter().enumerate().filter_map(|(i, n)| match n {
            Raw::String(s) => Some((i, &**s)),
            _ => None,
        }))
    }

    /// The path of item `i`, in the list at `at`.
    fn at<'p>(&self, at: &'p Path<'p>, i: usize) -> Path<'p> {
        match self {
            StringList::One(_) => *at,
            StringList::Many(_) => at.index(i),
        }
    }
}

fn string_list<'a, 'b>(
    doc: &'a Doc<'b>,
    node: &'a Raw<'b>,
    at: &Path<'_>,
    what: &str,
) -> Result<StringList<'a, 'b>, PolicyError> {
    match node {
        Raw::String(s) => Ok(StringList::One(s)),
        Raw::Array(items) => {
            let items = doc.items(*items);
            if items.is_empty() {
                return Err(err(at, format!("the list of {what} must not be empty")));
            }
            for (i, n) in items.iter().enumerate() {
                string(n, &at.index(i))?;
            }
            Ok(StringList::Many(items))
        }
        other => Err(err(
            at,
            format!("expected a string or an array of strings, not {}", other.type_name()),
        )),
    }
}

fn quote_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted.join(""),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}
