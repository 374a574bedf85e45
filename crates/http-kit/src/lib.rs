//! actix-web glue shared by every service: the JSON error envelope (SPEC §0), extractor
//! error handlers, request ids and request logging, `/health/live`, `/health/ready`,
//! `/metrics`, `/openapi.json`, the API docs at `/docs`, and graceful shutdown.
//!
//! A service's `startup.rs` typically does:
//! ```ignore
//! let common = http_kit::Common::new(metrics, readiness, &ApiDoc::openapi())
//!     .with_request_timeout(config.http.request_timeout());
//! let listener = http_kit::bind(&config.http.host, config.http.port)?;
//! let server = http_kit::serve(listener, common, shutdown, move |cfg| {
//!     cfg.app_data(state.clone()).configure(routes::configure);
//! })?;
//! ```

pub mod access;
mod deadline;
pub mod docs;
mod error;
pub mod extractors;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod request_id;
mod server;

pub use access::{Access, AccessConfig, require, require_any_of, require_key};
pub use deadline::DEFAULT_REQUEST_TIMEOUT;
pub use error::{ApiError, ErrorBody, ErrorEnvelope, chain};
pub use health::{Readiness, ReadyCheck, check_fn};
pub use metrics::HttpMetrics;
pub use request_id::{REQUEST_ID_HEADER, RequestId};
pub use server::{
    Common, SHUTDOWN_TIMEOUT_SECS, app, bind, serve, shutdown_on_signals, stop_on_cancel,
};
