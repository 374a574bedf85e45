//! The cache's counters, read with `INFO` over its RESP port (lru-cache-server's HTTP API has
//! none): one connection per call, `AUTH` first when `CACHE_PASSWORD` is set, every step under
//! one deadline, the reply bounded in size.

use http_kit::access::OutgoingKey;
use serde::Serialize;
use std::time::Duration;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};

/// Largest `INFO` reply read.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// What the cache page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheInfo {
    /// Keys stored now.
    pub keys: u64,
    /// Reads that found their key.
    pub hits: u64,
    /// Reads that did not.
    pub misses: u64,
    /// Entries evicted to make room.
    pub evictions: u64,
    /// Keys that expired.
    pub expired: u64,
    /// Bytes the entries use (keys, values and per-entry overhead).
    pub used_memory: u64,
    /// The byte limit.
    pub maxmemory: u64,
    /// The entry limit.
    pub max_entries: u64,
}

/// Why `INFO` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    /// Connecting, writing or reading failed.
    #[error("cannot talk to the cache at {address}: {source}")]
    Io {
        /// Where.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// The deadline passed.
    #[error("the cache at {0} did not answer INFO in time")]
    Timeout(String),
    /// The server answered an error (`NOAUTH`, `WRONGPASS`).
    #[error("the cache refused: {0}")]
    Refused(String),
    /// Not a RESP reply we understand.
    #[error("the cache's reply is not a RESP bulk string: {0}")]
    Protocol(String),
}

/// Reads `INFO` from `address` within `timeout`.
pub async fn read(
    address: &str,
    password: Option<&OutgoingKey>,
    timeout: Duration,
) -> Result<CacheInfo, InfoError> {
    tokio::time::timeout(timeout, exchange(address, password))
        .await
        .map_err(|_| InfoError::Timeout(address.to_owned()))?
}

async fn exchange(address: &str, password: Option<&OutgoingKey>) -> Result<CacheInfo, InfoError> {
    let io = |source| InfoError::Io {
        address: address.to_owned(),
        source,
    };
    let stream = TcpStream::connect(address).await.map_err(io)?;
    let mut stream = BufReader::new(stream);
    if let Some(password) = password.filter(|p| !p.expose().is_empty()) {
        stream
            .get_mut()
            .write_all(&command(&["AUTH", password.expose()]))
            .await
            .map_err(io)?;
        let line = read_line(&mut stream).await.map_err(io)?;
        if !line.starts_with('+') {
            return Err(InfoError::Refused(line.trim_start_matches('-').to_owned()));
        }
    }
    stream
        .get_mut()
        .write_all(&command(&["INFO"]))
        .await
        .map_err(io)?;
    let header = read_line(&mut stream).await.map_err(io)?;
    if let Some(error) = header.strip_prefix('-') {
        return Err(InfoError::Refused(error.to_owned()));
    }
    // RESP2 bulk string `$N`, or RESP3 verbatim string `=N` (its first 4 bytes are `txt:`).
    let length = header
        .strip_prefix('$')
        .or_else(|| header.strip_prefix('='))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= MAX_REPLY_BYTES)
        .ok_or_else(|| InfoError::Protocol(header.chars().take(40).collect()))?;
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.map_err(io)?;
    Ok(parse(&String::from_utf8_lossy(&body)))
}

/// One command as a RESP array of bulk strings.
fn command(parts: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", parts.len()).into_bytes();
    for part in parts {
        out.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// One reply line without its CRLF, at most 1 KiB.
async fn read_line(stream: &mut BufReader<TcpStream>) -> std::io::Result<String> {
    let mut line = Vec::new();
    let mut limited = (&mut *stream).take(1024);
    limited.read_until(b'\n', &mut line).await?;
    if !line.ends_with(b"\n") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "reply line too long or cut short",
        ));
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_owned())
}

/// The fields of an `INFO` text the page shows; absent ones are 0.
pub fn parse(text: &str) -> CacheInfo {
    let mut info = CacheInfo::default();
    for line in text.lines() {
        let Some((name, value)) = line.trim_end().split_once(':') else {
            continue;
        };
        let number = || value.parse::<u64>().unwrap_or_default();
        match name {
            "keyspace_hits" => info.hits = number(),
            "keyspace_misses" => info.misses = number(),
            "evicted_keys" => info.evictions = number(),
            "expired_keys" => info.expired = number(),
            "used_memory" => info.used_memory = number(),
            "maxmemory" => info.maxmemory = number(),
            "maxmemory_entries" => info.max_entries = number(),
            "db0" => {
                info.keys = value
                    .split(',')
                    .find_map(|field| field.strip_prefix("keys="))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_default();
            }
            _ => {}
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_redis_info_text() {
        let text = "# Stats\r\nkeyspace_hits:7\r\nkeyspace_misses:3\r\nevicted_keys:2\r\n\
                    # Memory\r\nused_memory:1234\r\nmaxmemory:0\r\n# Keyspace\r\n\
                    db0:keys=5,expires=1,avg_ttl=0\r\n";
        let info = parse(text);
        assert_eq!(
            (
                info.hits,
                info.misses,
                info.evictions,
                info.keys,
                info.used_memory
            ),
            (7, 3, 2, 5, 1234)
        );
    }

    #[test]
    fn commands_are_resp_arrays() {
        assert_eq!(command(&["INFO"]), b"*1\r\n$4\r\nINFO\r\n");
    }
}
