//! Every extractor error reaches the client in the JSON envelope with the right status, and the
//! common routes answer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use actix_web::{
    App, HttpResponse,
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::StatusCode,
    test, web,
};
use http_kit::{Common, HttpMetrics, Readiness, RequestId, check_fn};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Order {
    #[allow(dead_code, reason = "only deserialised")]
    amount: u32,
}

#[derive(Deserialize)]
struct Page {
    #[allow(dead_code, reason = "only deserialised")]
    limit: u32,
}

async fn post_order(_: web::Json<Order>) -> HttpResponse {
    HttpResponse::Created().finish()
}

async fn post_form(_: web::Form<Order>) -> HttpResponse {
    HttpResponse::Created().finish()
}

async fn get_page(_: web::Query<Page>) -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn get_item(_: web::Path<u32>) -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn get_id(id: RequestId) -> HttpResponse {
    HttpResponse::Ok().body(id.0)
}

fn app(
    readiness: Readiness,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    let documented = |method| PathItem::new(method, OperationBuilder::new().build());
    let paths = PathsBuilder::new()
        .path("/orders", documented(HttpMethod::Post))
        .path("/items/{id}", documented(HttpMethod::Get))
        .path("/items/{id}", documented(HttpMethod::Delete));
    let doc = utoipa::openapi::OpenApiBuilder::new().paths(paths).build();
    let mut common = Common::new(HttpMetrics::new().unwrap(), readiness, &doc);
    common.body_limit_bytes = 64;
    http_kit::app(&common)
        .route("/orders", web::post().to(post_order))
        .route("/form", web::post().to(post_form))
        .route("/page", web::get().to(get_page))
        .route("/items/{id}", web::get().to(get_item))
        .route("/id", web::get().to(get_id))
}

async fn call(request: test::TestRequest) -> (StatusCode, Value) {
    let service = test::init_service(app(Readiness::new())).await;
    let response = test::call_service(&service, request.to_request()).await;
    let status = response.status();
    let body = test::read_body(response).await;
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)));
    (status, json)
}

fn json_post(body: &'static str) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/orders")
        .insert_header(("content-type", "application/json"))
        .set_payload(body)
}

#[actix_web::test]
async fn malformed_json_is_400_in_the_envelope() {
    let (status, body) = call(json_post("{\"amount\": ")).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "malformed_json");
}

#[actix_web::test]
async fn json_of_the_wrong_shape_is_422_in_the_envelope() {
    let (status, body) = call(json_post("{\"amount\": \"many\"}")).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "invalid_body");
}

#[actix_web::test]
async fn a_wrong_content_type_is_415_in_the_envelope() {
    let request = test::TestRequest::post()
        .uri("/orders")
        .insert_header(("content-type", "text/plain"))
        .set_payload("{}");
    let (status, body) = call(request).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413_in_the_envelope() {
    let big: &'static str =
        Box::leak(format!("{{\"amount\": 1, \"pad\": \"{}\"}}", "x".repeat(100)).into_boxed_str());
    let (status, body) = call(json_post(big)).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert!(body["error"]["message"].as_str().unwrap().contains("64"));
}

#[actix_web::test]
async fn a_form_with_the_wrong_content_type_is_415_and_too_large_is_413() {
    let wrong = test::TestRequest::post()
        .uri("/form")
        .insert_header(("content-type", "application/json"))
        .set_payload("{}");
    assert_eq!(call(wrong).await.0, 415);
    let big: &'static str = Box::leak(format!("amount=1&pad={}", "x".repeat(100)).into_boxed_str());
    let large = test::TestRequest::post()
        .uri("/form")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(big);
    assert_eq!(call(large).await.0, 413);
}

#[actix_web::test]
async fn a_bad_query_string_is_400_in_the_envelope() {
    let (status, body) = call(test::TestRequest::get().uri("/page?limit=lots")).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_query");
}

#[actix_web::test]
async fn an_unparseable_path_segment_and_an_unknown_route_are_404_in_the_envelope() {
    assert_eq!(
        call(test::TestRequest::get().uri("/items/abc")).await.0,
        404
    );
    let (status, body) = call(test::TestRequest::get().uri("/nowhere")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
}

#[actix_web::test]
async fn a_route_asked_with_a_method_it_does_not_answer_is_405_with_its_methods_in_allow() {
    let service = test::init_service(app(Readiness::new())).await;
    for (request, allow) in [
        (test::TestRequest::get().uri("/orders"), "POST"),
        (test::TestRequest::put().uri("/items/7"), "GET, DELETE"),
        (test::TestRequest::delete().uri("/health/live"), "GET"),
    ] {
        let response = test::call_service(&service, request.to_request()).await;
        let status = response.status();
        let allowed = response.headers().get("allow").cloned();
        let body: Value = serde_json::from_slice(&test::read_body(response).await).unwrap();
        assert_eq!(status, 405, "{body}");
        assert_eq!(body["error"]["code"], "method_not_allowed");
        assert_eq!(allowed.unwrap(), allow);
    }
}

#[actix_web::test]
async fn the_request_id_is_taken_from_the_client_or_made_and_always_returned() {
    let service = test::init_service(app(Readiness::new())).await;
    let given = test::TestRequest::get()
        .uri("/id")
        .insert_header(("x-request-id", "req-42"))
        .to_request();
    let response = test::call_service(&service, given).await;
    assert_eq!(response.headers().get("x-request-id").unwrap(), "req-42");
    assert_eq!(test::read_body(response).await, "req-42");

    let response =
        test::call_service(&service, test::TestRequest::get().uri("/id").to_request()).await;
    let made = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
    assert_eq!(test::read_body(response).await, made.as_bytes());
}

#[actix_web::test]
async fn readiness_names_each_failing_check_with_503_and_liveness_stays_200() {
    let readiness = Readiness::new()
        .with(check_fn("database", || async {
            Err("connection refused".to_owned())
        }))
        .with(check_fn("broker", || async { Ok(()) }));
    let service = test::init_service(app(readiness)).await;

    let response = test::call_service(
        &service,
        test::TestRequest::get().uri("/health/ready").to_request(),
    )
    .await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = serde_json::from_slice(&test::read_body(response).await).unwrap();
    assert_eq!(body["error"]["message"], "database: connection refused");

    let live = test::call_service(
        &service,
        test::TestRequest::get().uri("/health/live").to_request(),
    )
    .await;
    assert_eq!(live.status(), 200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_openapi_is_served() {
    let service = test::init_service(app(Readiness::new())).await;
    test::call_service(
        &service,
        test::TestRequest::get().uri("/items/7").to_request(),
    )
    .await;

    let response = test::call_service(
        &service,
        test::TestRequest::get().uri("/metrics").to_request(),
    )
    .await;
    let text = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    assert!(
        text.contains(r#"route="/items/{id}",status="200""#),
        "{text}"
    );

    let response = test::call_service(
        &service,
        test::TestRequest::get().uri("/openapi.json").to_request(),
    )
    .await;
    let doc: Value = serde_json::from_slice(&test::read_body(response).await).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
}

#[actix_web::test]
async fn docs_serve_swagger_ui_for_the_services_own_document_gzipped_and_nothing_else() {
    let service = test::init_service(app(Readiness::new())).await;
    let response =
        test::call_service(&service, test::TestRequest::get().uri("/docs").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let page = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    for asset in [
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
        "/docs/init.js",
    ] {
        assert!(page.contains(asset), "{page}");
    }
    assert!(
        !page.contains("https://"),
        "nothing from another host: {page}"
    );

    let init = test::call_service(
        &service,
        test::TestRequest::get().uri("/docs/init.js").to_request(),
    )
    .await;
    let init = String::from_utf8(test::read_body(init).await.to_vec()).unwrap();
    assert!(init.contains("\"/openapi.json\""), "{init}");

    for (file, kind) in [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
    ] {
        let response = test::call_service(
            &service,
            test::TestRequest::get()
                .uri(&format!("/docs/{file}"))
                .insert_header(("accept-encoding", "gzip, deflate, br"))
                .to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert_eq!(response.headers().get("content-encoding").unwrap(), "gzip");
        assert!(
            response
                .headers()
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        let body = test::read_body(response).await;
        assert!(body.len() > 10_000 && body[..2] == [0x1f, 0x8b], "{file}");

        let refused = test::call_service(
            &service,
            test::TestRequest::get()
                .uri(&format!("/docs/{file}"))
                .insert_header(("accept-encoding", "identity"))
                .to_request(),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::NOT_ACCEPTABLE, "{file}");
    }

    let (status, body) = call(test::TestRequest::get().uri("/docs/../Cargo.toml")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = call(test::TestRequest::get().uri("/docs/secret.txt")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = call(test::TestRequest::post().uri("/docs")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}
