//! HTTP routes of create-buy-order.

mod buy_order;

pub use buy_order::{__path_put_buy_order, BuyOrder, OrderService, put_buy_order};

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/buy_order",
        web::put()
            .to(put_buy_order)
            .wrap(http_kit::require("orders:write")),
    );
}
