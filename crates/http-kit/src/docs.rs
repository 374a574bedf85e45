//! `GET /docs`: interactive API docs (Swagger UI) for the service's own `/openapi.json`.
//!
//! Swagger UI's files are vendored from the npm registry (`swagger-ui-dist`, see
//! `assets/swagger-ui/` and `scripts/vendor_assets.sh`) and embedded in the binary gzipped, so
//! nothing is downloaded at build time or fetched from a CDN at run time. They are served with
//! `Content-Encoding: gzip` to any client that accepts it (a request without `Accept-Encoding`
//! accepts every coding, RFC 9110 §12.5.3); one that refuses gzip gets 406. The page's own script
//! is a file too, so the Content-Security-Policy allows scripts from the service alone.

use crate::ApiError;
use actix_web::{
    HttpRequest, HttpResponse, ResponseError,
    http::{StatusCode, header},
};

const BUNDLE_JS_GZ: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js.gz");
const CSS_GZ: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui.css.gz");

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>API docs</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

const INIT_JS: &str = r##"window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null
});
"##;

/// Scripts and styles from the service only; Swagger UI sets inline styles and data: images.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/// The paths [`crate::app`] serves for the docs, for the `Allow` header of a 405.
pub const PATHS: [&str; 2] = ["/docs", "/docs/{file}"];

/// `GET /docs`: the Swagger UI page.
pub async fn get_docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// `GET /docs/{file}`: Swagger UI's script and stylesheet, and the page's own script.
pub async fn get_docs_file(request: HttpRequest) -> HttpResponse {
    let file = request.match_info().get("file").unwrap_or_default();
    let (content_type, gzipped) = match file {
        "swagger-ui-bundle.js" => ("text/javascript; charset=utf-8", BUNDLE_JS_GZ),
        "swagger-ui.css" => ("text/css; charset=utf-8", CSS_GZ),
        "init.js" => {
            return HttpResponse::Ok()
                .content_type("text/javascript; charset=utf-8")
                .body(INIT_JS);
        }
        _ => {
            return ApiError::not_found("not_found", format!("no docs file '{file}'"))
                .error_response();
        }
    };
    if !accepts_gzip(&request) {
        return ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "not_acceptable",
            "the docs' files are served gzip-compressed; send Accept-Encoding: gzip",
        )
        .error_response();
    }
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_ENCODING, "gzip"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(gzipped)
}

/// Whether `request` accepts a gzip-coded body: no `Accept-Encoding` at all, or one that lists
/// `gzip` (or `*`) without `q=0`.
fn accepts_gzip(request: &HttpRequest) -> bool {
    let Some(value) = request.headers().get(header::ACCEPT_ENCODING) else {
        return true;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    text.split(',').any(|entry| {
        let mut parts = entry.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default().to_ascii_lowercase();
        let refused = parts.any(|param| {
            param
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (coding == "gzip" || coding == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let with = |value: &str| {
            accepts_gzip(
                &TestRequest::default()
                    .insert_header((header::ACCEPT_ENCODING, value))
                    .to_http_request(),
            )
        };
        assert!(accepts_gzip(&TestRequest::default().to_http_request()));
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("identity"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br"));
    }

    #[test]
    fn the_embedded_files_are_gzip() {
        for file in [BUNDLE_JS_GZ, CSS_GZ] {
            assert_eq!(&file[..2], &[0x1f, 0x8b], "gzip magic");
        }
    }
}
