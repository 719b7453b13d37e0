//! Simulation against the live state: would this principal be allowed this action on this
//! key, with this context, and why.
//!
//! Owns: [`Kms::simulate`], which builds the request the service would build for the
//! principal — its global keys, the key's keys, the alias the key was named by, the
//! encryption context — applies the caller's overrides, and decides it with the
//! principal's policies, the key's current policy and its grants, exactly as an operation
//! would. Never: act, change state or record anything but the asker's own authorization.
//!
//! Who may ask: a principal allowed `iam:SimulatePrincipalPolicy` on the simulated
//! principal's ARN by its identity policies (with its boundary and SCPs), as AWS's own
//! policy simulator requires; the account's root user always is, as it holds every
//! identity permission of its account. Only principals and keys of the asker's own account
//! can be simulated: a decision's reasons name another account's key-policy statements.
//!
//! What the context holds: the keys every request carries (the simulated principal's,
//! and the environment of the asking request: its region, address and transport), the
//! key's keys, `kms:RequestAlias` when the key is named by an alias, and the
//! `kms:EncryptionContext:<k>` keys of the given encryption context. The keys of an
//! operation's other parameters (`kms:EncryptionAlgorithm`, `kms:GrantOperations`, ...)
//! are present only when the overrides give them; an override replaces any key.

use std::collections::BTreeMap;
use std::sync::Mutex;

use coffer_policy::catalog::Catalog;
use coffer_policy::decision::Decision;
use coffer_policy::{Context, Dialect};

use crate::Kms;
use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;

/// The action that allows asking for a simulation.
pub const SIMULATE_ACTION: &str = "iam:SimulatePrincipalPolicy";

/// What to simulate.
#[derive(Clone, Debug, Default)]
pub struct SimulateRequest {
    /// The principal's ARN (a user, the root user, or a role's session ARN).
    pub principal_arn: String,
    /// The action, `kms:Encrypt`.
    pub action: String,
    /// The key: id, ARN, alias name or alias ARN; none for an action without a key
    /// (`kms:CreateKey`, `kms:ListKeys`).
    pub key_id: Option<String>,
    /// The encryption context of the request.
    pub encryption_context: BTreeMap<String, String>,
    /// Condition keys that replace the computed ones, or add to them.
    pub context: Context,
}

/// The simulated decision and the request context it was made on.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// The decision, with its reasons.
    pub decision: Decision,
    /// The resource it was made for: the key's ARN, or `*`.
    pub resource: String,
    /// Every condition key the decision saw.
    pub context: Context,
}

impl Kms {
    /// Simulates `req` for the principal it names, when `caller` may ask (see the module
    /// documentation).
    pub fn simulate(&self, caller: &Caller, req: SimulateRequest) -> Result<Simulation, KmsError> {
        let catalog = Catalog::for_dialect(Dialect::Aws);
        let Some(action) = catalog.action(&req.action) else {
            return Err(KmsError::validation(format!(
                "`{}` is not an action of the AWS KMS catalog",
                req.action
            )));
        };
        // Asked first, so that whether a principal exists is told only to who may ask.
        self.authorize(caller, Ask::on(SIMULATE_ACTION, &req.principal_arn))?;
        let principal = self
            .identities
            .principals
            .iter()
            .position(|p| p.arn == req.principal_arn)
            .filter(|&i| self.identities.principals[i].account == caller.account)
            .ok_or_else(|| KmsError::NotFound {
                message: format!(
                    "principal `{}` does not exist in account {}",
                    req.principal_arn, caller.account
                ),
            })?;

        let p = &self.identities.principals[principal];
        // The simulated principal, calling from where the asker calls.
        let simulated = Caller {
            principal,
            account: p.account.clone(),
            arn: p.arn.clone(),
            principal_id: p.user_id.clone(),
            session: None,
            access_key_id: String::new(),
            region: caller.region.clone(),
            source_ip: caller.source_ip.clone(),
            secure_transport: caller.secure_transport,
            user_agent: None,
            decisions: Mutex::new(Vec::new()),
            resources: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            resolved: Mutex::new(None),
        };
        let needs_key = !action.resource_types.is_empty();
        let evaluated = match (&req.key_id, needs_key) {
            (Some(key_id), true) => {
                let (r, key) = self.resolve(&simulated, key_id)?;
                if key.account != caller.account {
                    return Err(KmsError::validation(format!(
                        "key `{key_id}` is not in account {}",
                        caller.account
                    )));
                }
                let mut ask = crate::ops::with_encryption_context(
                    Ask::on_key(&action.name, &key),
                    &req.encryption_context,
                );
                if let Some(alias) = r.alias_name() {
                    ask = ask.with("kms:RequestAlias", alias);
                }
                self.evaluate(&simulated, ask, Some(&req.context))?
            }
            (None, false) => {
                let ask = Ask::on(&action.name, "*");
                self.evaluate(&simulated, ask, Some(&req.context))?
            }
            (None, true) => {
                return Err(KmsError::validation(format!(
                    "{} acts on a key: give the key",
                    action.name
                )));
            }
            (Some(_), false) => {
                return Err(KmsError::validation(format!(
                    "{} acts on no key: give none",
                    action.name
                )));
            }
        };
        Ok(Simulation {
            decision: evaluated.decision,
            resource: evaluated.request.resource,
            context: evaluated.request.context,
        })
    }
}
