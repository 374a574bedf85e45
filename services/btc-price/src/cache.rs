//! The price cache: fresh for the TTL, one upstream flight at a time, stale within bounds,
//! stale-while-revalidate.
//!
//! A request finds the cached snapshot fresh (younger than `PRICE_TTL_MS`) and returns it.
//! Otherwise a refresh is due: one flight at a time, a spawned task (so a client that hangs up
//! does not cancel it), so N concurrent requests cause one upstream call. A request that has a
//! usable stale snapshot (younger than `PRICE_MAX_STALE_MS`) gets it at once, flagged stale,
//! and never waits for the flight; only a request with no usable price waits for the flight,
//! and at most the cache's wait limit. After a failure, no new flight starts for one TTL, so a
//! failing upstream is not hammered.

use crate::upstream::{Snapshot, UpstreamError, Upstreams};
use futures::future::{BoxFuture, FutureExt, Shared};
use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

type Flight = Shared<BoxFuture<'static, Result<Arc<Snapshot>, Arc<UpstreamError>>>>;

#[derive(Default)]
struct State {
    latest: Option<Arc<Snapshot>>,
    flight: Option<Flight>,
    last_failure: Option<(Instant, Arc<UpstreamError>)>,
}

/// A snapshot as served: possibly stale.
#[derive(Debug, Clone)]
pub struct Served {
    /// The prices.
    pub snapshot: Arc<Snapshot>,
    /// True when the upstream failed and an older snapshot is served.
    pub stale: bool,
}

/// No price young enough to serve.
#[derive(Debug, thiserror::Error)]
#[error("no price younger than the stale limit: {0}")]
pub struct Unavailable(pub Arc<UpstreamError>);

/// The cache; share it with `Arc`.
pub struct PriceCache {
    upstreams: Arc<Upstreams>,
    ttl: Duration,
    max_stale: Duration,
    wait_limit: Duration,
    state: Arc<Mutex<State>>,
}

impl PriceCache {
    /// A cold cache in front of `upstreams`; a caller with no usable price waits at most
    /// `wait_limit` for the upstream.
    pub fn new(
        upstreams: Upstreams,
        ttl: Duration,
        max_stale: Duration,
        wait_limit: Duration,
    ) -> Self {
        Self {
            upstreams: Arc::new(upstreams),
            ttl,
            max_stale,
            wait_limit,
            state: Arc::default(),
        }
    }

    /// The current prices: fresh ones, else a usable stale one at once (a refresh starts in
    /// the background), else the refresh's result, waited for at most the wait limit.
    pub async fn get(&self) -> Result<Served, Unavailable> {
        let flight = {
            let mut state = self.lock();
            let latest = state.latest.clone();
            if let Some(snapshot) = latest.as_ref().filter(|s| s.fetched.elapsed() < self.ttl) {
                return Ok(Served {
                    snapshot: snapshot.clone(),
                    stale: false,
                });
            }
            let recent_failure = match &state.last_failure {
                Some((when, error)) if when.elapsed() < self.ttl && state.flight.is_none() => {
                    Some(error.clone())
                }
                _ => None,
            };
            let usable = latest.filter(|s| s.fetched.elapsed() < self.max_stale);
            match (usable, recent_failure) {
                (Some(snapshot), recent_failure) => {
                    if recent_failure.is_none() {
                        state.flight.get_or_insert_with(|| self.start_flight());
                    }
                    return Ok(Served {
                        snapshot,
                        stale: true,
                    });
                }
                (None, Some(error)) => return Err(Unavailable(error)),
                (None, None) => state
                    .flight
                    .get_or_insert_with(|| self.start_flight())
                    .clone(),
            }
        };
        match tokio::time::timeout(self.wait_limit, flight).await {
            Ok(Ok(snapshot)) => Ok(Served {
                snapshot,
                stale: false,
            }),
            Ok(Err(error)) => self.stale_or_unavailable(error),
            Err(_) => Err(Unavailable(Arc::new(UpstreamError::Timeout))),
        }
    }

    fn stale_or_unavailable(&self, error: Arc<UpstreamError>) -> Result<Served, Unavailable> {
        let state = self.lock();
        match state
            .latest
            .as_ref()
            .filter(|s| s.fetched.elapsed() < self.max_stale)
        {
            Some(snapshot) => Ok(Served {
                snapshot: snapshot.clone(),
                stale: true,
            }),
            None => Err(Unavailable(error)),
        }
    }

    fn start_flight(&self) -> Flight {
        let upstreams = self.upstreams.clone();
        let state = self.state.clone();
        let task = tokio::spawn(async move {
            let outcome = upstreams.fetch().await.map(Arc::new).map_err(Arc::new);
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            state.flight = None;
            match &outcome {
                Ok(snapshot) => {
                    state.latest = Some(snapshot.clone());
                    state.last_failure = None;
                }
                Err(error) => {
                    tracing::warn!(error = %error, "every price source failed");
                    state.last_failure = Some((Instant::now(), error.clone()));
                }
            }
            outcome
        });
        async move {
            task.await
                .unwrap_or_else(|e| Err(Arc::new(UpstreamError::Task(e.to_string()))))
        }
        .boxed()
        .shared()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
