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

/// The methods each documented route answers, for the `Allow` header of a 405: read from the
/// OpenAPI document, plus the common routes' `GET`. Keys are route patterns as actix-web and
/// utoipa both write them (`/items/{id}`), without a trailing slash, so a route registered
/// with and without one shares its entry.
#[derive(Clone, Debug, Default)]
pub struct AllowedMethods(std::sync::Arc<std::collections::BTreeMap<String, String>>);

impl AllowedMethods {
    /// The methods of every path in `doc`, and `GET` for the routes every service has.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut map = std::collections::BTreeMap::new();
        let common = ["/health/live", "/health/ready", "/metrics", "/openapi.json"];
        for path in common.into_iter().chain(crate::docs::PATHS) {
            map.insert(path.to_owned(), "GET".to_owned());
        }
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("HEAD", item.head.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
                ("OPTIONS", item.options.is_some()),
                ("TRACE", item.trace.is_some()),
            ];
            let allow: Vec<&str> = methods
                .iter()
                .filter(|(_, documented)| *documented)
                .map(|(method, _)| *method)
                .collect();
            map.insert(key(path).to_owned(), allow.join(", "));
        }
        Self(std::sync::Arc::new(map))
    }

    /// The `Allow` value for the route `pattern`: empty when it is not documented.
    pub fn allow(&self, pattern: &str) -> &str {
        self.0.get(key(pattern)).map_or("", String::as_str)
    }
}

fn key(pattern: &str) -> &str {
    match pattern.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    }
}
