//! The verified caller of one request.

use std::sync::{Arc, Mutex};

use coffer_policy::decision::Decision;

use crate::sts::Session;

/// Who is calling, established by the front door after it verified the request's
/// signature with the access key's secret. Operations take it by reference; the
/// decisions they made are collected here for the audit event.
#[derive(Debug)]
pub struct Caller {
    /// Index of the principal in the identities.
    pub(crate) principal: usize,
    /// The caller's account.
    pub account: String,
    /// The caller's ARN (a role's session ARN for a role).
    pub arn: String,
    /// The session, when the request was signed with temporary credentials.
    pub(crate) session: Option<Arc<Session>>,
    /// The access key id the request was signed with.
    pub access_key_id: String,
    /// The region of the request (from the signature's credential scope).
    pub region: String,
    /// The client's address, if known.
    pub source_ip: Option<String>,
    /// Whether the request came over TLS.
    pub secure_transport: bool,
    /// The client's User-Agent.
    pub user_agent: Option<String>,
    pub(crate) decisions: Mutex<Vec<Decision>>,
}

impl Caller {
    /// The STS session the caller signed with, if it used temporary credentials.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_deref()
    }

    /// The decisions the request's authorization made, in order (for the audit trail).
    pub fn take_decisions(&self) -> Vec<Decision> {
        self.decisions.lock().map(|mut d| std::mem::take(&mut *d)).unwrap_or_default()
    }

    pub(crate) fn record(&self, d: Decision) {
        if let Ok(mut v) = self.decisions.lock() {
            v.push(d);
        }
    }
}
