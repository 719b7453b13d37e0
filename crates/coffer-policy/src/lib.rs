//! The policy languages of AWS IAM, Huawei Cloud IAM and Alibaba Cloud RAM, decided exactly.
//!
//! Owns: parsing policy documents of the three dialects into one model, the
//! action/resource/condition-key catalogs (data files built from the clouds' documentation),
//! wildcard and ARN/URN matching, condition operators, the decision flow (explicit deny,
//! RCPs, SCPs, resource policy, identity policies, permission boundaries, session policies,
//! grants), validation against the catalogs and an explanation of each decision.
//!
//! Never: I/O, async, clocks, cryptography or any knowledge of HTTP. A decision is a pure
//! function of (documents, grants, request context).

pub mod case;
pub mod catalog;
pub mod condition;
pub mod context;
pub mod decide;
pub mod decision;
pub mod dialect;
pub mod explain;
pub mod matching;
pub mod model;
pub mod request;
pub mod validate;

pub use context::{Context, ContextValue};
pub use dialect::Dialect;
pub use model::{Effect, Policy, PolicyError, Statement};
