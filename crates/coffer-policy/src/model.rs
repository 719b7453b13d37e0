//! The one policy model every dialect parses into.
//!
//! Owns: `Policy`, `Statement` and their parts, compiled for matching (patterns, typed
//! condition values), and the parse error that points into the document. Never: read
//! JSON text itself (the dialect parsers do) or decide a request (see `decide`).

use std::fmt;

use crate::Dialect;
use crate::condition::Condition;
use crate::dialect::json::Source;
use crate::matching::Pattern;

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement forbids; an applicable Deny always wins.
    Deny,
}

/// A parsed, compiled policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The language it is written in.
    pub dialect: Dialect,
    /// `Version` as written (`None` when missing).
    pub version: Option<String>,
    /// `Id` as written.
    pub id: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// The document it was parsed from (the text given to `parse`, or the tree given to
    /// `from_node` or `from_value`), which reads back as a lossless tree (member order and
    /// duplicates kept) or as a `serde_json::Value`.
    pub source: Source,
    /// The name it is attached under (a managed policy's name, an SCP's name), for reasons.
    pub name: Option<String>,
}

impl Policy {
    /// The same policy under a name (shown in reasons).
    pub fn named(mut self, name: impl Into<String>) -> Policy {
        self.name = Some(name.into());
        self
    }

    /// The policy read as a role's trust policy. A trust policy names no `Resource`: each
    /// statement is about the role it is attached to. The engine matches statements by
    /// resource, so every statement gets `Resource: "*"`, which the request's resource (the
    /// role's ARN) always matches. A statement that does name a resource keeps it.
    pub fn for_role_trust(mut self) -> Policy {
        for s in &mut self.statements {
            if s.resource.is_none() {
                s.resource = Some(ResourceSpec {
                    negated: false,
                    patterns: vec![Pattern::compile("*", true, false)],
                });
            }
        }
        self
    }

    /// True when `${...}` policy variables are substituted (AWS `2012-10-17` only).
    pub fn variables_enabled(&self) -> bool {
        self.dialect == Dialect::Aws && self.version.as_deref() == Some("2012-10-17")
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the `Statement` list (0 when `Statement` is a single object).
    pub index: usize,
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` / `NotPrincipal` (resource policies only).
    pub principal: Option<PrincipalSpec>,
    /// `Action` / `NotAction`. `None`: the statement names no action and never applies
    /// (AWS key policies accept such a statement; it has no effect).
    pub action: Option<ActionSpec>,
    /// `Resource` / `NotResource`. `None`: AWS — the statement never applies; Huawei —
    /// every resource (the Huawei grammar makes `Resource` optional, meaning `*`).
    pub resource: Option<ResourceSpec>,
    /// Every condition; all must hold.
    pub conditions: Vec<Condition>,
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionSpec {
    /// `NotAction`: every action except those listed.
    pub negated: bool,
    /// The action patterns (matched case-insensitively).
    pub patterns: Vec<Pattern>,
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceSpec {
    /// `NotResource`: every resource except those listed.
    pub negated: bool,
    /// The resource patterns (matched case-sensitively; may hold variables).
    pub patterns: Vec<Pattern>,
}

/// The kind of a principal entry, as named in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PrincipalKind {
    /// AWS `"AWS"`: accounts, users, roles, sessions.
    Aws,
    /// AWS `"Service"`.
    Service,
    /// AWS `"Federated"`.
    Federated,
    /// AWS `"CanonicalUser"`.
    CanonicalUser,
    /// Alibaba `"RAM"`.
    Ram,
    /// Huawei `"IAM"`.
    Iam,
}

/// `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalSpec {
    /// `NotPrincipal`.
    pub negated: bool,
    /// The entries; `"*"` is an entry of kind `Aws` (or `Ram`/`Iam`) with value `*`.
    pub entries: Vec<(PrincipalKind, String)>,
}

/// A parse error: where in the document, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct PolicyError {
    /// JSON pointer to the offending value (`/Statement/0/Action/1`); `/` for the root.
    pub pointer: String,
    /// What is wrong, in the cloud's words where it has them.
    pub message: String,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}
