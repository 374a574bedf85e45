//! Which database a PostgreSQL URL names, so two variables naming one database can be caught.

use url::Url;

/// The server and database `url` names, normalised: the host lower-cased (`localhost` and
/// `::1` as `127.0.0.1`), the port (5432 when absent), the database name percent-decoded (the
/// user's name when absent, as libpq does). `host`, `port` and `dbname` query parameters
/// override the URL's parts, as in libpq. `None` when `url` does not parse.
pub fn database_identity(url: &str) -> Option<(String, u16, String)> {
    let parsed = Url::parse(url).ok()?;
    let query = |key: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let host = query("host")
        .or_else(|| parsed.host_str().map(str::to_owned))
        .unwrap_or_else(|| "127.0.0.1".to_owned())
        .to_lowercase();
    let host = match host.as_str() {
        "localhost" | "[::1]" | "::1" => "127.0.0.1".to_owned(),
        _ => host,
    };
    let port = match query("port") {
        Some(port) => port.parse().ok()?,
        None => parsed.port().unwrap_or(5432),
    };
    let path = parsed.path().trim_start_matches('/');
    let name = query("dbname").unwrap_or_else(|| {
        percent_decode(if path.is_empty() {
            parsed.username()
        } else {
            path
        })
    });
    Some((host, port, name))
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(url: &str) -> (String, u16, String) {
        database_identity(url).unwrap()
    }

    #[test]
    fn spellings_of_one_database_are_one_identity() {
        let one = id("postgres://postgres@127.0.0.1:5432/orders");
        for same in [
            "postgresql://other@LOCALHOST/orders",
            "postgres://postgres@localhost:5432/orders?sslmode=disable",
            "postgres://postgres@127.0.0.1/%6Frders",
            "postgres://postgres@db.example/x?host=127.0.0.1&dbname=orders",
        ] {
            assert_eq!(id(same), one, "{same}");
        }
    }

    #[test]
    fn another_port_host_or_name_is_another_database() {
        let one = id("postgres://postgres@127.0.0.1:5432/orders");
        for other in [
            "postgres://postgres@127.0.0.1:5433/orders",
            "postgres://postgres@10.0.0.1/orders",
            "postgres://postgres@127.0.0.1/orders_read",
        ] {
            assert_ne!(id(other), one, "{other}");
        }
        assert_eq!(id("postgres://alice@h").2, "alice", "no name: the user's");
    }
}
