//! Coffer's HTTP front doors: one axum router serving the clouds' KMS APIs on one port.
//!
//! Owns: HTTP; for AWS KMS (JSON 1.1 on `POST /`, the operation in
//! `X-Amz-Target: TrentService.<Operation>`), SigV4 verification as pure functions, the
//! wire shapes of requests and responses, the operation enum named after AWS's
//! operations, and errors exactly as AWS sends them; AWS STS on the same path (the Query
//! protocol: a form-encoded `Action=...` body, XML back; [`sts`]); the `GET /health`
//! readiness probe.
//! Never: a rule of the service. A front door translates and delegates — decode, verify
//! the signature, map, call [`coffer_kms::Kms`], map back, encode — and it never touches
//! the store or the cryptography directly.
//!
//! Flow of one AWS request: [`aws::handle`] reads the body, finds the
//! [`aws::target::Operation`], verifies the signature ([`aws::sigv4::verify`]) with the
//! secret of the credential [`coffer_kms::Kms::credential`] finds (a long-term key or an
//! STS session's) and has [`coffer_kms::Kms::authenticate`] check the session token and
//! make the caller ([`credentials`]), then [`aws::map::call`] decodes ([`aws::shapes`]), calls the service
//! (on a blocking thread, except for the short cryptographic calls) and encodes; one audit
//! event is appended per call, and refusals become AWS errors ([`aws::error`]).
//!
//! The source address of a caller comes from axum's `ConnectInfo<SocketAddr>`: serve the
//! router with `into_make_service_with_connect_info::<SocketAddr>()`.
//!
//! ```
//! use std::sync::Arc;
//! use coffer_kms::{Kms, clock::SystemClock, iam::Identities, audit::MemoryAudit};
//! use coffer_crypto::{Secret, SystemRandom, RootKey};
//! use coffer_store::SqliteStore;
//! use coffer_server::{AppState, router};
//!
//! let ids = Identities::single_root("111122223333", "AKIAEXAMPLEEXAMPLE01",
//!                                   Secret::new(b"example-secret-0123456789".to_vec()));
//! let kms = Kms::new(Arc::new(SqliteStore::open_in_memory().unwrap()),
//!                    RootKey::from_secret(Secret::new(vec![7; 32])).unwrap(),
//!                    Arc::new(SystemRandom), Arc::new(SystemClock), ids,
//!                    Arc::new(MemoryAudit::default()));
//! let app = router(Arc::new(AppState { kms: Arc::new(kms), max_skew_secs: 15 * 60 }));
//! // axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
//! # let _ = app;
//! ```

pub mod admin;
pub mod aws;
pub mod credentials;
pub mod health;
pub mod sts;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{any, get};

/// The largest request body accepted, in bytes (1 MiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// What every handler shares.
pub struct AppState {
    /// The service.
    pub kms: Arc<coffer_kms::Kms>,
    /// How far a request's signing time may be from now, in seconds (AWS: 15 minutes).
    pub max_skew_secs: i64,
}

/// The router: `GET /health`, `POST /` for AWS KMS and `POST /coffer/simulate`
/// ([`admin`]); anything else is an AWS-style 404.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/", any(root))
        .route(admin::SIMULATE_PATH, axum::routing::post(admin::simulate))
        .fallback(|| async { aws::not_found() })
        .with_state(state)
}

/// `/`: a POST is an AWS STS request when it is a SigV4 form post without
/// `X-Amz-Target` ([`sts::is_sts_request`]), and an AWS KMS request otherwise.
async fn root(State(state): State<Arc<AppState>>, request: Request) -> Response {
    if request.method() == Method::POST {
        if sts::is_sts_request(request.headers()) {
            return sts::handle(state, request).await;
        }
        return aws::handle(state, request).await;
    }
    aws::not_found()
}
