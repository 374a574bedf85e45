//! docker-compose.yml, the Dockerfiles, the port table and the services' own config structs
//! agree: every service has its images and compose entry, ports and variables match what the
//! binaries read, and start-up order waits on health.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use deploy_checks::variables_of;
use serde::de::DeserializeOwned;
use serde_norway::Value;
use std::{collections::BTreeSet, fmt::Debug, fs, path::PathBuf};

/// Variables read by telemetry rather than a config struct.
const TELEMETRY_VARIABLES: [&str; 2] = ["RUST_LOG", "LOG_FORMAT"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn compose() -> Value {
    let text =
        fs::read_to_string(root().join("docker-compose.yml")).expect("docker-compose.yml exists");
    serde_norway::from_str(&text).expect("docker-compose.yml is YAML")
}

fn service_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root().join("services"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A service's config: whether it reads a variable, and its defaults, printed.
struct ServiceConfig {
    reads: Box<dyn Fn(&str) -> bool>,
    defaults: String,
}

fn inspect<T: DeserializeOwned + env_config::Validate + Debug>() -> ServiceConfig {
    let defaults: T =
        env_config::from_iter(Vec::new()).expect("defaults alone make a valid config");
    let fields = variables_of::<T>();
    ServiceConfig {
        reads: Box::new(move |variable| {
            fields.iter().any(|f| f == variable) || probe::<T>(variable)
        }),
        defaults: format!("{defaults:?}"),
    }
}

/// Whether `T` reads `variable`, for configs that flatten the shared sections (whose fields
/// serde does not list): set to a marker, a variable it reads either shows up in the loaded
/// config or fails loading with an error naming it; one it ignores changes nothing.
fn probe<T: DeserializeOwned + env_config::Validate + Debug>(variable: &str) -> bool {
    const MARKER: &str = "probe-marker-4f1c";
    let defaults = env_config::from_iter::<T, _>(Vec::new()).map(|d| format!("{d:?}"));
    match env_config::from_iter::<T, _>(env_config::vars(&[(variable, MARKER)])) {
        // A secret's Debug hides the marker, but still differs from the default.
        Ok(config) => {
            let text = format!("{config:?}");
            text.contains(MARKER) || defaults.is_ok_and(|d| d != text)
        }
        Err(error) => error.to_string().contains(variable),
    }
}

fn config_of(service: &str) -> ServiceConfig {
    match service {
        "migration" => inspect::<migration::config::Config>(),
        "btc-price" => inspect::<btc_price::config::Config>(),
        "create-buy-order" => inspect::<create_buy_order::config::Config>(),
        "read-model-sync" => inspect::<read_model_sync::config::Config>(),
        "fetch-buy-orders" => inspect::<fetch_buy_orders::config::Config>(),
        "sequence" => inspect::<sequence::config::Config>(),
        "event-gateway" => inspect::<event_gateway::config::Config>(),
        "lru-cache-server" => inspect::<lru_cache_server::config::Config>(),
        "rate-cache" => inspect::<rate_cache::config::Config>(),
        "console" => inspect::<console::config::Config>(),
        other => panic!("services/{other} is not known to this check: add it to config_of"),
    }
}

/// The port a service binds by default, read from its defaults' Debug text (`http_port: 8777`,
/// or `port: 8777` inside `HttpSettings`).
fn default_port(config: &ServiceConfig) -> u16 {
    let after = config
        .defaults
        .split("http_port: ")
        .nth(1)
        .or_else(|| {
            config
                .defaults
                .split("HttpSettings { host: ")
                .nth(1)?
                .split("port: ")
                .nth(1)
        })
        .expect("the config has an http_port or HttpSettings");
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// scripts/lib.sh's SERVICE_PORTS table.
fn port_table() -> Vec<(String, u16)> {
    let text = fs::read_to_string(root().join("scripts/lib.sh")).unwrap();
    let table = text
        .split("SERVICE_PORTS=(")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    table
        .split_whitespace()
        .map(|entry| {
            let (name, port) = entry.trim_start_matches('[').split_once("]=").unwrap();
            (name.to_owned(), port.parse().unwrap())
        })
        .collect()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => panic!("expected a scalar, got {other:?}"),
    }
}

#[test]
fn every_service_has_a_compose_service_and_the_dockerfile_pair() {
    let compose = compose();
    for file in [
        "docker/Dockerfile.base",
        "docker/Dockerfile.run",
        "build_base_images.sh",
        "build_run_images.sh",
    ] {
        assert!(root().join(file).is_file(), "{file} is missing");
    }
    for name in service_names() {
        let service = &compose["services"][name.as_str()];
        assert!(
            service.is_mapping(),
            "docker-compose.yml has no service {name}"
        );
        assert_eq!(
            text(&service["build"]["dockerfile"]),
            "docker/Dockerfile.run",
            "{name}"
        );
        assert_eq!(
            text(&service["build"]["args"]["SERVICE"]),
            name,
            "{name} builds another binary"
        );
        assert_eq!(
            text(&service["image"]),
            format!("btc/{name}:latest"),
            "{name}"
        );
    }
}

#[test]
fn ports_agree_between_the_binaries_the_port_table_and_compose() {
    let compose = compose();
    let table = port_table();
    assert_eq!(
        table
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<BTreeSet<_>>(),
        service_names().into_iter().collect()
    );
    for (name, port) in table {
        assert_eq!(
            default_port(&config_of(&name)),
            port,
            "{name}'s default HTTP_PORT"
        );
        let service = &compose["services"][name.as_str()];
        assert_eq!(
            text(&service["build"]["args"]["HTTP_PORT"]),
            port.to_string(),
            "{name} image port"
        );
        if name == "migration" {
            continue; // a job: it serves only with MIGRATION_SERVE=true
        }
        assert_eq!(
            text(&service["environment"]["HTTP_PORT"]),
            port.to_string(),
            "{name}"
        );
        let published: Vec<String> = service["ports"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(text)
            .collect();
        assert!(
            published.contains(&format!("{port}:{port}")),
            "{name} publishes {published:?}"
        );
    }
}

#[test]
fn every_variable_compose_and_env_set_is_one_a_service_reads() {
    let compose = compose();
    let mut configs = Vec::new();
    for name in service_names() {
        let config = config_of(&name);
        let environment = compose["services"][name.as_str()]["environment"]
            .as_mapping()
            .unwrap();
        for key in environment.keys().map(text) {
            assert!(
                (config.reads)(&key) || TELEMETRY_VARIABLES.contains(&key.as_str()),
                "compose sets {key} for {name}, which does not read it"
            );
        }
        configs.push(config);
    }
    let env_file = fs::read_to_string(root().join(".env")).unwrap();
    for line in env_file
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let key = line.split('=').next().unwrap();
        assert!(
            configs.iter().any(|config| (config.reads)(key)) || TELEMETRY_VARIABLES.contains(&key),
            ".env sets {key}, which no service reads"
        );
    }
}

#[test]
fn every_service_waits_for_migration_and_its_backing_services_to_be_healthy() {
    let compose = compose();
    let hosts = ["write_model", "read_model", "queue", "btc-price"];
    for name in service_names() {
        let service = &compose["services"][name.as_str()];
        let depends = &service["depends_on"];
        if name != "migration" {
            assert_eq!(
                text(&depends["migration"]["condition"]),
                "service_completed_successfully",
                "{name}"
            );
            assert!(
                service["healthcheck"]["test"].is_sequence(),
                "{name} has a health check"
            );
            assert_eq!(text(&service["restart"]), "unless-stopped", "{name}");
        }
        let environment = service["environment"].as_mapping().unwrap();
        for value in environment.values().map(text) {
            for host in hosts
                .iter()
                .filter(|h| value.contains(&format!("@{h}:")) || value.contains(&format!("//{h}:")))
            {
                assert_eq!(
                    text(&depends[*host]["condition"]),
                    "service_healthy",
                    "{name} uses {host} and must wait for it"
                );
            }
        }
    }
}

#[test]
fn the_podman_overlay_resets_the_log_driver_of_every_service_that_sets_one() {
    // podman has no fluentd driver: a service the overlay leaves out cannot be created there.
    let compose = compose();
    let overlay_text = fs::read_to_string(root().join("docker-compose.podman.yml")).unwrap();
    let overlay: Value =
        serde_norway::from_str(&overlay_text.replace("!reset null", "null")).unwrap();
    let services = compose["services"].as_mapping().unwrap();
    for (name, service) in services {
        if service.get("logging").is_some() {
            let name = text(name);
            assert!(
                overlay["services"].get(name.as_str()).is_some(),
                "docker-compose.podman.yml does not reset {name}'s logging"
            );
        }
    }
}
