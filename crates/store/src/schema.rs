//! diesel table definitions, one module per database, matching `migrations/<database>`.

/// The orders write model.
pub mod write {
    diesel::table! {
        /// Orders as created.
        buy_orders (id) {
            id -> Uuid,
            idempotence_key -> Varchar,
            currency -> Varchar,
            amount -> Numeric,
            exchange_rate -> Numeric,
            bitcoin_amount -> Numeric,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        /// The single row holding the BTC total and cap.
        btc_cap (singleton) {
            singleton -> Bool,
            cap_btc -> Numeric,
            total_btc -> Numeric,
        }
    }

    diesel::table! {
        /// Events to publish, written with the order.
        outbox (id) {
            id -> Int8,
            event_id -> Uuid,
            event_type -> Text,
            aggregate_id -> Uuid,
            payload -> Jsonb,
            correlation_id -> Nullable<Text>,
            created_at -> Timestamptz,
            published_at -> Nullable<Timestamptz>,
            state -> Text,
            lease_until -> Nullable<Timestamptz>,
        }
    }

    diesel::allow_tables_to_appear_in_same_query!(buy_orders, btc_cap, outbox);
}

/// The orders read model.
pub mod read {
    diesel::table! {
        /// Orders shaped for listing newest first.
        buy_orders (id) {
            id -> Uuid,
            currency -> Varchar,
            amount -> Numeric,
            exchange_rate -> Numeric,
            bitcoin_amount -> Numeric,
            created_at -> Timestamptz,
            applied_at -> Timestamptz,
        }
    }
}

/// The rate cache.
pub mod rate_cache {
    diesel::table! {
        /// Tracked pairs.
        currency_pairs (base, quote) {
            base -> Varchar,
            quote -> Varchar,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        /// Observed rates.
        rate_samples (id) {
            id -> Int8,
            base -> Varchar,
            quote -> Varchar,
            rate -> Numeric,
            source -> Text,
            observed_at -> Timestamptz,
            tick_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        /// The last tick each scheduled job was dispatched for.
        scheduler_ticks (job) {
            job -> Text,
            last_tick_at -> Timestamptz,
            dispatched_at -> Timestamptz,
        }
    }

    diesel::allow_tables_to_appear_in_same_query!(currency_pairs, rate_samples);
}

/// The event gateway's schema store.
pub mod event_gateway {
    diesel::table! {
        /// Registered schema versions.
        event_schemas (client, event, version) {
            client -> Varchar,
            event -> Varchar,
            version -> Int4,
            schema -> Jsonb,
            created_at -> Timestamptz,
        }
    }
}
