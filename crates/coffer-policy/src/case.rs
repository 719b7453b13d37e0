//! Simulation cases: a request with every policy and grant that applies to it, as JSON.
//!
//! Owns: the case format read by `coffer policy simulate` and by the decision corpus
//! (`id`, `dialect`, `policies`, `grants`, `request`; extra members are ignored), and the
//! errors that name what is wrong in a case. Never: decide anything itself.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::Dialect;
use crate::context::Context;
use crate::decide::{PolicySet, decide};
use crate::decision::Decision;
use crate::model::{Policy, PolicyError};
use crate::request::{Grant, GrantRequest, Request};

/// What is wrong with a case.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The case is not the expected shape.
    #[error("the case is malformed: {0}")]
    Shape(String),
    /// A policy document in it does not parse.
    #[error("policy `{place}` is invalid at {source}")]
    Policy {
        /// Where the policy is in the case (`policies/identity/0`).
        place: String,
        /// The parse error.
        #[source]
        source: PolicyError,
    },
}

#[derive(Deserialize)]
#[serde(expecting = "a case: an object with `dialect`, `policies`, `grants` and `request`")]
struct RawCase {
    #[serde(default)]
    id: Option<serde_json::Value>,
    dialect: String,
    #[serde(default)]
    policies: RawPolicies,
    #[serde(default)]
    grants: Vec<Grant>,
    request: RawRequest,
}

#[derive(Default, Deserialize)]
#[serde(expecting = "an object of policy lists by kind")]
struct RawPolicies {
    #[serde(default)]
    identity: Vec<serde_json::Value>,
    #[serde(default)]
    resource: Vec<serde_json::Value>,
    #[serde(default)]
    scp: Vec<serde_json::Value>,
    #[serde(default)]
    scp_levels: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    rcp: Vec<serde_json::Value>,
    #[serde(default)]
    rcp_levels: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    trust: Vec<serde_json::Value>,
    #[serde(default)]
    boundary: Vec<serde_json::Value>,
    #[serde(default)]
    session: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(expecting = "a request object with `principal`, `action` and `resource`")]
struct RawRequest {
    principal: String,
    #[serde(default)]
    principal_account: Option<String>,
    action: String,
    #[serde(default = "star")]
    resource: String,
    #[serde(default)]
    context: Option<serde_json::Value>,
    #[serde(default)]
    encryption_context: BTreeMap<String, String>,
    #[serde(default)]
    grant_tokens: Vec<String>,
    #[serde(default)]
    create_grant: Option<GrantRequest>,
    #[serde(default)]
    retire_grant_id: Option<String>,
}

fn star() -> String {
    "*".to_owned()
}

/// A parsed case, ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case's `id`, as written (any JSON value), if it has one.
    pub id: Option<serde_json::Value>,
    /// The policies.
    pub policies: PolicySet,
    /// The grants on the key.
    pub grants: Vec<Grant>,
    /// The request, with the derived keys added.
    pub request: Request,
}

impl Case {
    /// Reads a case from its JSON value.
    pub fn from_json(value: &serde_json::Value) -> Result<Case, CaseError> {
        let raw = RawCase::deserialize(value).map_err(|e| CaseError::Shape(e.to_string()))?;
        let dialect = Dialect::from_name(&raw.dialect).ok_or_else(|| {
            CaseError::Shape(format!(
                "unknown dialect `{}`: expected `aws`, `huawei` or `alibaba`",
                raw.dialect
            ))
        })?;
        let parse_list =
            |kind: &str, docs: &[serde_json::Value]| -> Result<Vec<Policy>, CaseError> {
                docs.iter()
                    .enumerate()
                    .map(|(i, d)| {
                        Policy::from_value(dialect, d).map_err(|source| CaseError::Policy {
                            place: format!("policies/{kind}/{i}"),
                            source,
                        })
                    })
                    .collect()
            };
        let p = &raw.policies;
        let mut scp_levels = Vec::new();
        if !p.scp.is_empty() {
            scp_levels.push(parse_list("scp", &p.scp)?);
        }
        for (i, level) in p.scp_levels.iter().enumerate() {
            scp_levels.push(parse_list(&format!("scp_levels/{i}"), level)?);
        }
        let mut rcp_levels = Vec::new();
        if !p.rcp.is_empty() {
            rcp_levels.push(parse_list("rcp", &p.rcp)?);
        }
        for (i, level) in p.rcp_levels.iter().enumerate() {
            rcp_levels.push(parse_list(&format!("rcp_levels/{i}"), level)?);
        }
        // A role's trust policy is the role's resource policy.
        let mut resource = parse_list("resource", &p.resource)?;
        resource.extend(parse_list("trust", &p.trust)?.into_iter().map(Policy::for_role_trust));
        let policies = PolicySet {
            identity: parse_list("identity", &p.identity)?,
            resource,
            scp_levels,
            rcp_levels,
            boundary: parse_list("boundary", &p.boundary)?,
            session: parse_list("session", &p.session)?,
        };
        let r = raw.request;
        let mut request = Request::new(
            dialect,
            &r.principal,
            r.principal_account.as_deref(),
            &r.action,
            &r.resource,
        );
        if let Some(ctx) = &r.context {
            request.context = Context::from_json(ctx).map_err(CaseError::Shape)?;
        }
        request.encryption_context = r.encryption_context;
        request.grant_tokens = r.grant_tokens;
        request.create_grant = r.create_grant;
        request.retire_grant_id = r.retire_grant_id;
        request.populate_derived_keys();
        Ok(Case { id: raw.id, policies, grants: raw.grants, request })
    }

    /// Decides the case.
    pub fn evaluate(&self) -> Decision {
        decide(&self.policies, &self.grants, &self.request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Outcome;
    use serde_json::json;

    fn default_key_policy() -> serde_json::Value {
        json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
    }

    #[test]
    fn default_key_policy_delegates_to_iam() {
        let base = json!({
            "id": 1, "dialect": "aws",
            "policies": {"resource": [default_key_policy()]},
            "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:Decrypt",
                        "resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
        });
        let d = Case::from_json(&base).unwrap().evaluate();
        assert_eq!(d.decision, Outcome::ImplicitDeny);
        assert_eq!(
            d.phrase.as_deref(),
            Some("because no identity-based policy allows the kms:Decrypt action")
        );

        let mut allowed = base.clone();
        allowed["policies"]["identity"] = json!([{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "arn:aws:kms:*:111122223333:key/*"}]}]);
        let d = Case::from_json(&allowed).unwrap().evaluate();
        assert_eq!(d.decision, Outcome::Allow, "{d:?}");

        let mut root = base.clone();
        root["request"]["principal"] = json!("arn:aws:iam::111122223333:root");
        assert!(Case::from_json(&root).unwrap().evaluate().is_allowed());
    }

    #[test]
    fn bad_cases_say_where() {
        let err = Case::from_json(
            &json!({"dialect": "gcp", "request": {"principal": "p", "action": "a"}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`gcp`"), "{err}");
        let err = Case::from_json(
            &json!({"dialect": "aws", "policies": {"identity": [{"Statement": []}]},
            "request": {"principal": "p", "action": "a"}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("policies/identity/0"), "{err}");
    }
}
