//! Coffer's own administrative endpoints, beside the clouds' APIs.
//!
//! `POST /coffer/simulate` answers, against the live state, whether a principal would be
//! allowed an action on a key with a given context, and why. The request is JSON:
//!
//! ```json
//! {"PrincipalArn": "arn:aws:iam::111122223333:user/alice", "Action": "kms:Decrypt",
//!  "KeyId": "alias/app", "EncryptionContext": {"dept": "it"},
//!  "Context": {"aws:SourceIp": "10.0.0.1"}}
//! ```
//!
//! `KeyId` is absent for an action without a key; `EncryptionContext` and `Context` (condition
//! keys that replace or add to the computed ones) are optional. The answer is the
//! decision as `coffer policy simulate` prints one — `decision`, `reasons`, `phrase` for a
//! denial — followed by the `resource` and every key of the `context` it was decided on.
//!
//! The request is signed with SigV4 like a KMS request (credential scope service `kms`),
//! with a long-term access key or a session's temporary one. Who may ask is the service's rule (`coffer_kms::simulate`):
//! the account's root user, or a principal whose identity policies allow
//! `iam:SimulatePrincipalPolicy` on the simulated principal; only principals and keys of
//! the asker's own account. Refusals are AWS-style JSON errors.
//!
//! Every request of an authenticated asker, answered or refused, appends one audit event.
//! No cloud has this endpoint, so its `eventSource` is `coffer`; the event is named after
//! the action that allows asking, `SimulatePrincipalPolicy` ([`SIMULATE_EVENT`]), as
//! CloudTrail names IAM's simulator calls, and is read-only. `requestParameters` holds
//! the request's members (`principalArn`, `action`, `keyId`, `encryptionContext`,
//! `context`); `responseElements` the simulated `decision` (`Allow`, `ExplicitDeny`,
//! `ImplicitDeny`) — its reasons are in the answer, not in the trail; the resource is the
//! key, when one was simulated. `additionalEventData.authorization` is the asker's own
//! authorization, not the simulated one.
//!
//! Owns: the wire shape of the admin requests and responses, and their signature check.
//! Never: a rule of the service (who may simulate, what the context holds), which
//! `coffer-kms` decides; never logs a request body or the `Authorization` header.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coffer_kms::Caller;
use coffer_kms::audit::{CallRecord, Source, event};
use coffer_kms::simulate::SimulateRequest;
use coffer_policy::Context;
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::aws::error::{AwsError, from_kms};

/// The path of the simulation endpoint.
pub const SIMULATE_PATH: &str = "/coffer/simulate";

/// The content type of the admin answers.
pub const CONTENT_TYPE: &str = "application/json";

/// The audit event name of a simulation request.
pub const SIMULATE_EVENT: &str = "SimulatePrincipalPolicy";

/// The body of `POST /coffer/simulate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimulateBody {
    #[serde(rename = "PrincipalArn")]
    principal_arn: String,
    #[serde(rename = "Action")]
    action: String,
    #[serde(rename = "KeyId", default)]
    key_id: Option<String>,
    #[serde(rename = "EncryptionContext", default)]
    encryption_context: BTreeMap<String, String>,
    #[serde(rename = "Context", default)]
    context: Option<Value>,
}

impl SimulateBody {
    /// The request's members as the audit event records them.
    fn recorded(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("principalArn".into(), Value::from(self.principal_arn.as_str()));
        m.insert("action".into(), Value::from(self.action.as_str()));
        if let Some(k) = &self.key_id {
            m.insert("keyId".into(), Value::from(k.as_str()));
        }
        if !self.encryption_context.is_empty() {
            m.insert("encryptionContext".into(), serde_json::json!(self.encryption_context));
        }
        if let Some(c) = &self.context {
            m.insert("context".into(), c.clone());
        }
        Value::Object(m)
    }
}

/// An answered simulation: the answer, and what its audit event records of it.
struct Simulated {
    answer: Value,
    /// `responseElements`.
    recorded: Value,
    /// The resource the decision was made for (a key's ARN, or `*`).
    resource: String,
}

/// Serves `POST /coffer/simulate`.
pub async fn simulate(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let result = serve_simulate(&state, &parts, body, &request_id).await;
    tracing::info!(
        request_id,
        status = result.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200),
        error = result.as_ref().err().map(|e| e.code).unwrap_or("-"),
        "coffer simulate"
    );
    match result {
        Ok(v) => respond(StatusCode::OK, &v, &request_id),
        Err(e) => respond(e.status, &e.body(), &request_id),
    }
}

async fn serve_simulate(
    state: &Arc<AppState>,
    parts: &Parts,
    body: Body,
    request_id: &str,
) -> Result<Value, AwsError> {
    let body = crate::aws::read_body(parts, body).await?;
    let caller = crate::aws::authenticate(state, parts, &body)?;
    let state = Arc::clone(state);
    let id = request_id.to_owned();
    // The service reads the store: off the async workers.
    tokio::task::spawn_blocking(move || {
        let input: Result<SimulateBody, AwsError> = serde_json::from_slice(&body)
            .map_err(|e| AwsError::validation(format!("the simulation request is malformed: {e}")));
        let request = input.as_ref().map_or(Value::Null, SimulateBody::recorded);
        let result = input.and_then(|input| run_simulation(&state, &caller, input, &id));
        audit_simulation(&state, &caller, request, &result, &id).map_err(|e| from_kms(&e, &id))?;
        result.map(|s| s.answer)
    })
    .await
    .map_err(|e| AwsError::internal(request_id, &e))?
}

/// Simulates a well-formed request.
fn run_simulation(
    state: &AppState,
    caller: &Caller,
    input: SimulateBody,
    request_id: &str,
) -> Result<Simulated, AwsError> {
    let context = match &input.context {
        None => Context::new(),
        Some(v) => Context::from_json(v).map_err(AwsError::validation)?,
    };
    let req = SimulateRequest {
        principal_arn: input.principal_arn,
        action: input.action,
        key_id: input.key_id,
        encryption_context: input.encryption_context,
        context,
    };
    let s = state.kms.simulate(caller, req).map_err(|e| from_kms(&e, request_id))?;
    let recorded = serde_json::json!({"decision": s.decision.decision});
    let mut out = match serde_json::to_value(&s.decision) {
        Ok(Value::Object(members)) => members,
        Ok(_) | Err(_) => {
            return Err(AwsError::internal(request_id, &"a decision is not an object"));
        }
    };
    out.insert("resource".into(), Value::String(s.resource.clone()));
    out.insert("context".into(), s.context.to_json());
    Ok(Simulated { answer: Value::Object(out), recorded, resource: s.resource })
}

/// Appends the audit event of a simulation request.
fn audit_simulation(
    state: &AppState,
    caller: &Caller,
    request: Value,
    result: &Result<Simulated, AwsError>,
    request_id: &str,
) -> Result<(), coffer_kms::KmsError> {
    let (response, resource, error) = match result {
        Ok(s) => (s.recorded.clone(), Some(s.resource.as_str()), None),
        Err(e) => (Value::Null, None, Some(e)),
    };
    let ev = event(
        Some(caller),
        CallRecord {
            source: Source::Coffer,
            event_name: SIMULATE_EVENT,
            request_id,
            time_millis: state.kms.now_millis(),
            request,
            response,
            error_code: error.map(|e| e.code),
            error_message: error.and_then(|e| e.message.as_deref()),
            read_only: true,
            resources: resource.into_iter().collect(),
        },
    );
    state.kms.record(&ev)
}

fn respond(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    response
}
