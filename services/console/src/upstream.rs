//! Calls to the platform's services with the console's key, answered back to the browser as the
//! service answered: its status, its body (a JSON error envelope stays one) and the few headers
//! a page needs. The key is only ever in the outgoing request's `Authorization` header, marked
//! sensitive; no header of the service's response is passed on but the ones listed here.

use crate::config::Config;
use actix_web::{HttpResponse, http::StatusCode};
use bytes::Bytes;
use futures::StreamExt;
use http_kit::ApiError;
use std::time::Duration;

/// Largest service response the console passes on; more is a 502.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The response headers of a service the browser sees.
const PASSED_HEADERS: [&str; 3] = ["content-type", "retry-after", "idempotent-replayed"];

/// The services the console talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Places orders.
    CreateBuyOrder,
    /// Lists orders.
    FetchBuyOrders,
    /// BTC prices.
    BtcPrice,
    /// Keeps the read model (health only).
    ReadModelSync,
    /// Fiat rates.
    RateCache,
    /// Sequence numbers.
    Sequence,
    /// Events and their schemas.
    EventGateway,
    /// The cache's HTTP API.
    LruCacheServer,
}

impl Service {
    /// Every service, in the order the health page lists them.
    pub const ALL: [Service; 8] = [
        Service::CreateBuyOrder,
        Service::FetchBuyOrders,
        Service::ReadModelSync,
        Service::BtcPrice,
        Service::RateCache,
        Service::Sequence,
        Service::EventGateway,
        Service::LruCacheServer,
    ];

    /// The service's name, as the README and the ports table spell it.
    pub fn name(self) -> &'static str {
        match self {
            Service::CreateBuyOrder => "create-buy-order",
            Service::FetchBuyOrders => "fetch-buy-orders",
            Service::BtcPrice => "btc-price",
            Service::ReadModelSync => "read-model-sync",
            Service::RateCache => "rate-cache",
            Service::Sequence => "sequence",
            Service::EventGateway => "event-gateway",
            Service::LruCacheServer => "lru-cache-server",
        }
    }

    /// The variable that holds its base URL.
    pub fn url_variable(self) -> &'static str {
        match self {
            Service::CreateBuyOrder => "CREATE_BUY_ORDER_URL",
            Service::FetchBuyOrders => "FETCH_BUY_ORDERS_URL",
            Service::BtcPrice => "BTC_PRICE_URL",
            Service::ReadModelSync => "READ_MODEL_SYNC_URL",
            Service::RateCache => "RATE_CACHE_URL",
            Service::Sequence => "SEQUENCE_URL",
            Service::EventGateway => "EVENT_GATEWAY_URL",
            Service::LruCacheServer => "LRU_CACHE_SERVER_URL",
        }
    }
}

/// A call to make: method, path with its query, and a body with its content type.
pub struct Call<'a> {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// Path and query, from `/`.
    pub path: String,
    /// The body and its content type.
    pub body: Option<(&'a str, Bytes)>,
    /// More request headers (`Idempotency-Key`).
    pub headers: Vec<(&'static str, String)>,
}

impl<'a> Call<'a> {
    /// A `GET` of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(reqwest::Method::GET, path, None)
    }

    /// A `DELETE` of `path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(reqwest::Method::DELETE, path, None)
    }

    /// A call with `method` to `path`, carrying `body` with its content type.
    pub fn new(
        method: reqwest::Method,
        path: impl Into<String>,
        body: Option<(&'a str, Bytes)>,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            body,
            headers: Vec::new(),
        }
    }
}

/// The services, their base URLs and one HTTP client that carries the key.
#[derive(Clone)]
pub struct Upstreams {
    client: reqwest::Client,
    config: std::sync::Arc<Config>,
}

/// What a service answered, read whole.
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// Its headers the browser may see.
    pub headers: Vec<(&'static str, String)>,
    /// Its body.
    pub body: Bytes,
}

impl Upstreams {
    /// A client for the services of `config`, carrying `CONSOLE_API_KEY` when it is set.
    pub fn new(config: std::sync::Arc<Config>) -> anyhow::Result<Self> {
        let client = http_kit::access::client_with_key(
            config.console_api_key.as_ref(),
            "CONSOLE_API_KEY",
            config.upstream_timeout(),
        )?;
        Ok(Self { client, config })
    }

    /// The configuration the console runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Makes `call` to `service` and reads its answer whole (at most [`MAX_RESPONSE_BYTES`]).
    pub async fn call(
        &self,
        service: Service,
        call: Call<'_>,
        request_id: &str,
    ) -> Result<Answer, ApiError> {
        let base = self.config.url_of(service).trim_end_matches('/');
        let mut request = self
            .client
            .request(call.method, format!("{base}{}", call.path))
            .header(http_kit::REQUEST_ID_HEADER, request_id);
        for (name, value) in call.headers {
            request = request.header(name, value);
        }
        if let Some((content_type, body)) = call.body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| unreachable(service, &error))?;
        let status =
            StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let headers = PASSED_HEADERS
            .iter()
            .filter_map(|name| {
                let value = response.headers().get(*name)?.to_str().ok()?;
                Some((*name, value.to_owned()))
            })
            .collect();
        let mut body = Vec::new();
        let mut chunks = response.bytes_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|error| unreachable(service, &error))?;
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream_response_too_large",
                    format!(
                        "{} answered more than {MAX_RESPONSE_BYTES} bytes",
                        service.name()
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body: Bytes::from(body),
        })
    }

    /// Makes `call` and answers the browser as the service answered.
    pub async fn forward(
        &self,
        service: Service,
        call: Call<'_>,
        request_id: &str,
    ) -> HttpResponse {
        match self.call(service, call, request_id).await {
            Ok(answer) => {
                let mut response = HttpResponse::build(answer.status);
                for (name, value) in answer.headers {
                    response.insert_header((name, value));
                }
                response.body(answer.body)
            }
            Err(error) => actix_web::ResponseError::error_response(&error),
        }
    }
}

/// 503 naming the service that could not be reached; the cause is logged, not shown.
fn unreachable(service: Service, error: &reqwest::Error) -> ApiError {
    let what = if error.is_timeout() {
        "did not answer in time"
    } else {
        "is not reachable"
    };
    tracing::warn!(service = service.name(), error = %http_kit::chain(error), "service call failed");
    ApiError::unavailable(
        &format!("{}_unavailable", service.name().replace('-', "_")),
        format!("{} {what}; is it running?", service.name()),
    )
}

/// How long a page may wait for the health of every service.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(4);
