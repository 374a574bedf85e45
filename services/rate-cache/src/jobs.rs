//! The update job: one message per upstream call per scheduler tick, on the durable work queue.
//!
//! A tick's pairs are split by the provider's [`Batching`]: Coinbase answers every quote of one
//! base in one response, so its pairs are grouped by base; the ECB feed holds every rate, so
//! one job carries all pairs. A worker makes one upstream call per job.

pub use crate::provider::Pair;

use crate::provider::Batching;
use chrono::{DateTime, Utc};
use messaging::{Envelope, OutgoingMessage, QueueSpec, Topology};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `event_type` of an update job.
pub const UPDATE_REQUESTED: &str = "rate_update.requested";

/// Fetch once and record one sample of each of `pairs` for the tick starting at `tick_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "JobWire")]
pub struct UpdateJob {
    /// The pairs one upstream call serves, never empty.
    pub pairs: Vec<Pair>,
    /// Start of the scheduler tick the job belongs to.
    pub tick_at: DateTime<Utc>,
}

/// What is on the queue: a batch, or a one-pair job from a replica that predates batching
/// (`{"base", "quote", "tick_at"}`), still in the queue during a rolling upgrade.
#[derive(Deserialize)]
#[serde(untagged)]
enum JobWire {
    Batch {
        pairs: Vec<Pair>,
        tick_at: DateTime<Utc>,
    },
    Single {
        base: String,
        quote: String,
        tick_at: DateTime<Utc>,
    },
}

impl From<JobWire> for UpdateJob {
    fn from(wire: JobWire) -> Self {
        match wire {
            JobWire::Batch { pairs, tick_at } => Self { pairs, tick_at },
            JobWire::Single {
                base,
                quote,
                tick_at,
            } => Self {
                pairs: vec![Pair { base, quote }],
                tick_at,
            },
        }
    }
}

impl UpdateJob {
    /// The persistent message carrying this job to `queue` through the default exchange,
    /// with `correlation_id` naming its tick.
    pub fn to_message(&self, queue: &str) -> serde_json::Result<OutgoingMessage> {
        let correlation = format!("tick-{}", self.tick_at.timestamp());
        Envelope::new(UPDATE_REQUESTED, self.clone(), Some(correlation)).to_message("", queue)
    }
}

/// The jobs of one tick: `pairs` split as `batching` says, each job's pairs sorted.
pub fn batch(pairs: Vec<Pair>, batching: Batching, tick_at: DateTime<Utc>) -> Vec<UpdateJob> {
    let mut groups: BTreeMap<String, Vec<Pair>> = BTreeMap::new();
    for pair in pairs {
        let key = match batching {
            Batching::PerBase => pair.base.clone(),
            Batching::AllPairs => String::new(),
        };
        groups.entry(key).or_default().push(pair);
    }
    groups
        .into_values()
        .map(|mut pairs| {
            pairs.sort();
            UpdateJob { pairs, tick_at }
        })
        .collect()
}

/// The work queue (durable, with its dead-letter queue).
pub fn topology(queue: &str, expires_ms: Option<u32>) -> Topology {
    let mut spec = QueueSpec::new(queue);
    if let Some(ms) = expires_ms {
        spec = spec.expires_after_ms(ms);
    }
    Topology::new().queue(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(base: &str, quote: &str) -> Pair {
        Pair {
            base: base.to_owned(),
            quote: quote.to_owned(),
        }
    }

    fn pairs() -> Vec<Pair> {
        vec![
            pair("USD", "GBP"),
            pair("EUR", "JPY"),
            pair("USD", "EUR"),
            pair("USD", "JPY"),
        ]
    }

    #[test]
    fn per_base_batching_makes_one_job_per_base() {
        let jobs = batch(pairs(), Batching::PerBase, Utc::now());
        let bases: Vec<Vec<&str>> = jobs
            .iter()
            .map(|job| job.pairs.iter().map(|p| p.base.as_str()).collect())
            .collect();
        assert_eq!(bases, vec![vec!["EUR"], vec!["USD", "USD", "USD"]]);
    }

    #[test]
    fn all_pairs_batching_makes_one_job() {
        let jobs = batch(pairs(), Batching::AllPairs, Utc::now());
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].pairs.len(), 4);
        assert!(batch(Vec::new(), Batching::AllPairs, Utc::now()).is_empty());
    }

    #[test]
    fn a_one_pair_job_from_an_older_replica_is_still_understood() {
        let job: UpdateJob = serde_json::from_str(
            r#"{"base":"USD","quote":"EUR","tick_at":"2026-11-22T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(job.pairs, vec![pair("USD", "EUR")]);
        let again: UpdateJob = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
        assert_eq!(again, job);
    }
}
