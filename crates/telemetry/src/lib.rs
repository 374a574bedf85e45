//! Tracing set-up shared by every binary.
//!
//! Reads two variables:
//! - `LOG_FORMAT`: `json` (default; one JSON object a line on stdout) or `pretty`;
//! - `RUST_LOG`: the `tracing_subscriber::EnvFilter` directives (default `info`).
//!
//! The request id of SPEC §0 is a field of the request span (see `http-kit`), so it is
//! printed on every line logged inside that request in both formats.

use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object a line, with the span fields flattened in.
    Json,
    /// Human-readable lines for a terminal.
    Pretty,
}

impl LogFormat {
    /// Parses `json` or `pretty` (case-insensitive); anything else is an error naming both.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "pretty" => Ok(Self::Pretty),
            other => Err(format!(
                "LOG_FORMAT must be 'json' or 'pretty', got '{other}'"
            )),
        }
    }

    /// The format named by `LOG_FORMAT`, `json` when unset.
    pub fn from_env() -> Result<Self, String> {
        std::env::var("LOG_FORMAT").map_or(Ok(Self::Json), |value| Self::parse(&value))
    }
}

/// Installs the global subscriber for `service`. Call once, first thing in `main`.
///
/// Returns an error (to print and exit on) when `LOG_FORMAT` or `RUST_LOG` is malformed or a
/// subscriber is already installed.
pub fn init(service: &str) -> Result<(), String> {
    let format = LogFormat::from_env()?;
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) => EnvFilter::try_new(&directives)
            .map_err(|e| format!("RUST_LOG is not a valid filter ('{directives}'): {e}"))?,
        Err(_) => EnvFilter::new("info"),
    };
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_target(true),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
    };
    result.map_err(|e| format!("cannot install the tracing subscriber: {e}"))?;
    // debug, not info: a service's first line at the default level is its own (SPEC §11 wants
    // "access control is off" first when no keys are configured).
    tracing::debug!(service, format = ?format, "logging initialised");
    Ok(())
}

/// [`init`], or print why not and exit with status 1: for the first line of `main`.
pub fn init_or_exit(service: &str) {
    if let Err(message) = init(service) {
        eprintln!("{message}");
        std::process::exit(1);
    }
}

/// Installs a subscriber for tests (pretty, `RUST_LOG` or `warn`), once; later calls do nothing.
pub fn init_for_tests() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_test_writer())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_accepts_json_and_pretty_in_any_case() {
        assert_eq!(LogFormat::parse("JSON"), Ok(LogFormat::Json));
        assert_eq!(LogFormat::parse("pretty"), Ok(LogFormat::Pretty));
    }

    #[test]
    fn an_unknown_log_format_names_the_variable_and_choices() {
        let error = LogFormat::parse("xml").unwrap_err();
        assert!(
            error.contains("LOG_FORMAT") && error.contains("'xml'"),
            "{error}"
        );
    }
}
