//! Reading and validating a `PUT /buy_order` request.
//!
//! The body is read field by field as raw JSON so the amount is parsed from its text and each
//! problem is reported with its field. Checks run in this order: the idempotency key (header
//! `Idempotency-Key` or body `idempotence_key`; both and different: 400; neither: 400; not 1 to
//! 255 printable ASCII: 422), then `currency`, then `amount` (422 naming the field).

use actix_web::http::header::HeaderMap;
use domain::{Currency, FiatAmount};
use http_kit::ApiError;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The header carrying the idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Longest idempotency key, in characters.
pub const MAX_KEY_LENGTH: usize = 255;

/// The body as sent: every field raw, so each can be checked and reported on its own.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RawOrderBody {
    /// EUR, GBP or USD. Required: kept raw so that its absence gets its own error.
    #[schema(value_type = String, required = true, pattern = "^(EUR|GBP|USD)$", example = "EUR")]
    pub currency: Option<Box<RawValue>>,
    /// A decimal string or number, at most 2 places, 0 < amount < 1e9. Required.
    #[schema(value_type = DecimalInput, required = true)]
    pub amount: Option<Box<RawValue>>,
    /// The idempotency key, when not sent as the `Idempotency-Key` header.
    #[schema(value_type = Option<String>)]
    pub idempotence_key: Option<Box<RawValue>>,
}

/// A decimal in a request as the OpenAPI document shows it: a string or a JSON number. Only
/// for the document; a number is read from its text, never through f64 (SPEC §0).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum DecimalInput {
    /// `"100.50"`
    Text(String),
    /// `100.50`
    Number(f64),
}

/// A valid order request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// The idempotency key.
    pub key: String,
    /// The currency paid.
    pub currency: Currency,
    /// The amount paid, scale 2.
    pub amount: FiatAmount,
}

/// Validates `body` and `headers` into an [`OrderRequest`], or the first problem found.
pub fn validate(headers: &HeaderMap, body: &RawOrderBody) -> Result<OrderRequest, ApiError> {
    let key = idempotency_key(headers, body)?;
    let currency = currency(body)?;
    let amount = match &body.amount {
        None => return Err(missing("amount")),
        Some(raw) => FiatAmount::from_json(raw).map_err(|e| {
            ApiError::unprocessable("invalid_amount", e.to_string()).with_field("amount")
        })?,
    };
    Ok(OrderRequest {
        key,
        currency,
        amount,
    })
}

fn missing(field: &str) -> ApiError {
    ApiError::unprocessable("missing_field", format!("the field `{field}` is required"))
        .with_field(field)
}

fn currency(body: &RawOrderBody) -> Result<Currency, ApiError> {
    let raw = body.currency.as_ref().ok_or_else(|| missing("currency"))?;
    serde_json::from_str::<String>(raw.get())
        .ok()
        .and_then(|code| code.parse::<Currency>().ok())
        .ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_currency",
                format!("currency must be one of {}", Currency::allowed_list()),
            )
            .with_field("currency")
        })
}

fn invalid_key(message: &str) -> ApiError {
    ApiError::unprocessable("invalid_idempotency_key", message).with_field("idempotence_key")
}

fn idempotency_key(headers: &HeaderMap, body: &RawOrderBody) -> Result<String, ApiError> {
    let from_header = match headers.get(IDEMPOTENCY_KEY_HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| invalid_key("the Idempotency-Key header must be printable ASCII"))?
                .to_owned(),
        ),
    };
    let from_body = match &body.idempotence_key {
        None => None,
        Some(raw) => Some(
            serde_json::from_str::<String>(raw.get())
                .map_err(|_| invalid_key("idempotence_key must be a string"))?,
        ),
    };
    let key = match (from_header, from_body) {
        (Some(header), Some(body)) if header != body => {
            return Err(ApiError::bad_request(
                "idempotency_key_mismatch",
                "the Idempotency-Key header and the idempotence_key field differ",
            )
            .with_field("idempotence_key"));
        }
        (Some(key), _) | (None, Some(key)) => key,
        (None, None) => {
            return Err(ApiError::bad_request(
                "missing_idempotency_key",
                "an idempotency key is required, in the Idempotency-Key header or the idempotence_key field",
            )
            .with_field("idempotence_key"));
        }
    };
    let printable = key.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if key.is_empty() || key.len() > MAX_KEY_LENGTH || !printable {
        return Err(invalid_key(
            "the idempotency key must be 1 to 255 printable ASCII characters",
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn body(json: &str) -> RawOrderBody {
        serde_json::from_str(json).unwrap()
    }

    fn with_key(key: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static(IDEMPOTENCY_KEY_HEADER),
            HeaderValue::from_str(key).unwrap(),
        );
        headers
    }

    #[test]
    fn a_valid_request_from_header_or_body() {
        let from_header = validate(
            &with_key("k1"),
            &body(r#"{"currency":"EUR","amount":"100.50"}"#),
        )
        .unwrap();
        assert_eq!(from_header.key, "k1");
        assert_eq!(from_header.amount.value().to_string(), "100.50");
        let from_body = validate(
            &HeaderMap::new(),
            &body(r#"{"currency":"USD","amount":12.5,"idempotence_key":"k2"}"#),
        )
        .unwrap();
        assert_eq!(
            (from_body.key.as_str(), from_body.currency),
            ("k2", Currency::Usd)
        );
        let both_same = validate(
            &with_key("k"),
            &body(r#"{"currency":"GBP","amount":1,"idempotence_key":"k"}"#),
        );
        assert!(both_same.is_ok());
    }

    #[test]
    fn each_problem_gets_its_code() {
        let cases = [
            (
                HeaderMap::new(),
                r#"{"currency":"EUR","amount":"1"}"#,
                400,
                "missing_idempotency_key",
            ),
            (
                with_key("a"),
                r#"{"currency":"EUR","amount":"1","idempotence_key":"b"}"#,
                400,
                "idempotency_key_mismatch",
            ),
            (
                with_key(&"x".repeat(256)),
                r#"{"currency":"EUR","amount":"1"}"#,
                422,
                "invalid_idempotency_key",
            ),
            (
                HeaderMap::new(),
                r#"{"currency":"EUR","amount":"1","idempotence_key":""}"#,
                422,
                "invalid_idempotency_key",
            ),
            (
                HeaderMap::new(),
                r#"{"currency":"EUR","amount":"1","idempotence_key":"é"}"#,
                422,
                "invalid_idempotency_key",
            ),
            (
                HeaderMap::new(),
                r#"{"currency":"EUR","amount":"1","idempotence_key":7}"#,
                422,
                "invalid_idempotency_key",
            ),
            (
                with_key("k"),
                r#"{"currency":"JPY","amount":"1"}"#,
                422,
                "invalid_currency",
            ),
            (
                with_key("k"),
                r#"{"currency":1,"amount":"1"}"#,
                422,
                "invalid_currency",
            ),
            (with_key("k"), r#"{"amount":"1"}"#, 422, "missing_field"),
            (with_key("k"), r#"{"currency":"EUR"}"#, 422, "missing_field"),
            (
                with_key("k"),
                r#"{"currency":"EUR","amount":"1.001"}"#,
                422,
                "invalid_amount",
            ),
        ];
        for (headers, json, status, code) in cases {
            let error = validate(&headers, &body(json)).unwrap_err();
            assert_eq!(
                (error.status.as_u16(), error.code.as_str()),
                (status, code),
                "{json}"
            );
        }
    }
}
