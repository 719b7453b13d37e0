//! `AssumeRole`: temporary credentials for a session of a role.
//!
//! Checks the parameters with AWS's constraints and messages, then authorizes as AWS
//! does: `sts:AssumeRole` on the role ARN must be allowed by the role's trust policy and,
//! unless the trust policy names the caller itself in the same account, by the caller's
//! identity policies (with its boundary, session policy and SCPs, and the RCPs of the
//! role's account); passing tags also needs `sts:TagSession`, and a source identity
//! `sts:SetSourceIdentity`, each decided the same way. Then it issues the session.

use std::collections::BTreeMap;
use std::sync::Arc;

use coffer_crypto::Secret;
use coffer_policy::decide::{PolicySet, decide};
use coffer_policy::request::Request;
use coffer_policy::{Context, ContextValue, Dialect, Policy};

use super::{Session, StsError};
use crate::Kms;
use crate::caller::Caller;
use crate::condition_keys::{SessionKeys, add_global_keys, principal_keys, unique_id};
use crate::iam::DEFAULT_SESSION_SECS;

/// The longest session a role can ever allow, and the shortest any session lasts.
const MAX_DURATION_SECS: i64 = 43_200;
const MIN_DURATION_SECS: i64 = 900;

/// A session assumed from another role session lasts at most an hour.
const CHAINED_MAX_SECS: i64 = 3600;

/// The packed form of session policy and tags has room for this many characters.
const PACKED_LIMIT: usize = 2048;

/// `AssumeRole`'s parameters.
#[derive(Debug, Default)]
pub struct AssumeRoleRequest {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds` (default one hour).
    pub duration_seconds: Option<i64>,
    /// `Policy`: an inline session policy.
    pub policy: Option<String>,
    /// `PolicyArns`: managed session policies (refused: this service has none).
    pub policy_arns: Vec<String>,
    /// `Tags`: session tags, in the order given.
    pub tags: Vec<(String, String)>,
    /// `TransitiveTagKeys`.
    pub transitive_tag_keys: Vec<String>,
    /// `ExternalId` (`sts:ExternalId`).
    pub external_id: Option<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
    /// `SerialNumber` of an MFA device.
    pub serial_number: Option<String>,
    /// `TokenCode` from an MFA device.
    pub token_code: Option<String>,
}

/// `AssumeRole`'s result.
#[derive(Debug)]
pub struct AssumeRoleResponse {
    /// The temporary access key id.
    pub access_key_id: String,
    /// The temporary secret access key.
    pub secret_access_key: Secret,
    /// The session token the requests must carry.
    pub session_token: Secret,
    /// When the credentials expire, epoch milliseconds.
    pub expiration_millis: i64,
    /// `AROA…:<session name>`.
    pub assumed_role_id: String,
    /// `arn:aws:sts::A:assumed-role/R/S`.
    pub arn: String,
    /// How full the packed session policy and tags are, in percent, when either was given.
    pub packed_policy_size: Option<u32>,
    /// The session's source identity.
    pub source_identity: Option<String>,
}

impl Kms {
    /// `AssumeRole`.
    pub fn assume_role(
        &self,
        caller: &Caller,
        req: AssumeRoleRequest,
    ) -> Result<AssumeRoleResponse, StsError> {
        check_request(&req)?;
        if !req.policy_arns.is_empty() {
            return Err(StsError::validation(
                "PolicyArns is not supported: this service has no managed policies; pass the session policy inline in Policy",
            ));
        }
        if req.serial_number.is_some() || req.token_code.is_some() {
            return Err(StsError::AccessDenied {
                message: "MultiFactorAuthentication failed with invalid MFA one time pass code."
                    .into(),
                decision: None,
            });
        }
        let session_policy = req
            .policy
            .as_deref()
            .map(|text| {
                Policy::parse(Dialect::Aws, text)
                    .map_err(|e| StsError::MalformedPolicy { message: e.message })
            })
            .transpose()?;
        let incoming = caller.session.as_ref().map(|s| s.transitive.clone()).unwrap_or_default();
        let tags = session_tags(&req, &incoming)?;
        let source_identity = match (&req.source_identity, caller.session.as_deref()) {
            (Some(new), Some(s)) if s.source_identity.as_ref().is_some_and(|old| old != new) => {
                return Err(StsError::validation(
                    "The source identity of a session cannot be changed by assuming another role.",
                ));
            }
            (Some(new), _) => Some(new.clone()),
            (None, s) => s.and_then(|s| s.source_identity.clone()),
        };

        let denied = || StsError::AccessDenied {
            message: format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                caller.arn, req.role_arn
            ),
            decision: None,
        };
        let (role_index, role) = self.identities.role(&req.role_arn).ok_or_else(denied)?;
        let trust = role.trust_policy.as_ref().ok_or_else(denied)?;
        let mut context = Context::new();
        context.set("sts:RoleSessionName", req.role_session_name.clone());
        if let Some(id) = &req.external_id {
            context.set("sts:ExternalId", id.clone());
        }
        if let Some(id) = &req.source_identity {
            context.set("sts:SourceIdentity", id.clone());
        }
        if !req.tags.is_empty() {
            for (k, v) in &req.tags {
                context.set(&format!("aws:RequestTag/{k}"), v.clone());
            }
            context.insert(
                "aws:TagKeys",
                ContextValue::Multi(req.tags.iter().map(|(k, _)| k.clone()).collect()),
            );
        }
        if !req.transitive_tag_keys.is_empty() {
            context.insert(
                "sts:TransitiveTagKeys",
                ContextValue::Multi(req.transitive_tag_keys.clone()),
            );
        }
        let mut actions = vec!["sts:AssumeRole"];
        if !req.tags.is_empty() || !req.transitive_tag_keys.is_empty() {
            actions.push("sts:TagSession");
        }
        if req.source_identity.is_some() {
            actions.push("sts:SetSourceIdentity");
        }
        for action in actions {
            self.authorize_on_role(caller, action, &req.role_arn, &role.account, trust, &context)?;
        }

        let chained = self.is_role_session(caller);
        let duration = req.duration_seconds.unwrap_or(DEFAULT_SESSION_SECS);
        if chained && duration > CHAINED_MAX_SECS {
            return Err(StsError::validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            ));
        }
        if duration > role.max_session_secs {
            return Err(StsError::validation(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ));
        }
        let packed = packed_size(req.policy.as_deref(), &req.tags);
        if packed.is_some_and(|p| p > 100) {
            return Err(StsError::PackedPolicyTooLarge {
                message: "Serialized token too large for session".into(),
            });
        }

        let now = self.clock.now_millis();
        let (access_key_id, secret, token) = self.new_credentials()?;
        let user_id = format!("{}:{}", unique_id("AROA", &req.role_arn), req.role_session_name);
        let arn = format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            role.account, role.name, req.role_session_name
        );
        let mut transitive = incoming;
        for (k, v) in &req.tags {
            if req.transitive_tag_keys.iter().any(|t| t.eq_ignore_ascii_case(k)) {
                transitive.insert(k.clone(), v.clone());
            }
        }
        let keys = SessionKeys {
            token_issue_time_millis: now,
            multi_factor_auth_present: false,
            source_identity: source_identity.clone(),
            tags: tags.clone(),
            user_id: Some(user_id.clone()),
        }
        .context();
        let keys = Arc::new(keys);
        let expires = now + duration * 1000;
        let response = AssumeRoleResponse {
            access_key_id: access_key_id.clone(),
            secret_access_key: secret.duplicate(),
            session_token: token.duplicate(),
            expiration_millis: expires,
            assumed_role_id: user_id.clone(),
            arn: arn.clone(),
            packed_policy_size: packed,
            source_identity: source_identity.clone(),
        };
        let session = Session {
            role: role_index,
            access_key_id,
            secret,
            token,
            arn,
            account: role.account.clone(),
            role_arn: req.role_arn.clone(),
            session_name: req.role_session_name,
            user_id,
            policy: session_policy,
            tags,
            transitive,
            source_identity,
            issued_millis: now,
            expires_millis: expires,
            keys,
        };
        self.sessions.insert(Arc::new(session), now);
        Ok(response)
    }

    /// Decides one `sts:` action of `caller` on a role, with the role's trust policy as
    /// its resource policy; a denial is AccessDenied naming the action and the role.
    fn authorize_on_role(
        &self,
        caller: &Caller,
        action: &str,
        role_arn: &str,
        role_account: &str,
        trust: &Policy,
        context: &Context,
    ) -> Result<(), StsError> {
        let principal = &self.identities.principals[caller.principal];
        let mut request =
            Request::new(Dialect::Aws, &caller.arn, Some(&caller.account), action, role_arn);
        let mut ctx = context.clone();
        let computed;
        let keys = match self.principal_keys.get(caller.principal) {
            Some(k) => k,
            None => {
                computed = Arc::new(principal_keys(&self.identities, principal));
                &computed
            }
        };
        add_global_keys(
            &mut ctx,
            caller,
            self.clock.now_millis(),
            caller.session.as_deref().map(|s| &s.keys),
            keys,
        );
        request.context = ctx;
        request.populate_derived_keys();
        let set = PolicySet {
            identity: principal.policies.clone(),
            resource: vec![trust.clone()],
            scp_levels: self.identities.scp_levels(&caller.account),
            rcp_levels: self.identities.rcp_levels(role_account),
            boundary: principal.boundary.iter().cloned().collect(),
            session: caller.session.iter().filter_map(|s| s.policy.clone()).collect(),
        };
        let decision = decide(&set, &[], &request);
        let allowed = decision.is_allowed();
        caller.record(decision.clone(), role_arn);
        if allowed {
            return Ok(());
        }
        Err(StsError::AccessDenied {
            message: format!(
                "User: {} is not authorized to perform: {action} on resource: {role_arn}",
                caller.arn
            ),
            decision: Some(Box::new(decision)),
        })
    }
}

/// `1 validation error detected: Value '…' at '…' failed to satisfy constraint: …`.
fn constraint(value: &str, field: &str, rule: &str) -> StsError {
    StsError::validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
    ))
}

fn check_length(value: &str, field: &str, min: usize, max: usize) -> Result<(), StsError> {
    let n = value.chars().count();
    if n < min {
        return Err(constraint(
            value,
            field,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(constraint(
            value,
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

fn check_pattern(
    value: &str,
    field: &str,
    pattern: &str,
    ok: impl Fn(char) -> bool,
) -> Result<(), StsError> {
    if value.chars().all(ok) {
        return Ok(());
    }
    Err(constraint(
        value,
        field,
        &format!("Member must satisfy regular expression pattern: {pattern}"),
    ))
}

/// `[\w+=,.@-]`: role session names and source identities.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`: tag keys and values.
fn tag_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

/// The checks of `AssumeRole` that read only the request: its parameters against STS's
/// constraints, then the session tags over those `inherited` from the caller's session,
/// then the packed size. Returns the packed size.
///
/// Public, and hidden from the documentation, only so that the fuzz target of the STS
/// Query protocol can run these checks on the parameters it decodes: a narrow entry point
/// keeps the helpers private, where a cargo feature would add a build to keep compiling.
#[doc(hidden)]
pub fn check_parameters(
    req: &AssumeRoleRequest,
    inherited: &BTreeMap<String, String>,
) -> Result<Option<u32>, StsError> {
    check_request(req)?;
    session_tags(req, inherited)?;
    Ok(packed_size(req.policy.as_deref(), &req.tags))
}

/// The request's parameters against STS's constraints, in the order STS lists them.
fn check_request(req: &AssumeRoleRequest) -> Result<(), StsError> {
    check_length(&req.role_arn, "roleArn", 20, 2048)?;
    check_length(&req.role_session_name, "roleSessionName", 2, 64)?;
    check_pattern(&req.role_session_name, "roleSessionName", r"[\w+=,.@-]*", name_char)?;
    if let Some(p) = &req.policy {
        check_length(p, "policy", 1, 2048)?;
        check_pattern(p, "policy", r"[\u0009\u000A\u000D\u0020-\u00FF]+", |c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}')
        })?;
    }
    if let Some(d) = req.duration_seconds {
        if d < MIN_DURATION_SECS {
            return Err(constraint(
                &d.to_string(),
                "durationSeconds",
                "Member must have value greater than or equal to 900",
            ));
        }
        if d > MAX_DURATION_SECS {
            return Err(constraint(
                &d.to_string(),
                "durationSeconds",
                "Member must have value less than or equal to 43200",
            ));
        }
    }
    if req.tags.len() > 50 {
        return Err(constraint(
            &format!("{} tags", req.tags.len()),
            "tags",
            "Member must have length less than or equal to 50",
        ));
    }
    for (i, (k, v)) in req.tags.iter().enumerate() {
        let at = |part: &str| format!("tags.{}.member.{part}", i + 1);
        check_length(k, &at("key"), 1, 128)?;
        check_pattern(k, &at("key"), r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", tag_char)?;
        check_length(v, &at("value"), 0, 256)?;
        check_pattern(v, &at("value"), r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", tag_char)?;
    }
    if req.transitive_tag_keys.len() > 50 {
        return Err(constraint(
            &format!("{} keys", req.transitive_tag_keys.len()),
            "transitiveTagKeys",
            "Member must have length less than or equal to 50",
        ));
    }
    if let Some(id) = &req.external_id {
        check_length(id, "externalId", 2, 1224)?;
        check_pattern(id, "externalId", r"[\w+=,.@:\/-]*", |c| name_char(c) || ":/".contains(c))?;
    }
    if let Some(id) = &req.source_identity {
        check_length(id, "sourceIdentity", 2, 64)?;
        check_pattern(id, "sourceIdentity", r"[\w+=,.@-]*", name_char)?;
        if id.to_ascii_lowercase().starts_with("aws:") {
            return Err(StsError::validation("SourceIdentity cannot start with 'aws:'"));
        }
    }
    Ok(())
}

/// The session's tags: the transitive tags it inherits, then those passed. Tag keys are
/// case-insensitive; none may repeat, start with `aws:`, or replace an inherited one, and
/// every transitive key must be a passed tag's.
fn session_tags(
    req: &AssumeRoleRequest,
    incoming: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, StsError> {
    let mut tags = incoming.clone();
    for (i, (k, v)) in req.tags.iter().enumerate() {
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(StsError::validation(format!(
                "Tag keys cannot start with 'aws:' (tag key `{k}`)"
            )));
        }
        if req.tags[..i].iter().any(|(p, _)| p.eq_ignore_ascii_case(k)) {
            return Err(StsError::validation(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        if incoming.keys().any(|p| p.eq_ignore_ascii_case(k)) {
            return Err(StsError::validation(format!(
                "The session tag `{k}` cannot replace the transitive tag of the same key this session inherits."
            )));
        }
        tags.insert(k.clone(), v.clone());
    }
    for k in &req.transitive_tag_keys {
        if !req.tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k)) {
            return Err(StsError::validation(format!(
                "The transitive tag key `{k}` is not the key of a tag passed in this request."
            )));
        }
    }
    Ok(tags)
}

/// How full the packed session policy and tags are, in percent (rounded up): the policy
/// without whitespace and every tag key and value, against 2,048 characters. `None` when
/// neither was passed.
fn packed_size(policy: Option<&str>, tags: &[(String, String)]) -> Option<u32> {
    if policy.is_none() && tags.is_empty() {
        return None;
    }
    let policy_len = policy.map_or(0, |p| p.chars().filter(|c| !c.is_whitespace()).count());
    let tags_len: usize = tags.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
    let used = (policy_len + tags_len) * 100;
    Some(u32::try_from(used.div_ceil(PACKED_LIMIT)).unwrap_or(u32::MAX))
}
