//! `GET /openapi.json`: the service's OpenAPI document, built once at start-up.

use actix_web::{HttpResponse, web};

/// The document served at `/openapi.json`, serialised once.
#[derive(Clone)]
pub struct OpenApiDocument(pub String);

impl OpenApiDocument {
    /// Serialises `doc`; falls back to a minimal document if serialisation fails.
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Self {
        Self(doc.to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot serialise the OpenAPI document");
            r#"{"openapi":"3.1.0","info":{"title":"unavailable","version":"0"},"paths":{}}"#
                .to_owned()
        }))
    }
}

/// `GET /openapi.json`.
pub async fn get_openapi(doc: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
