//! `GET /health/live` and `GET /health/ready` with pluggable readiness checks.
//!
//! Liveness says the process answers. Readiness runs every registered [`ReadyCheck`]
//! concurrently, each bounded by a timeout, and answers 503 `not_ready` naming each failing
//! check and its reason.

use crate::ApiError;
use actix_web::{HttpResponse, web};
use futures::future::{BoxFuture, join_all};
use serde_json::json;
use std::{sync::Arc, time::Duration};

/// How long one readiness check may take before it counts as failed.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// One dependency readiness depends on (a database, a broker, a schema version).
pub trait ReadyCheck: Send + Sync + 'static {
    /// Short name shown in the response (`database`, `broker`, `schema`).
    fn name(&self) -> &str;
    /// `Ok` when ready; otherwise why not, in a sentence.
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// A check made of a name and an async closure.
pub struct FnCheck<F> {
    name: String,
    check: F,
}

/// Builds a [`ReadyCheck`] from a closure returning a future.
pub fn check_fn<F, Fut>(name: &str, check: F) -> Arc<dyn ReadyCheck>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    Arc::new(FnCheck {
        name: name.to_owned(),
        check,
    })
}

impl<F, Fut> ReadyCheck for FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin((self.check)())
    }
}

/// The set of checks `/health/ready` runs.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<Arc<dyn ReadyCheck>>,
}

impl Readiness {
    /// Readiness with no checks (always ready).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a check.
    #[must_use]
    pub fn with(mut self, check: Arc<dyn ReadyCheck>) -> Self {
        self.checks.push(check);
        self
    }

    /// Runs every check; the failures as `(name, reason)`.
    pub async fn failures(&self) -> Vec<(String, String)> {
        let runs = self.checks.iter().map(|check| async move {
            let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check.check()).await {
                Ok(result) => result,
                Err(_) => Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
            };
            outcome
                .err()
                .map(|reason| (check.name().to_owned(), reason))
        });
        join_all(runs).await.into_iter().flatten().collect()
    }
}

/// `GET /health/live`.
pub async fn get_live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

/// `GET /health/ready`.
pub async fn get_ready(readiness: web::Data<Readiness>) -> Result<HttpResponse, ApiError> {
    let failures = readiness.failures().await;
    if failures.is_empty() {
        return Ok(HttpResponse::Ok().json(json!({"status": "ready"})));
    }
    let reasons: Vec<String> = failures
        .iter()
        .map(|(name, reason)| format!("{name}: {reason}"))
        .collect();
    tracing::warn!(reasons = ?reasons, "not ready");
    Err(ApiError::unavailable("not_ready", reasons.join("; ")))
}
