//! The JSON API the page calls: each route forwards to one service (see [`crate::upstream`]).

use super::segment;
use crate::{
    cache_info,
    upstream::{Answer, Call, Service, Upstreams},
};
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use http_kit::{ApiError, RequestId};
use serde::Serialize;

/// The request's query string with its `?`, or nothing.
fn query(request: &HttpRequest) -> String {
    match request.query_string() {
        "" => String::new(),
        text => format!("?{text}"),
    }
}

/// A `POST` of the request's body to `path`, with its content type (JSON when the browser
/// named none).
fn post(path: String, request: &HttpRequest, bytes: Bytes) -> Call<'_> {
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    Call::new(reqwest::Method::POST, path, Some((content_type, bytes)))
}

/// `/{client}/{event}/{tail}` of event-gateway, both names checked.
fn event_path(path: &(String, String), tail: &str) -> Result<String, ApiError> {
    Ok(format!(
        "/{}/{}/{tail}",
        segment("client", &path.0)?,
        segment("event", &path.1)?
    ))
}

/// `/{base}/{quote}` of rate-cache, both codes checked.
fn pair_path(path: &(String, String)) -> Result<String, ApiError> {
    Ok(format!(
        "/{}/{}",
        segment("base", &path.0)?,
        segment("quote", &path.1)?
    ))
}

/// `GET /api/orders`: a page of orders (fetch-buy-orders' `/buy_orders`).
pub async fn get_orders(
    request: HttpRequest,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> HttpResponse {
    let call = Call::get(format!("/buy_orders{}", query(&request)));
    upstreams
        .forward(Service::FetchBuyOrders, call, id.as_str())
        .await
}

/// `PUT /api/orders`: places an order (create-buy-order's `PUT /buy_order`) with the page's
/// `Idempotency-Key`, or one made here when the page sent none.
pub async fn put_order(
    request: HttpRequest,
    bytes: Bytes,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> HttpResponse {
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), ToOwned::to_owned);
    let mut call = post("/buy_order".to_owned(), &request, bytes);
    call.method = reqwest::Method::PUT;
    call.headers.push(("idempotency-key", key));
    upstreams
        .forward(Service::CreateBuyOrder, call, id.as_str())
        .await
}

/// `GET /api/cap`: the cap used and left (create-buy-order's `/cap`).
pub async fn get_cap(upstreams: web::Data<Upstreams>, id: RequestId) -> HttpResponse {
    upstreams
        .forward(Service::CreateBuyOrder, Call::get("/cap"), id.as_str())
        .await
}

/// `GET /api/prices`: the three BTC prices (btc-price's `/btc_prices`).
pub async fn get_prices(upstreams: web::Data<Upstreams>, id: RequestId) -> HttpResponse {
    upstreams
        .forward(Service::BtcPrice, Call::get("/btc_prices"), id.as_str())
        .await
}

/// `GET /api/pairs`: the tracked pairs (rate-cache).
pub async fn get_pairs(upstreams: web::Data<Upstreams>, id: RequestId) -> HttpResponse {
    upstreams
        .forward(Service::RateCache, Call::get("/pairs"), id.as_str())
        .await
}

/// `POST /api/pairs`: tracks a pair (rate-cache).
pub async fn post_pair(
    request: HttpRequest,
    bytes: Bytes,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> HttpResponse {
    let call = post("/pairs".to_owned(), &request, bytes);
    upstreams
        .forward(Service::RateCache, call, id.as_str())
        .await
}

/// `DELETE /api/pairs/{base}/{quote}`: stops tracking a pair (rate-cache).
pub async fn delete_pair(
    path: web::Path<(String, String)>,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let call = Call::delete(format!("/pairs{}", pair_path(&path)?));
    Ok(upstreams
        .forward(Service::RateCache, call, id.as_str())
        .await)
}

/// `GET /api/rates/{base}/{quote}/daily`: one aggregate per day (rate-cache).
pub async fn get_daily_rates(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let call = Call::get(format!(
        "/rates{}/daily{}",
        pair_path(&path)?,
        query(&request)
    ));
    Ok(upstreams
        .forward(Service::RateCache, call, id.as_str())
        .await)
}

/// `GET /api/events/{client}`: the client's events and their latest versions (event-gateway).
pub async fn get_event_list(
    client: web::Path<String>,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let call = Call::get(format!("/{}/list_events", segment("client", &client)?));
    Ok(upstreams
        .forward(Service::EventGateway, call, id.as_str())
        .await)
}

/// `GET /api/events/{client}/{event}/schema`: the latest schema (event-gateway).
pub async fn get_schema(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let call = Call::get(format!(
        "{}{}",
        event_path(&path, "schema")?,
        query(&request)
    ));
    Ok(upstreams
        .forward(Service::EventGateway, call, id.as_str())
        .await)
}

/// `POST /api/events/{client}/{event}/register`: registers a schema (event-gateway).
pub async fn post_schema(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    bytes: Bytes,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let call = post(event_path(&path, "register_event")?, &request, bytes);
    Ok(upstreams
        .forward(Service::EventGateway, call, id.as_str())
        .await)
}

/// `POST /api/events/{client}/{event}/send`: sends an event (event-gateway).
pub async fn post_event(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    bytes: Bytes,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let call = post(event_path(&path, "send_event")?, &request, bytes);
    Ok(upstreams
        .forward(Service::EventGateway, call, id.as_str())
        .await)
}

/// `GET /api/sequence/{direction}?count=N`: numbers as the sequence's `/v2` answers them (a
/// JSON array of integers that may pass 2^53: the page reads them as text).
pub async fn get_sequence(
    request: HttpRequest,
    direction: web::Path<String>,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let direction = match direction.as_str() {
        "forward" | "reverse" => direction.as_str(),
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_direction",
                "direction must be forward or reverse",
            )
            .with_field("direction"));
        }
    };
    let call = Call::get(format!("/v2/{direction}{}", query(&request)));
    Ok(upstreams
        .forward(Service::Sequence, call, id.as_str())
        .await)
}

/// `GET /api/cache?key=k`: one value (lru-cache-server's `/api/storage/`).
pub async fn get_cache_key(
    request: HttpRequest,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> HttpResponse {
    let call = Call::get(format!("/api/storage/{}", query(&request)));
    upstreams
        .forward(Service::LruCacheServer, call, id.as_str())
        .await
}

/// `POST /api/cache`: stores pairs (lru-cache-server's `/api/storage/`).
pub async fn post_cache(
    request: HttpRequest,
    bytes: Bytes,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> HttpResponse {
    let call = post("/api/storage/".to_owned(), &request, bytes);
    upstreams
        .forward(Service::LruCacheServer, call, id.as_str())
        .await
}

/// `DELETE /api/cache?key=k`.
pub async fn delete_cache_key(
    request: HttpRequest,
    upstreams: web::Data<Upstreams>,
    id: RequestId,
) -> HttpResponse {
    let call = Call::delete(format!("/api/storage/{}", query(&request)));
    upstreams
        .forward(Service::LruCacheServer, call, id.as_str())
        .await
}

/// `GET /api/cache/info`: hits, misses, evictions, keys and memory from the cache's `INFO`.
pub async fn get_cache_info(upstreams: web::Data<Upstreams>) -> Result<HttpResponse, ApiError> {
    let config = upstreams.config();
    let info = cache_info::read(
        &config.cache_resp_address,
        config.cache_password.as_ref(),
        config.upstream_timeout(),
    )
    .await
    .map_err(|error| {
        tracing::warn!(error = %error, "cannot read the cache's INFO");
        ApiError::unavailable(
            "cache_unavailable",
            format!("cannot read INFO from lru-cache-server: {error}"),
        )
    })?;
    Ok(HttpResponse::Ok().json(info))
}

/// One service's readiness, as the health page shows it.
#[derive(Debug, Serialize)]
pub struct ServiceHealth {
    /// Its name.
    pub name: &'static str,
    /// Whether `/health/ready` answered 200.
    pub ready: bool,
    /// Its status, or null when it did not answer.
    pub status: Option<u16>,
    /// Why not ready: the service's own message, or that it did not answer.
    pub reason: Option<String>,
}

/// `GET /api/health`: every service's `/health/ready`, asked at once.
pub async fn get_health(upstreams: web::Data<Upstreams>, id: RequestId) -> HttpResponse {
    let checks = Service::ALL.map(|service| {
        let (upstreams, id) = (upstreams.clone(), id.as_str().to_owned());
        async move {
            let answer = tokio::time::timeout(
                crate::upstream::HEALTH_TIMEOUT,
                upstreams.call(service, Call::get("/health/ready"), &id),
            )
            .await;
            health_of(service, answer)
        }
    });
    let services = futures::future::join_all(checks).await;
    HttpResponse::Ok().json(serde_json::json!({ "services": services }))
}

/// What `service`'s readiness call came to: its answer, a failure to reach it, or no answer in
/// time.
fn health_of(
    service: Service,
    answer: Result<Result<Answer, ApiError>, tokio::time::error::Elapsed>,
) -> ServiceHealth {
    let (status, reason) = match answer {
        Ok(Ok(answer)) if answer.status.is_success() => (Some(answer.status.as_u16()), None),
        Ok(Ok(answer)) => {
            let reason = serde_json::from_slice::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(ToOwned::to_owned))
                .unwrap_or_else(|| format!("answered {}", answer.status));
            (Some(answer.status.as_u16()), Some(reason))
        }
        Ok(Err(error)) => (None, Some(error.message)),
        Err(_) => (
            None,
            Some(format!("{} did not answer in time", service.name())),
        ),
    };
    ServiceHealth {
        name: service.name(),
        ready: reason.is_none(),
        status,
        reason,
    }
}
