//! The verified caller of one request.

use std::sync::{Arc, Mutex};

use coffer_policy::decision::Decision;
use coffer_store::KeyRecord;

use crate::key_ref::KeyRef;
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
    /// The principal's unique id as CloudTrail's `principalId` and `aws:userid` give it:
    /// the account for its root, `AIDA...` for a user, `AROA...:session` for a role's
    /// session.
    pub principal_id: String,
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
    /// The ARNs the decisions were about, each once, in order.
    pub(crate) resources: Mutex<Vec<String>>,
    /// What the call adds to its audit event's `additionalEventData` (the key material
    /// it used), in order.
    pub(crate) notes: Mutex<Vec<(&'static str, String)>>,
    /// A key a front door resolved before the call ran ([`crate::Kms::is_quick_key`]),
    /// by the name it was resolved from: the call's first resolution of that name takes
    /// it instead of parsing and looking it up again.
    pub(crate) resolved: Mutex<Option<Resolved>>,
}

/// A key reference as the request named it, and what it resolved to.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) input: String,
    pub(crate) key_ref: KeyRef,
    pub(crate) key: Arc<KeyRecord>,
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

    /// The ARNs of the resources the request's authorization decided on (keys, roles), each
    /// once, in order (for the audit trail's `resources`).
    pub fn take_resources(&self) -> Vec<String> {
        self.resources.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
    }

    /// The notes the call made for its audit event's `additionalEventData`, in order.
    pub fn take_notes(&self) -> Vec<(&'static str, String)> {
        self.notes.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default()
    }

    /// Notes `name` for the audit event's `additionalEventData`.
    pub(crate) fn note(&self, name: &'static str, value: String) {
        if let Ok(mut n) = self.notes.lock() {
            n.push((name, value));
        }
    }

    /// Keeps a resolved key for the call's first resolution of the same name.
    pub(crate) fn keep_resolved(&self, resolved: Resolved) {
        if let Ok(mut r) = self.resolved.lock() {
            *r = Some(resolved);
        }
    }

    /// The key kept for `input`, once: a later resolution of the name reads the store's
    /// current record again.
    pub(crate) fn take_resolved(&self, input: &str) -> Option<(KeyRef, Arc<KeyRecord>)> {
        let mut kept = self.resolved.lock().ok()?;
        match kept.take() {
            Some(r) if r.input == input => Some((r.key_ref, r.key)),
            other => {
                *kept = other;
                None
            }
        }
    }

    /// Adds a resource the call acted on without a decision about it (a key it created).
    pub(crate) fn add_resource(&self, arn: &str) {
        if let Ok(mut r) = self.resources.lock() {
            if !r.iter().any(|known| known == arn) {
                r.push(arn.to_owned());
            }
        }
    }

    /// Keeps a decision and the resource it was about.
    pub(crate) fn record(&self, d: Decision, resource: &str) {
        if let Ok(mut v) = self.decisions.lock() {
            v.push(d);
        }
        if resource.starts_with("arn:") {
            self.add_resource(resource);
        }
    }
}
