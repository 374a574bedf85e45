//! `GET /v2/forward?count=N` and `GET /v2/reverse?count=N`: JSON arrays of exact integers.

use super::State;
use crate::dispenser::Direction;
use actix_web::{HttpResponse, web};
use http_kit::ApiError;
use serde::Deserialize;

/// The query string. `count` is read as text so every bad value gets the same 400.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CountQuery {
    /// How many numbers, 1 to `SEQUENCE_MAX_COUNT` (default 1).
    #[param(value_type = Option<u32>)]
    count: Option<String>,
}

/// `count` as a number within `1..=max`, or 400 `invalid_count` naming the limit.
pub fn parse_count(raw: Option<&str>, max: u32) -> Result<u32, ApiError> {
    let Some(raw) = raw else { return Ok(1) };
    match raw.parse::<u32>() {
        Ok(count) if (1..=max).contains(&count) => Ok(count),
        _ => Err(ApiError::bad_request(
            "invalid_count",
            format!("count must be a whole number from 1 to {max} (the limit), got '{raw}'"),
        )
        .with_field("count")),
    }
}

/// `count` numbers from the ascending sequence, ascending.
#[utoipa::path(get, path = "/v2/forward", security(("bearer" = ["sequence:draw"])), params(CountQuery), responses(
    (status = 200, description = "The numbers, in the sequence's order", body = Vec<i64>),
    (status = 400, description = "Bad count", body = http_kit::ErrorEnvelope),
    (status = 503, description = "The database is down", body = http_kit::ErrorEnvelope),
))]
pub async fn get_v2_forward(
    state: web::Data<State>,
    query: web::Query<CountQuery>,
) -> Result<HttpResponse, ApiError> {
    batch(&state, Direction::Forward, &query).await
}

/// `count` numbers from the descending sequence, descending.
#[utoipa::path(get, path = "/v2/reverse", security(("bearer" = ["sequence:draw"])), params(CountQuery), responses(
    (status = 200, description = "The numbers, in the sequence's order", body = Vec<i64>),
    (status = 400, description = "Bad count", body = http_kit::ErrorEnvelope),
    (status = 503, description = "The database is down", body = http_kit::ErrorEnvelope),
))]
pub async fn get_v2_reverse(
    state: web::Data<State>,
    query: web::Query<CountQuery>,
) -> Result<HttpResponse, ApiError> {
    batch(&state, Direction::Reverse, &query).await
}

async fn batch(
    state: &State,
    direction: Direction,
    query: &CountQuery,
) -> Result<HttpResponse, ApiError> {
    let count = parse_count(query.count.as_deref(), state.max_count)?;
    let numbers = state.draw(direction, count).await?;
    Ok(HttpResponse::Ok().json(numbers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_count_means_one() {
        assert_eq!(parse_count(None, 100).unwrap(), 1);
    }

    #[test]
    fn counts_within_the_limit_are_accepted() {
        assert_eq!(parse_count(Some("1"), 100).unwrap(), 1);
        assert_eq!(parse_count(Some("100"), 100).unwrap(), 100);
    }

    #[test]
    fn bad_counts_name_the_limit() {
        for raw in [
            "0",
            "-1",
            "abc",
            "101",
            "",
            "1.5",
            "99999999999999999999999",
        ] {
            let error = parse_count(Some(raw), 100).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "{raw}");
            assert!(error.message.contains("100"), "{raw}: {}", error.message);
        }
    }
}
