//! Cache metrics for `/metrics`, read from the store and the RESP counters at scrape time.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntCounter, IntGauge, Opts};

use crate::state::AppState;

/// A Prometheus collector over the shared state.
pub struct CacheCollector {
    state: Arc<AppState>,
    counters: [IntCounter; 6],
    gauges: [IntGauge; 3],
    // Serialises scrapes so two of them never add the same increment twice.
    scrape: Mutex<()>,
}

impl CacheCollector {
    /// The collector; register it on the service's registry.
    pub fn new(state: Arc<AppState>) -> Result<CacheCollector, prometheus::Error> {
        let counter = |name: &str, help: &str| IntCounter::with_opts(Opts::new(name, help));
        let gauge = |name: &str, help: &str| IntGauge::with_opts(Opts::new(name, help));
        Ok(CacheCollector {
            state,
            counters: [
                counter("cache_hits_total", "Reads that found a live key")?,
                counter("cache_misses_total", "Reads that found no live key")?,
                counter(
                    "cache_evictions_total",
                    "Keys evicted to stay within capacity",
                )?,
                counter(
                    "cache_expired_total",
                    "Keys removed because their TTL passed",
                )?,
                counter("cache_connections_total", "RESP connections accepted")?,
                counter(
                    "cache_connections_rejected_total",
                    "RESP connections refused at CACHE_MAX_CONNECTIONS",
                )?,
            ],
            gauges: [
                gauge("cache_keys", "Keys held")?,
                gauge("cache_used_bytes", "Bytes charged against CACHE_MAX_BYTES")?,
                gauge("cache_connections", "Open RESP connections")?,
            ],
            scrape: Mutex::new(()),
        })
    }

    fn refresh(&self) {
        let stats = self.state.db.stats();
        let c = stats.counters;
        let totals = [
            c.hits,
            c.misses,
            c.evicted,
            c.expired,
            self.state.total_connections.load(Ordering::Relaxed),
            self.state.rejected_connections.load(Ordering::Relaxed),
        ];
        for (counter, total) in self.counters.iter().zip(totals) {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        let levels = [stats.keys, stats.used_bytes, self.state.clients()];
        for (gauge, level) in self.gauges.iter().zip(levels) {
            gauge.set(i64::try_from(level).unwrap_or(i64::MAX));
        }
    }
}

impl Collector for CacheCollector {
    fn desc(&self) -> Vec<&Desc> {
        let counters = self.counters.iter().flat_map(Collector::desc);
        counters
            .chain(self.gauges.iter().flat_map(Collector::desc))
            .collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let _scrape = self.scrape.lock().unwrap_or_else(PoisonError::into_inner);
        self.refresh();
        let counters = self.counters.iter().flat_map(Collector::collect);
        counters
            .chain(self.gauges.iter().flat_map(Collector::collect))
            .collect()
    }
}
