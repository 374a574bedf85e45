//! HTTP routes of btc-price.

mod btc_price;

pub use btc_price::{
    __path_get_btc_price, __path_get_btc_prices, PriceList, PriceView, get_btc_price,
    get_btc_prices,
};

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/btc_price/{currency}",
        web::get()
            .to(get_btc_price)
            .wrap(http_kit::require("prices:read")),
    )
    .route(
        "/btc_prices",
        web::get()
            .to(get_btc_prices)
            .wrap(http_kit::require("prices:read")),
    );
}
