//! JSON Schema checks: a schema against its meta-schema (drafts 4, 6, 7, 2019-09 and
//! 2020-12 by `$schema`, default 2020-12), compiled validators with `format` asserted, and
//! a bounded cache of compiled validators per (client, event, version).
//!
//! The `jsonschema` crate is built without its HTTP and file resolvers, so a remote `$ref`
//! fails to compile instead of being fetched.

use crate::core::Violation;
use jsonschema::{ValidationError, Validator};
use lru::LruCache;
use serde_json::Value;
use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex},
};

/// A compiled validator.
pub type CompiledSchema = Arc<Validator>;

fn violation(error: &ValidationError<'_>) -> Violation {
    Violation {
        instance_path: error.instance_path().as_str().to_owned(),
        schema_path: error.schema_path().as_str().to_owned(),
        message: error.to_string(),
    }
}

/// Checks `schema` against its meta-schema, then compiles it: every reason it is not a
/// usable JSON Schema, or the compiled validator.
pub fn check_schema(schema: &Value) -> Result<CompiledSchema, Vec<Violation>> {
    let meta = jsonschema::meta::validator_for(schema).map_err(|e| vec![violation(&e)])?;
    let violations: Vec<Violation> = meta.iter_errors(schema).map(|e| violation(&e)).collect();
    if !violations.is_empty() {
        return Err(violations);
    }
    build(schema, false).map_err(|reason| {
        vec![Violation {
            instance_path: String::new(),
            schema_path: String::new(),
            message: reason,
        }]
    })
}

/// Compiles a stored `schema` with `format` asserted; the error says why it cannot be
/// compiled. Unknown format names are ignored here, so a schema stored before they were
/// refused at registration still compiles.
pub fn compile(schema: &Value) -> Result<CompiledSchema, String> {
    build(schema, true)
}

/// A validator asserting `format`; with `ignore_unknown_formats` false, a format name the
/// validator does not know makes the schema fail to compile (registration: 422).
fn build(schema: &Value, ignore_unknown_formats: bool) -> Result<CompiledSchema, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .should_ignore_unknown_formats(ignore_unknown_formats)
        .build(schema)
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Every error of `instance` against `validator` (empty when valid).
pub fn violations(validator: &Validator, instance: &Value) -> Vec<Violation> {
    validator
        .iter_errors(instance)
        .map(|e| violation(&e))
        .collect()
}

/// Events up to this size are validated on the calling (HTTP worker) thread: that takes
/// microseconds, less than a hop to the blocking pool. Larger ones are validated there.
pub const INLINE_VALIDATION_BYTES: usize = 16 * 1024;

fn task_failed(what: &str) -> Violation {
    Violation {
        instance_path: String::new(),
        schema_path: String::new(),
        message: format!("the {what} could not be checked"),
    }
}

/// [`check_schema`] on the blocking pool: compiling a large schema must not hold up an HTTP
/// worker thread.
pub async fn check_schema_off_thread(schema: &Value) -> Result<CompiledSchema, Vec<Violation>> {
    let schema = schema.clone();
    tokio::task::spawn_blocking(move || check_schema(&schema))
        .await
        .unwrap_or_else(|_| Err(vec![task_failed("schema")]))
}

/// [`compile`] on the blocking pool.
pub async fn compile_off_thread(schema: Value) -> Result<CompiledSchema, String> {
    tokio::task::spawn_blocking(move || compile(&schema))
        .await
        .unwrap_or_else(|e| Err(format!("the compile task failed: {e}")))
}

/// [`violations`] of an event of `size` bytes: inline up to [`INLINE_VALIDATION_BYTES`], on the
/// blocking pool above. A backtracking `pattern` is bounded either way: fancy-regex stops after
/// 1,000,000 backtracking steps and the event is then invalid (422).
pub async fn violations_bounded(
    validator: &CompiledSchema,
    instance: &Value,
    size: usize,
) -> Vec<Violation> {
    if size <= INLINE_VALIDATION_BYTES {
        return violations(validator, instance);
    }
    let (validator, instance) = (validator.clone(), instance.clone());
    tokio::task::spawn_blocking(move || violations(&validator, &instance))
        .await
        .unwrap_or_else(|_| vec![task_failed("event")])
}

type Key = (String, String, i32);

/// Compiled validators by (client, event, version), least recently used dropped first.
/// Versions never change once stored, so entries never go stale.
pub struct ValidatorCache {
    entries: Mutex<LruCache<Key, CompiledSchema>>,
}

impl ValidatorCache {
    /// A cache holding at most `capacity` validators (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// The cached validator, if any.
    pub fn get(&self, client: &str, event: &str, version: i32) -> Option<CompiledSchema> {
        let key = (client.to_owned(), event.to_owned(), version);
        self.entries.lock().ok()?.get(&key).cloned()
    }

    /// Caches `validator`.
    pub fn put(&self, client: &str, event: &str, version: i32, validator: CompiledSchema) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.put((client.to_owned(), event.to_owned(), version), validator);
        }
    }

    /// How many validators it can hold.
    pub fn capacity(&self) -> usize {
        self.entries.lock().map(|e| e.cap().get()).unwrap_or(1)
    }

    /// How many validators are cached.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
