//! actix-web glue shared by every service: the JSON error envelope (SPEC §0), extractor
//! error handlers, request ids and request logging, `/health/live`, `/health/ready`,
//! `/metrics`, `/openapi.json`, and graceful shutdown.
//!
//! A service's `startup.rs` typically does:
//! ```ignore
//! let common = http_kit::Common::new(metrics, readiness, &ApiDoc::openapi());
//! let server = HttpServer::new(move || http_kit::app(&common).configure(routes))
//!     .listen(listener)?
//!     .disable_signals()
//!     .shutdown_timeout(http_kit::SHUTDOWN_TIMEOUT_SECS)
//!     .run();
//! http_kit::stop_on_cancel(&server, shutdown.clone());
//! ```

mod error;
pub mod extractors;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod request_id;
mod server;

pub use error::{ApiError, ErrorBody, ErrorEnvelope, chain};
pub use health::{Readiness, ReadyCheck, check_fn};
pub use metrics::HttpMetrics;
pub use request_id::{REQUEST_ID_HEADER, RequestId};
pub use server::{Common, SHUTDOWN_TIMEOUT_SECS, app, bind, shutdown_on_signals, stop_on_cancel};
