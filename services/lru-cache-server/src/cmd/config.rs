//! CONFIG GET pattern [pattern ...] | CONFIG HELP

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::{CmdError, unknown_subcommand, wrong_arity};
use crate::resp::connection::Replies;
use crate::resp::{Frame, Parse};
use crate::state::AppState;

/// `CONFIG GET` answers the parameters clients ask about at connect (redis-benchmark asks
/// `save` and `appendonly`) from the real configuration; `CONFIG SET` is not supported.
#[derive(Debug)]
pub enum ConfigCmd {
    /// `CONFIG GET pattern [pattern ...]`: a map of names to values (a flat array in RESP2).
    Get(Vec<Bytes>),
    /// `CONFIG HELP`
    Help,
}

impl ConfigCmd {
    /// Reads the subcommand and its patterns.
    pub fn parse_frames(parse: &mut Parse) -> Result<ConfigCmd, CmdError> {
        let sub = parse.next_bytes()?;
        if sub.eq_ignore_ascii_case(b"get") {
            let patterns = parse.rest();
            if patterns.is_empty() {
                return Err(wrong_arity("config|get"));
            }
            Ok(ConfigCmd::Get(patterns))
        } else if sub.eq_ignore_ascii_case(b"help") {
            Ok(ConfigCmd::Help)
        } else {
            Err(unknown_subcommand("config", &sub))
        }
    }

    /// Replies.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        match self {
            ConfigCmd::Get(patterns) => {
                let params = parameters(state);
                let matched: Vec<(Frame, Frame)> = params
                    .iter()
                    .filter(|(name, _)| patterns.iter().any(|p| glob_match(p, name.as_bytes())))
                    .map(|(name, value)| {
                        (
                            Frame::Bulk(Bytes::from_static(name.as_bytes())),
                            Frame::Bulk(Bytes::from(value.clone())),
                        )
                    })
                    .collect();
                dst.frame(&Frame::Map(matched));
            }
            ConfigCmd::Help => {
                let lines = [
                    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "GET <pattern>",
                    "    Return parameters matching the glob-like <pattern> and their values.",
                    "HELP",
                    "    Print this help.",
                ];
                let lines = lines.map(|l| Frame::Simple(Cow::Borrowed(l)));
                dst.frame(&Frame::Array(lines.into()));
            }
        }
    }
}

/// Every parameter CONFIG GET knows, with its value.
fn parameters(state: &AppState) -> Vec<(&'static str, String)> {
    let config = &state.config;
    vec![
        ("appendonly", "no".into()),
        ("bind", config.resp_host().to_owned()),
        ("databases", "1".into()),
        ("maxclients", config.cache_max_connections.to_string()),
        ("maxmemory", config.cache_max_bytes.to_string()),
        ("maxmemory-policy", "allkeys-lru".into()),
        ("port", state.resp_port.load(Ordering::Relaxed).to_string()),
        (
            "proto-max-bulk-len",
            config.cache_max_value_bytes.to_string(),
        ),
        ("save", String::new()),
        ("timeout", config.cache_timeout_secs.to_string()),
    ]
}

/// Case-insensitive glob match with `*` and `?`, as CONFIG GET uses.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_patterns_match_like_config_get() {
        assert!(glob_match(b"save", b"save"));
        assert!(glob_match(b"SAVE", b"save"));
        assert!(glob_match(b"max*", b"maxmemory-policy"));
        assert!(glob_match(b"*", b"port"));
        assert!(glob_match(b"p?rt", b"port"));
        assert!(!glob_match(b"max", b"maxmemory"));
        assert!(!glob_match(b"*x", b"port"));
    }
}
