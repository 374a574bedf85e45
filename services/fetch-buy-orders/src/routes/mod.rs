//! HTTP routes, one file per resource.

pub mod buy_orders;

pub use buy_orders::{BuyOrdersPage, PageQuery, get_buy_orders};
