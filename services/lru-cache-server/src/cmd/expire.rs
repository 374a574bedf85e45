//! EXPIRE key seconds [NX | XX | GT | LT], PEXPIRE key ms [...], TTL key, PTTL key

use bytes::Bytes;

use super::CmdError;
use crate::db::{ExpireIf, Ttl, unix_now_ms};
use crate::resp::Parse;
use crate::resp::connection::Replies;
use crate::resp::encode::len_i64;
use crate::state::AppState;

/// `EXPIRE` / `PEXPIRE`: `:1` if the TTL was set (a time in the past deletes the key), `:0`
/// if the key is missing or the condition failed.
#[derive(Debug)]
pub struct Expire {
    key: Bytes,
    ms: i64,
    condition: ExpireIf,
}

impl Expire {
    /// Reads key, amount (seconds, or milliseconds when `millis`) and the optional condition.
    pub fn parse_frames(parse: &mut Parse, millis: bool) -> Result<Expire, CmdError> {
        let name = if millis { "pexpire" } else { "expire" };
        let key = parse.next_bytes()?;
        let amount = parse.next_int()?;
        let ms = if millis {
            Some(amount)
        } else {
            amount.checked_mul(1000)
        };
        // Redis refuses a time that overflows once the current Unix time is added.
        let ms = ms.filter(|ms| *ms <= i64::MAX - unix_now_ms());
        let ms = ms.ok_or_else(|| {
            CmdError::Other(format!("ERR invalid expire time in '{name}' command"))
        })?;
        let mut condition = ExpireIf::Always;
        for option in parse.rest() {
            let upper = option.to_ascii_uppercase();
            condition = match upper.as_slice() {
                b"NX" => ExpireIf::NoTtl,
                b"XX" => ExpireIf::HasTtl,
                b"GT" => ExpireIf::Later,
                b"LT" => ExpireIf::Sooner,
                _ => {
                    let text = String::from_utf8_lossy(&option);
                    return Err(CmdError::Other(format!("ERR Unsupported option {text}")));
                }
            };
        }
        Ok(Expire { key, ms, condition })
    }

    /// Sets the TTL.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let now = i128::from(state.db.now_ms());
        // A time at or before now deletes the key; 1 is the earliest time of the store clock.
        let at = u64::try_from((now + i128::from(self.ms)).max(1)).unwrap_or(u64::MAX);
        match state.db.expire(&self.key, at, self.condition) {
            Ok(changed) => dst.integer(i64::from(changed)),
            Err(err) => dst.error(super::mset::db_error(&err)),
        }
    }
}

/// `TTL` / `PTTL`: seconds (or ms) left, `-1` without TTL, `-2` for a missing key.
#[derive(Debug)]
pub struct TtlCmd {
    key: Bytes,
    millis: bool,
}

impl TtlCmd {
    /// Reads the key.
    pub fn parse_frames(parse: &mut Parse, millis: bool) -> Result<TtlCmd, CmdError> {
        Ok(TtlCmd {
            key: parse.next_bytes()?,
            millis,
        })
    }

    /// Replies with the time left.
    pub fn apply(self, state: &AppState, dst: &mut Replies) {
        let reply = match state.db.ttl(&self.key) {
            Ttl::Missing => -2,
            Ttl::Persistent => -1,
            Ttl::Remaining(ms) if self.millis => len_i64(usize::try_from(ms).unwrap_or(usize::MAX)),
            // Redis rounds to the nearest second.
            Ttl::Remaining(ms) => i64::try_from(ms.saturating_add(500) / 1000).unwrap_or(i64::MAX),
        };
        dst.integer(reply);
    }
}
