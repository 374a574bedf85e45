//! [`CoreError`] and body errors as HTTP responses: the SPEC §0 envelope, plus a `details`
//! list of every violation for an invalid schema or event.

use crate::core::{CoreError, PortError, Violation};
use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use http_kit::ApiError;
use serde::Serialize;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// A rule of the core said no, or a port failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A plain API error (body, query).
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// The body of a 422 with violations: the envelope of SPEC §0 with `details`.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ViolationsEnvelope {
    /// The error with every violation.
    pub error: ViolationsBody,
}

/// The inner object of [`ViolationsEnvelope`].
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ViolationsBody {
    /// `invalid_schema` or `invalid_event` (with `details`), or `invalid_name` (with `field`,
    /// the name at fault, and no `details`).
    pub code: String,
    /// A sentence for humans.
    pub message: String,
    /// Every violation found in the schema or event.
    #[serde(default)]
    pub details: Vec<Detail>,
}

/// One violation as sent to clients.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Detail {
    /// JSON pointer into the document at fault (`""` is the whole document).
    pub instance_path: String,
    /// JSON pointer to the schema rule that failed.
    pub schema_path: String,
    /// What is wrong.
    pub message: String,
}

fn violations(code: &str, message: String, violations: &[Violation]) -> HttpResponse {
    let details = violations
        .iter()
        .map(|v| Detail {
            instance_path: v.instance_path.clone(),
            schema_path: v.schema_path.clone(),
            message: v.message.clone(),
        })
        .collect();
    HttpResponse::UnprocessableEntity().json(ViolationsEnvelope {
        error: ViolationsBody {
            code: code.to_owned(),
            message,
            details,
        },
    })
}

fn port(error: &PortError, code: &str, what: &str) -> ApiError {
    match error {
        PortError::Unavailable(reason) => {
            tracing::warn!(%reason, "{what} unavailable");
            ApiError::unavailable(code, format!("the {what} is unavailable; try again later"))
        }
        PortError::Unconfirmed(reason) => {
            tracing::warn!(%reason, "{what} did not confirm in time");
            ApiError::unavailable(
                "unconfirmed",
                format!(
                    "the {what} did not confirm in time: it may have taken the request, \
                     so a retry may apply it twice"
                ),
            )
        }
        PortError::Unsupported(reason) => {
            ApiError::unprocessable("unsupported_value", reason.clone())
        }
        PortError::Failed(_) => ApiError::internal(error),
    }
}

/// The plain envelope for every core error without violations.
pub fn api_error(error: &CoreError) -> ApiError {
    match error {
        CoreError::InvalidName { field } => {
            ApiError::unprocessable("invalid_name", error.to_string()).with_field(field)
        }
        CoreError::InvalidSchema(_) | CoreError::InvalidEvent { .. } => {
            ApiError::unprocessable("invalid", error.to_string())
        }
        CoreError::UnknownClient(_) => {
            ApiError::not_found("unknown_client", error.to_string()).with_field("client")
        }
        CoreError::UnknownEvent { .. } => {
            ApiError::not_found("unknown_event", error.to_string()).with_field("event")
        }
        CoreError::UnknownVersion { .. } => {
            ApiError::not_found("unknown_version", error.to_string()).with_field("version")
        }
        CoreError::Contended => ApiError::conflict("registration_contended", error.to_string()),
        CoreError::Store(e) => port(e, "database_unavailable", "schema store"),
        CoreError::Stream(e) => port(e, "broker_unavailable", "event stream"),
        CoreError::Corrupt { .. } => ApiError::internal(error),
    }
}

/// The status of a core error (without logging anything).
pub fn status_of(error: &CoreError) -> StatusCode {
    match error {
        CoreError::InvalidName { .. }
        | CoreError::InvalidSchema(_)
        | CoreError::InvalidEvent { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::UnknownClient(_)
        | CoreError::UnknownEvent { .. }
        | CoreError::UnknownVersion { .. } => StatusCode::NOT_FOUND,
        CoreError::Contended => StatusCode::CONFLICT,
        CoreError::Store(PortError::Unavailable(_) | PortError::Unconfirmed(_))
        | CoreError::Stream(PortError::Unavailable(_) | PortError::Unconfirmed(_)) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        CoreError::Store(PortError::Unsupported(_))
        | CoreError::Stream(PortError::Unsupported(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::Store(_) | CoreError::Stream(_) | CoreError::Corrupt { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

impl ResponseError for GatewayError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Core(e) => status_of(e),
            Self::Api(e) => e.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Core(e @ CoreError::InvalidSchema(list)) => {
                violations("invalid_schema", e.to_string(), list)
            }
            Self::Core(
                e @ CoreError::InvalidEvent {
                    violations: list, ..
                },
            ) => violations("invalid_event", e.to_string(), list),
            Self::Core(e) => api_error(e).error_response(),
            Self::Api(e) => e.error_response(),
        }
    }
}
