//! STS: role sessions and their temporary credentials.
//!
//! Owns: `AssumeRole` ([`assume_role`]) and `GetCallerIdentity`; the sessions the service
//! issued, each with its access key id (`ASIA…`), secret and session token; finding the
//! secret a request was signed with ([`Kms::credential`]) and turning a verified request
//! into a [`Caller`] once its session token is checked ([`Kms::authenticate`]). A
//! session's caller is known by the assumed-role ARN, decides with the role's policies,
//! boundary and the session policy, and carries the session's condition keys
//! (`aws:PrincipalTag/<k>`, `aws:SourceIdentity`, `aws:TokenIssueTime`,
//! `aws:MultiFactorAuthPresent`, `aws:userid`).
//!
//! Sessions live in memory only: a restart forgets them and their credentials stop
//! working, as if they had expired early (callers assume the role again). A session is
//! kept a day past its expiry so that its credentials are refused as expired rather than
//! unknown.
//!
//! Never: verify a signature (the front door does, with the secret handed out here), or
//! print, log or audit a secret or a session token — both are [`Secret`]s, compared in
//! constant time.

pub mod assume_role;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coffer_crypto::{Secret, random_secret};
use coffer_policy::decision::Decision;
use coffer_policy::{Context, Policy};

use crate::Kms;
use crate::caller::Caller;
use crate::clock::DAY_MILLIS;
use crate::iam::{AccessKey, PrincipalType};

/// A role session issued by `AssumeRole`.
pub struct Session {
    /// Index of the role's principal in the identities.
    pub(crate) role: usize,
    /// The temporary access key id (`ASIA` and 16 letters and digits).
    pub access_key_id: String,
    secret: Secret,
    token: Secret,
    /// `arn:aws:sts::A:assumed-role/R/S`.
    pub arn: String,
    /// The role's account.
    pub account: String,
    /// `arn:aws:iam::A:role/R`.
    pub role_arn: String,
    /// The role session name.
    pub session_name: String,
    /// `AROA…:<session name>`, the session's `aws:userid`.
    pub user_id: String,
    /// The session policy passed to `AssumeRole`, if any.
    pub(crate) policy: Option<Policy>,
    /// The session's tags: inherited transitive tags, then those passed (which win over
    /// the role's own tags of the same key).
    pub tags: BTreeMap<String, String>,
    /// The tags a session assumed with these credentials inherits.
    pub(crate) transitive: BTreeMap<String, String>,
    /// The source identity, if one was set.
    pub source_identity: Option<String>,
    /// When the credentials were issued, epoch milliseconds.
    pub issued_millis: i64,
    /// When the credentials expire, epoch milliseconds.
    pub expires_millis: i64,
    /// The session's own condition keys, computed once.
    pub(crate) keys: Arc<Context>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("arn", &self.arn)
            .field("access_key_id", &self.access_key_id)
            .field("expires_millis", &self.expires_millis)
            .finish_non_exhaustive()
    }
}

/// The live sessions, by access key id.
#[derive(Default)]
pub(crate) struct Sessions {
    by_key: Mutex<HashMap<String, Arc<Session>>>,
}

impl Sessions {
    fn insert(&self, session: Arc<Session>, now_millis: i64) {
        if let Ok(mut m) = self.by_key.lock() {
            m.retain(|_, s| s.expires_millis + DAY_MILLIS > now_millis);
            m.insert(session.access_key_id.clone(), session);
        }
    }

    fn get(&self, access_key_id: &str) -> Option<Arc<Session>> {
        self.by_key.lock().ok().and_then(|m| m.get(access_key_id).cloned())
    }
}

/// The credential a request names by its access key id: a long-term access key of the
/// identities, or a session's temporary credentials.
pub enum Credential<'k> {
    /// A long-term access key.
    LongTerm {
        /// Its id.
        id: &'k str,
        /// The key.
        key: &'k AccessKey,
    },
    /// Temporary credentials of a session.
    Session(Arc<Session>),
}

impl fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.access_key_id())
    }
}

impl Credential<'_> {
    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        match self {
            Credential::LongTerm { id, .. } => id,
            Credential::Session(s) => &s.access_key_id,
        }
    }

    /// The secret the request must be signed with.
    pub fn secret(&self) -> &Secret {
        match self {
            Credential::LongTerm { key, .. } => &key.secret,
            Credential::Session(s) => &s.secret,
        }
    }
}

/// Why a request signed with a known access key is still refused. Messages are AWS's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The session token is missing, wrong, or given with a long-term key.
    #[error("The security token included in the request is invalid.")]
    InvalidToken,
    /// The session has expired.
    #[error("The security token included in the request is expired")]
    ExpiredToken,
}

/// What an STS operation refuses with; the front door maps each to STS's code.
#[derive(Debug, thiserror::Error)]
pub enum StsError {
    /// A parameter is missing, malformed or out of range (`ValidationError`).
    #[error("{message}")]
    Validation {
        /// What the caller is told.
        message: String,
    },
    /// The session policy is not a valid policy (`MalformedPolicyDocument`).
    #[error("{message}")]
    MalformedPolicy {
        /// What the caller is told.
        message: String,
    },
    /// The session policy and tags are too large together (`PackedPolicyTooLarge`).
    #[error("{message}")]
    PackedPolicyTooLarge {
        /// What the caller is told.
        message: String,
    },
    /// The caller may not do this (`AccessDenied`).
    #[error("{message}")]
    AccessDenied {
        /// What the caller is told.
        message: String,
        /// The decision, when a policy decided (for the audit trail).
        decision: Option<Box<Decision>>,
    },
    /// The service failed; the cause goes to the log, never to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StsError {
    fn validation(message: impl Into<String>) -> StsError {
        StsError::Validation { message: message.into() }
    }
}

/// Who is calling, as `GetCallerIdentity` tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account id.
    pub account: String,
    /// The caller's ARN (`arn:aws:sts::A:assumed-role/R/S` for a session).
    pub arn: String,
    /// The unique id: the account id for root, `AIDA…` for a user, `AROA…:S` for a role
    /// session.
    pub user_id: String,
}

impl Kms {
    /// The credential an access key id names, for the front door's signature check.
    pub fn credential(&self, access_key_id: &str) -> Option<Credential<'_>> {
        if let Some((id, key)) = self.identities.access_key_entry(access_key_id) {
            return Some(Credential::LongTerm { id, key });
        }
        self.sessions.get(access_key_id).map(Credential::Session)
    }

    /// The caller of a request whose signature was verified with `credential`'s secret,
    /// once the session token (`X-Amz-Security-Token`) is checked: a session needs its
    /// own token, unexpired; a long-term key takes none.
    pub fn authenticate(
        &self,
        credential: &Credential<'_>,
        token: Option<&str>,
        region: &str,
        source_ip: Option<String>,
        secure_transport: bool,
        user_agent: Option<String>,
    ) -> Result<Caller, CredentialError> {
        let session = match credential {
            Credential::LongTerm { .. } if token.is_some() => {
                return Err(CredentialError::InvalidToken);
            }
            Credential::LongTerm { .. } => None,
            Credential::Session(s) => {
                if !token.is_some_and(|t| s.token.ct_eq(t.as_bytes())) {
                    return Err(CredentialError::InvalidToken);
                }
                if self.clock.now_millis() >= s.expires_millis {
                    return Err(CredentialError::ExpiredToken);
                }
                Some(Arc::clone(s))
            }
        };
        let (principal, account, arn, principal_id) = match (credential, &session) {
            (Credential::LongTerm { key, .. }, _) => {
                let p = &self.identities.principals[key.principal];
                (key.principal, p.account.clone(), p.arn.clone(), p.user_id.clone())
            }
            (_, Some(s)) => (s.role, s.account.clone(), s.arn.clone(), s.user_id.clone()),
            (Credential::Session(_), None) => return Err(CredentialError::InvalidToken),
        };
        Ok(Caller {
            principal,
            account,
            arn,
            principal_id,
            session,
            access_key_id: credential.access_key_id().to_owned(),
            region: region.to_owned(),
            source_ip,
            secure_transport,
            user_agent,
            decisions: Mutex::new(Vec::new()),
            resources: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            resolved: Mutex::new(None),
        })
    }

    /// `GetCallerIdentity`: who the caller is. Every caller may ask, whatever its
    /// policies say.
    pub fn get_caller_identity(&self, caller: &Caller) -> CallerIdentity {
        CallerIdentity {
            account: caller.account.clone(),
            arn: caller.arn.clone(),
            user_id: caller.principal_id.clone(),
        }
    }

    /// True when the caller is itself a role session (assuming a role from it is role
    /// chaining).
    fn is_role_session(&self, caller: &Caller) -> bool {
        caller.session.is_some()
            || self.identities.principals[caller.principal].kind == PrincipalType::Role
    }

    /// Fresh temporary credentials: an access key id, a secret and a session token.
    fn new_credentials(&self) -> Result<(String, Secret, Secret), StsError> {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let random = |n| {
            random_secret(self.rng.as_ref(), n)
                .map_err(|e| StsError::Internal(format!("no randomness for credentials: {e}")))
        };
        let id_bytes = random(16)?;
        let mut id = String::from("ASIA");
        id.extend(id_bytes.expose().iter().map(|b| char::from(ALPHABET[usize::from(b % 32)])));
        let secret = Secret::new(STANDARD.encode(random(30)?.expose()).into_bytes());
        let token = Secret::new(STANDARD.encode(random(96)?.expose()).into_bytes());
        Ok((id, secret, token))
    }
}

#[cfg(test)]
mod tests;
