//! HTTP routes of create-buy-order.

mod buy_order;
mod cap;

pub use buy_order::{__path_put_buy_order, BuyOrder, OrderService, put_buy_order};
pub use cap::{__path_get_cap, Cap, get_cap};

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/buy_order",
        web::put()
            .to(put_buy_order)
            .wrap(http_kit::require("orders:write")),
    )
    .route(
        "/cap",
        web::get()
            .to(get_cap)
            .wrap(http_kit::require("orders:read")),
    );
}
