//! Typed configuration from environment variables, over `envy`.
//!
//! Every service reads its settings into one `serde` struct: [`from_env`] in `main`,
//! [`from_iter`] in tests so they never touch the process environment. Both run the
//! struct's [`Validate`] check, so a service never starts with a value it cannot use.
//! Errors name the variable and what it expects, ready to print before exiting.
//!
//! The settings every service repeats (HTTP, the database pool and its deadlines, the broker)
//! are sections here ([`HttpSettings`], [`DatabaseSettings`], [`BrokerSettings`]) that a
//! service's config flattens, so they are named, defaulted and validated in one place.

mod number;
pub use number::optional_number;
mod sections;

pub use sections::{BrokerSettings, DatabaseSettings, HttpSettings};
use serde::de::DeserializeOwned;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable was not set.
    #[error("environment variable {variable} is required but not set")]
    Missing {
        /// The variable's name, upper case.
        variable: String,
    },
    /// A variable was set to something that cannot be parsed or is out of range.
    #[error("environment variable {variable} is invalid: {reason}")]
    Invalid {
        /// The variable's name, upper case.
        variable: String,
        /// What was wrong and what is expected instead.
        reason: String,
    },
}

impl ConfigError {
    /// An invalid-value error for `variable`, with what was expected.
    pub fn invalid(variable: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            variable: variable.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A check run after deserialising: ranges, URL shapes, relations between fields.
pub trait Validate {
    /// `Ok` when every field is usable; otherwise the first problem found.
    fn validate(&self) -> Result<(), ConfigError>;
}

/// Loads `T` from the process environment and validates it.
pub fn from_env<T: DeserializeOwned + Validate>() -> Result<T, ConfigError> {
    from_iter(std::env::vars())
}

/// Loads `T` from explicit `(NAME, value)` pairs and validates it. Unknown names are ignored.
pub fn from_iter<T, I>(vars: I) -> Result<T, ConfigError>
where
    T: DeserializeOwned + Validate,
    I: IntoIterator<Item = (String, String)>,
{
    let config: T = envy::from_iter(vars).map_err(convert)?;
    config.validate()?;
    Ok(config)
}

fn convert(error: envy::Error) -> ConfigError {
    match error {
        envy::Error::MissingValue(field) => ConfigError::Missing {
            variable: field.to_uppercase(),
        },
        envy::Error::Custom(message) => {
            // envy words parse failures as "<why> while parsing value '<v>' provided by <VAR>".
            match message.rsplit_once(" provided by ") {
                Some((reason, variable)) => ConfigError::invalid(variable, reason),
                None => ConfigError::invalid("(unknown)", message),
            }
        }
    }
}

/// Loads `T` from the process environment or, on any problem, prints it (naming the variable)
/// to stderr and exits with status 1: for `main`, before anything else starts.
pub fn load_or_exit<T: DeserializeOwned + Validate>() -> T {
    from_env().unwrap_or_else(|error| {
        eprintln!("configuration error: {error}");
        std::process::exit(1)
    })
}

/// `(NAME, value)` pairs as owned strings, for [`from_iter`] in tests.
pub fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// Checks that `value` is an absolute `http(s)://` URL; `variable` names it in the error.
pub fn require_http_url(variable: &str, value: &str) -> Result<(), ConfigError> {
    require_url(variable, value, &["http://", "https://"])
}

/// Checks that `value` is a PostgreSQL URL (`postgres://` or `postgresql://`).
pub fn require_postgres_url(variable: &str, value: &str) -> Result<(), ConfigError> {
    require_url(variable, value, &["postgres://", "postgresql://"])
}

/// Checks that `value` is an AMQP URL (`amqp://` or `amqps://`).
pub fn require_amqp_url(variable: &str, value: &str) -> Result<(), ConfigError> {
    require_url(variable, value, &["amqp://", "amqps://"])
}

/// Checks that `value` starts with one of `schemes` and has something after it.
pub fn require_url(variable: &str, value: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    let ok = schemes.iter().any(|scheme| {
        value
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    });
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            variable,
            format!(
                "expected a URL starting with {}, got '{value}'",
                schemes.join(" or ")
            ),
        ))
    }
}

/// Checks that `value` is within `min..=max`; `variable` names it in the error.
pub fn require_range<N>(variable: &str, value: N, min: N, max: N) -> Result<(), ConfigError>
where
    N: PartialOrd + std::fmt::Display,
{
    if value < min || value > max {
        return Err(ConfigError::invalid(
            variable,
            format!("expected a number from {min} to {max}, got {value}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Sample {
        database_url: String,
        #[serde(default = "default_port")]
        http_port: u16,
    }

    fn default_port() -> u16 {
        8080
    }

    impl Validate for Sample {
        fn validate(&self) -> Result<(), ConfigError> {
            require_url("DATABASE_URL", &self.database_url, &["postgres://"])
        }
    }

    #[test]
    fn a_missing_variable_is_named_in_upper_case() {
        let error = from_iter::<Sample, _>(vars(&[])).unwrap_err();
        assert_eq!(
            error,
            ConfigError::Missing {
                variable: "DATABASE_URL".into()
            }
        );
        assert!(error.to_string().contains("DATABASE_URL"));
    }

    #[test]
    fn a_malformed_number_names_the_variable_and_the_value() {
        let error = from_iter::<Sample, _>(vars(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("HTTP_PORT", "eighty"),
        ]))
        .unwrap_err();
        let ConfigError::Invalid { variable, reason } = &error else {
            panic!("expected Invalid, got {error:?}")
        };
        assert_eq!(variable, "HTTP_PORT");
        assert!(reason.contains("'eighty'"), "{reason}");
    }

    #[test]
    fn a_port_out_of_range_is_invalid() {
        let error = from_iter::<Sample, _>(vars(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("HTTP_PORT", "70000"),
        ]))
        .unwrap_err();
        assert!(
            matches!(error, ConfigError::Invalid { ref variable, .. } if variable == "HTTP_PORT")
        );
    }

    #[test]
    fn validation_runs_after_parsing() {
        let error = from_iter::<Sample, _>(vars(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(error.to_string().contains("postgres://"), "{error}");
    }

    #[test]
    fn defaults_fill_unset_variables() {
        let sample: Sample = from_iter(vars(&[("DATABASE_URL", "postgres://x/y")])).unwrap();
        assert_eq!(sample.http_port, 8080);
    }

    #[test]
    fn postgres_and_amqp_urls_are_checked_by_scheme() {
        assert!(require_postgres_url("DB", "postgresql://h/d").is_ok());
        assert!(require_postgres_url("DB", "amqp://h").is_err());
        assert!(require_amqp_url("BROKER", "amqps://h").is_ok());
        let error = require_amqp_url("BROKER", "http://h").unwrap_err();
        assert!(error.to_string().contains("BROKER"), "{error}");
    }

    #[test]
    fn range_check_names_bounds() {
        let error = require_range("LIMIT", 0, 1, 100).unwrap_err();
        assert!(error.to_string().contains("1 to 100"), "{error}");
    }
}
