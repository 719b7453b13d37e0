//! The grammar walker shared by the three dialects.
//!
//! Owns: turning a lossless JSON tree into a `Policy`, checking every element against the
//! dialect's `Grammar` and reporting the first problem with a JSON pointer. Never: decide
//! or lint (catalog knowledge lives in `validate`).

use std::collections::HashSet;

use super::json::{Node, Pointer};
use crate::Dialect;
use crate::condition::{Condition, Operator, OperatorError};
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

fn err(at: &Pointer, message: impl Into<String>) -> PolicyError {
    PolicyError { pointer: at.to_string(), message: message.into() }
}

/// Parses a document against a grammar.
pub(crate) fn parse(g: &Grammar, node: Node) -> Result<Policy, PolicyError> {
    let root = Pointer::root();
    let Node::Object(members) = &node else {
        return Err(err(
            &root,
            format!("a policy must be a JSON object, not {}", node.type_name()),
        ));
    };
    check_duplicates(members, &root)?;
    let mut version = None;
    let mut id = None;
    let mut statement = None;
    for (name, value) in members {
        let at = root.key(name);
        match name.as_str() {
            "Version" => version = Some(string(value, &at)?.to_owned()),
            "Statement" => statement = Some((value, at)),
            "Id" if g.top_level_extra.contains(&"Id") => id = Some(string(value, &at)?.to_owned()),
            other => {
                return Err(err(&at, format!("unknown top-level element `{other}`")));
            }
        }
    }
    match &version {
        Some(v) if !g.versions.contains(&v.as_str()) => {
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
    let variables = g.dialect == Dialect::Aws && version.as_deref() == Some("2012-10-17");
    let Some((statement, at)) = statement else {
        return Err(err(&root, "missing `Statement`"));
    };
    let items: Vec<(&Node, Pointer)> = match statement {
        Node::Array(items) => items.iter().enumerate().map(|(i, n)| (n, at.index(i))).collect(),
        Node::Object(_) if g.statement_may_be_object => vec![(statement, at.clone())],
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
    let mut sids = HashSet::new();
    for (index, (item, at)) in items.into_iter().enumerate() {
        let s = parse_statement(g, item, &at, index, variables)?;
        if g.unique_sids {
            if let Some(sid) = &s.sid {
                if !sids.insert(sid.clone()) {
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
    Ok(Policy { dialect: g.dialect, version, id, statements, source: node.clone(), name: None })
}

fn parse_statement(
    g: &Grammar,
    node: &Node,
    at: &Pointer,
    index: usize,
    variables: bool,
) -> Result<Statement, PolicyError> {
    let Node::Object(members) = node else {
        return Err(err(
            at,
            format!("a statement must be a JSON object, not {}", node.type_name()),
        ));
    };
    check_duplicates(members, at)?;
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    for (name, value) in members {
        let here = at.key(name);
        if !g.statement_keys.contains(&name.as_str()) {
            return Err(err(&here, format!("unknown statement element `{name}`")));
        }
        match name.as_str() {
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
                principal = Some(parse_principal(g, value, &here, name == "NotPrincipal")?);
            }
            "Action" | "NotAction" => {
                exclusive(&action, &here, "Action", "NotAction")?;
                let list = string_list(value, &here, "actions")?;
                let mut patterns = Vec::with_capacity(list.len());
                for (s, p) in list {
                    (g.check_action)(s).map_err(|m| err(&p, m))?;
                    patterns.push(Pattern::compile(s, true, false));
                }
                action = Some(ActionSpec { negated: name == "NotAction", patterns });
            }
            "Resource" | "NotResource" => {
                exclusive(&resource, &here, "Resource", "NotResource")?;
                let list = string_list(value, &here, "resources")?;
                let mut patterns = Vec::with_capacity(list.len());
                for (s, p) in list {
                    (g.check_resource)(s).map_err(|m| err(&p, m))?;
                    patterns.push(Pattern::compile(s, true, variables));
                }
                resource = Some(ResourceSpec { negated: name == "NotResource", patterns });
            }
            "Condition" => conditions = parse_conditions(g, value, &here, variables)?,
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
    value: &Node,
    at: &Pointer,
    negated: bool,
) -> Result<PrincipalSpec, PolicyError> {
    let default_kind = g.principal_kinds.first().map(|(_, k)| *k).unwrap_or(PrincipalKind::Aws);
    let mut entries = Vec::new();
    match value {
        Node::String(s) if s == "*" => entries.push((default_kind, "*".to_owned())),
        Node::String(s) => {
            return Err(err(
                at,
                format!(
                    "a principal must be `\"*\"` or an object such as {{\"{}\": ...}}, not `{s}`",
                    g.principal_kinds.first().map(|(n, _)| *n).unwrap_or("AWS")
                ),
            ));
        }
        Node::Object(members) => {
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
                for (s, p) in string_list(v, &here, "principals")? {
                    (g.check_principal)(*kind, s).map_err(|m| err(&p, m))?;
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
    value: &Node,
    at: &Pointer,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Node::Object(ops) = value else {
        return Err(err(at, format!("`Condition` must be an object, not {}", value.type_name())));
    };
    check_duplicates(ops, at)?;
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let here = at.key(op_name);
        let Node::Object(keys) = keys else {
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
        check_duplicates(keys, &here)?;
        let mut seen = HashSet::new();
        for (key, values) in keys {
            let kat = here.key(key);
            if !seen.insert(key.to_lowercase()) {
                return Err(err(
                    &kat,
                    format!(
                        "condition key `{key}` appears twice under `{op_name}` (key names are case-insensitive)"
                    ),
                ));
            }
            (g.check_condition_key)(key).map_err(|m| err(&kat, m))?;
            let raw = condition_values(values, &kat)?;
            out.push(Condition::new(operator.clone(), key, raw, variables));
        }
    }
    Ok(out)
}

fn condition_values(node: &Node, at: &Pointer) -> Result<Vec<String>, PolicyError> {
    let one = |n: &Node, p: &Pointer| -> Result<String, PolicyError> {
        match n {
            Node::String(s) => Ok(s.clone()),
            Node::Bool(b) => Ok(b.to_string()),
            Node::Number(x) => Ok(x.clone()),
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
        Node::Array(items) => items.iter().enumerate().map(|(i, n)| one(n, &at.index(i))).collect(),
        other => Ok(vec![one(other, at)?]),
    }
}

fn exclusive<T>(seen: &Option<T>, at: &Pointer, a: &str, b: &str) -> Result<(), PolicyError> {
    if seen.is_some() {
        return Err(err(at, format!("a statement may have `{a}` or `{b}`, not both")));
    }
    Ok(())
}

fn check_duplicates(members: &[(String, Node)], at: &Pointer) -> Result<(), PolicyError> {
    let mut seen = HashSet::new();
    for (name, _) in members {
        if !seen.insert(name.as_str()) {
            return Err(err(&at.key(name), format!("duplicate member `{name}`")));
        }
    }
    Ok(())
}

fn string<'a>(node: &'a Node, at: &Pointer) -> Result<&'a str, PolicyError> {
    match node {
        Node::String(s) => Ok(s),
        other => Err(err(at, format!("expected a string, not {}", other.type_name()))),
    }
}

/// A string or a non-empty array of strings, with each item's pointer.
fn string_list<'a>(
    node: &'a Node,
    at: &Pointer,
    what: &str,
) -> Result<Vec<(&'a str, Pointer)>, PolicyError> {
    match node {
        Node::String(s) => Ok(vec![(s.as_str(), at.clone())]),
        Node::Array(items) => {
            if items.is_empty() {
                return Err(err(at, format!("the list of {what} must not be empty")));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let p = at.index(i);
                    string(n, &p).map(|s| (s, p))
                })
                .collect()
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
