//! The deprecated `PUBLISH_TIMEOUT_MS` still works, and the process says so in its log.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};
use test_support::TestDatabase;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the real binary with `vars` and returns the first stdout line matching `wanted`
/// within `deadline` (or `None`), then kills it.
fn first_log_line(
    vars: &[(&str, &str)],
    wanted: impl Fn(&str) -> bool,
    deadline: Duration,
) -> Option<String> {
    let db = TestDatabase::migrated(store::Database::EventGateway);
    let exchange = test_support::unique_name("events.deprecated");
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_event-gateway"))
            .env_clear()
            .env("EVENT_GATEWAY_DATABASE_URL", db.url())
            .env("AMQP_URL", test_support::amqp_url())
            .env("EVENTS_EXCHANGE", &exchange)
            .env("HTTP_PORT", "0")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let until = Instant::now() + deadline;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match received.recv_timeout(left) {
            Ok(line) if wanted(&line) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

fn is_deprecation_warning(line: &str) -> bool {
    line.contains("\"WARN\"") && line.contains("PUBLISH_TIMEOUT_MS is deprecated")
}

/// The warning comes right after the access-control line, so once the service says it
/// listens, a warning would have been seen.
fn is_warning_or_listening(line: &str) -> bool {
    is_deprecation_warning(line) || line.contains("event-gateway listening")
}

#[test]
fn the_deprecated_publish_timeout_ms_is_accepted_with_a_warning_log_line() {
    let line = first_log_line(
        &[("PUBLISH_TIMEOUT_MS", "2500")],
        is_deprecation_warning,
        Duration::from_secs(20),
    )
    .expect("a warning naming PUBLISH_TIMEOUT_MS as deprecated");
    let fields: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        fields["replacement"], "PUBLISH_CONFIRM_TIMEOUT_MS",
        "{line}"
    );
    assert_eq!(fields["value_ms"], 2500, "{line}");
    assert_eq!(fields["used"], true, "{line}");
}

#[test]
fn the_new_name_alone_logs_no_deprecation_warning() {
    let line = first_log_line(
        &[("PUBLISH_CONFIRM_TIMEOUT_MS", "2500")],
        is_warning_or_listening,
        Duration::from_secs(20),
    );
    assert!(
        line.as_deref().is_some_and(|l| !is_deprecation_warning(l)),
        "{line:?}"
    );
}
