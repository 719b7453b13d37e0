//! The readiness probe: `GET /health` answers 200 `{"status":"ok"}` while the server runs.

use axum::Json;
use serde_json::{Value, json};

/// `GET /health`.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
