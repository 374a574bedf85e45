//! The `buy_order.created` event: the contract between create-buy-order (which publishes it
//! from its outbox) and read-model-sync (which applies it).
//!
//! On the wire it is a `messaging::Envelope<BuyOrderCreated>` as JSON, published persistent to
//! the topic exchange [`BUY_ORDERS_EXCHANGE`] with routing key [`BUY_ORDER_CREATED`];
//! the AMQP `message_id` is the envelope's `event_id`, `type` is [`BUY_ORDER_CREATED`], and
//! `correlation_id` is the request id of the PUT that created the order. Decimals are strings.

use crate::Currency;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The topic exchange buy-order events are published to.
pub const BUY_ORDERS_EXCHANGE: &str = "buy_orders";

/// Event type and routing key of a created order.
pub const BUY_ORDER_CREATED: &str = "buy_order.created";

/// An order as created in the write model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyOrderCreated {
    /// The order's id.
    pub id: Uuid,
    /// The client's idempotency key.
    pub idempotence_key: String,
    /// Fiat currency paid.
    pub currency: Currency,
    /// Fiat amount, 2 decimals.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// Price of 1 BTC in `currency` used.
    #[serde(with = "rust_decimal::serde::str")]
    pub exchange_rate: Decimal,
    /// BTC bought, 8 decimals, rounded up.
    #[serde(with = "rust_decimal::serde::str")]
    pub bitcoin_amount: Decimal,
    /// When the order was created.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimals_travel_as_strings_and_round_trip() {
        let event = BuyOrderCreated {
            id: Uuid::nil(),
            idempotence_key: "k".into(),
            currency: Currency::Eur,
            amount: Decimal::from_str("100.50").unwrap(),
            exchange_rate: Decimal::from_str("38123.45").unwrap(),
            bitcoin_amount: Decimal::from_str("0.00263617").unwrap(),
            created_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["amount"], "100.50");
        assert_eq!(json["currency"], "EUR");
        assert_eq!(
            serde_json::from_value::<BuyOrderCreated>(json).unwrap(),
            event
        );
    }
}
