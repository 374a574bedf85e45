//! Pure domain types and rules shared across services: currencies, money and exact
//! rounding, and the order events.

mod currency;
mod money;
mod order_event;
mod scientific;

pub use currency::{Currency, UnknownCurrency};
pub use money::{
    AmountError, BTC_SCALE, DivisionError, FIAT_AMOUNT_LIMIT, FIAT_SCALE, FiatAmount, btc_for,
};
pub use order_event::{BUY_ORDER_CREATED, BUY_ORDERS_EXCHANGE, BuyOrderCreated};
