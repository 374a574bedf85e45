//! fetch-buy-orders (SPEC §5): `GET /buy_orders`, the orders of the read model newest first,
//! paged by a keyset on `(created_at, id)`.

pub mod config;
pub mod orders;
pub mod routes;
pub mod startup;
