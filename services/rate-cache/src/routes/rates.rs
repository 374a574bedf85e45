//! `GET /rates/{base}/{quote}?date=YYYY-MM-DD`: the day's average, min, max and sample count.

use super::{State, store_error};
use crate::db;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use http_kit::ApiError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Decimal places of the average (half-to-even rounding of the exact sum / count).
pub const AVERAGE_DECIMALS: u32 = 12;

/// The query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DateQuery {
    /// A UTC date `YYYY-MM-DD`; today (UTC) when absent.
    #[param(format = Date)]
    date: Option<String>,
}

/// The rates of one pair on one UTC date.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayRate {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
    /// The UTC date.
    pub date: NaiveDate,
    /// Mean of the samples observed that day.
    #[schema(value_type = String)]
    pub average: Decimal,
    /// Lowest sample.
    #[schema(value_type = String)]
    pub min: Decimal,
    /// Highest sample.
    #[schema(value_type = String)]
    pub max: Decimal,
    /// Number of samples.
    pub samples: i64,
    /// First observation of the day.
    pub first_observed_at: DateTime<Utc>,
    /// Last observation of the day (how fresh the data is).
    pub last_observed_at: DateTime<Utc>,
}

fn parse_date(raw: Option<&str>) -> Result<NaiveDate, ApiError> {
    match raw {
        None => Ok(Utc::now().date_naive()),
        Some(raw) => calendar_date(raw, "date"),
    }
}

/// `raw` as a calendar date written exactly `YYYY-MM-DD`, or 422 `invalid_date` naming `field`.
pub(super) fn calendar_date(raw: &str, field: &str) -> Result<NaiveDate, ApiError> {
    let bytes = raw.as_bytes();
    let valid_shape = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| valid_shape)
        .ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_date",
                format!("{field} must be a calendar date YYYY-MM-DD, got '{raw}'"),
            )
            .with_field(field)
        })
}

/// The average of the rates observed on a UTC date, with min, max and count.
#[utoipa::path(get, path = "/rates/{base}/{quote}", security(("bearer" = ["rates:read"])), params(DateQuery), responses(
    (status = 200, description = "The day's rates", body = DayRate),
    (status = 404, description = "unknown_pair or no_rate_for_date", body = http_kit::ErrorEnvelope),
    (status = 422, description = "Bad date", body = http_kit::ErrorEnvelope),
))]
pub async fn get_rate(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    query: web::Query<DateQuery>,
) -> Result<HttpResponse, ApiError> {
    let (base, quote) = path.into_inner();
    let date = parse_date(query.date.as_deref())?;
    let (b, q) = (base.clone(), quote.clone());
    let found = store::run(&state.pool, move |conn| {
        if !db::pair_exists(conn, &b, &q)? {
            return Ok(None);
        }
        db::day_stats(conn, &b, &q, date).map(Some)
    })
    .await
    .map_err(|e| store_error(&e))?;
    let Some(stats) = found else {
        return Err(ApiError::not_found(
            "unknown_pair",
            format!("the pair {base}/{quote} is not registered"),
        ));
    };
    let no_rate = || {
        ApiError::not_found(
            "no_rate_for_date",
            format!("no rate of {base}/{quote} was observed on {date}"),
        )
    };
    let (Some(sum), Some(min), Some(max), Some(first), Some(last)) = (
        stats.sum,
        stats.min,
        stats.max,
        stats.first_observed_at,
        stats.last_observed_at,
    ) else {
        return Err(no_rate());
    };
    if stats.samples == 0 {
        return Err(no_rate());
    }
    Ok(HttpResponse::Ok().json(DayRate {
        average: average(sum, stats.samples),
        min: min.normalize(),
        max: max.normalize(),
        samples: stats.samples,
        first_observed_at: first,
        last_observed_at: last,
        date,
        base,
        quote,
    }))
}

/// `sum / count`, rounded half-to-even to [`AVERAGE_DECIMALS`] places.
pub fn average(sum: Decimal, count: i64) -> Decimal {
    sum.checked_div(Decimal::from(count))
        .unwrap_or(sum)
        .round_dp_with_strategy(
            AVERAGE_DECIMALS,
            rust_decimal::RoundingStrategy::MidpointNearestEven,
        )
        .normalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_calendar_dates() {
        assert_eq!(
            parse_date(Some("2026-11-20")).unwrap().to_string(),
            "2026-11-20"
        );
        for raw in [
            "2026-02-30",
            "20261120",
            "2026-1-2",
            "yesterday",
            "",
            "2026-11-20T00:00:00Z",
        ] {
            assert_eq!(
                parse_date(Some(raw)).unwrap_err().status.as_u16(),
                422,
                "{raw}"
            );
        }
    }

    #[test]
    fn the_average_is_the_exact_mean_rounded_half_even() {
        assert_eq!(average(Decimal::new(3, 0), 3).to_string(), "1");
        assert_eq!(average(Decimal::new(2, 0), 3).to_string(), "0.666666666667");
    }
}
