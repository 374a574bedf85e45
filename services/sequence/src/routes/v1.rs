//! `GET /v1/forward` and `GET /v1/reverse`: one number as `text/plain`.

use super::State;
use crate::dispenser::Direction;
use actix_web::{HttpResponse, web};
use http_kit::ApiError;

/// One number from the ascending sequence.
#[utoipa::path(get, path = "/v1/forward", security(("bearer" = ["sequence:draw"])), responses(
    (status = 200, description = "The next number, as decimal text", body = String, content_type = "text/plain"),
    (status = 503, description = "The database is down", body = http_kit::ErrorEnvelope),
))]
pub async fn get_v1_forward(state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    one(&state, Direction::Forward).await
}

/// One number from the descending sequence.
#[utoipa::path(get, path = "/v1/reverse", security(("bearer" = ["sequence:draw"])), responses(
    (status = 200, description = "The next number, as decimal text", body = String, content_type = "text/plain"),
    (status = 503, description = "The database is down", body = http_kit::ErrorEnvelope),
))]
pub async fn get_v1_reverse(state: web::Data<State>) -> Result<HttpResponse, ApiError> {
    one(&state, Direction::Reverse).await
}

async fn one(state: &State, direction: Direction) -> Result<HttpResponse, ApiError> {
    let numbers = state.draw(direction, 1).await?;
    let Some(number) = numbers.first() else {
        let error = std::io::Error::other("the sequence returned no row");
        return Err(ApiError::internal(&error));
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(number.to_string()))
}
