//! A decision and its reasons.
//!
//! Owns: `Decision` (Allow, ExplicitDeny, ImplicitDeny), the statements and grants that
//! decided it, and the phrase each cloud uses for a denial ("because no identity-based
//! policy allows the kms:Decrypt action", "with an explicit deny in a service control
//! policy"). This is what AccessDenied messages and audit events carry. Never: evaluate.

use std::fmt;

use serde::Serialize;

use crate::Dialect;
use crate::model::Effect;

/// The outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Outcome {
    /// An applicable Allow, and no applicable Deny, on every path the cloud requires.
    Allow,
    /// An applicable Deny statement somewhere.
    ExplicitDeny,
    /// No Allow where one was required.
    ImplicitDeny,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Allow => "Allow",
            Outcome::ExplicitDeny => "ExplicitDeny",
            Outcome::ImplicitDeny => "ImplicitDeny",
        })
    }
}

/// The kind of policy a statement came from (or a document is used as).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Identity-based policy (user, group, role, agency).
    #[default]
    Identity,
    /// Resource-based policy (KMS key policy, secret policy).
    Resource,
    /// Service control policy (Huawei SCP, Alibaba control policy).
    Scp,
    /// Resource control policy.
    Rcp,
    /// Permissions boundary.
    Boundary,
    /// Session policy.
    Session,
}

impl PolicyKind {
    /// The name used in messages, per dialect ("identity-based policy", "service control
    /// policy", ...), with its article.
    pub(crate) fn phrase(self, dialect: Dialect) -> (&'static str, &'static str) {
        match (self, dialect) {
            (PolicyKind::Identity, _) => ("an", "identity-based policy"),
            (PolicyKind::Resource, _) => ("a", "resource-based policy"),
            (PolicyKind::Scp, Dialect::Alibaba) => ("a", "control policy"),
            (PolicyKind::Scp, _) => ("a", "service control policy"),
            (PolicyKind::Rcp, _) => ("a", "resource control policy"),
            (PolicyKind::Boundary, _) => ("a", "permissions boundary"),
            (PolicyKind::Session, _) => ("a", "session policy"),
        }
    }
}

/// One thing that decided the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// A statement that applied.
    Statement {
        /// The policy kind.
        policy_kind: PolicyKind,
        /// The policy's index in its list (for SCP levels: index within the level).
        policy_index: usize,
        /// The policy's name, when the caller gave one.
        #[serde(skip_serializing_if = "Option::is_none")]
        policy_name: Option<String>,
        /// The organization level (SCP levels only; 0 = root).
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<usize>,
        /// The statement's `Sid`.
        #[serde(skip_serializing_if = "Option::is_none")]
        sid: Option<String>,
        /// The statement's index in its policy.
        statement_index: usize,
        /// Its effect.
        effect: Effect,
    },
    /// A grant that allowed the request.
    Grant {
        /// The grant's id.
        grant_id: String,
    },
    /// The caller is the account's root identity, which holds every identity permission
    /// of its account (AWS root user, Alibaba account owner, Huawei account).
    AccountRoot,
    /// Nothing of a required kind allowed (the phrase says which kind).
    NoAllow {
        /// The policy kind that had no applicable Allow.
        policy_kind: PolicyKind,
    },
    /// The action can never be performed on a resource of another account.
    CrossAccountNotSupported,
}

/// The outcome with its reasons and, for a denial, the cloud's phrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Allow, ExplicitDeny or ImplicitDeny.
    pub decision: Outcome,
    /// What decided it: for an explicit deny, every applicable Deny statement; for an
    /// allow, the statements and grants that allowed on each required path; for an
    /// implicit deny, the kind of policy that did not allow.
    pub reasons: Vec<Reason>,
    /// The denial phrase ("because no identity-based policy allows the kms:Decrypt
    /// action"); absent for Allow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
}

impl Decision {
    /// True for Allow.
    pub fn is_allowed(&self) -> bool {
        self.decision == Outcome::Allow
    }

    /// An Allow with its reasons.
    pub(crate) fn allow(reasons: Vec<Reason>) -> Decision {
        Decision { decision: Outcome::Allow, reasons, phrase: None }
    }

    /// An explicit deny by the given Deny statements; the phrase names the first kind.
    pub(crate) fn explicit(dialect: Dialect, reasons: Vec<Reason>) -> Decision {
        let kind = reasons.iter().find_map(|r| match r {
            Reason::Statement { policy_kind, .. } => Some(*policy_kind),
            _ => None,
        });
        let phrase = kind.map(|k| {
            let (article, name) = k.phrase(dialect);
            format!("with an explicit deny in {article} {name}")
        });
        Decision { decision: Outcome::ExplicitDeny, reasons, phrase }
    }

    /// An implicit deny because no policy of `kind` allowed `action`.
    pub(crate) fn no_allow(dialect: Dialect, kind: PolicyKind, action: &str) -> Decision {
        let (_, name) = kind.phrase(dialect);
        Decision {
            decision: Outcome::ImplicitDeny,
            reasons: vec![Reason::NoAllow { policy_kind: kind }],
            phrase: Some(format!("because no {name} allows the {action} action")),
        }
    }

    /// An implicit deny because the action cannot cross accounts.
    pub(crate) fn not_cross_account(action: &str) -> Decision {
        Decision {
            decision: Outcome::ImplicitDeny,
            reasons: vec![Reason::CrossAccountNotSupported],
            phrase: Some(format!(
                "because the {action} action cannot be performed on a resource in another account"
            )),
        }
    }

    /// The access-denied message the clouds build from a decision:
    /// `User: <principal> is not authorized to perform: <action> on resource: <resource> <phrase>`.
    pub fn message(&self, principal: &str, action: &str, resource: &str) -> Option<String> {
        let phrase = self.phrase.as_deref()?;
        Some(format!(
            "User: {principal} is not authorized to perform: {action} on resource: {resource} {phrase}"
        ))
    }
}
