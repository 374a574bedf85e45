//! INFO [section ...]

use std::fmt::Write;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::CmdError;
use crate::db::{ENTRY_OVERHEAD, Stats};
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::state::{AppState, rss_bytes};

/// The version reported as `redis_version`, for clients that check it.
pub const REDIS_VERSION: &str = "7.0.0";
const SECTIONS: [&str; 5] = ["server", "clients", "memory", "stats", "keyspace"];

/// `INFO [section ...]`: server facts as `name:value` lines, in Redis' field names.
#[derive(Debug)]
pub struct Info {
    sections: Vec<Bytes>,
}

impl Info {
    /// Reads the section names (none, `all`, `default` or `everything` mean every section).
    pub fn parse_frames(parse: &mut Parse) -> Result<Info, CmdError> {
        Ok(Info {
            sections: parse.rest(),
        })
    }

    fn wants(&self, section: &str) -> bool {
        self.sections.is_empty()
            || self.sections.iter().any(|s| {
                s.eq_ignore_ascii_case(section.as_bytes())
                    || ["all", "default", "everything"]
                        .iter()
                        .any(|all| s.eq_ignore_ascii_case(all.as_bytes()))
            })
    }

    /// Replies with the requested sections: a bulk string, or a verbatim `txt` string in RESP3.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let stats = state.db.stats();
        let mut text = String::new();
        for section in SECTIONS.into_iter().filter(|s| self.wants(s)) {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            // Writing to a String cannot fail.
            let _ = write_section(&mut text, section, state, &stats);
        }
        dst.verbatim(text.as_bytes());
    }
}

fn write_section(
    out: &mut String,
    section: &str,
    state: &AppState,
    stats: &Stats,
) -> std::fmt::Result {
    match section {
        "server" => write_server(out, state),
        "clients" => write_clients(out, state),
        "memory" => write_memory(out, state, stats),
        "stats" => write_stats(out, state, stats),
        _ => write_keyspace(out, stats),
    }
}

fn write_server(out: &mut String, state: &AppState) -> std::fmt::Result {
    writeln!(out, "# Server\r")?;
    writeln!(out, "redis_version:{REDIS_VERSION}\r")?;
    writeln!(out, "server_name:lru-cache-server\r")?;
    writeln!(out, "server_version:{}\r", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "redis_mode:standalone\r")?;
    writeln!(out, "process_id:{}\r", std::process::id())?;
    writeln!(
        out,
        "tcp_port:{}\r",
        state.resp_port.load(Ordering::Relaxed)
    )?;
    writeln!(
        out,
        "uptime_in_seconds:{}\r",
        state.started.elapsed().as_secs()
    )
}

fn write_clients(out: &mut String, state: &AppState) -> std::fmt::Result {
    writeln!(out, "# Clients\r")?;
    writeln!(out, "connected_clients:{}\r", state.clients())?;
    writeln!(out, "maxclients:{}\r", state.config.cache_max_connections)
}

fn write_memory(out: &mut String, state: &AppState, stats: &Stats) -> std::fmt::Result {
    let config = &state.config;
    writeln!(out, "# Memory\r")?;
    writeln!(out, "used_memory:{}\r", stats.used_bytes)?;
    writeln!(out, "used_memory_rss:{}\r", rss_bytes())?;
    writeln!(out, "maxmemory:{}\r", config.cache_max_bytes)?;
    writeln!(out, "maxmemory_policy:allkeys-lru\r")?;
    writeln!(out, "maxmemory_entries:{}\r", config.cache_max_entries)?;
    writeln!(out, "entry_overhead_bytes:{ENTRY_OVERHEAD}\r")?;
    writeln!(out, "shards:{}\r", config.cache_shards)
}

fn write_stats(out: &mut String, state: &AppState, stats: &Stats) -> std::fmt::Result {
    let c = &stats.counters;
    let total = state.total_connections.load(Ordering::Relaxed);
    let rejected = state.rejected_connections.load(Ordering::Relaxed);
    writeln!(out, "# Stats\r")?;
    writeln!(out, "total_connections_received:{total}\r")?;
    writeln!(out, "rejected_connections:{rejected}\r")?;
    writeln!(out, "keyspace_hits:{}\r", c.hits)?;
    writeln!(out, "keyspace_misses:{}\r", c.misses)?;
    writeln!(out, "evicted_keys:{}\r", c.evicted)?;
    writeln!(out, "expired_keys:{}\r", c.expired)
}

fn write_keyspace(out: &mut String, stats: &Stats) -> std::fmt::Result {
    writeln!(out, "# Keyspace\r")?;
    if stats.keys > 0 {
        let (keys, expires) = (stats.keys, stats.expires);
        writeln!(out, "db0:keys={keys},expires={expires},avg_ttl=0\r")?;
    }
    Ok(())
}
