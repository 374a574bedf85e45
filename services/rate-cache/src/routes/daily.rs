//! `GET /rates/{base}/{quote}/daily?from=YYYY-MM-DD&to=YYYY-MM-DD`: the day's aggregate of
//! `GET /rates/{base}/{quote}` for every UTC day of a range that has samples, in one query.

use super::{
    State,
    rates::{average, calendar_date},
    store_error,
};
use crate::db;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use http_kit::ApiError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Most days one request may span (`to - from + 1`).
pub const MAX_DAYS: i64 = 366;

/// The query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RangeQuery {
    /// First UTC date `YYYY-MM-DD`, inclusive.
    #[param(format = Date)]
    from: Option<String>,
    /// Last UTC date `YYYY-MM-DD`, inclusive.
    #[param(format = Date)]
    to: Option<String>,
}

/// One UTC day's rates of a pair.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Day {
    /// The UTC date.
    pub date: NaiveDate,
    /// Mean of the day's samples, half-to-even to 12 places.
    #[schema(value_type = String)]
    pub average: Decimal,
    /// Lowest sample.
    #[schema(value_type = String)]
    pub min: Decimal,
    /// Highest sample.
    #[schema(value_type = String)]
    pub max: Decimal,
    /// Number of samples (at least 1).
    pub samples: i64,
    /// First observation of the day.
    pub first_observed_at: DateTime<Utc>,
    /// Last observation of the day.
    pub last_observed_at: DateTime<Utc>,
}

/// The days of a range that have samples, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DailyRates {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
    /// First date of the range.
    pub from: NaiveDate,
    /// Last date of the range.
    pub to: NaiveDate,
    /// One entry per day with samples.
    pub days: Vec<Day>,
}

fn parse_day(raw: Option<&str>, field: &str) -> Result<NaiveDate, ApiError> {
    let Some(raw) = raw else {
        return Err(ApiError::unprocessable(
            "invalid_date",
            format!("{field} is required: a calendar date YYYY-MM-DD"),
        )
        .with_field(field));
    };
    calendar_date(raw, field)
}

/// `from` and `to` checked: real dates, `from <= to`, at most [`MAX_DAYS`] days.
pub fn parse_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let from = parse_day(from, "from")?;
    let to = parse_day(to, "to")?;
    if to < from {
        return Err(ApiError::unprocessable(
            "invalid_range",
            format!("to ({to}) must not be before from ({from})"),
        )
        .with_field("to"));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(ApiError::unprocessable(
            "range_too_long",
            format!("the range spans {days} days; at most {MAX_DAYS} are allowed"),
        )
        .with_field("to"));
    }
    Ok((from, to))
}

/// The day's average, min, max and count for every UTC day of a range that has samples.
#[utoipa::path(get, path = "/rates/{base}/{quote}/daily", security(("bearer" = ["rates:read"])), params(RangeQuery), responses(
    (status = 200, description = "The days with samples, oldest first", body = DailyRates),
    (status = 404, description = "unknown_pair", body = http_kit::ErrorEnvelope),
    (status = 422, description = "invalid_date, invalid_range or range_too_long", body = http_kit::ErrorEnvelope),
))]
pub async fn get_daily_rates(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    query: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (base, quote) = path.into_inner();
    let (from, to) = parse_range(query.from.as_deref(), query.to.as_deref())?;
    let (b, q) = (base.clone(), quote.clone());
    let found = store::run(&state.pool, move |conn| {
        if !db::pair_exists(conn, &b, &q)? {
            return Ok(None);
        }
        db::daily_stats(conn, &b, &q, from, to).map(Some)
    })
    .await
    .map_err(|e| store_error(&e))?;
    let Some(rows) = found else {
        return Err(ApiError::not_found(
            "unknown_pair",
            format!("the pair {base}/{quote} is not registered"),
        ));
    };
    let days = rows
        .into_iter()
        .map(|row| Day {
            date: row.date,
            average: average(row.sum, row.samples),
            min: row.min.normalize(),
            max: row.max.normalize(),
            samples: row.samples,
            first_observed_at: row.first_observed_at,
            last_observed_at: row.last_observed_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(DailyRates {
        base,
        quote,
        from,
        to,
        days,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_two_real_dates_in_order_of_at_most_366_days() {
        assert!(parse_range(Some("2024-01-01"), Some("2024-12-31")).is_ok());
        assert!(parse_range(Some("2026-11-20"), Some("2026-11-20")).is_ok());
        for (from, to, field) in [
            (None, Some("2026-11-20"), "from"),
            (Some("2026-11-20"), None, "to"),
            (Some("2026-02-30"), Some("2026-03-01"), "from"),
            (Some("2026-11-20"), Some("20261121"), "to"),
            (Some("2026-11-21"), Some("2026-11-20"), "to"),
            (Some("2025-01-01"), Some("2026-01-02"), "to"),
        ] {
            let error = parse_range(from, to).unwrap_err();
            assert_eq!(error.status.as_u16(), 422, "{from:?} {to:?}");
            assert_eq!(error.field.as_deref(), Some(field), "{from:?} {to:?}");
        }
    }
}
