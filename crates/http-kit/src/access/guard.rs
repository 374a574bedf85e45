//! The per-route middleware: finds the caller's key, checks the route's scope, takes one
//! request from the caller's rate-limit bucket, all before the handler (and so before any
//! extractor reads the body).

use super::{Access, KeyEntry, retry_after_secs};
use crate::ApiError;
use actix_web::{
    Error, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{Path, Service, ServiceRequest, ServiceResponse, Transform, Url, forward_ready},
    http::{
        StatusCode,
        header::{self, HeaderMap, HeaderValue},
    },
    web,
};
use futures::future::LocalBoxFuture;
use std::{future::Ready, rc::Rc, time::Duration};

/// What a route asks of the caller's key.
#[derive(Debug, Clone)]
enum Rule {
    /// One of these scopes (or `*`); `{name}` stands for the route's path parameter `name`.
    AnyOf(Vec<String>),
    /// Any configured key.
    AnyKey,
}

/// Route middleware (`Route::wrap`) that lets a request through only with a key carrying
/// `scope` (or `*`). `{name}` in `scope` is the route's path parameter: `events:{client}:send`.
pub fn require(scope: &str) -> Require {
    require_any_of(&[scope])
}

/// As [`require`], for a route any one of `scopes` opens.
pub fn require_any_of(scopes: &[&str]) -> Require {
    Require(Rc::new(Rule::AnyOf(
        scopes.iter().map(|s| (*s).to_owned()).collect(),
    )))
}

/// Route middleware that lets through any configured key, whatever its scopes.
pub fn require_key() -> Require {
    Require(Rc::new(Rule::AnyKey))
}

/// The middleware [`require`] builds.
#[derive(Debug, Clone)]
pub struct Require(Rc<Rule>);

impl<S, B> Transform<S, ServiceRequest> for Require
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type InitError = ();
    type Transform = RequireService<S>;
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(RequireService {
            service: Rc::new(service),
            rule: self.0.clone(),
        }))
    }
}

/// The service [`Require`] wraps a route in.
pub struct RequireService<S> {
    service: Rc<S>,
    rule: Rc<Rule>,
}

impl<S, B> Service<ServiceRequest> for RequireService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        match admit(&request, &self.rule) {
            Ok(()) => {
                let call = self.service.call(request);
                Box::pin(async move { call.await.map(ServiceResponse::map_into_left_body) })
            }
            Err(refusal) => {
                let response = request
                    .into_response(refusal.response())
                    .map_into_right_body();
                Box::pin(std::future::ready(Ok(response)))
            }
        }
    }
}

fn admit(request: &ServiceRequest, rule: &Rule) -> Result<(), Refusal> {
    let Some(access) = request.app_data::<web::Data<Access>>() else {
        // Fail closed: a server built without `http_kit::app` has no keys to check against.
        tracing::error!("no access configuration in the app; refusing the request");
        return Err(Refusal::Unauthorized(
            "access control is not configured on this server",
        ));
    };
    let caller = if access.is_open() {
        request
            .peer_addr()
            .map_or_else(|| "unknown-peer".to_owned(), |peer| peer.ip().to_string())
    } else {
        let key = bearer(request.headers()).ok_or(Refusal::Unauthorized(
            "an API key is required: send the header Authorization: Bearer <key>",
        ))?;
        let entry = access
            .keys()
            .find(key)
            .ok_or(Refusal::Unauthorized("the API key is not valid"))?;
        tracing::Span::current().record("key_name", entry.name.as_str());
        check_scope(entry, rule, request.match_info())?;
        entry.name.clone()
    };
    if let Some(limiter) = access.limiter() {
        limiter.check(&caller).map_err(Refusal::RateLimited)?;
    }
    Ok(())
}

/// The key of `Authorization: Bearer <key>` (scheme in any case), if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.trim().split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

fn check_scope(entry: &KeyEntry, rule: &Rule, path: &Path<Url>) -> Result<(), Refusal> {
    let Rule::AnyOf(templates) = rule else {
        return Ok(());
    };
    let needed: Vec<String> = templates.iter().map(|t| resolve(t, path)).collect();
    if needed.iter().any(|scope| entry.has_scope(scope)) {
        return Ok(());
    }
    let list = needed
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(" or ");
    tracing::info!(needed = %list, "key lacks the route's scope");
    Err(Refusal::Forbidden(format!(
        "the key '{}' lacks the scope {list}",
        entry.name
    )))
}

/// `template` with each `{name}` replaced by the path parameter `name` (empty if absent).
fn resolve(template: &str, path: &Path<Url>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(path.get(&rest[open + 1..open + close]).unwrap_or(""));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Why a request is refused, turned into its response at the end.
enum Refusal {
    /// 401: no key, or not a configured one.
    Unauthorized(&'static str),
    /// 403: the key lacks the scope; the sentence names it.
    Forbidden(String),
    /// 429: the caller's bucket is empty for this long.
    RateLimited(Duration),
}

impl Refusal {
    fn response(self) -> actix_web::HttpResponse {
        match self {
            Self::Unauthorized(message) => unauthorized(message),
            Self::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message).error_response()
            }
            Self::RateLimited(wait) => rate_limited(wait),
        }
    }
}

fn unauthorized(message: &str) -> actix_web::HttpResponse {
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).error_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

fn rate_limited(wait: Duration) -> actix_web::HttpResponse {
    let mut error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many requests: slow down and retry after the time in Retry-After",
    );
    error.retry_after_secs = Some(retry_after_secs(wait));
    error.error_response()
}
