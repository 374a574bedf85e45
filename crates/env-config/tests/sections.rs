//! The shared sections, flattened into a service config the way every service does it.

use env_config::{
    BrokerSettings, ConfigError, DatabaseSettings, HttpSettings, Validate, from_iter, vars,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Service {
    #[serde(flatten)]
    http: HttpSettings<8777>,
    #[serde(flatten)]
    database: DatabaseSettings<16>,
    #[serde(flatten)]
    broker: BrokerSettings,
    #[serde(default)]
    own_limit: u32,
}

impl Validate for Service {
    fn validate(&self) -> Result<(), ConfigError> {
        self.http.validate()?;
        self.database.validate()?;
        self.broker.validate()
    }
}

fn load(pairs: &[(&str, &str)]) -> Result<Service, ConfigError> {
    from_iter(vars(pairs))
}

fn invalid_variable(pairs: &[(&str, &str)]) -> String {
    match load(pairs) {
        Err(ConfigError::Invalid { variable, .. }) => variable,
        other => panic!("expected Invalid for {pairs:?}, got {other:?}"),
    }
}

#[test]
fn plain_numbers_inside_a_flattened_struct_fail_under_envy() {
    // The pitfall the sections work around: flatten buffers envy's values as strings.
    #[derive(Debug, Deserialize)]
    struct Plain {
        #[allow(dead_code)]
        port: u16,
    }
    #[derive(Debug, Deserialize)]
    struct Outer {
        #[allow(dead_code)]
        #[serde(flatten)]
        plain: Plain,
    }
    let error = envy::from_iter::<_, Outer>(vars(&[("PORT", "8080")])).unwrap_err();
    assert!(
        error.to_string().contains("invalid type: string"),
        "{error}"
    );
}

#[test]
fn defaults_come_from_the_section_and_the_service() {
    let service = load(&[]).unwrap();
    assert_eq!(service.http, HttpSettings::<8777>::default());
    assert_eq!(service.http.port, 8777);
    assert_eq!(service.http.request_timeout_ms, 10_000);
    assert_eq!(service.database, DatabaseSettings::<16>::default());
    assert_eq!(service.database.pool_size, 16);
    assert_eq!(service.database.connect_timeout_secs, 5);
    assert_eq!(service.database.statement_timeout_ms, 5000);
    assert_eq!(service.database.lock_timeout_ms, 2000);
    assert_eq!(service.database.idle_in_transaction_timeout_ms, 10_000);
    assert_eq!(
        service.broker.amqp_url,
        "amqp://guest:guest@127.0.0.1:5672/%2f"
    );
}

#[test]
fn every_section_variable_is_read_through_flatten() {
    let service = load(&[
        ("HTTP_HOST", "0.0.0.0"),
        ("HTTP_PORT", "9000"),
        ("REQUEST_TIMEOUT_MS", "250"),
        ("DATABASE_POOL_SIZE", "3"),
        ("DATABASE_TIMEOUT_MS", "700"),
        ("DATABASE_CONNECT_TIMEOUT_SECS", "9"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "1234"),
        ("DATABASE_LOCK_TIMEOUT_MS", "55"),
        ("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", "66"),
        ("AMQP_URL", "amqp://h/v"),
        ("OWN_LIMIT", "7"),
    ])
    .unwrap();
    assert_eq!(
        (service.http.host.as_str(), service.http.port),
        ("0.0.0.0", 9000)
    );
    assert_eq!(service.http.request_timeout().as_millis(), 250);
    let d = &service.database;
    assert_eq!(
        (
            d.pool_size,
            d.pool_timeout_ms,
            d.connect_timeout_secs,
            d.statement_timeout_ms,
            d.lock_timeout_ms,
            d.idle_in_transaction_timeout_ms
        ),
        (3, 700, 9, 1234, 55, 66)
    );
    assert_eq!(service.broker.amqp_url, "amqp://h/v");
    assert_eq!(
        service.own_limit, 7,
        "the service's own numbers still parse"
    );
}

#[test]
fn a_malformed_number_in_a_section_names_its_variable_and_value() {
    for variable in [
        "HTTP_PORT",
        "REQUEST_TIMEOUT_MS",
        "DATABASE_POOL_SIZE",
        "DATABASE_TIMEOUT_MS",
        "DATABASE_CONNECT_TIMEOUT_SECS",
        "DATABASE_STATEMENT_TIMEOUT_MS",
        "DATABASE_LOCK_TIMEOUT_MS",
        "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    ] {
        let error = load(&[(variable, "soon")]).unwrap_err();
        assert_eq!(
            error,
            ConfigError::Invalid {
                variable: variable.to_owned(),
                reason: "invalid digit found in string while parsing value 'soon'".to_owned(),
            }
        );
    }
    assert_eq!(invalid_variable(&[("HTTP_PORT", "70000")]), "HTTP_PORT");
    assert_eq!(invalid_variable(&[("OWN_LIMIT", "x")]), "OWN_LIMIT");
}

#[test]
fn out_of_range_values_name_their_variable() {
    for (variable, value) in [
        ("REQUEST_TIMEOUT_MS", "0"),
        ("DATABASE_POOL_SIZE", "0"),
        ("DATABASE_TIMEOUT_MS", "0"),
        ("DATABASE_CONNECT_TIMEOUT_SECS", "1"),
        ("DATABASE_STATEMENT_TIMEOUT_MS", "0"),
        ("DATABASE_LOCK_TIMEOUT_MS", "0"),
        ("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", "3600001"),
        ("AMQP_URL", "http://broker"),
        ("HTTP_HOST", " "),
    ] {
        assert_eq!(invalid_variable(&[(variable, value)]), variable);
    }
}
