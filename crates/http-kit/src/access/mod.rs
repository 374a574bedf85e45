//! Access control (SPEC §11), owned here once for every service: API keys with scopes, checked
//! per route before the body is read, and per-caller rate limits.
//!
//! A service flattens [`AccessConfig`] into its config, passes [`AccessConfig::load`]'s result
//! to [`Common::with_access`](crate::Common::with_access), and wraps each protected route:
//! ```ignore
//! cfg.route("/buy_order", web::put().to(put_buy_order).wrap(http_kit::require("orders:write")));
//! ```
//! Health, metrics and `/openapi.json` are never wrapped, so they stay open.

mod config;
mod guard;
mod keys;
pub mod openapi;
mod outgoing;
mod ratelimit;

pub use config::AccessConfig;
pub use guard::{Require, require, require_any_of, require_key};
pub use keys::{ALL_SCOPES, KeyEntry, KeySet, hash_key, parse_entry};
pub use outgoing::{OutgoingKey, client_with_key};
pub use ratelimit::{Limiter, RateLimit, retry_after_secs};

use std::sync::Arc;

/// The keys and rate limits a server checks requests against. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Access(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    keys: KeySet,
    limiter: Option<Limiter>,
}

impl Access {
    /// No keys, no limit: every route open (what a service without `API_KEYS` runs as).
    pub fn open() -> Self {
        Self::default()
    }

    /// `keys` (empty: open) with an optional per-caller limit.
    pub fn new(keys: KeySet, limit: Option<RateLimit>) -> Self {
        Self(Arc::new(Inner {
            keys,
            limiter: limit.and_then(Limiter::new),
        }))
    }

    /// Whether no key is configured, so every route is open.
    pub fn is_open(&self) -> bool {
        self.0.keys.is_empty()
    }

    /// How many keys are configured.
    pub fn key_count(&self) -> usize {
        self.0.keys.len()
    }

    /// The configured keys.
    pub fn keys(&self) -> &KeySet {
        &self.0.keys
    }

    /// The rate limiter, when a limit is configured.
    pub fn limiter(&self) -> Option<&Limiter> {
        self.0.limiter.as_ref()
    }
}
